//! The behaviour check of the parameter passes: a change is kept only when the network still
//! gives the rounded outputs the pass's input gave — the pass manager's own criterion on the
//! verification sequences, applied before the manager sees the result, and (with `check=test`,
//! the default) on the task's whole test split as well, so that what holds on the verifier's
//! subset also holds on the split the results are reported on. The checked sequences are
//! relabelled with the input network's rounded outputs, so the reference is right everywhere
//! by construction (for a network at 100% these are the task's labels) and a failing candidate
//! is caught at its first wrong sequence. Each input sequence is checked once, those closest to
//! a rounding boundary first, so a quick screen on them rejects most bad candidates early.

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{Mlp, Network};
use mips_core::pass::PassContext;
use mips_core::pass::verify::{round_output, rounded_outputs};
use mips_core::{MipsError, Result};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Sequences in the screening subset.
const SCREEN: usize = 256;

/// Values of the `check` option.
const CHECKS: [&str; 2] = ["test", "verify"];

mips_core::pass_settings! {
    /// The `check` option shared by the parameter passes.
    pub struct CheckSettings {
        /// where accuracy must hold: test (verification sequences and the whole test split) or verify
        check: String = "test",
    }
}

impl CheckSettings {
    /// Checks the value of the `check` option.
    pub fn validate(&self) -> Result<()> {
        match self.check.as_str() {
            value if CHECKS.contains(&value) => Ok(()),
            other => Err(MipsError::unknown("value of option 'check'", other, CHECKS)),
        }
    }
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

    /// How far `net`'s outputs on `seq` stay from a rounding boundary: the smallest
    /// `0.5 − |ŷ − y|` over the output positions (negative when an output is wrong).
    fn margin(&mut self, net: &Network, seq: &Sequence) -> f64 {
        let mut margin = f64::INFINITY;
        self.run(net, seq, |out, labels| {
            for (y, l) in out.iter().zip(labels) {
                margin = margin.min(0.5 - (y - *l as f64).abs());
            }
            true
        });
        if margin.is_nan() { f64::NEG_INFINITY } else { margin }
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
#[cfg(test)]
fn right_positions(net: &Network, data: &Dataset) -> usize {
    data.sequences
        .par_iter()
        .map_init(Runner::default, move |runner, s| runner.right(net, s, false))
        .sum()
}

/// Whether `net` gets every output position right, per sequence of `sequences`.
fn matches(net: &Network, sequences: &[Sequence]) -> Vec<bool> {
    sequences
        .par_iter()
        .map_init(Runner::default, |runner, s| {
            runner.right(net, s, true) == s.outputs.len()
        })
        .collect()
}

/// True when `net` gets every output position of `sequences` right; each sequence stops at
/// its first miss.
fn matches_all(net: &Network, sequences: &[Sequence]) -> bool {
    sequences
        .par_iter()
        .map_init(Runner::default, |runner, s| {
            runner.right(net, s, true) == s.outputs.len()
        })
        .all(|ok| ok)
}

/// How far `net`'s outputs stay from a rounding boundary on each of `sequences` (see
/// [`Runner::margin`]).
fn margins(net: &Network, sequences: &[Sequence]) -> Vec<f64> {
    sequences
        .par_iter()
        .map_init(Runner::default, |runner, s| runner.margin(net, s))
        .collect()
}

/// Indices `0..margins.len()` by increasing margin (ties by index).
fn by_margin(margins: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..margins.len()).collect();
    order.sort_by(|&a, &b| margins[a].total_cmp(&margins[b]).then(a.cmp(&b)));
    order
}

/// A list of sequences as its distinct input sequences (the first of each, in order) and, per
/// position of the list, the index of its inputs among them: a sequence's labels are the
/// reference's outputs on its inputs, so a repeat checks nothing new (a test split of
/// 100,000 binary sequences of length 10 has at most 1024 distinct ones).
struct Distinct {
    sequences: Vec<Sequence>,
    at: Vec<usize>,
}

impl Distinct {
    fn of(list: &[Sequence]) -> Distinct {
        let mut index: HashMap<&[i64], usize> = HashMap::new();
        let mut sequences = Vec::new();
        let at = list
            .iter()
            .map(|s| {
                *index.entry(&s.inputs).or_insert_with(|| {
                    sequences.push(s.clone());
                    sequences.len() - 1
                })
            })
            .collect();
        Distinct { sequences, at }
    }
}

/// `sequences` without repeated inputs (the first of each kept, in order).
fn distinct(sequences: impl IntoIterator<Item = Sequence>) -> Vec<Sequence> {
    let mut seen = HashSet::new();
    sequences
        .into_iter()
        .filter(|s| seen.insert(s.inputs.clone()))
        .collect()
}

/// Test-split sequences checked for every candidate: those the reference gives by the
/// smallest margin from a rounding boundary, plus those a rejected result failed on.
const HARD: usize = 2048;

/// Searches whose result fails on the whole test split are rerun this many times (having learnt
/// the failing sequences) before the pass keeps its input.
const CONFIRM_ROUNDS: usize = 4;

/// Whether a candidate keeps the behaviour (rounded outputs) of a reference network.
///
/// With `check=test`, a search judges candidates on the verification sequences and on the
/// hardest test sequences (fast), and its result is confirmed on the whole test split; a result
/// that fails there teaches the checker the sequences it failed on and the search runs again
/// (see [`Checker::search_confirmed`]).
///
/// The verdict is a yes/no over a set of sequences, so the checker orders that set for speed
/// alone: each input sequence once, the ones learnt from a failed confirmation first, then the
/// rest by the reference's margin from a rounding boundary, smallest first (where a changed
/// network goes wrong first); a candidate is screened on the first [`SCREEN`] of them.
pub struct Checker {
    /// The checked sequences, relabelled with the reference's rounded outputs, in checking order.
    checked: Vec<Sequence>,
    /// The whole test split, relabelled, when results are confirmed on it.
    full: Option<Distinct>,
    reference: Network,
    /// Calls of [`Checker::holds`] so far.
    checks: AtomicUsize,
}

impl Checker {
    /// A checker holding candidates to the behaviour of `reference` on each of `data`.
    pub fn new(reference: &Network, data: &[&Dataset]) -> Self {
        let all = data.iter().flat_map(|d| d.sequences.iter().cloned());
        Checker::on(reference, relabel(reference, distinct(all)))
    }

    /// A checker on `sequences` (already relabelled), put in checking order.
    fn on(reference: &Network, sequences: Vec<Sequence>) -> Self {
        let margins = margins(reference, &sequences);
        let mut slots: Vec<Option<Sequence>> = sequences.into_iter().map(Some).collect();
        Checker {
            checked: by_margin(&margins)
                .into_iter()
                .filter_map(|i| slots[i].take())
                .collect(),
            full: None,
            reference: reference.clone(),
            checks: AtomicUsize::new(0),
        }
    }

    /// A checker on `verify` whose searches are confirmed on the whole of `test` (see the type).
    pub fn confirming(reference: &Network, verify: &Dataset, test: &Dataset) -> Self {
        let mut test = Distinct::of(&test.sequences);
        test.sequences = relabel(reference, std::mem::take(&mut test.sequences));
        // The HARD positions of the split with the smallest margins (ties by position).
        let margins: Vec<f64> = margins(reference, &test.sequences);
        let mut positions: Vec<usize> = (0..test.at.len()).collect();
        let margin = |p: usize| margins[test.at[p]];
        positions.sort_by(|&a, &b| margin(a).total_cmp(&margin(b)).then(a.cmp(&b)));
        let hard = positions.iter().take(HARD).map(|&p| test.sequences[test.at[p]].clone());
        let verify = relabel(reference, verify.sequences.clone());
        let mut checker = Checker::on(reference, distinct(verify.into_iter().chain(hard)));
        checker.full = Some(test);
        checker
    }

    /// The checker a parameter pass uses, as chosen by its `check` option.
    /// The data must have the network's input and output widths.
    pub fn for_pass(reference: &Network, ctx: &PassContext, check: &CheckSettings) -> Result<Self> {
        let data = pass_data(reference, ctx, check)?;
        Ok(match data[..] {
            [verify, test] => Checker::confirming(reference, verify, test),
            _ => Checker::new(reference, &data),
        })
    }

    /// True when `candidate` is valid and gives the reference's rounded outputs on every
    /// checked sequence.
    pub fn holds(&self, candidate: &Network) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed);
        let (screen, rest) = self.checked.split_at(SCREEN.min(self.checked.len()));
        candidate.validate().is_ok() && matches_all(candidate, screen) && matches_all(candidate, rest)
    }

    /// The number of [`Checker::holds`] calls so far.
    pub fn checks(&self) -> usize {
        self.checks.load(Ordering::Relaxed)
    }

    /// Runs `search` until its result also holds on the whole test split; after a failure the
    /// sequences it failed on join the checked ones (first in line). Returns the reference
    /// network when no result holds within [`CONFIRM_ROUNDS`] searches.
    pub fn search_confirmed(&mut self, mut search: impl FnMut(&Checker) -> Result<Network>) -> Result<Network> {
        for _ in 0..CONFIRM_ROUNDS {
            let result = search(self)?;
            let Some(failed) = self.failures(&result) else {
                return Ok(result);
            };
            let test = self.full.as_ref().map_or(&[][..], |t| &t.sequences[..]);
            let learnt = distinct(failed.into_iter().take(HARD).map(|k| test[k].clone()));
            self.checked.splice(0..0, learnt);
        }
        Ok(self.reference.clone())
    }

    /// The test sequences (as indices of the distinct ones, one per position of the split) on
    /// which `candidate` does not give the reference's outputs; `None` when there are none (or
    /// there is no whole split to confirm on).
    fn failures(&self, candidate: &Network) -> Option<Vec<usize>> {
        let test = self.full.as_ref()?;
        let right = matches(candidate, &test.sequences);
        let failed: Vec<usize> = test.at.iter().copied().filter(|&k| !right[k]).collect();
        (!failed.is_empty() || candidate.validate().is_err()).then_some(failed)
    }
}

/// The datasets a parameter pass's `check` option names (see [`Checker::for_pass`]), after
/// checking that they have the network's input and output widths; cheap, so a pass can reject
/// bad input before it builds a checker.
pub fn pass_data<'a>(reference: &Network, ctx: &PassContext<'a>, check: &CheckSettings) -> Result<Vec<&'a Dataset>> {
    check.validate()?;
    let data: Vec<&Dataset> = match check.check.as_str() {
        "verify" => vec![ctx.verify],
        _ => vec![ctx.verify, ctx.task.test_split()],
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
    Ok(data)
}

/// `sequences` with `reference`'s rounded outputs as their labels: what a pass must keep is
/// the network's behaviour (what the pass manager verifies), not its score on the task's labels.
fn relabel(reference: &Network, sequences: Vec<Sequence>) -> Vec<Sequence> {
    sequences
        .into_par_iter()
        .map(|s| Sequence {
            outputs: rounded_outputs(reference, &s.inputs),
            inputs: s.inputs,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::CountOnes;
    use mips_core::task::Task;

    #[test]
    fn holds_exactly_what_keeps_the_behaviour() {
        let task = CountOnes::new(300);
        let net = CountOnes::solution();
        let checker = Checker::new(&net, &[task.test_split()]);
        assert!(checker.holds(&net));
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        assert!(!checker.holds(&worse));
        // Held to the behaviour of a network that is wrong on the labels, the right network
        // fails: a pass may not move a network towards the labels.
        let wrong = Checker::new(&worse, &[task.test_split()]);
        assert!(wrong.holds(&worse) && !wrong.holds(&net));
    }

    #[test]
    fn searches_are_confirmed_on_the_whole_test_split() {
        let task = CountOnes::new(3000);
        let net = CountOnes::solution();
        let verify = task.test_split().head(10);
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        let mut checker = Checker::confirming(&net, &verify, task.test_split());
        let mut calls = 0;
        let kept = checker
            .search_confirmed(|_| {
                calls += 1;
                Ok(worse.clone())
            })
            .unwrap();
        assert_eq!(
            (kept, calls),
            (net.clone(), CONFIRM_ROUNDS),
            "a failing result is never kept"
        );
        // The sequences it failed on are checked first from then on.
        assert!(!matches_all(&worse, &checker.checked[..1]));
        let mut calls = 0;
        let good = checker
            .search_confirmed(|checker| {
                calls += 1;
                assert!(checker.holds(&net) && !checker.holds(&worse));
                Ok(net.clone())
            })
            .unwrap();
        assert_eq!((good, calls), (net, 1));
    }

    #[test]
    fn each_sequence_is_checked_once_hardest_first() {
        let net = crate::simplify::testing::random_network(3, 1, 2, &[4], &[3], 8);
        let mut data = Dataset::new(1, 2);
        for inputs in crate::simplify::testing::random_inputs(1, 2, 40, 5) {
            let inputs: Vec<i64> = inputs.iter().map(|&v| v as i64).collect();
            data.sequences.push(Sequence {
                inputs,
                outputs: vec![],
            });
        }
        let distinct_inputs: HashSet<&Vec<i64>> = data.sequences.iter().map(|s| &s.inputs).collect();
        assert!(
            distinct_inputs.len() < data.len(),
            "the data should repeat some sequences"
        );
        let checker = Checker::new(&net, &[&data, &data.head(10)]);
        assert_eq!(checker.checked.len(), distinct_inputs.len());
        let margins = margins(&net, &checker.checked);
        assert!(margins.windows(2).all(|m| m[0] <= m[1]), "{margins:?}");
        assert!(checker.holds(&net) && checker.checks() == 1);
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
