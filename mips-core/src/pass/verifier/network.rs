//! The verifier's check for network searches (the parameter passes): a candidate holds when the
//! network still gives the rounded outputs of the search's reference network — the manager's own
//! criterion on the screen set and (with [`super::Scope::Confirm`]) on the whole confirm set as
//! well, so that what holds on the screen set also holds on the split the results are reported
//! on. The checked sequences are relabelled with the reference's rounded outputs, so the
//! reference is right everywhere by construction (for a network at 100% these are the task's
//! labels) and a failing candidate is caught at its first wrong sequence. Each input sequence is
//! checked once, those closest to a rounding boundary first, so a quick screen on them rejects
//! most bad candidates early.

use crate::Result;
use crate::data::{Dataset, Sequence};
use crate::ir::{Mlp, Network};
use crate::pass::verify::{round_output, rounded_outputs};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Sequences in the screening subset.
const SCREEN: usize = 256;

/// Runs networks over sequences with reusable buffers, with exactly the arithmetic of
/// [`Network::run`] (the same [`crate::ir::Linear::apply`] and activation calls in the same
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

/// Confirm-set sequences checked for every candidate: those the reference gives by the
/// smallest margin from a rounding boundary, plus those a rejected result failed on.
const HARD: usize = 2048;

/// Searches whose result fails on the whole confirm set are rerun this many times (having learnt
/// the failing sequences) before the pass keeps its input.
const CONFIRM_ROUNDS: usize = 4;

/// Whether a candidate keeps the behaviour (rounded outputs) of a reference network.
///
/// With [`super::Scope::Confirm`], a search judges candidates on the screen set and on the
/// hardest confirm-set sequences (fast), and its result is confirmed on the whole confirm set
/// (the task's test split); a result
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
    /// The whole confirm set, relabelled, when results are confirmed on it.
    full: Option<Distinct>,
    reference: Network,
    /// Calls of [`Checker::holds`] so far.
    checks: AtomicUsize,
}

impl Checker {
    /// A checker holding candidates to the behaviour of `reference` on each of `data`.
    pub(super) fn new(reference: &Network, data: &[&Dataset]) -> Self {
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
    pub(super) fn confirming(reference: &Network, verify: &Dataset, test: &Dataset) -> Self {
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

    /// Runs `search` until its result also holds on the whole confirm set; after a failure the
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

    /// The confirm-set sequences (as indices of the distinct ones, one per position of the set)
    /// on which `candidate` does not give the reference's outputs; `None` when there are none
    /// (or there is no confirm set to confirm on).
    fn failures(&self, candidate: &Network) -> Option<Vec<usize>> {
        let test = self.full.as_ref()?;
        let right = matches(candidate, &test.sequences);
        let failed: Vec<usize> = test.at.iter().copied().filter(|&k| !right[k]).collect();
        (!failed.is_empty() || candidate.validate().is_err()).then_some(failed)
    }
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
    use crate::ir::network::{Activation, Shape};
    use crate::rng::mix;

    /// A ReLU network of the given shape with parameters uniform in `[-1, 1)`.
    fn random_network(hidden: usize, input: usize, output: usize, f: &[usize], g: &[usize], seed: u64) -> Network {
        let mut net = Network::zeros(&Shape {
            input_dim: input,
            hidden_dim: hidden,
            output_dim: output,
            f_widths: f.to_vec(),
            g_widths: g.to_vec(),
            activation: Activation::Relu,
        });
        let slots = net
            .f
            .parameters_mut()
            .chain(net.g.parameters_mut())
            .chain(net.h0.iter_mut());
        slots.enumerate().for_each(|(k, p)| *p = uniform(seed, k as u64));
        net
    }

    /// A deterministic value in `[-1, 1)` for `(seed, index)`.
    fn uniform(seed: u64, index: u64) -> f64 {
        (mix(seed, index) >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// `count` random input sequences of `len` steps (one input, values in `[-2, 2]`), unlabelled.
    fn random_inputs(len: usize, count: usize, seed: u64) -> Vec<Vec<i64>> {
        (0..count)
            .map(|s| {
                (0..len)
                    .map(|i| (uniform(mix(seed, s as u64), i as u64) * 2.5).round() as i64)
                    .collect()
            })
            .collect()
    }

    /// `n` bit sequences of length 8 labelled with the running count of ones.
    fn count_ones(n: usize) -> Dataset {
        let mut data = Dataset::new(1, 1);
        for s in 0..n {
            let inputs: Vec<i64> = (0..8).map(|i| (mix(mix(u64::MAX, s as u64), i) & 1) as i64).collect();
            let outputs = inputs
                .iter()
                .scan(0, |sum, x| {
                    *sum += x;
                    Some(*sum)
                })
                .collect();
            data.sequences.push(Sequence { inputs, outputs });
        }
        data
    }

    /// The linear RNN `h = h + x`, `y = h`: the running count of ones.
    fn counter() -> Network {
        let mut net = random_network(1, 1, 1, &[], &[], 1);
        net.f.layers[0].weight = vec![1.0, 1.0];
        net.f.layers[0].bias = vec![0.0];
        net.g.layers[0].weight = vec![1.0];
        net.g.layers[0].bias = vec![0.0];
        net.h0 = vec![0.0];
        net
    }

    #[test]
    fn holds_exactly_what_keeps_the_behaviour() {
        let test = count_ones(300);
        let net = counter();
        let checker = Checker::new(&net, &[&test]);
        assert!(checker.holds(&net));
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        assert!(!checker.holds(&worse));
        // Held to the behaviour of a network that is wrong on the labels, the right network
        // fails: a pass may not move a network towards the labels.
        let wrong = Checker::new(&worse, &[&test]);
        assert!(wrong.holds(&worse) && !wrong.holds(&net));
    }

    #[test]
    fn searches_are_confirmed_on_the_whole_test_split() {
        let test = count_ones(3000);
        let net = counter();
        let verify = test.head(10);
        let mut worse = net.clone();
        worse.g.layers[0].bias[0] += 0.6;
        let mut checker = Checker::confirming(&net, &verify, &test);
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
        let net = random_network(3, 1, 2, &[4], &[3], 8);
        let mut data = Dataset::new(1, 2);
        for inputs in random_inputs(2, 40, 5) {
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
        let net = random_network(3, 1, 2, &[4], &[3], 8);
        let mut data = Dataset::new(1, 2);
        for inputs in random_inputs(7, 30, 2) {
            let outputs = rounded_outputs(&net, &inputs);
            data.sequences.push(Sequence { inputs, outputs });
        }
        data.sequences[3].outputs[5] += 1;
        data.sequences[8].outputs[0] += 2;
        assert_eq!(right_positions(&net, &data), 30 * 7 * 2 - 2);
        assert_eq!(hardest(&net, &data, 5, 0.5), vec![8, 3]);
        assert_eq!(hardest(&net, &data, 1, 0.5), vec![8]);
        assert_eq!(
            crate::pass::verify::network_accuracy(&net, &data),
            right_positions(&net, &data) as f64 / 420.0
        );
        assert!(hardest(&net, &data, 5, 0.5).len() == 2 && hardest(&net, &data, 5, 2.0).is_empty());
    }
}
