//! The accuracy check of the parameter passes: a change is kept only when the network still
//! gets at least as many output positions right on the verification sequences as the pass's
//! input did — the pass manager's own criterion, applied before the manager sees the result.
//! A quick screen on the first sequences rejects most bad candidates early.

use mips_core::data::Dataset;
use mips_core::ir::Network;
use mips_core::pass::verify::rounded_outputs;
use rayon::prelude::*;

/// Sequences in the screening subset.
const SCREEN: usize = 256;

/// Number of right output positions of `net` on `data`.
fn right_positions(net: &Network, data: &Dataset) -> usize {
    data.sequences
        .par_iter()
        .map(|s| {
            let out = rounded_outputs(net, &s.inputs);
            out.iter().zip(&s.outputs).filter(|(a, b)| a == b).count()
        })
        .sum()
}

/// True when `net` gets every output position of `data` right (stops at the first miss).
fn all_right(net: &Network, data: &Dataset) -> bool {
    data.sequences
        .par_iter()
        .all(|s| rounded_outputs(net, &s.inputs) == s.outputs)
}

/// Whether a candidate keeps the accuracy of a reference network.
pub struct Checker<'a> {
    data: &'a Dataset,
    screen: Dataset,
    /// Right positions the reference has on the screen and on all data.
    screen_right: usize,
    right: usize,
    total: usize,
}

impl<'a> Checker<'a> {
    /// A checker holding candidates to the accuracy of `reference` on `data`.
    pub fn new(reference: &Network, data: &'a Dataset) -> Self {
        let screen = data.head(SCREEN);
        Checker {
            data,
            screen_right: right_positions(reference, &screen),
            right: right_positions(reference, data),
            total: data.sequences.iter().map(|s| s.outputs.len()).sum(),
            screen,
        }
    }

    /// True when `candidate` is valid and gets at least as many positions right as the
    /// reference, on the screen and on all data.
    pub fn holds(&self, candidate: &Network) -> bool {
        if candidate.validate().is_err() {
            return false;
        }
        if self.right == self.total {
            return all_right(candidate, &self.screen) && all_right(candidate, self.data);
        }
        right_positions(candidate, &self.screen) >= self.screen_right
            && right_positions(candidate, self.data) >= self.right
    }

    /// The share of positions the reference gets right.
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
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
        let checker = Checker::new(&net, task.test_split());
        assert_eq!(checker.accuracy(), 1.0);
        assert!(checker.holds(&net));
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        assert!(!checker.holds(&worse));
        let lenient = Checker::new(&worse, task.test_split());
        assert!(lenient.accuracy() < 1.0 && lenient.holds(&net) && lenient.holds(&worse));
    }
}
