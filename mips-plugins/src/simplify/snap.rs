//! `snap`: snaps parameters to integers, then to rationals with small denominators, keeping a
//! snap only when the accuracy on the verification sequences holds.
//!
//! 1. Rescale (`rescale=true`): positive per-unit rescaling of hidden coordinates and of
//!    internal ReLU units (see [`super::rescale`]) so that weights sit near integers; exact.
//! 2. For each denominator `d = 1, 2, …, max-denominator` in turn: every parameter within
//!    `tol / d` of some `n/d` (in lowest terms, and not already a fraction with a smaller
//!    denominator) is a candidate. Candidates are ordered by the description length they save
//!    (largest gain first, then by distance) and accepted greedily in batches: a batch that
//!    keeps the accuracy is kept whole and the next batch is twice as large; a batch that
//!    fails is halved, down to single candidates, which are then dropped.
//!
//! Parameters that already are integers stay integers (rescaling may only move them to other
//! integers). `h0` is snapped too (it does not count in the complexity, but simple states help
//! extraction).

use mips_core::ir::Network;
use mips_core::pass::complexity::parameter_bits;
use mips_core::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use mips_core::{MipsError, Result};

use super::accuracy::{Checker, check_option, check_value};
use super::input_network;
use super::params::{Layout, flatten, unflatten};
use super::rescale::{rescale, units};

/// The `snap` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snap;

const NAME: &str = "snap";

/// How `snap` proceeds (the pass options).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SnapSettings {
    pub tol: f64,
    pub max_denominator: u32,
    pub rescale: bool,
}

impl SnapSettings {
    /// Reads and checks the settings from pass options.
    pub fn from_options(options: &Options, pass: &str) -> Result<SnapSettings> {
        let tol = options.float("tol");
        let max_denominator = options.int("max-denominator");
        if tol.is_nan() || tol < 0.0 || !(1..=64).contains(&max_denominator) {
            return Err(MipsError::invalid(
                format!("options of pass '{pass}'"),
                format!("need tol ≥ 0 and 1 ≤ max-denominator ≤ 64, got {tol} and {max_denominator}"),
            ));
        }
        Ok(SnapSettings {
            tol,
            max_denominator: max_denominator as u32,
            rescale: options.bool("rescale"),
        })
    }

    /// The option declarations shared by passes that snap.
    pub fn specs() -> Vec<OptionSpec> {
        vec![
            OptionSpec::float(
                "tol",
                0.1,
                "snap a parameter within tol of an integer, or within tol/d of a fraction n/d",
            ),
            OptionSpec::int(
                "max-denominator",
                4,
                "largest denominator of fractions (1: integers only)",
            ),
            OptionSpec::bool(
                "rescale",
                true,
                "first rescale units so their weights sit near integers",
            ),
        ]
    }
}

/// True when `p·d'` is an integer for some `d' ≤ d`.
pub fn simple(p: f64, d: u32) -> bool {
    (1..=d).any(|e| {
        let v = p * e as f64;
        v == v.round()
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Snap candidates `(index, target)` with denominator exactly `d`, best first.
fn candidates(values: &[f64], d: u32, tol: f64, frozen: &[bool]) -> Vec<(usize, f64)> {
    let mut out: Vec<(usize, f64, f64, f64)> = Vec::new();
    for (i, &p) in values.iter().enumerate() {
        if frozen.get(i).copied().unwrap_or(false) || simple(p, d) {
            continue;
        }
        let n = (p * d as f64).round();
        let target = n / d as f64;
        if (p - target).abs() > tol / d as f64 || gcd(n.abs() as u64, d as u64) != 1 {
            continue;
        }
        out.push((
            i,
            target,
            parameter_bits(p) - parameter_bits(target),
            (p - target).abs(),
        ));
    }
    out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.3.total_cmp(&b.3)).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(i, t, _, _)| (i, t)).collect()
}

/// Applies candidates greedily in adaptive batches, keeping those for which `holds` stays true.
pub fn accept_greedily(values: &mut Vec<f64>, candidates: &[(usize, f64)], holds: impl Fn(&[f64]) -> bool) {
    let mut at = 0;
    let mut size = candidates.len();
    while at < candidates.len() {
        let end = (at + size.max(1)).min(candidates.len());
        let mut trial = values.clone();
        candidates[at..end].iter().for_each(|&(i, t)| trial[i] = t);
        if holds(&trial) {
            *values = trial;
            at = end;
            size = 2 * (end - at.min(end)).max(size.max(1));
        } else if end - at == 1 {
            at = end;
        } else {
            size = (end - at) / 2;
        }
    }
}

/// Snaps the parameters of `net` not marked in `frozen` (by flat index), keeping accuracy
/// as judged by `checker`. Rescaling may change frozen parameters, but only from one integer
/// to another.
pub fn snap_network(net: &Network, checker: &Checker, settings: &SnapSettings, frozen: &[bool]) -> Network {
    let mut values = flatten(net);
    if settings.rescale {
        let layout = Layout::of(net);
        let mut rescaled = values.clone();
        let fixed: Vec<bool> = (0..values.len())
            .map(|i| frozen.get(i).copied().unwrap_or(false))
            .collect();
        rescale(&mut rescaled, &units(net, &layout), settings.tol, &fixed);
        if checker.holds(&unflatten(net, &rescaled)) {
            values = rescaled;
        }
    }
    for d in 1..=settings.max_denominator {
        let list = candidates(&values, d, settings.tol, frozen);
        accept_greedily(&mut values, &list, |v| checker.holds(&unflatten(net, v)));
    }
    unflatten(net, &values)
}

impl Pass for Snap {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "snap parameters to integers and small-denominator fractions while the accuracy holds"
    }

    fn kind(&self) -> PassKind {
        PassKind::Parameter
    }

    fn options(&self) -> Vec<OptionSpec> {
        let mut specs = SnapSettings::specs();
        specs.push(check_option());
        specs
    }

    fn check_options(&self, options: &Options) -> Result<()> {
        check_value(options)
    }

    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let net = input_network(input, NAME)?;
        let settings = SnapSettings::from_options(options, NAME)?;
        let mut checker = Checker::for_pass(net, ctx, options)?;
        let integers: Vec<bool> = flatten(net).into_iter().map(|p| simple(p, 1)).collect();
        let snapped = checker.search_confirmed(|checker| Ok(snap_network(net, checker, &settings, &integers)))?;
        Ok(Artifact::Network(snapped))
    }
}

mips_core::register_pass!(Snap);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, run_pass, uniform};
    use mips_core::pass::complexity::is_small_integer;
    use mips_core::pass::verify::network_accuracy;
    use mips_core::task::Task;

    #[test]
    fn noisy_counter_snaps_to_integers() {
        let task = CountOnes::new(100);
        // The counter with its state scaled by 2 and a junk coordinate scaled by 1/3, plus noise.
        let mut net = CountOnes::in_basis(&[0.5, 0.0, 0.0, 3.0]);
        let noisy = net.f.parameters_mut().chain(net.g.parameters_mut());
        noisy.enumerate().for_each(|(i, p)| *p += 0.004 * uniform(5, i as u64));
        let checker = Checker::new(&net, &[task.test_split()]);
        assert_eq!(network_accuracy(&net, task.test_split()), 1.0);
        let out = run_pass(&Snap, &net, &task, &[]).unwrap();
        assert!(checker.holds(&out));
        assert!(out.parameters().all(is_small_integer), "{out:?}");
    }

    #[test]
    fn snaps_that_break_accuracy_are_refused() {
        let task = CountOnes::new(100);
        let mut net = CountOnes::solution();
        // The readout needs its exact weights: scale it by 1.3 and compensate in g.
        net.g.layers[0].weight.iter_mut().for_each(|w| *w *= 1.3);
        net.g.layers[0].bias[0] = 0.0;
        let before = network_accuracy(&net, task.test_split());
        let out = run_pass(&Snap, &net, &task, &[("tol", "0.5"), ("rescale", "false")]).unwrap();
        assert!(network_accuracy(&out, task.test_split()) >= before);
    }

    #[test]
    fn greedy_batches_keep_exactly_the_good_candidates() {
        let mut values = vec![0.0; 10];
        let candidates: Vec<(usize, f64)> = (0..10).map(|i| (i, 1.0)).collect();
        // Index 3 and 7 must stay 0.
        accept_greedily(&mut values, &candidates, |v| v[3] == 0.0 && v[7] == 0.0);
        let expected: Vec<f64> = (0..10).map(|i| if i == 3 || i == 7 { 0.0 } else { 1.0 }).collect();
        assert_eq!(values, expected);
    }

    #[test]
    fn bad_options_are_errors() {
        let task = CountOnes::new(5);
        let err = run_pass(&Snap, &CountOnes::solution(), &task, &[("max-denominator", "0")]).unwrap_err();
        assert!(err.to_string().contains("max-denominator"), "{err}");
        let err = run_pass(&Snap, &CountOnes::solution(), &task, &[("check", "train")]).unwrap_err();
        assert!(err.to_string().contains("verify"), "{err}");
    }
}
