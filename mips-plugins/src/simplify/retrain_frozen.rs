//! `retrain-frozen`: makes the remaining parameters simple by alternately snapping and
//! fine-tuning, with every simple parameter frozen (incremental quantization).
//!
//! Each round: the simple parameters (0, integers, fractions with denominators up to
//! `max-denominator`) are frozen; the share `fraction` of the free ones closest to an integer
//! is snapped to that integer and frozen too; the still-free parameters are fine-tuned on
//! training batches to recover (with an optional pull towards integers, see
//! [`super::finetune`]) until a checkpoint keeps the accuracy of the pass's input, which is
//! accepted; when none does, the round is undone and the next round snaps half as many (a
//! single parameter that cannot be snapped is left free for good and the next one is tried).
//! The pass stops after `rounds` rounds or when no parameter is left to try. With
//! `resnap=true`, every round starts (and the pass ends) by snapping as `snap` does, the
//! simple parameters frozen.

use mips_core::ir::Network;
use mips_core::pass::verifier::Checker;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use mips_core::{MipsError, Result, rng};

use super::accuracy::CheckSettings;
use super::finetune::{FineTune, FineTuneSettings, fine_tune};
use super::params::{flatten, unflatten};
use super::snap::{SnapSettings, simple, snap_network};

/// The `retrain-frozen` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct RetrainFrozen;

const NAME: &str = "retrain-frozen";

/// Marks the simple parameters of `net` (flat order: f, g, then `h0`).
fn simple_mask(net: &Network, max_denominator: u32) -> Vec<bool> {
    flatten(net).into_iter().map(|p| simple(p, max_denominator)).collect()
}

/// `net` with the `count` parameters of f and g that are neither frozen nor `stubborn` and
/// closest to an integer snapped to it; returns the network, the new frozen mask and the
/// indices snapped.
fn force_snap(net: &Network, frozen: &[bool], stubborn: &[bool], count: usize) -> (Network, Vec<bool>, Vec<usize>) {
    let mut values = flatten(net);
    let mut free: Vec<usize> = (0..net.parameter_count())
        .filter(|&i| !frozen[i] && !stubborn[i])
        .collect();
    let distance = |i: usize| (values[i] - values[i].round()).abs();
    free.sort_by(|&a, &b| distance(a).total_cmp(&distance(b)).then(a.cmp(&b)));
    free.truncate(count);
    let mut mask = frozen.to_vec();
    for &i in &free {
        values[i] = values[i].round();
        mask[i] = true;
    }
    (unflatten(net, &values), mask, free)
}

mips_core::pass_settings! {
    /// The options of `retrain-frozen`.
    pub struct RetrainFrozenSettings {
        /// most rounds of snapping and fine-tuning
        rounds: usize = 8,
        /// share of the free parameters snapped in a round
        fraction: f64 = 0.5,
        /// snap the free parameters after each accepted round
        resnap: bool = true,
        /// How to fine-tune.
        fine_tune: FineTuneSettings = FineTuneSettings::default(),
        /// How to snap.
        snap: SnapSettings = SnapSettings::default(),
        /// Where the accuracy must hold.
        check: CheckSettings = CheckSettings::default(),
    }
}

impl TypedPass for RetrainFrozen {
    type Input = Network;
    type Output = Network;
    type Settings = RetrainFrozenSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Parameter;

    fn description(&self) -> &str {
        "snap the closest free parameters, fine-tune the rest with simple ones frozen, repeat"
    }

    fn check(&self, settings: &RetrainFrozenSettings) -> Result<()> {
        settings.check.validate()
    }

    fn run(&self, net: &Network, settings: &RetrainFrozenSettings, ctx: &PassContext) -> Result<Network> {
        if settings.fine_tune.too_large(net, ctx) {
            return Ok(net.clone());
        }
        let tune = settings.fine_tune.fine_tune()?;
        settings.snap.validate(NAME)?;
        let fraction = settings.fraction;
        if !(fraction > 0.0 && fraction <= 1.0) {
            return Err(MipsError::invalid(
                format!("option 'fraction' of pass '{NAME}'"),
                format!("must be in (0, 1], got {fraction}"),
            ));
        }
        let mut checker = ctx.verifier().network_check(net, settings.check.scope()?)?;
        checker.search_confirmed(|checker| retrain(net, checker, &tune, settings, ctx))
    }
}

/// The rounds of snapping and retraining (see the module docs), judged by `checker`.
fn retrain(
    net: &Network,
    checker: &Checker,
    tune: &FineTune,
    settings: &RetrainFrozenSettings,
    ctx: &PassContext,
) -> Result<Network> {
    let (snap, mut fraction) = (&settings.snap, settings.fraction);
    let count = net.parameter_count();
    let mut current = net.clone();
    let mut accepted = 0;
    let resnap = |net: &Network| {
        if settings.resnap {
            snap_network(net, checker, snap, &simple_mask(net, snap.denominator())).0
        } else {
            net.clone()
        }
    };
    // Parameters whose snapping alone could not be recovered from.
    let mut stubborn = vec![false; count];
    for round in 0..settings.rounds {
        current = resnap(&current);
        let frozen = simple_mask(&current, snap.denominator());
        let free = (0..count).filter(|&i| !frozen[i] && !stubborn[i]).count();
        if free == 0 {
            break;
        }
        let take = ((free as f64 * fraction).ceil() as usize).clamp(1, free);
        let (forced, mask, snapped) = force_snap(&current, &frozen, &stubborn, take);
        let seed = rng::mix(ctx.seed, round as u64);
        // The first checkpoint that recovers the accuracy.
        let mut recovered = None;
        fine_tune(ctx.task, &forced, &mask[..count], tune, seed, |tuned| {
            recovered = checker.holds(tuned).then(|| tuned.clone());
            recovered.is_some()
        })?;
        let kept = recovered.is_some();
        ctx.note(
            &format!("round {round}"),
            format!("snapped {take} of {free}, {}", if kept { "kept" } else { "undone" }),
        );
        match recovered {
            Some(tuned) => {
                accepted += 1;
                current = tuned;
            }
            None if take == 1 => snapped.iter().for_each(|&i| stubborn[i] = true),
            None => fraction /= 2.0,
        }
    }
    current = resnap(&current);
    ctx.note("accepted rounds", accepted);
    Ok(current)
}

mips_core::register_pass!(Typed(RetrainFrozen));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, run_pass, uniform};
    use mips_core::pass::complexity::is_small_integer;
    use mips_core::pass::verify::network_accuracy;
    use mips_core::task::Task;

    #[test]
    fn noisy_counter_becomes_integer() {
        let task = CountOnes::new(100);
        let mut net = CountOnes::in_basis(&[0.5, 0.0, 0.0, 3.0]);
        let noisy = net.f.parameters_mut().chain(net.g.parameters_mut());
        noisy.enumerate().for_each(|(i, p)| *p += 0.004 * uniform(7, i as u64));
        // A snap tolerance too small to snap most parameters directly.
        let options = [("steps", "20"), ("batch", "16"), ("tol", "0.001")];
        let out = run_pass(&Typed(RetrainFrozen), &net, &task, &options).unwrap();
        assert_eq!(network_accuracy(&out, task.test_split()), 1.0);
        assert!(out.parameters().all(is_small_integer), "{out:?}");
    }

    #[test]
    fn bad_fraction_is_an_error() {
        let task = CountOnes::new(5);
        let err = run_pass(&Typed(RetrainFrozen), &CountOnes::plain(), &task, &[("fraction", "0")]).unwrap_err();
        assert!(err.to_string().contains("fraction"), "{err}");
    }
}
