//! The state graph as an SVG picture: the DOT text of [`crate::dot`], laid out and drawn by
//! the `layout-rs` crate.

use std::panic::{AssertUnwindSafe, catch_unwind};

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// The most states drawn: a layered drawing of more is a tangle nobody reads (their DOT file
/// is still written, for Graphviz).
pub const MAX_DRAWN_STATES: usize = 40;

/// The graph of `dot` as an SVG element (no XML declaration).
pub fn graph_svg(dot: &str) -> Result<String, String> {
    let mut parser = DotParser::new(dot);
    let graph = parser
        .process()
        .map_err(|e| format!("the state graph's DOT text does not parse: {e}"))?;
    let drawn = catch_unwind(AssertUnwindSafe(|| {
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&graph);
        let mut visual = builder.get();
        let mut svg = SVGWriter::new();
        visual.do_it(false, false, false, &mut svg);
        svg.finalize()
    }))
    .map_err(|_| "the graph layout library failed on the state graph".to_string())?;
    Ok(sort_styles(strip_declaration(&drawn)))
}

/// `svg` without a leading `<?xml …?>` declaration (not allowed inside HTML).
fn strip_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}

/// `svg` with the lines of its `<style>` block sorted: the layout library keeps its font
/// classes in a hash map, whose order changes from run to run.
fn sort_styles(svg: &str) -> String {
    let (Some(start), Some(end)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg.to_string();
    };
    let body_start = start + "<style>\n".len();
    if end < body_start {
        return svg.to_string();
    }
    let mut lines: Vec<&str> = svg[body_start..end].lines().collect();
    lines.sort_unstable();
    let mut sorted = lines.join("\n");
    if !sorted.is_empty() {
        sorted.push('\n');
    }
    format!("{}{sorted}{}", &svg[..body_start], &svg[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_graph_is_drawn_with_its_labels() {
        let dot = "digraph machine {\n  // two states\n  q0 [label=\"q0 / 0\", shape=doublecircle, style=filled, \
                   fillcolor=\"#a7bcd3\"];\n  q1 [label=\"q1 / 1\", shape=circle];\n  q0 -> q1 [label=\"1\"];\n  \
                   q1 -> q1 [label=\"0\"];\n}\n";
        let svg = graph_svg(dot).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..60]);
        assert!(svg.contains("q0 / 0") && svg.contains("q1 / 1"), "{svg}");
        assert_eq!(graph_svg(dot).unwrap(), svg);
    }

    #[test]
    fn bad_dot_is_an_error() {
        assert!(graph_svg("digraph { a -> ; }").unwrap_err().contains("does not parse"));
    }

    #[test]
    fn style_lines_are_sorted() {
        let svg = "<svg><style>\n.b {}\n.a {}\n</style></svg>";
        assert_eq!(sort_styles(svg), "<svg><style>\n.a {}\n.b {}\n</style></svg>");
        assert_eq!(strip_declaration("<?xml version=\"1.0\"?>\n<svg/>"), "<svg/>");
    }
}
