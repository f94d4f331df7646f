//! A state machine read off a network's hidden states: integer state vectors, an initial
//! state, the observed transitions `(state, input) -> state` and the output of each state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LatticeCoding;
use crate::{MipsError, Result};

/// An integer-state Moore machine, as observed on data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StateMachine {
    pub state_dim: usize,
    pub input_dim: usize,
    pub output_dim: usize,
    /// The state before the first input (read off `h0`).
    pub initial: Vec<i64>,
    /// Observed transitions: `(state, input) -> next state`.
    pub transitions: BTreeMap<(Vec<i64>, Vec<i64>), Vec<i64>>,
    /// Output of each state (the output at step t is that of the state after step t).
    pub outputs: BTreeMap<Vec<i64>, Vec<i64>>,
    /// The input alphabet when it is finite and known.
    pub alphabet: Option<Vec<Vec<i64>>>,
    /// True when every reachable (state, input) pair of the finite alphabet has a transition.
    pub complete: bool,
    /// How the states were read off the network (e.g. "lattice", "clusters", "circle").
    pub method: String,
    /// Names of the state components, if the extraction knows what they mean.
    #[serde(default)]
    pub state_names: Vec<String>,
    /// For a lattice machine: the coding that gives the rows of states outside the tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coding: Option<Box<LatticeCoding>>,
}

/// Why a state machine could not produce an output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// No transition recorded for this (state, input) pair at this step.
    Transition {
        step: usize,
        state: Vec<i64>,
        input: Vec<i64>,
    },
    /// No output recorded for the state reached at this step.
    Output { step: usize, state: Vec<i64> },
}

impl StateMachine {
    /// Number of distinct states seen (as sources, targets or with outputs).
    pub fn state_count(&self) -> usize {
        let mut states: std::collections::BTreeSet<&Vec<i64>> = self.outputs.keys().collect();
        states.insert(&self.initial);
        for ((s, _), t) in &self.transitions {
            states.insert(s);
            states.insert(t);
        }
        states.len()
    }

    /// The state after input `x` from `state`: the table's row, else the coding's.
    fn next(&self, step: usize, state: Vec<i64>, x: &[i64]) -> std::result::Result<Vec<i64>, Gap> {
        let key = (state, x.to_vec());
        if let Some(next) = self.transitions.get(&key) {
            return Ok(next.clone());
        }
        self.coding
            .as_ref()
            .and_then(|c| c.next(&key.0, x))
            .ok_or(Gap::Transition {
                step,
                state: key.0,
                input: key.1,
            })
    }

    /// The output of `state`: the table's, else the coding's.
    fn output(&self, step: usize, state: &[i64]) -> std::result::Result<Vec<i64>, Gap> {
        match (self.outputs.get(state), &self.coding) {
            (Some(y), _) => Ok(y.clone()),
            (None, Some(c)) => Ok(c.output(state)),
            (None, None) => Err(Gap::Output {
                step,
                state: state.to_vec(),
            }),
        }
    }

    /// Runs the machine over `inputs` (`len × input_dim`), returning the outputs
    /// (`len × output_dim`) or the first gap in the tables (and the coding, if any).
    pub fn run(&self, inputs: &[i64]) -> std::result::Result<Vec<i64>, Gap> {
        let mut state = self.initial.clone();
        let mut out = Vec::with_capacity(inputs.len() / self.input_dim.max(1) * self.output_dim);
        for (step, x) in inputs.chunks(self.input_dim.max(1)).enumerate() {
            state = self.next(step, state, x)?;
            out.extend(self.output(step, &state)?);
        }
        Ok(out)
    }

    /// The states visited after each step (`len` states), or the first gap.
    pub fn states(&self, inputs: &[i64]) -> std::result::Result<Vec<Vec<i64>>, Gap> {
        let mut state = self.initial.clone();
        let mut visited = Vec::new();
        for (step, x) in inputs.chunks(self.input_dim.max(1)).enumerate() {
            state = self.next(step, state, x)?;
            visited.push(state.clone());
        }
        Ok(visited)
    }

    /// The part of the machine that sequences of at most `steps` inputs use: the transitions
    /// from states reached in fewer than `steps` steps from the initial state, and the outputs
    /// of states reached in at most `steps` steps. The result is marked incomplete when rows
    /// were dropped.
    pub fn within(&self, steps: usize) -> StateMachine {
        type Edges<'m> = Vec<(&'m Vec<i64>, &'m Vec<i64>)>;
        let mut by_state: BTreeMap<&Vec<i64>, Edges> = BTreeMap::new();
        for ((s, x), t) in &self.transitions {
            by_state.entry(s).or_default().push((x, t));
        }
        let mut reached: std::collections::BTreeSet<&Vec<i64>> = [&self.initial].into();
        let mut frontier = vec![&self.initial];
        let mut kept = StateMachine {
            transitions: BTreeMap::new(),
            outputs: BTreeMap::new(),
            ..self.clone()
        };
        for _ in 0..steps {
            let mut next = Vec::new();
            for s in frontier {
                for &(x, t) in by_state.get(s).into_iter().flatten() {
                    kept.transitions.insert((s.clone(), x.clone()), t.clone());
                    if reached.insert(t) {
                        next.push(t);
                    }
                }
            }
            frontier = next;
        }
        kept.outputs = self
            .outputs
            .iter()
            .filter(|(s, _)| reached.contains(s))
            .map(|(s, y)| (s.clone(), y.clone()))
            .collect();
        kept.complete &= kept.transitions.len() == self.transitions.len() && kept.outputs.len() == self.outputs.len();
        kept
    }

    /// Checks dimensions of every table entry.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(MipsError::invalid("state machine", m));
        if self.initial.len() != self.state_dim {
            return bad(format!(
                "initial state has {} components, expected {}",
                self.initial.len(),
                self.state_dim
            ));
        }
        for ((s, x), t) in &self.transitions {
            if s.len() != self.state_dim || t.len() != self.state_dim || x.len() != self.input_dim {
                return bad(format!("transition {s:?} --{x:?}--> {t:?} has wrong dimensions"));
            }
        }
        for (s, y) in &self.outputs {
            if s.len() != self.state_dim || y.len() != self.output_dim {
                return bad(format!("output {s:?} -> {y:?} has wrong dimensions"));
            }
        }
        Ok(())
    }
}

/// Largest magnitude up to which an `f64` tells every pair of consecutive integers apart (`2^53`).
pub const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// `v` rounded to the nearest integer, when `v` is finite and the result lies within
/// [`EXACT_INTEGER_LIMIT`] (so it is the integer `v` stands for, not a neighbour); `None`
/// otherwise. Extraction reads every integer state and output through this, never through a
/// saturating `as i64` cast.
pub fn exact_integer(v: f64) -> Option<i64> {
    let r = v.round();
    (r.is_finite() && r.abs() <= EXACT_INTEGER_LIMIT).then_some(r as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_integer_refuses_what_a_cast_would_clamp() {
        assert_eq!(exact_integer(2.6), Some(3));
        assert_eq!(exact_integer(-2.5), Some(-3));
        assert_eq!(exact_integer(EXACT_INTEGER_LIMIT), Some(1 << 53));
        assert_eq!(exact_integer(1e30), None, "`1e30 as i64` would be i64::MAX");
        assert_eq!(exact_integer(-1e19), None);
        assert_eq!(exact_integer(f64::NAN), None);
        assert_eq!(exact_integer(f64::INFINITY), None);
    }

    #[test]
    fn within_keeps_the_rows_short_sequences_use() {
        // A counter 0 → 1 → 2 → 3 on input 1, staying put on input 0.
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            complete: true,
            ..Default::default()
        };
        for s in 0..4 {
            sm.transitions.insert((vec![s], vec![0]), vec![s]);
            sm.transitions.insert((vec![s], vec![1]), vec![(s + 1).min(3)]);
            sm.outputs.insert(vec![s], vec![s]);
        }
        let short = sm.within(2);
        assert_eq!(short.transitions.len(), 4, "from states 0 and 1");
        assert_eq!(
            short.outputs.keys().cloned().collect::<Vec<_>>(),
            vec![vec![0], vec![1], vec![2]]
        );
        assert!(!short.complete);
        assert_eq!(short.run(&[1, 0]), sm.run(&[1, 0]));
        assert_eq!(sm.within(10), sm);
    }

    fn parity() -> StateMachine {
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            method: "test".into(),
            ..Default::default()
        };
        for s in 0..2 {
            for x in 0..2 {
                sm.transitions.insert((vec![s], vec![x]), vec![(s + x) % 2]);
            }
            sm.outputs.insert(vec![s], vec![s]);
        }
        sm
    }

    #[test]
    fn parity_machine_runs() {
        assert_eq!(parity().run(&[1, 1, 0, 1]), Ok(vec![1, 0, 0, 1]));
        assert_eq!(parity().state_count(), 2);
    }

    #[test]
    fn missing_transition_is_reported() {
        let gap = parity().run(&[1, 2]).unwrap_err();
        assert_eq!(
            gap,
            Gap::Transition {
                step: 1,
                state: vec![1],
                input: vec![2]
            }
        );
    }

    #[test]
    fn round_trips_through_ron() {
        let sm = parity();
        let text = ron::to_string(&sm).unwrap();
        let back: StateMachine = ron::from_str(&text).unwrap();
        assert_eq!(back, sm);
    }
}
