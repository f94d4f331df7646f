//! The accuracy check of the parameter passes: a change is kept only when the network still
//! gets at least as many output positions right as the pass's input did — the pass manager's
//! own criterion on the verification sequences, applied before the manager sees the result,
//! and (with `check=test`, the default) on the task's whole test split as well, so that what
//! holds on the verifier's subset also holds on the split the results are reported on.
//! A quick screen on the first sequences rejects most bad candidates early.

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{Mlp, Network};
use mips_core::pass::verify::round_output;
use mips_core::pass::{OptionSpec, Options, PassContext};
use mips_core::{MipsError, Result};
use rayon::prelude::*;

/// Sequences in the screening subset.
const SCREEN: usize = 256;

/// Values of the `check` option.
const CHECKS: [&str; 2] = ["test", "verify"];

/// The `check` option shared by the parameter passes.
pub fn check_option() -> OptionSpec {
    OptionSpec::text(
        "check",
        "test",
        "where accuracy must hold: test (verification sequences and the whole test split) or verify",
    )
}

/// Runs networks over sequences with reusable buffers, with exactly the arithmetic of
/// [`Network::run`] (the same [`mips_core::ir::Linear::apply`] and activation calls in the same
/// order), so its rounded outputs agree bit for bit with the pass manager's.
#[derive(Default)]
struct Runner {
    h: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Runner {
    /// `mlp` applied to the contents of `self.a`; the result is left in `self.a`.
    fn forward(&mut self, mlp: &Mlp) {
        for (k, layer) in mlp.layers.iter().enumerate() {
            self.b.clear();
            self.b.resize(layer.outputs, 0.0);
            layer.apply(&self.a, &mut self.b);
            if k + 1 < mlp.layers.len() {
                self.b.iter_mut().for_each(|v| *v = mlp.activation.apply(*v));
            }
            std::mem::swap(&mut self.a, &mut self.b);
        }
    }

    /// Runs `net` over `seq`, calling `step(outputs, labels)` after each step until it
    /// returns false.
    fn run(&mut self, net: &Network, seq: &Sequence, mut step: impl FnMut(&[f64], &[i64]) -> bool) {
        let (i, o) = (net.input_dim.max(1), net.output_dim);
        self.h.clear();
        self.h.extend_from_slice(&net.h0);
        for (t, x) in seq.inputs.chunks(i).enumerate() {
            self.a.clear();
            self.a.extend_from_slice(&self.h);
            self.a.extend(x.iter().map(|&v| v as f64));
            self.forward(&net.f);
            std::mem::swap(&mut self.h, &mut self.a);
            self.a.clear();
            self.a.extend_from_slice(&self.h);
            self.forward(&net.g);
            if !step(&self.a, seq.outputs.get(t * o..(t + 1) * o).unwrap_or_default()) {
                break;
            }
        }
    }

    /// Output positions of `seq` that `net` gets right; stops at the first miss when `stop`.
    fn right(&mut self, net: &Network, seq: &Sequence, stop: bool) -> usize {
        let mut right = 0;
        self.run(net, seq, |out, labels| {
            let hits = out.iter().zip(labels).filter(|(y, l)| round_output(**y) == **l).count();
            right += hits;
            !stop || hits == labels.len()
        });
        right
    }

    /// The largest `|ŷ − y|` of `net` over the output positions of `seq`.
    fn worst_error(&mut self, net: &Network, seq: &Sequence) -> f64 {
        let mut worst = 0.0f64;
        self.run(net, seq, |out, labels| {
            for (y, l) in out.iter().zip(labels) {
                worst = worst.max((y - *l as f64).abs());
            }
            true
        });
        if worst.is_nan() { f64::INFINITY } else { worst }
    }
}

/// Indices of the (at most) `count` sequences of `data` on which `net`'s largest output error
/// is largest and above `floor`, worst first.
pub fn hardest(net: &Network, data: &Dataset, count: usize, floor: f64) -> Vec<usize> {
    let errors: Vec<f64> = data
        .sequences
        .par_iter()
        .map_init(Runner::default, |runner, s| runner.worst_error(net, s))
        .collect();
    let mut order: Vec<usize> = (0..errors.len()).filter(|&i| errors[i] > floor).collect();
    order.sort_by(|&a, &b| errors[b].total_cmp(&errors[a]).then(a.cmp(&b)));
    order.truncate(count);
    order
}

/// Number of right output positions of `net` on `data`.
fn right_positions(net: &Network, data: &Dataset) -> usize {
    data.sequences
        .par_iter()
        .map_init(Runner::default, |runner, s| runner.right(net, s, false))
        .sum()
}

/// One dataset with the reference's score on it.
struct Bar<'a> {
    data: &'a Dataset,
    right: usize,
    total: usize,
}

impl Bar<'_> {
    fn new<'a>(reference: &Network, data: &'a Dataset) -> Bar<'a> {
        Bar {
            data,
            right: right_positions(reference, data),
            total: data.sequences.iter().map(|s| s.outputs.len()).sum(),
        }
    }

    /// True when `net` does at least as well (stops at the first miss when the bar is perfect).
    fn cleared_by(&self, net: &Network) -> bool {
        if self.right == self.total {
            self.data
                .sequences
                .par_iter()
                .map_init(Runner::default, |runner, s| {
                    runner.right(net, s, true) == s.outputs.len()
                })
                .all(|ok| ok)
        } else {
            right_positions(net, self.data) >= self.right
        }
    }
}

/// Whether a candidate keeps the accuracy of a reference network.
pub struct Checker<'a> {
    screen: Dataset,
    bars: Vec<Bar<'a>>,
    screen_right: usize,
}

impl<'a> Checker<'a> {
    /// A checker holding candidates to the accuracy of `reference` on each of `data`.
    pub fn new(reference: &Network, data: &[&'a Dataset]) -> Self {
        let screen = data.first().map(|d| d.head(SCREEN)).unwrap_or_default();
        Checker {
            screen_right: right_positions(reference, &screen),
            bars: data.iter().map(|d| Bar::new(reference, d)).collect(),
            screen,
        }
    }

    /// The checker a parameter pass uses, as chosen by its `check` option.
    /// The data must have the network's input and output widths.
    pub fn for_pass(reference: &Network, ctx: &PassContext<'a>, options: &Options) -> Result<Self> {
        let data: Vec<&Dataset> = match options.text("check") {
            "test" => vec![ctx.verify, ctx.task.test_split()],
            "verify" => vec![ctx.verify],
            other => return Err(MipsError::unknown("value of option 'check'", other, CHECKS)),
        };
        if let Some(d) = data
            .iter()
            .find(|d| d.input_dim != reference.input_dim || d.output_dim != reference.output_dim)
        {
            return Err(MipsError::invalid(
                "data",
                format!(
                    "sequences have {} inputs and {} outputs per step, the network {} and {}",
                    d.input_dim, d.output_dim, reference.input_dim, reference.output_dim
                ),
            ));
        }
        Ok(Checker::new(reference, &data))
    }

    /// True when `candidate` is valid and gets at least as many positions right as the
    /// reference on every dataset.
    pub fn holds(&self, candidate: &Network) -> bool {
        candidate.validate().is_ok()
            && right_positions(candidate, &self.screen) >= self.screen_right
            && self.bars.iter().all(|b| b.cleared_by(candidate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::CountOnes;
    use mips_core::task::Task;

    #[test]
    fn holds_exactly_what_keeps_accuracy() {
        let task = CountOnes::new(300);
        let net = CountOnes::solution();
        let checker = Checker::new(&net, &[task.test_split()]);
        assert!(checker.holds(&net));
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        assert!(!checker.holds(&worse));
        let lenient = Checker::new(&worse, &[task.test_split()]);
        assert!(lenient.holds(&net) && lenient.holds(&worse));
    }

    #[test]
    fn runner_agrees_with_the_verifier() {
        let net = crate::simplify::testing::random_network(3, 1, 2, &[4], &[3], 8);
        let mut data = Dataset::new(1, 2);
        for inputs in crate::simplify::testing::random_inputs(1, 7, 30, 2) {
            let inputs: Vec<i64> = inputs.iter().map(|&v| v as i64).collect();
            let outputs = mips_core::pass::verify::rounded_outputs(&net, &inputs);
            data.sequences.push(Sequence { inputs, outputs });
        }
        data.sequences[3].outputs[5] += 1;
        data.sequences[8].outputs[0] += 2;
        assert_eq!(right_positions(&net, &data), 30 * 7 * 2 - 2);
        assert_eq!(hardest(&net, &data, 5, 0.5), vec![8, 3]);
        assert_eq!(hardest(&net, &data, 1, 0.5), vec![8]);
        assert_eq!(
            mips_core::pass::verify::network_accuracy(&net, &data),
            right_positions(&net, &data) as f64 / 420.0
        );
        assert!(hardest(&net, &data, 5, 0.5).len() == 2 && hardest(&net, &data, 5, 2.0).is_empty());
    }
}
