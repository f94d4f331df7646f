//! Fine-tuning for the parameter passes, on the training engine's primitives
//! ([`mips_core::train`]) in `f64` and raw coordinates (as training runs by default): the
//! task's loss, AdamW (with a large ε, see [`ADAM_EPS`]), gradient clipping, and batches that mix fresh training sequences with
//! hard examples — up to half a batch of the sequences of a fixed pool of training sequences
//! (drawn once per run) with the largest output errors above 0.25, refreshed at every
//! checkpoint, so that the rare sequences near a rounding boundary get trained on; and
//! two optional terms added to the gradient of the task's loss:
//! - an L1 penalty `l1 · Σ|θ|` (gradient `l1 · sign θ`), pushing parameters to zero;
//! - a pull `pull · Σ (θ − round θ)² / 2` (gradient `pull · (θ − round θ)`), pushing
//!   parameters to their nearest integers.
//!
//! Frozen parameters keep their exact `f64` values. The caller sees the network at regular
//! checkpoints (it checks their accuracy and keeps what it wants) and may stop the run there:
//! fine-tuning from an exact network with a stochastic optimizer can lose exactness on rare
//! sequences, so only checked checkpoints are ever kept.

use mips_core::ir::Network;
use mips_core::pass::verifier::hardest;
use mips_core::task::Task;
use mips_core::train::engine::{LossSpec, Workspace, train_step};
use mips_core::train::{AdamW, Batch, Layout};
use mips_core::{MipsError, Result, rng};

/// How to fine-tune.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FineTune {
    pub steps: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub l1: f64,
    pub pull: f64,
    /// Steps between checkpoints.
    pub every: usize,
}

mips_core::pass_settings! {
    /// The fine-tuning options shared by the passes that train.
    pub struct FineTuneSettings {
        /// fine-tuning steps
        steps: usize = 600,
        /// fine-tuning learning rate (AdamW)
        lr: f64 = 1e-3,
        /// training sequences per step
        batch: usize = 128,
        /// strength of the pull of free parameters towards integers
        pull: f64 = 0.0,
        /// fine-tuning steps between accuracy checks
        check_every: usize = 50,
        /// leave networks with more parameters unchanged (fine-tuning them is slow; 0: no limit)
        max_params: usize = 400,
    }
}

impl FineTuneSettings {
    /// How to fine-tune, with no L1 penalty; an error for a value out of range.
    pub fn fine_tune(&self) -> Result<FineTune> {
        if self.batch == 0 || self.check_every == 0 || self.lr.is_nan() || self.lr <= 0.0 || self.pull < 0.0 {
            return Err(MipsError::invalid(
                "fine-tuning options",
                "need batch ≥ 1, check-every ≥ 1, lr > 0 and pull ≥ 0",
            ));
        }
        Ok(FineTune {
            steps: self.steps,
            lr: self.lr,
            batch_size: self.batch,
            l1: 0.0,
            pull: self.pull,
            every: self.check_every,
        })
    }

    /// True (with a note) when `net` is larger than `max-params` allows.
    pub fn too_large(&self, net: &Network, ctx: &mips_core::pass::PassContext) -> bool {
        let limit = self.max_params;
        let large = limit > 0 && net.parameter_count() > limit;
        if large {
            ctx.note(
                "skipped",
                format!("{} parameters, more than max-params={limit}", net.parameter_count()),
            );
        }
        large
    }
}

/// Gradient norm above which gradients are scaled down.
const CLIP_NORM: f64 = 1.0;

/// AdamW's ε: large, so that the tiny gradients of a network that is already (almost) exact
/// give proportionally tiny steps rather than Adam's unit-size ones, which knock an exact
/// network off the few sequences it gets right by a small margin.
const ADAM_EPS: f64 = 1e-3;

/// Training sequences drawn once per run, in which hard examples are looked for.
const POOL: usize = 8192;

/// Output error above which a pool sequence counts as hard (0.5 is a wrong answer).
const HARD_ERROR: f64 = 0.25;

/// Fine-tunes the parameters of `net` not marked in `frozen` (in [`Network::parameters`]
/// order) on training batches of `task`. Every `settings.every` steps and after the last one,
/// the network so far is handed to `checkpoint`, which returns true to stop.
pub fn fine_tune(
    task: &dyn Task,
    net: &Network,
    frozen: &[bool],
    settings: &FineTune,
    seed: u64,
    mut checkpoint: impl FnMut(&Network) -> bool,
) -> Result<()> {
    let layout = Layout::new(&net.shape())?;
    if frozen.len() != layout.len {
        return Err(MipsError::invalid("frozen mask", "must have one entry per parameter"));
    }
    let info = task.info();
    let spec = LossSpec::new(info.loss, info.output_ranges.clone());
    let original: Vec<f64> = net.parameters().collect();
    let mut params = layout.flatten::<f64>(net)?;
    let mut ws = Workspace::<f64>::new(&layout);
    let mut grads = vec![0.0f64; layout.len];
    let mut opt = AdamW::new(layout.len, 0.0);
    opt.eps = ADAM_EPS;
    let mut batch = Batch::<f64>::default();
    let export = |params: &[f64]| {
        let mut out = layout.to_network(params);
        // Frozen parameters keep their exact values.
        let slots = out.f.parameters_mut().chain(out.g.parameters_mut());
        slots
            .zip(&original)
            .zip(frozen)
            .filter(|(_, f)| **f)
            .for_each(|((p, o), _)| *p = *o);
        out.h0 = net.h0.clone();
        out
    };
    let pool = task.train_batch(rng::mix(seed, u64::MAX), POOL);
    let hard_count = settings.batch_size / 2;
    let mut hard = hardest(net, &pool, hard_count, HARD_ERROR);
    for step in 1..=settings.steps {
        let fresh = settings.batch_size - hard.len();
        let mut data = task.train_batch(rng::mix(seed, step as u64), fresh);
        data.sequences.extend(hard.iter().map(|&i| pool.sequences[i].clone()));
        if data.is_empty() {
            return Err(MipsError::invalid(
                "task",
                format!("{}: empty training batch", info.name),
            ));
        }
        batch.fill(&data, 0..data.len())?;
        grads.iter_mut().for_each(|g| *g = 0.0);
        train_step(&mut ws, &params, &net.h0, &batch, &spec, &mut grads, false);
        for (g, p) in grads.iter_mut().zip(&params) {
            *g += settings.l1 * p.signum() * (*p != 0.0) as u8 as f64 + settings.pull * (p - p.round());
        }
        let norm = grads.iter().map(|g| g * g).sum::<f64>().sqrt();
        if !norm.is_finite() {
            return Err(MipsError::invalid("fine-tuning", "gradient became non-finite"));
        }
        if norm > CLIP_NORM {
            grads.iter_mut().for_each(|g| *g *= CLIP_NORM / norm);
        }
        opt.step(&mut params, &grads, settings.lr, Some(frozen));
        if step % settings.every.max(1) == 0 || step == settings.steps {
            let current = export(&params);
            if checkpoint(&current) {
                break;
            }
            hard = hardest(&current, &pool, hard_count, HARD_ERROR);
        }
    }
    Ok(())
}
