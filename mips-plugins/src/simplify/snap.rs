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
//! 3. The whole search (rescaling and every denominator) has a budget of checks, `work /
//!    parameters` (at least `2·⌈log2(parameters+1)⌉ + 2`, enough to halve the whole list
//!    down to one candidate twice): a check runs the whole network over the checked data, so
//!    its cost grows with the parameters and the budget caps the search's total work. With
//!    the default `work`, a network of up to about a thousand parameters (every trained
//!    benchmark model) can judge every candidate of every list; a large network's search
//!    stops early (a [`mips_core::budget::Budget`] of steps), keeps what it accepted, and notes
//!    its stop reason in the pass's report.
//!
//! Parameters that already are integers stay integers (rescaling may only move them to other
//! integers). `h0` is snapped too (it does not count in the complexity, but simple states help
//! extraction).

use mips_core::budget::{Budget, Meter, StopReason};
use mips_core::ir::Network;
use mips_core::pass::complexity::parameter_bits;
use mips_core::pass::verifier::Checker;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use mips_core::{MipsError, Result};

use super::accuracy::CheckSettings;
use super::params::{Layout, flatten, unflatten};
use super::rescale::{rescale, units};

/// The `snap` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snap;

const NAME: &str = "snap";

mips_core::pass_settings! {
    /// How to snap: the options shared by the passes that snap (`snap`, `retrain-frozen`).
    pub struct SnapSettings {
        /// snap a parameter within tol of an integer, or within tol/d of a fraction n/d
        tol: f64 = 0.1,
        /// largest denominator of fractions (1: integers only)
        max_denominator: usize = 4,
        /// first rescale units so their weights sit near integers
        rescale: bool = true,
        /// checks × parameters a search may spend: work/parameters checks, at least 2·⌈log2(parameters+1)⌉+2
        work: usize = WORK,
    }
}

impl SnapSettings {
    /// Checks the ranges: `tol ≥ 0`, `1 ≤ max-denominator ≤ 64`, `work ≥ 1`.
    pub fn validate(&self, pass: &str) -> Result<()> {
        let (tol, max_denominator) = (self.tol, self.max_denominator);
        if tol.is_nan() || tol < 0.0 || !(1..=64).contains(&max_denominator) {
            return Err(MipsError::invalid(
                format!("options of pass '{pass}'"),
                format!("need tol ≥ 0 and 1 ≤ max-denominator ≤ 64, got {tol} and {max_denominator}"),
            ));
        }
        if self.work < 1 {
            return Err(MipsError::invalid(
                format!("option 'work' of pass '{pass}'"),
                format!("need a positive number of checks × parameters, got {}", self.work),
            ));
        }
        Ok(())
    }

    /// The largest denominator (at most 64 once validated).
    pub fn denominator(&self) -> u32 {
        self.max_denominator.min(64) as u32
    }
}

mips_core::pass_settings! {
    /// The options of `snap`.
    pub struct SnapPassSettings {
        /// How to snap.
        snap: SnapSettings = SnapSettings::default(),
        /// Where the accuracy must hold.
        check: CheckSettings = CheckSettings::default(),
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

/// The default `work` of a search (checks × parameters; see [`check_budget`]).
pub const WORK: usize = 1 << 22;

/// The checks a greedy search over a network of `parameters` parameters may make:
/// `work / parameters`, and at least `2·⌈log2(parameters + 1)⌉ + 2`, enough to try a whole
/// candidate list and halve it down to a single candidate twice.
pub fn check_budget(parameters: usize, work: usize) -> usize {
    let halvings = (usize::BITS - parameters.leading_zeros()) as usize;
    (work / parameters.max(1)).max(2 * halvings + 2)
}

/// Applies candidates greedily in adaptive batches, keeping those for which `holds` stays
/// true; each call of `holds` is one step of `meter`. Ends with [`StopReason::Done`] when every
/// candidate was judged, or the budget's reason when it ran out first (the candidates not
/// judged yet keep their values).
pub fn accept_greedily(
    values: &mut Vec<f64>,
    candidates: &[(usize, f64)],
    meter: &mut Meter,
    holds: impl Fn(&[f64]) -> bool,
) -> StopReason {
    let mut at = 0;
    let mut size = candidates.len();
    while at < candidates.len() {
        if let Err(stop) = meter.spend(1) {
            return stop;
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
    StopReason::Done
}

/// The budget of a greedy search over a network of `parameters` parameters: [`check_budget`]
/// checks.
pub fn search_budget(parameters: usize, work: usize) -> Budget {
    Budget::steps(check_budget(parameters, work) as u64)
}

/// Snaps the parameters of `net` not marked in `frozen` (by flat index), keeping accuracy
/// as judged by `checker`, within the search's [`check_budget`]. Rescaling may change frozen
/// parameters, but only from one integer to another.
pub fn snap_network(
    net: &Network,
    checker: &Checker,
    settings: &SnapSettings,
    frozen: &[bool],
) -> (Network, StopReason) {
    let mut values = flatten(net);
    let mut meter = Meter::new(search_budget(values.len(), settings.work));
    // The budget holds at least two checks: the rescaling's always fits.
    if settings.rescale && meter.spend(1).is_ok() {
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
    for d in 1..=settings.denominator() {
        let list = candidates(&values, d, settings.tol, frozen);
        let stop = accept_greedily(&mut values, &list, &mut meter, |v| checker.holds(&unflatten(net, v)));
        if stop.is_budget() {
            return (unflatten(net, &values), stop);
        }
    }
    (unflatten(net, &values), StopReason::Done)
}

impl TypedPass for Snap {
    type Input = Network;
    type Output = Network;
    type Settings = SnapPassSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Parameter;

    fn description(&self) -> &str {
        "snap parameters to integers and small-denominator fractions while the accuracy holds"
    }

    fn check(&self, settings: &SnapPassSettings) -> Result<()> {
        settings.snap.validate(NAME)?;
        settings.check.validate()
    }

    fn run(&self, net: &Network, settings: &SnapPassSettings, ctx: &PassContext) -> Result<Network> {
        let mut checker = ctx.verifier().network_check(net, settings.check.scope()?)?;
        let integers: Vec<bool> = flatten(net).into_iter().map(|p| simple(p, 1)).collect();
        let mut stop = StopReason::Done;
        let snapped = checker.search_confirmed(|checker| {
            let (snapped, stopped) = snap_network(net, checker, &settings.snap, &integers);
            stop = stopped;
            Ok(snapped)
        })?;
        ctx.note("checks", checker.checks());
        ctx.note_stop(
            stop,
            "checks are work/parameters; the candidates left keep their values",
        );
        Ok(snapped)
    }
}

mips_core::register_pass!(Typed(Snap));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, run_pass, uniform};
    use mips_core::pass::Verifier;
    use mips_core::pass::complexity::is_small_integer;
    use mips_core::pass::verifier::Scope;
    use mips_core::pass::verify::network_accuracy;
    use mips_core::task::Task;

    #[test]
    fn noisy_counter_snaps_to_integers() {
        let task = CountOnes::new(100);
        // The counter with its state scaled by 2 and a junk coordinate scaled by 1/3, plus noise.
        let mut net = CountOnes::in_basis(&[0.5, 0.0, 0.0, 3.0]);
        let noisy = net.f.parameters_mut().chain(net.g.parameters_mut());
        noisy.enumerate().for_each(|(i, p)| *p += 0.004 * uniform(5, i as u64));
        let verifier = Verifier::on(task.test_split(), task.test_split());
        let checker = verifier.network_check(&net, Scope::Screen).unwrap();
        assert_eq!(network_accuracy(&net, task.test_split()), 1.0);
        let out = run_pass(&Typed(Snap), &net, &task, &[]).unwrap();
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
        let out = run_pass(&Typed(Snap), &net, &task, &[("tol", "0.5"), ("rescale", "false")]).unwrap();
        assert!(network_accuracy(&out, task.test_split()) >= before);
    }

    /// `accept_greedily` with an unbinding budget; returns the values and the checks made.
    fn greedy(n: usize, holds: impl Fn(&[f64]) -> bool) -> (Vec<f64>, usize) {
        let mut values = vec![0.0; n];
        let candidates: Vec<(usize, f64)> = (0..n).map(|i| (i, 1.0)).collect();
        let mut meter = Meter::new(Budget::default());
        assert_eq!(
            accept_greedily(&mut values, &candidates, &mut meter, holds),
            StopReason::Done
        );
        (values, meter.steps() as usize)
    }

    #[test]
    fn greedy_batches_keep_exactly_the_good_candidates() {
        // Index 3 and 7 must stay 0.
        let (values, _) = greedy(10, |v| v[3] == 0.0 && v[7] == 0.0);
        let expected: Vec<f64> = (0..10).map(|i| if i == 3 || i == 7 { 0.0 } else { 1.0 }).collect();
        assert_eq!(values, expected);
    }

    /// When each candidate is good or bad on its own (a set holds when it has no bad member),
    /// the batched search keeps what one check per candidate keeps, in O(bad · log n) checks.
    #[test]
    fn batched_search_agrees_with_one_check_per_candidate() {
        for seed in 0..40u64 {
            let n = 1 + (seed as usize * 7) % 64;
            let bad: Vec<bool> = (0..n).map(|i| uniform(seed, i as u64) > 0.8).collect();
            let holds = |v: &[f64]| v.iter().zip(&bad).all(|(x, b)| !b || *x == 0.0);
            let (batched, checks) = greedy(n, holds);
            let mut one_by_one = vec![0.0; n];
            for i in 0..n {
                one_by_one[i] = 1.0;
                if !holds(&one_by_one) {
                    one_by_one[i] = 0.0;
                }
            }
            assert_eq!(batched, one_by_one, "seed {seed}");
            // About 3·log2(n) checks per bad candidate (halve down to it, grow back), not n.
            let bad_count = bad.iter().filter(|b| **b).count();
            let bits = (usize::BITS - n.leading_zeros()) as usize;
            assert!(checks <= 3 * (bad_count + 1) * bits, "seed {seed}: {checks} checks");
        }
    }

    #[test]
    fn a_search_where_nothing_snaps_stops_after_logarithmically_many_checks() {
        for log_n in [12, 16, 20] {
            let n = 1usize << log_n;
            // Without a budget, a list where no candidate holds costs a check per candidate.
            let (_, unlimited) = greedy(n.min(1 << 12), |_| false);
            assert!(unlimited > n.min(1 << 12));
            let mut values = vec![0.0; n];
            let candidates: Vec<(usize, f64)> = (0..n).map(|i| (i, 1.0)).collect();
            let checks = std::cell::Cell::new(0);
            let budget = check_budget(n, WORK);
            let mut meter = Meter::new(search_budget(n, WORK));
            let stop = accept_greedily(&mut values, &candidates, &mut meter, |_| {
                checks.set(checks.get() + 1);
                false
            });
            let spent = budget as u64;
            assert_eq!(
                (stop, checks.get(), meter.steps()),
                (StopReason::Steps(spent), budget, spent)
            );
            assert!(values.iter().all(|v| *v == 0.0));
            assert!(
                budget <= (WORK >> log_n).max(2 * log_n + 4),
                "{budget} checks for 2^{log_n}"
            );
        }
        assert_eq!(check_budget(1 << 20, WORK), 2 * 21 + 2);
    }

    #[test]
    fn small_networks_can_judge_every_candidate() {
        // A list of m candidates needs at most about 2m checks; every parameter is a
        // candidate of one list at most (the default tolerance keeps the lists apart).
        for n in [1, 6, 100, 1000, 1024] {
            assert!(check_budget(n, WORK) >= 4 * n, "{n}");
        }
        let (_, checks) = greedy(1000, |v| v.iter().step_by(2).all(|x| *x == 0.0));
        assert!(checks <= 2 * 1000 + 24, "{checks}");
    }

    #[test]
    fn bad_options_are_errors() {
        let task = CountOnes::new(5);
        let err = run_pass(&Typed(Snap), &CountOnes::solution(), &task, &[("max-denominator", "0")]).unwrap_err();
        assert!(err.to_string().contains("max-denominator"), "{err}");
        let err = run_pass(&Typed(Snap), &CountOnes::solution(), &task, &[("work", "0")]).unwrap_err();
        assert!(err.to_string().contains("'work'"), "{err}");
        let err = run_pass(&Typed(Snap), &CountOnes::solution(), &task, &[("check", "train")]).unwrap_err();
        assert!(err.to_string().contains("verify"), "{err}");
    }
}
