//! Which colour each extracted state gets: one colour per state when the palette has enough,
//! else one per output value (the machine's Moore outputs), else a colour scale over the
//! outputs in order (a lattice machine's thousands of states and outputs).

use std::collections::{BTreeMap, BTreeSet};

use mips_core::ir::StateMachine;
use plotters::style::RGBColor;

use crate::palette;

/// What a colour stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Each state has its own colour.
    State,
    /// States with the same output share a colour.
    Output,
    /// Too many states and outputs for a palette: outputs in order on a colour scale.
    OutputScale,
}

/// The colour classes of one machine's states.
#[derive(Clone, Debug)]
pub struct Colouring {
    /// The rule in force.
    pub rule: Rule,
    states: BTreeMap<Vec<i64>, usize>,
    outputs: BTreeMap<Vec<i64>, usize>,
}

/// Every state the machine's tables name (the states [`StateMachine::state_count`] counts).
pub fn machine_states(sm: &StateMachine) -> BTreeSet<Vec<i64>> {
    let mut states: BTreeSet<Vec<i64>> = sm.outputs.keys().cloned().collect();
    states.insert(sm.initial.clone());
    for ((s, _), t) in &sm.transitions {
        states.insert(s.clone());
        states.insert(t.clone());
    }
    states
}

/// A state or input vector as text: `3` for one component, `(1, 0)` for several.
pub fn vector_text(v: &[i64]) -> String {
    match v {
        [one] => one.to_string(),
        _ => format!("({})", v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
    }
}

impl Colouring {
    /// The colouring of `sm`'s states.
    pub fn new(sm: &StateMachine) -> Self {
        let index = |set: BTreeSet<Vec<i64>>| set.into_iter().enumerate().map(|(i, v)| (v, i)).collect();
        let states: BTreeMap<Vec<i64>, usize> = index(machine_states(sm));
        let outputs: BTreeMap<Vec<i64>, usize> = index(sm.outputs.values().cloned().collect());
        let rule = if states.len() <= palette::SIZE {
            Rule::State
        } else if outputs.len() <= palette::SIZE {
            Rule::Output
        } else {
            Rule::OutputScale
        };
        Colouring { rule, states, outputs }
    }

    /// The colour class of a point in `state` with `output`. States and outputs beyond the
    /// tables (a lattice machine's coding reaches them) take their rank among the known ones.
    pub fn class(&self, state: &[i64], output: &[i64]) -> usize {
        let rank = |map: &BTreeMap<Vec<i64>, usize>, key: &[i64]| {
            map.get(key)
                .copied()
                .unwrap_or_else(|| map.range(..key.to_vec()).count())
        };
        match self.rule {
            Rule::State => rank(&self.states, state),
            Rule::Output | Rule::OutputScale => rank(&self.outputs, output),
        }
    }

    /// The colour of class `k`.
    pub fn colour(&self, k: usize) -> RGBColor {
        match self.rule {
            Rule::State | Rule::Output => palette::colour(k),
            Rule::OutputScale => palette::gradient(k as f64 / self.outputs.len().saturating_sub(1).max(1) as f64),
        }
    }

    /// The index of `state` among the machine's states (its name `q<index>` in the graph).
    pub fn state_index(&self, state: &[i64]) -> Option<usize> {
        self.states.get(state).copied()
    }

    /// A sentence saying what the colours mean.
    pub fn caption(&self) -> String {
        match self.rule {
            Rule::State => "Colour: the extracted state.".into(),
            Rule::Output => format!(
                "Colour: the output of the extracted state ({} states share {} outputs).",
                self.states.len(),
                self.outputs.len()
            ),
            Rule::OutputScale => format!(
                "Colour: the output of the extracted state, from the smallest (dark blue) to the largest \
                 (yellow); {} states, {} outputs.",
                self.states.len(),
                self.outputs.len()
            ),
        }
    }

    /// The legend: (colour class, label), when each colour has one meaning.
    pub fn legend(&self, sm: &StateMachine) -> Vec<(usize, String)> {
        match self.rule {
            Rule::State => self
                .states
                .iter()
                .map(|(s, &i)| {
                    let output = sm.outputs.get(s).map_or("-".to_string(), |y| vector_text(y));
                    (i, format!("q{i} = {}, output {output}", vector_text(s)))
                })
                .collect(),
            Rule::Output => self
                .outputs
                .iter()
                .map(|(y, &i)| (i, format!("output {}", vector_text(y))))
                .collect(),
            Rule::OutputScale => [self.outputs.iter().next(), self.outputs.iter().next_back()]
                .into_iter()
                .flatten()
                .map(|(y, &i)| (i, format!("output {}", vector_text(y))))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(states: i64, outputs: i64) -> StateMachine {
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..Default::default()
        };
        for s in 0..states {
            sm.transitions.insert((vec![s], vec![1]), vec![(s + 1) % states]);
            sm.outputs.insert(vec![s], vec![s % outputs]);
        }
        sm
    }

    #[test]
    fn few_states_get_a_colour_each() {
        let c = Colouring::new(&counter(4, 2));
        assert_eq!(c.rule, Rule::State);
        assert_eq!(c.class(&[3], &[1]), 3);
        assert_eq!(c.legend(&counter(4, 2))[3].1, "q3 = 3, output 1");
    }

    #[test]
    fn many_states_with_few_outputs_are_coloured_by_output() {
        let c = Colouring::new(&counter(30, 3));
        assert_eq!(c.rule, Rule::Output);
        assert_eq!(c.class(&[7], &[1]), 1);
        assert_eq!(c.legend(&counter(30, 3)).len(), 3);
    }

    #[test]
    fn many_outputs_go_on_a_scale_and_unknown_outputs_take_their_rank() {
        let c = Colouring::new(&counter(30, 30));
        assert_eq!(c.rule, Rule::OutputScale);
        assert_eq!(c.class(&[12], &[12]), 12);
        assert_eq!(c.class(&[100], &[100]), 30);
        assert_eq!(c.colour(0), palette::gradient(0.0));
        assert_eq!(c.colour(29), palette::gradient(1.0));
        let legend = c.legend(&counter(30, 30));
        assert_eq!(legend, vec![(0, "output 0".to_string()), (29, "output 29".to_string())]);
    }

    #[test]
    fn vectors_print_as_numbers_or_tuples() {
        assert_eq!(vector_text(&[3]), "3");
        assert_eq!(vector_text(&[1, -2]), "(1, -2)");
    }
}
