//! The state machine as a Graphviz DOT graph (`machine.dot`): states `q0, q1, …` in the
//! order of their vectors, labelled `q<i> / <output>` (a Moore machine), the initial state a
//! double circle, one edge per pair of states labelled with the inputs that take it, filled
//! with the colours of the projection.

use std::collections::BTreeMap;
use std::fmt::Write;

use mips_core::ir::StateMachine;

use crate::colouring::{Colouring, machine_states, vector_text};
use crate::palette;

/// The DOT text of `sm`, its states filled with their colours in the report.
pub fn machine_dot(sm: &StateMachine) -> String {
    let colouring = Colouring::new(sm);
    let states = machine_states(sm);
    let index: BTreeMap<&Vec<i64>, usize> = states.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let mut dot = String::from("digraph machine {\n");
    let _ = writeln!(
        dot,
        "  // {} states, {} transitions; method {}",
        states.len(),
        sm.transitions.len(),
        short_method(&sm.method)
    );
    for (state, &i) in &index {
        let output = sm.outputs.get(*state);
        let label = format!("q{i} / {}", output.map_or("-".to_string(), |y| vector_text(y)));
        let class = colouring.class(state, output.map_or(&[][..], Vec::as_slice));
        let shape = if **state == sm.initial {
            "doublecircle"
        } else {
            "circle"
        };
        let _ = writeln!(
            dot,
            "  q{i} [label=\"{}\", shape={shape}, style=filled, fillcolor=\"{}\", color=\"{}\", tooltip=\"{}\"];",
            escape(&label),
            palette::light_hex(colouring.colour(class)),
            palette::hex(colouring.colour(class)),
            escape(&vector_text(state))
        );
    }
    for ((from, to), inputs) in edges(sm) {
        let _ = writeln!(
            dot,
            "  q{} -> q{} [label=\"{}\"];",
            index[from],
            index[to],
            escape(&inputs_text(&inputs))
        );
    }
    dot.push_str("}\n");
    dot
}

/// The name of an extraction method: its description up to the first `:`, on one line.
pub fn short_method(method: &str) -> String {
    let name = method.split(':').next().unwrap_or_default();
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The inputs of each (source, target) pair of states, in order.
type Edges<'a> = BTreeMap<(&'a Vec<i64>, &'a Vec<i64>), Vec<&'a Vec<i64>>>;

/// The transitions grouped by (source, target), with the inputs of each group in order.
fn edges(sm: &StateMachine) -> Edges<'_> {
    let mut edges = Edges::new();
    for ((from, x), to) in &sm.transitions {
        edges.entry((from, to)).or_default().push(x);
    }
    edges
}

/// The inputs of one edge: runs of consecutive one-component inputs shortened to `a..b`.
fn inputs_text(inputs: &[&Vec<i64>]) -> String {
    if inputs.iter().any(|x| x.len() != 1) {
        return inputs.iter().map(|x| vector_text(x)).collect::<Vec<_>>().join(" ");
    }
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for x in inputs.iter().map(|x| x[0]) {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == x => *end = x,
            _ => runs.push((x, x)),
        }
    }
    runs.iter()
        .map(|&(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a},{b}"),
            _ => format!("{a}..{b}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `text` as the inside of a DOT string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parity of the ones: two states, inputs 0..2 where 1 flips.
    fn parity() -> StateMachine {
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..Default::default()
        };
        for s in 0..2 {
            for x in 0..3 {
                sm.transitions
                    .insert((vec![s], vec![x]), vec![if x == 1 { 1 - s } else { s }]);
            }
            sm.outputs.insert(vec![s], vec![s]);
        }
        sm
    }

    #[test]
    fn the_dot_graph_names_states_edges_and_the_initial_state() {
        let sm = parity();
        let dot = machine_dot(&sm);
        assert!(dot.starts_with("digraph machine {\n") && dot.ends_with("}\n"));
        assert!(dot.contains("q0 [label=\"q0 / 0\", shape=doublecircle"), "{dot}");
        assert!(dot.contains("q1 [label=\"q1 / 1\", shape=circle"), "{dot}");
        assert!(dot.contains("q0 -> q0 [label=\"0,2\"];"), "{dot}");
        assert!(dot.contains("q0 -> q1 [label=\"1\"];"), "{dot}");
        assert_eq!(dot.matches("->").count(), 4);
    }

    #[test]
    fn input_runs_are_shortened() {
        let v: Vec<Vec<i64>> = [0, 1, 2, 3, 5, 7, 8].iter().map(|&x| vec![x]).collect();
        let refs: Vec<&Vec<i64>> = v.iter().collect();
        assert_eq!(inputs_text(&refs), "0..3,5,7,8");
        let pairs = [vec![0, 1], vec![1, 1]];
        let refs: Vec<&Vec<i64>> = pairs.iter().collect();
        assert_eq!(inputs_text(&refs), "(0, 1) (1, 1)");
    }

    #[test]
    fn the_method_is_named_on_one_line() {
        assert_eq!(
            short_method("behaviour 8 states: 8 states,\n16 transitions"),
            "behaviour 8 states"
        );
        assert_eq!(short_method("lattice\nfit"), "lattice fit");
    }

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
