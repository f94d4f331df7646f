//! Fine-tuning for the parameter passes, on the training engine's primitives
//! ([`mips_core::train`]) in `f64` and raw coordinates (as training runs by default): fresh
//! training batches from the task, the task's loss, AdamW, gradient clipping, and
//! two optional terms added to the gradient of the task's loss:
//! - an L1 penalty `l1 · Σ|θ|` (gradient `l1 · sign θ`), pushing parameters to zero;
//! - a pull `pull · Σ (θ − round θ)² / 2` (gradient `pull · (θ − round θ)`), pushing
//!   parameters to their nearest integers.
//!
//! Frozen parameters keep their exact `f64` values. The network after the last step is
//! returned (the caller decides, with its accuracy check, whether to keep it).

use mips_core::ir::Network;
use mips_core::pass::{OptionSpec, Options};
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
}

impl FineTune {
    /// Reads `steps`, `lr`, `batch` and `pull` (see [`finetune_options`]); no L1 penalty.
    pub fn from_options(options: &Options) -> Result<FineTune> {
        let settings = FineTune {
            steps: options.usize("steps"),
            lr: options.float("lr"),
            batch_size: options.usize("batch"),
            l1: 0.0,
            pull: options.float("pull"),
        };
        if settings.batch_size == 0 || !(settings.lr > 0.0) || settings.pull < 0.0 {
            return Err(MipsError::invalid(
                "fine-tuning options",
                "need batch ≥ 1, lr > 0 and pull ≥ 0",
            ));
        }
        Ok(settings)
    }
}

/// The fine-tuning options shared by the passes that train, with their default step count and
/// pull strength.
pub fn finetune_options(steps: i64, pull: f64) -> Vec<OptionSpec> {
    vec![
        OptionSpec::int("steps", steps, "fine-tuning steps"),
        OptionSpec::float("lr", 1e-3, "fine-tuning learning rate (AdamW)"),
        OptionSpec::int("batch", 128, "training sequences per step"),
        OptionSpec::float("pull", pull, "strength of the pull of free parameters towards integers"),
    ]
}

/// Gradient norm above which gradients are scaled down.
const CLIP_NORM: f64 = 1.0;

/// Fine-tunes the parameters of `net` not marked in `frozen` (in [`Network::parameters`]
/// order) on training batches of `task`.
pub fn fine_tune(task: &dyn Task, net: &Network, frozen: &[bool], settings: &FineTune, seed: u64) -> Result<Network> {
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
    let mut batch = Batch::<f64>::default();
    for step in 0..settings.steps {
        let data = task.train_batch(rng::mix(seed, step as u64), settings.batch_size);
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
    }
    for ((p, o), f) in params.iter_mut().zip(&original).zip(frozen) {
        if *f {
            *p = *o;
        }
    }
    let mut out = layout.to_network(&params);
    out.h0 = net.h0.clone();
    Ok(out)
}
