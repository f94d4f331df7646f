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
//! Against a reference that is not right everywhere on the checked data (an unsolved network),
//! the whole search gets [`imperfect_check_budget`] checks (`2·⌈log2(parameters+1)⌉+2`) and the
//! report row notes `stop` when they run out; against a perfect reference it makes at most about
//! two checks per candidate, each stopping at the first sequence the candidate gets wrong.
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

/// How a greedy acceptance ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Greedy {
    /// Every candidate was judged.
    Done,
    /// The check budget ran out before every candidate was judged (the rest are dropped).
    OutOfChecks,
}

/// The checks a search may spend when the reference is not right everywhere on the checked
/// data (see [`Checker::perfect`]): `2·⌈log2(n + 1)⌉ + 2` for `n` parameters, enough to try a
/// whole candidate list and halve it down to single candidates twice. Against an imperfect
/// reference every check scores the whole data (no early exit on a first wrong sequence) and
/// the accept/reject answers are close to coin flips, so a linear number of checks costs
/// `parameters² × data` (minutes at 64 hidden units) while buying nothing principled.
pub fn imperfect_check_budget(candidates: usize) -> usize {
    2 * (usize::BITS - candidates.leading_zeros()) as usize + 2
}

/// Applies candidates greedily in adaptive batches, keeping those for which `holds` stays true;
/// each call of `holds` takes one check from `checks_left` (`None`: no limit; the search then
/// makes at most about `2n` checks).
pub fn accept_greedily(
    values: &mut Vec<f64>,
    candidates: &[(usize, f64)],
    mut checks_left: Option<&mut usize>,
    holds: impl Fn(&[f64]) -> bool,
) -> Greedy {
    let mut at = 0;
    let mut size = candidates.len();
    while at < candidates.len() {
        if let Some(left) = checks_left.as_deref_mut() {
            if *left == 0 {
                return Greedy::OutOfChecks;
            }
            *left -= 1;
        }
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
    Greedy::Done
}

/// Snaps the parameters of `net` not marked in `frozen` (by flat index), keeping accuracy
/// as judged by `checker`. Rescaling may change frozen parameters, but only from one integer
/// to another. Against an imperfect reference the whole search (every denominator) has
/// [`imperfect_check_budget`] checks; the second value tells whether they ran out.
pub fn snap_network(net: &Network, checker: &Checker, settings: &SnapSettings, frozen: &[bool]) -> (Network, Greedy) {
    let mut stop = Greedy::Done;
    let mut values = flatten(net);
    let mut left = (!checker.perfect()).then(|| imperfect_check_budget(values.len()));
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
        if accept_greedily(&mut values, &list, left.as_mut(), |v| checker.holds(&unflatten(net, v)))
            == Greedy::OutOfChecks
        {
            stop = Greedy::OutOfChecks;
            break;
        }
    }
    (unflatten(net, &values), stop)
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
        let mut stop = Greedy::Done;
        let snapped = checker.search_confirmed(|checker| {
            let (snapped, stopped) = snap_network(net, checker, &settings, &integers);
            stop = stopped;
            Ok(snapped)
        })?;
        if stop == Greedy::OutOfChecks {
            ctx.note(
                "stop",
                "check budget: the reference is not right everywhere on the checked data, so the search got 2·⌈log2(parameters+1)⌉+2 checks",
            );
        }
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
        let done = accept_greedily(&mut values, &candidates, None, |v| v[3] == 0.0 && v[7] == 0.0);
        let expected: Vec<f64> = (0..10).map(|i| if i == 3 || i == 7 { 0.0 } else { 1.0 }).collect();
        assert_eq!((values, done), (expected, Greedy::Done));
    }

    #[test]
    fn a_greedy_search_against_coin_flips_stops_at_its_check_budget() {
        // Every other candidate is refused: without a budget that takes about one check per
        // candidate; with the imperfect-reference budget it takes 2·⌈log2(n+1)⌉+2.
        let n = 4096;
        let mut values = vec![0.0; n];
        let candidates: Vec<(usize, f64)> = (0..n).map(|i| (i, 1.0)).collect();
        let checks = std::cell::Cell::new(0usize);
        let holds = |v: &[f64]| {
            checks.set(checks.get() + 1);
            v.iter().step_by(2).all(|x| *x == 0.0)
        };
        assert_eq!(
            accept_greedily(&mut values.clone(), &candidates, None, holds),
            Greedy::Done
        );
        assert!(checks.get() > n, "{} checks", checks.get());
        checks.set(0);
        let budget = imperfect_check_budget(n);
        assert_eq!(budget, 28);
        let mut left = budget;
        let stop = accept_greedily(&mut values, &candidates, Some(&mut left), holds);
        assert_eq!((stop, checks.get(), left), (Greedy::OutOfChecks, budget, 0));
        assert!(
            values.iter().step_by(2).all(|x| *x == 0.0),
            "no refused candidate is kept"
        );
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
