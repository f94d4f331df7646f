//! The report page: one section per picture, built from what a `synth` run left in its folder.

use mips_core::data::Dataset;
use mips_core::ir::{Network, StateMachine};

use plotters::style::RGBColor;

use crate::chart::{self, complexity_svg, steps};
use crate::colouring::Colouring;
use crate::data::ReportData;
use crate::dot::{machine_dot, short_method};
use crate::graph::{MAX_DRAWN_STATES, graph_svg};
use crate::html::{document, escape, paragraph, section};
use crate::palette;
use crate::projection::{Frame, project};
use crate::scatter::scatter_svg;
use crate::table::rows_table;

/// Everything the page shows.
pub struct Sources<'a> {
    /// `report.ron`.
    pub data: &'a ReportData,
    /// The simplified network (`model.ron`), if the run kept one.
    pub network: Option<&'a Network>,
    /// The extracted state machine (`machine.ron`), if any.
    pub machine: Option<&'a StateMachine>,
    /// The program's Python source (`program.py`), if any.
    pub python: Option<&'a str>,
    /// The verification sequences of the run (the first `verify_size` of the test split).
    pub verify: &'a Dataset,
}

/// The report page as HTML.
pub fn render(s: &Sources) -> Result<String, String> {
    let colouring = s.machine.map(Colouring::new);
    let mut body = header(s);
    body += &section(
        "projection",
        "Hidden states",
        &projection_section(s, colouring.as_ref())?,
    );
    body += &section("state-graph", "State machine", &graph_section(s)?);
    body += &section("complexity", "Complexity after each pass", &complexity_section(s.data)?);
    body += &section("program", "Program and verification", &program_section(s));
    Ok(document(&format!("mips report: {}", s.data.task), &body))
}

fn header(s: &Sources) -> String {
    let accepted = s.data.rows.iter().filter(|r| r.status.accepted()).count();
    let verdict = match &s.data.verification {
        Some(text) if text.contains("PASSED") => "<span class=\"passed\">program verified</span>",
        Some(_) => "<span class=\"failed\">program failed verification</span>",
        None => "<span class=\"failed\">no program</span>",
    };
    format!(
        "<h1>mips report: {}</h1>\n<p class=\"summary\">{} of {} passes accepted; {verdict}.</p>\n",
        escape(&s.data.task),
        accepted,
        s.data.rows.len()
    )
}

fn projection_section(s: &Sources, colouring: Option<&Colouring>) -> Result<String, String> {
    let Some(net) = s.network else {
        return Ok(paragraph(
            "caption",
            "No network was kept (model.ron is missing): nothing to project.",
        ));
    };
    let p = project(net, s.machine.zip(colouring), s.verify);
    let colour = |k: usize| colouring.map_or(palette::colour(k), |c| c.colour(k));
    let mut html = format!("<div class=\"figure\">{}</div>\n", scatter_svg(&p, &colour)?);
    let colours = colouring.map_or("Grey: no state machine was extracted.".to_string(), Colouring::caption);
    html += &paragraph(
        "caption",
        &format!(
            "The {} hidden states of the simplified network (hidden size {}) on the {} verification sequences \
             and its initial state, {} ({} distinct dots drawn). {colours}",
            p.states,
            net.hidden_dim,
            s.verify.sequences.len(),
            match p.frame {
                Frame::Principal(_) => "projected on their two principal axes",
                Frame::UnitAgainstStep => "plotted against the step of the sequence",
            },
            p.points.len()
        ),
    );
    if let (Some(sm), Some(c)) = (s.machine, colouring) {
        let entries: Vec<(RGBColor, String)> = c
            .legend(sm)
            .into_iter()
            .map(|(k, label)| (c.colour(k), label))
            .collect();
        html += &legend(&entries);
    }
    Ok(html)
}

/// A row of colour swatches with their meanings.
fn legend(entries: &[(RGBColor, String)]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let items: String = entries
        .iter()
        .map(|(colour, label)| {
            format!(
                "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>\n",
                palette::hex(*colour),
                escape(label)
            )
        })
        .collect();
    format!("<ul class=\"legend\">\n{items}</ul>\n")
}

fn graph_section(s: &Sources) -> Result<String, String> {
    let Some(sm) = s.machine else {
        return Ok(paragraph(
            "caption",
            "No state machine was extracted (machine.ron is missing).",
        ));
    };
    let states = sm.state_count();
    let about = format!(
        "Extraction: {}; {states} states, {} transitions ({}). States are q0, q1, … labelled `state / output`; \
         the initial state is the double circle; edges carry the inputs that take them. The same graph \
         is in machine.dot for Graphviz.",
        short_method(&sm.method),
        sm.transitions.len(),
        if sm.complete { "complete" } else { "partial" }
    );
    if states > MAX_DRAWN_STATES {
        let why = format!("{about} Not drawn: more than {MAX_DRAWN_STATES} states.");
        return Ok(paragraph("caption", &why));
    }
    let svg = graph_svg(&machine_dot(sm))?;
    Ok(format!(
        "<div class=\"figure\">{svg}</div>\n{}",
        paragraph("caption", &about)
    ))
}

fn complexity_section(data: &ReportData) -> Result<String, String> {
    let svg = complexity_svg(&steps(&data.rows))?;
    let entries: Vec<(RGBColor, String)> = chart::legend().into_iter().map(|(c, l)| (c, l.to_string())).collect();
    let about = "Left: the description length of the artifact in force after each pass (the network, then \
                 the state machine, then the program; a rolled-back pass leaves its input). Right: the \
                 network's parameters and those that are neither 0 nor small integers.";
    Ok(format!(
        "<div class=\"figure\">{svg}</div>\n{}{}{}",
        legend(&entries),
        paragraph("caption", about),
        rows_table(&data.rows)
    ))
}

fn program_section(s: &Sources) -> String {
    let program = match s.python {
        Some(py) => format!("<pre>{}</pre>\n", escape(py)),
        None => paragraph("caption", "No program (program.py is missing)."),
    };
    let verification = match &s.data.verification {
        Some(text) => format!("<pre>{}</pre>\n", escape(text.trim_end())),
        None => paragraph("caption", "Not verified: the run produced no program."),
    };
    format!("{program}<h3>Verification</h3>\n{verification}")
}
