//! Behaviour checks used by the pass manager: network accuracy against labels, agreement of a
//! state machine with the network, and agreement of a program with a state machine or with
//! another program, all on the verification sequences.

use rayon::prelude::*;

use crate::data::Dataset;
use crate::ir::{Network, Program, StateMachine, exact_integer};

/// Rounded network outputs for one sequence (round half away from zero, like `f64::round`).
pub fn rounded_outputs(net: &Network, inputs: &[i64]) -> Vec<i64> {
    net.run_int(inputs).outputs.iter().map(|v| round_output(*v)).collect()
}

/// Rounds a raw output to the integer it predicts (saturating for huge values).
pub fn round_output(v: f64) -> i64 {
    if v.is_nan() { i64::MIN } else { v.round() as i64 }
}

/// Share of output positions (all components) where the network's rounded output equals the label.
pub fn network_accuracy(net: &Network, data: &Dataset) -> f64 {
    let (right, total) = data
        .sequences
        .par_iter()
        .map(|s| {
            let out = rounded_outputs(net, &s.inputs);
            let right = out.iter().zip(&s.outputs).filter(|(a, b)| a == b).count();
            (right, s.outputs.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if total == 0 { 1.0 } else { right as f64 / total as f64 }
}

/// Share of label positions an output function reproduces; `None` outputs count as wrong.
pub fn accuracy_of(data: &Dataset, run: impl Fn(&[i64]) -> Option<Vec<i64>> + Sync) -> f64 {
    let (right, total) = data
        .sequences
        .par_iter()
        .map(|s| {
            let right = run(&s.inputs).map_or(0, |out| out.iter().zip(&s.outputs).filter(|(a, b)| a == b).count());
            (right, s.outputs.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if total == 0 { 1.0 } else { right as f64 / total as f64 }
}

/// The first sequence (by index) on which two output functions disagree, with both outputs.
pub fn first_disagreement(
    data: &Dataset,
    a: impl Fn(&[i64]) -> Result<Vec<i64>, String> + Sync,
    b: impl Fn(&[i64]) -> Result<Vec<i64>, String> + Sync,
) -> Option<Disagreement> {
    data.sequences.par_iter().enumerate().find_map_first(|(index, s)| {
        let (left, right) = (a(&s.inputs), b(&s.inputs));
        (left != right).then(|| Disagreement {
            index,
            inputs: s.inputs.clone(),
            left,
            right,
        })
    })
}

/// Where two behaviours first differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    pub index: usize,
    pub inputs: Vec<i64>,
    pub left: Result<Vec<i64>, String>,
    pub right: Result<Vec<i64>, String>,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |r: &Result<Vec<i64>, String>| match r {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {e}"),
        };
        write!(
            out,
            "sequence {} inputs {:?}: {} vs {}",
            self.index,
            self.inputs,
            show(&self.left),
            show(&self.right)
        )
    }
}

/// The network's rounded outputs as a behaviour; an output that stands for no exact integer
/// (not finite, or beyond what an `f64` holds exactly) is an error, never a clamped value.
pub fn network_behaviour(net: &Network) -> impl Fn(&[i64]) -> Result<Vec<i64>, String> + Sync + '_ {
    move |x| {
        net.run_int(x)
            .outputs
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                exact_integer(v).ok_or_else(|| format!("output {k} of the network, {v:e}, is no exact integer"))
            })
            .collect()
    }
}

/// A state machine's outputs as a behaviour (gaps are errors).
pub fn machine_behaviour(sm: &StateMachine) -> impl Fn(&[i64]) -> Result<Vec<i64>, String> + Sync + '_ {
    move |x| sm.run(x).map_err(|gap| format!("{gap:?}"))
}

/// A program's outputs as a behaviour (evaluation errors are errors).
pub fn program_behaviour(p: &Program) -> impl Fn(&[i64]) -> Result<Vec<i64>, String> + Sync + '_ {
    move |x| p.run(x).map_err(|e| e.to_string())
}

#[cfg(test)]
mod exact_tests {
    use super::*;

    #[test]
    fn a_network_output_beyond_exact_integers_is_a_disagreement_not_a_clamp() {
        // `h = x` read out as `1e30 · h`, far beyond the integers an f64 holds exactly.
        let mut net = crate::pass::manager::tests::not_network();
        net.g.layers[0].weight = vec![1e30];
        net.g.layers[0].bias = vec![0.0];
        let behaviour = network_behaviour(&net);
        assert_eq!(behaviour(&[0]), Ok(vec![0]));
        assert!(behaviour(&[1]).is_err());
        let saturated = |_: &[i64]| Ok(vec![i64::MAX]);
        let data = Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences: vec![crate::data::Sequence {
                inputs: vec![1],
                outputs: vec![0],
            }],
        };
        assert!(first_disagreement(&data, network_behaviour(&net), saturated).is_some());
    }
}
