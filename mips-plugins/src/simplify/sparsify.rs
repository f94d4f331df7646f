//! `sparsify`: L1 fine-tuning with the strength chosen automatically.
//!
//! For each strength of the grid, strongest first, the network is fine-tuned from its current
//! parameters with the penalty `strength · Σ|θ|` added to the task's loss (parameters already
//! exactly 0 stay frozen); the last checkpoint of the run that keeps the accuracy of the input
//! (on the verification sequences and, with `check=test`, the whole test split) is kept, and
//! its parameters within `zero-tol` of 0 are set to 0 greedily while the accuracy holds (see
//! [`super::snap::accept_greedily`], within `snap`'s check budget). The first strength with
//! such a checkpoint wins; when none has one, the network is returned unchanged.

use mips_core::budget::Meter;
use mips_core::ir::Network;
use mips_core::pass::verifier::Checker;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use mips_core::{MipsError, Result, rng};

use super::accuracy::CheckSettings;
use super::finetune::{FineTune, FineTuneSettings, fine_tune};
use super::params::{flatten, unflatten};
use super::snap::{WORK, accept_greedily, search_budget};

/// The `sparsify` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sparsify;

const NAME: &str = "sparsify";

/// Parses a comma-separated list of positive strengths, returned strongest first.
fn parse_grid(text: &str) -> Result<Vec<f64>> {
    let mut grid = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let v: f64 = item
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .ok_or_else(|| {
                MipsError::invalid(
                    format!("option 'grid' of pass '{NAME}'"),
                    format!("'{item}' is not a positive number"),
                )
            })?;
        grid.push(v);
    }
    if grid.is_empty() {
        return Err(MipsError::invalid(
            format!("option 'grid' of pass '{NAME}'"),
            "no strengths given",
        ));
    }
    grid.sort_by(|a, b| b.total_cmp(a));
    Ok(grid)
}

mips_core::pass_settings! {
    /// The options of `sparsify`.
    pub struct SparsifySettings {
        /// L1 strengths to try, strongest first
        grid: String = "0.01,0.003,0.001,0.0003",
        /// afterwards, set parameters within zero-tol of 0 to 0
        zero_tol: f64 = 0.05,
        /// How to fine-tune.
        fine_tune: FineTuneSettings = FineTuneSettings::default(),
        /// Where the accuracy must hold.
        check: CheckSettings = CheckSettings::default(),
    }
}

impl TypedPass for Sparsify {
    type Input = Network;
    type Output = Network;
    type Settings = SparsifySettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Parameter;

    fn description(&self) -> &str {
        "L1 fine-tuning with the strongest penalty (from a grid) that keeps the accuracy, then zeroing"
    }

    fn check(&self, settings: &SparsifySettings) -> Result<()> {
        settings.check.validate()?;
        parse_grid(&settings.grid).map(drop)
    }

    fn run(&self, net: &Network, settings: &SparsifySettings, ctx: &PassContext) -> Result<Network> {
        if settings.fine_tune.too_large(net, ctx) {
            return Ok(net.clone());
        }
        let grid = parse_grid(&settings.grid)?;
        let tune = settings.fine_tune.fine_tune()?;
        let mut checker = ctx.verifier().network_check(net, settings.check.scope()?)?;
        checker.search_confirmed(|checker| sparsest(net, checker, &grid, settings.zero_tol, &tune, ctx))
    }
}

/// The sparsest network of the L1 runs (strongest first) that keeps the accuracy; `net` itself
/// when none does.
fn sparsest(
    net: &Network,
    checker: &Checker,
    grid: &[f64],
    zero_tol: f64,
    tune: &FineTune,
    ctx: &PassContext,
) -> Result<Network> {
    let frozen: Vec<bool> = net.parameters().map(|p| p == 0.0).collect();
    for (k, &strength) in grid.iter().enumerate() {
        let settings = FineTune { l1: strength, ..*tune };
        // The last checkpoint that keeps the accuracy: the sparsest the run reached.
        let mut kept = None;
        fine_tune(
            ctx.task,
            net,
            &frozen,
            &settings,
            rng::mix(ctx.seed, k as u64),
            |tuned| {
                if checker.holds(tuned) {
                    kept = Some(tuned.clone());
                }
                false
            },
        )?;
        let Some(tuned) = kept else {
            continue;
        };
        let mut values = flatten(&tuned);
        let mut zeros: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter(|(_, p)| **p != 0.0 && p.abs() <= zero_tol)
            .map(|(i, _)| (i, 0.0))
            .collect();
        zeros.sort_by(|a, b| values[a.0].abs().total_cmp(&values[b.0].abs()).then(a.0.cmp(&b.0)));
        // The check budget of `snap`'s search, for the same reason (checks cost ∝ parameters).
        let mut meter = Meter::new(search_budget(values.len(), WORK));
        let stop = accept_greedily(&mut values, &zeros, &mut meter, |v| {
            checker.holds(&unflatten(&tuned, v))
        });
        ctx.note_stop(stop, "the zeroing's candidates left keep their values");
        let out = unflatten(&tuned, &values);
        ctx.note("strength", strength);
        ctx.note("zeros", out.parameters().filter(|p| *p == 0.0).count());
        return Ok(out);
    }
    ctx.note("strength", "none kept the accuracy");
    Ok(net.clone())
}

mips_core::register_pass!(Typed(Sparsify));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, run_pass, uniform};
    use mips_core::pass::verify::network_accuracy;
    use mips_core::task::Task;

    #[test]
    fn small_weights_of_a_counter_become_zero() {
        let task = CountOnes::new(100);
        let mut net = CountOnes::plain();
        let all = net.f.parameters_mut().chain(net.g.parameters_mut());
        all.enumerate().for_each(|(i, p)| *p += 0.01 * uniform(3, i as u64));
        let options = [("steps", "30"), ("batch", "16"), ("grid", "0.01")];
        let out = run_pass(&Typed(Sparsify), &net, &task, &options).unwrap();
        assert_eq!(network_accuracy(&out, task.test_split()), 1.0);
        // Everything but the three unit weights of the counter can go.
        assert!(out.parameters().filter(|p| *p == 0.0).count() >= 6, "{out:?}");
    }

    #[test]
    fn grid_parses_strongest_first_and_rejects_junk() {
        assert_eq!(parse_grid("0.001, 0.1,0.01").unwrap(), vec![0.1, 0.01, 0.001]);
        assert!(parse_grid("0.1,-1").is_err());
        assert!(parse_grid(" , ").is_err());
        assert!(parse_grid("x").is_err());
    }
}
