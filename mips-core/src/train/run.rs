//! One training run: a shape, a seed, fresh batches from the task, AdamW, and early stopping
//! once the whole test split is predicted exactly.
//!
//! Test accuracy is screened every `eval_every` steps on a subset of the test split (its first
//! `screen_size` sequences, plus every sequence a previous confirmation got wrong); when the
//! screen is perfect, the model is confirmed on the whole split in `f64` (the arithmetic of
//! [`Network::run`](crate::ir::Network::run)). The run keeps the best model seen.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::batch::Batch;
use super::engine::{LossSpec, Stats, Workspace, evaluate, train_step};
use super::layout::Layout;
use super::optim::AdamW;
use super::replay::{MINE_POOL, Replay};
use super::scaling::Scaling;
use crate::data::{Dataset, Sequence};
use crate::ir::{Network, network::Shape};
use crate::task::{Loss, Task};
use crate::{MipsError, Result, rng};

/// Options of a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Sequences per training batch (fresh from the task at every step).
    pub batch_size: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// Loss; `None` uses the task's.
    pub loss: Option<Loss>,
    /// Most optimizer steps.
    pub max_steps: usize,
    /// Give up when the screened error (and, with `loss_progress`, the screened loss) has not
    /// shrunk by 5% (relative) for this many steps (0: never).
    pub patience: usize,
    /// A 5% lower screened loss also counts as progress for `patience` (for runs that must
    /// become precise, where accuracy can stay flat while the loss falls).
    #[serde(default)]
    pub loss_progress: bool,
    /// Screen test accuracy every this many steps.
    pub eval_every: usize,
    /// Test sequences in the screen (before hard sequences are added).
    pub screen_size: usize,
    /// Clip the gradient's global norm to this value (0: no clipping).
    pub clip_norm: f64,
    /// L1 penalty `l1 · Σ|θ|` added to the loss (0: none).
    pub l1: f64,
    /// Learning-rate schedule.
    pub schedule: Schedule,
    /// Spread the initial ReLU kinks of f's first layer over the input range
    /// ([`Layout::init_spread`]).
    pub spread_init: bool,
    /// Train in standardized coordinates (see [`Scaling`]); exported networks are always raw.
    pub normalize: bool,
    /// Hard training sequences added to each batch (see [`super::replay`]; 0: none).
    #[serde(default)]
    pub replay: usize,
}

/// How the learning rate changes during a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// Always `lr`.
    Constant,
    /// Cosine decay from `lr` to `lr · floor` over `max_steps`.
    Cosine { floor: f64 },
    /// Multiply by `factor` whenever the screened accuracy has not improved for `after` steps,
    /// down to `lr · floor`.
    Plateau { factor: f64, after: usize, floor: f64 },
}

impl Schedule {
    /// Parses "constant", "cosine" or "plateau" (with default parameters).
    pub fn parse(name: &str) -> Result<Schedule> {
        match name {
            "constant" => Ok(Schedule::Constant),
            "cosine" => Ok(Schedule::Cosine { floor: 0.01 }),
            "plateau" => Ok(Schedule::Plateau {
                factor: 0.5,
                after: 1000,
                floor: 0.01,
            }),
            _ => Err(MipsError::unknown(
                "learning-rate schedule",
                name,
                ["constant", "cosine", "plateau"],
            )),
        }
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            batch_size: 128,
            lr: 1e-3,
            weight_decay: 0.0,
            loss: None,
            max_steps: 10_000,
            patience: 0,
            eval_every: 100,
            screen_size: 2048,
            clip_norm: 1.0,
            l1: 0.0,
            schedule: Schedule::Constant,
            normalize: false,
            spread_init: true,
            loss_progress: false,
            replay: 0,
        }
    }
}

impl TrainOptions {
    /// Checks that the options make sense.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(MipsError::invalid("training options", m));
        if self.batch_size == 0 {
            return bad("batch size must be positive");
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("learning rate must be a positive number");
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad("weight decay must be a non-negative number");
        }
        if !(self.l1.is_finite() && self.l1 >= 0.0 && self.clip_norm.is_finite() && self.clip_norm >= 0.0) {
            return bad("l1 and gradient clipping must be non-negative numbers");
        }
        if self.eval_every == 0 {
            return bad("eval-every must be positive");
        }
        Ok(())
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStop {
    /// 100% accuracy on the whole test split.
    Solved,
    /// The step budget ran out.
    MaxSteps,
    /// The screened accuracy stopped improving.
    Patience,
    /// Parameters became non-finite.
    Diverged,
    /// The caller asked to stop (time budget, or another seed already succeeded).
    Interrupted,
}

impl RunStop {
    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            RunStop::Solved => "solved",
            RunStop::MaxSteps => "max-steps",
            RunStop::Patience => "patience",
            RunStop::Diverged => "diverged",
            RunStop::Interrupted => "interrupted",
        }
    }
}

/// What one run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub shape: Shape,
    pub seed: u64,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Wall time of the run.
    pub seconds: f64,
    /// Accuracy of the kept model on the whole test split.
    pub test_accuracy: f64,
    /// Step at which the kept model was reached.
    pub best_step: usize,
    /// Mean training loss of the kept model on the screened test sequences.
    #[serde(default)]
    pub screen_loss: f64,
    pub stop: RunStop,
}

impl RunReport {
    /// True when the kept model is 100% accurate on the whole test split.
    pub fn solved(&self) -> bool {
        self.stop == RunStop::Solved
    }
}

/// A task's test split prepared once for any number of runs: the whole split in `f64` for
/// confirmation and its first sequences in `f32` (scaled) for screening.
pub struct Prepared<'a> {
    pub task: &'a dyn Task,
    /// The loss on scaled outputs (what the engine trains on).
    pub spec: LossSpec,
    /// The same loss on raw outputs (for exported networks).
    pub raw_spec: LossSpec,
    pub scaling: Scaling,
    full: Batch<f64>,
    screen: Batch<f32>,
}

impl<'a> Prepared<'a> {
    /// Prepares `task` for runs with `opts` (its loss, screen size and normalization).
    pub fn new(task: &'a dyn Task, opts: &TrainOptions) -> Result<Self> {
        let info = task.info();
        let name = &info.name;
        if info.input_dim == 0 || info.output_dim == 0 {
            return Err(MipsError::invalid(
                "task",
                format!("{name}: input and output widths must be positive"),
            ));
        }
        if info.input_ranges.len() != info.input_dim || info.output_ranges.len() != info.output_dim {
            return Err(MipsError::invalid(
                "task",
                format!("{name}: one value range per component is needed"),
            ));
        }
        let test = task.test_split();
        if test.input_dim != info.input_dim || test.output_dim != info.output_dim {
            return Err(MipsError::invalid(
                "task",
                format!("{name}: the test split's widths do not match the task's"),
            ));
        }
        if test.is_empty() {
            return Err(MipsError::invalid("task", format!("{name}: the test split is empty")));
        }
        let scaling = if opts.normalize {
            Scaling::from_ranges(&info.input_ranges, &info.output_ranges)
        } else {
            Scaling::identity(info.input_dim, info.output_dim)
        };
        let raw_spec = LossSpec::new(opts.loss.unwrap_or(info.loss), info.output_ranges.clone());
        let spec = LossSpec {
            out_scale: scaling.y_scale.clone(),
            out_shift: scaling.y_shift.clone(),
            ..raw_spec.clone()
        };
        let mut screen = Batch::from_dataset(test, 0..opts.screen_size.clamp(1, test.len()))?;
        screen.scale_inputs(&scaling.x_shift, &scaling.x_scale);
        Ok(Prepared {
            task,
            spec,
            raw_spec,
            scaling,
            full: Batch::from_dataset(test, 0..test.len())?,
            screen,
        })
    }

    /// The inclusive range of each input component in training coordinates.
    pub fn input_box(&self) -> Vec<(f64, f64)> {
        let s = &self.scaling;
        self.task
            .info()
            .input_ranges
            .iter()
            .enumerate()
            .map(|(i, &(lo, hi))| {
                (
                    (lo as f64 - s.x_shift[i]) / s.x_scale[i],
                    (hi as f64 - s.x_shift[i]) / s.x_scale[i],
                )
            })
            .collect()
    }

    /// The test split.
    pub fn test(&self) -> &Dataset {
        self.task.test_split()
    }

    /// The raw network of parameters trained in scaled coordinates.
    pub fn export(&self, layout: &Layout, params: &[f32]) -> Network {
        let mut net = layout.to_network(params);
        self.scaling.fold(&mut net);
        net
    }

    /// Accuracy of a raw network on the whole test split (`f64`), with the indices of the
    /// sequences it gets wrong when `wrong` is given.
    pub fn accuracy(&self, net: &Network, wrong: Option<&mut Vec<usize>>) -> f64 {
        let layout = Layout::new(&net.shape()).expect("a trained network's shape is valid");
        let params = layout.flatten::<f64>(net).expect("a trained network is finite");
        let mut ws = Workspace::new(&layout);
        evaluate(&mut ws, &params, &net.h0, &self.full, &self.raw_spec, false, wrong).accuracy()
    }

    /// The scaled training batch for `seed` and `step`, with `extra` sequences appended.
    fn batch<'s>(
        &self,
        seed: u64,
        step: usize,
        size: usize,
        extra: impl Iterator<Item = &'s Sequence>,
        batch: &mut Batch<f32>,
    ) -> Result<Dataset> {
        let mut data = self.task.train_batch(rng::mix(seed, step as u64), size);
        if data.is_empty() {
            return Err(MipsError::invalid(
                "task",
                format!("{}: empty training batch", self.task.info().name),
            ));
        }
        if data.input_dim != self.scaling.x_scale.len() || data.output_dim != self.scaling.y_scale.len() {
            return Err(MipsError::invalid(
                "task",
                format!(
                    "{}: a training batch's widths do not match the task's",
                    self.task.info().name
                ),
            ));
        }
        data.sequences.extend(extra.cloned());
        batch.fill(&data, 0..data.len())?;
        batch.scale_inputs(&self.scaling.x_shift, &self.scaling.x_scale);
        Ok(data)
    }
}

/// Relative decrease of the screened error that counts as progress for `patience`.
const PROGRESS: f64 = 0.05;

/// Seed stream of the pools mined for replay.
const MINE_STREAM: u64 = 0x6d696e65;

/// Most hard sequences added to a run's screen.
const MAX_HARD: usize = 4096;

/// Trains `shape` from a fresh initialization with `seed`. `interrupt` is polled every step with
/// the step number; returning true ends the run (the best model so far is kept).
pub fn train_run(
    prep: &Prepared,
    shape: &Shape,
    seed: u64,
    opts: &TrainOptions,
    interrupt: &(dyn Fn(usize) -> bool + Sync),
) -> Result<(Network, RunReport)> {
    let layout = Layout::new(shape)?;
    let params = if opts.spread_init {
        layout.init_spread::<f32>(seed, &prep.input_box())
    } else {
        layout.init::<f32>(seed)
    };
    train_from(prep, &layout, params, seed, opts, None, interrupt)
}

/// Continues training from `net`'s parameters (e.g. fine-tuning with an L1 penalty); parameters
/// marked in `frozen` (in [`Network::parameters`] order) keep their values.
pub fn train_network(
    prep: &Prepared,
    net: &Network,
    seed: u64,
    opts: &TrainOptions,
    frozen: Option<&[bool]>,
    interrupt: &(dyn Fn(usize) -> bool + Sync),
) -> Result<(Network, RunReport)> {
    let layout = Layout::new(&net.shape())?;
    if frozen.is_some_and(|f| f.len() != layout.len) {
        return Err(MipsError::invalid("frozen mask", "must have one entry per parameter"));
    }
    if net.h0.iter().any(|&v| v != 0.0) {
        return Err(MipsError::invalid("network", "training supports h0 = 0 only"));
    }
    let mut scaled = net.clone();
    prep.scaling.unfold(&mut scaled);
    let params = layout.flatten::<f32>(&scaled)?;
    train_from(prep, &layout, params, seed, opts, frozen, interrupt)
}

/// The best model of a run so far.
struct Best {
    params: Vec<f32>,
    step: usize,
    screen: f64,
    /// Whole-split accuracy when it was confirmed.
    full: Option<f64>,
}

fn train_from(
    prep: &Prepared,
    layout: &Layout,
    params: Vec<f32>,
    seed: u64,
    opts: &TrainOptions,
    frozen: Option<&[bool]>,
    interrupt: &(dyn Fn(usize) -> bool + Sync),
) -> Result<(Network, RunReport)> {
    opts.validate()?;
    check_widths(prep, layout)?;
    let start = Instant::now();
    let mut run = Run::new(prep, layout, params, seed, opts);
    let stop = loop {
        if run.step >= opts.max_steps {
            break RunStop::MaxSteps;
        }
        if interrupt(run.step) {
            break RunStop::Interrupted;
        }
        if let Some(stop) = run.advance(frozen)? {
            break stop;
        }
    };
    Ok(run.finish(stop, start))
}

/// The network's widths must be the task's.
fn check_widths(prep: &Prepared, layout: &Layout) -> Result<()> {
    let info = prep.task.info();
    if layout.input_dim != info.input_dim || layout.output_dim != info.output_dim {
        return Err(MipsError::invalid(
            "network shape",
            format!(
                "{} maps {} inputs to {} outputs but task {} has {} and {}",
                layout.shape(),
                layout.input_dim,
                layout.output_dim,
                info.name,
                info.input_dim,
                info.output_dim
            ),
        ));
    }
    Ok(())
}

/// The state of one training run between steps.
struct Run<'a> {
    prep: &'a Prepared<'a>,
    layout: &'a Layout,
    opts: &'a TrainOptions,
    seed: u64,
    params: Vec<f32>,
    opt: AdamW,
    ws: Workspace<f32>,
    grads: Vec<f32>,
    h0: Vec<f32>,
    batch: Batch<f32>,
    hard: BTreeSet<usize>,
    hard_batch: Option<Batch<f32>>,
    replay: Replay,
    pool: Batch<f32>,
    best: Best,
    step: usize,
    last_eval: usize,
    best_screen: f64,
    best_loss: f64,
    last_progress: usize,
    last_decay: usize,
    plateau_lr: f64,
    confirm_gap: usize,
    last_confirm: Option<usize>,
}

impl<'a> Run<'a> {
    fn new(prep: &'a Prepared, layout: &'a Layout, params: Vec<f32>, seed: u64, opts: &'a TrainOptions) -> Self {
        Run {
            prep,
            layout,
            opts,
            seed,
            opt: AdamW::new(layout.len, opts.weight_decay),
            ws: Workspace::<f32>::new(layout),
            grads: vec![0.0f32; layout.len],
            h0: vec![0.0f32; layout.hidden_dim],
            batch: Batch::<f32>::default(),
            hard: BTreeSet::new(),
            hard_batch: None,
            replay: Replay::default(),
            pool: Batch::<f32>::default(),
            best: Best {
                params: params.clone(),
                step: 0,
                screen: -1.0,
                full: None,
            },
            params,
            step: 0,
            last_eval: 0,
            best_screen: -1.0,
            best_loss: f64::INFINITY,
            last_progress: 0,
            last_decay: 0,
            plateau_lr: opts.lr,
            confirm_gap: opts.eval_every,
            last_confirm: None,
        }
    }

    /// One optimizer step, then a screen when one is due; `Some` ends the run.
    fn advance(&mut self, frozen: Option<&[bool]>) -> Result<Option<RunStop>> {
        let opts = self.opts;
        self.step += 1;
        let step = self.step;
        let picks = self.replay.pick(step, opts.replay);
        self.prep
            .batch(self.seed, step, opts.batch_size, picks, &mut self.batch)?;
        self.grads.iter_mut().for_each(|g| *g = 0.0);
        let stats = train_step(
            &mut self.ws,
            &self.params,
            &self.h0,
            &self.batch,
            &self.prep.spec,
            &mut self.grads,
            false,
        );
        if opts.l1 > 0.0 {
            let l1 = opts.l1 as f32;
            self.grads
                .iter_mut()
                .zip(&self.params)
                .for_each(|(g, p)| *g += l1 * p.signum() * (*p != 0.0) as u8 as f32);
        }
        let norm = self.grads.iter().map(|&g| (g as f64) * (g as f64)).sum::<f64>().sqrt();
        if !norm.is_finite() {
            return Ok(Some(RunStop::Diverged));
        }
        if opts.clip_norm > 0.0 && norm > opts.clip_norm {
            let scale = (opts.clip_norm / norm) as f32;
            self.grads.iter_mut().for_each(|g| *g *= scale);
        }
        let lr = self.learning_rate();
        self.opt.step(&mut self.params, &self.grads, lr, frozen);
        if self.params.iter().any(|p| !p.is_finite()) {
            return Ok(Some(RunStop::Diverged));
        }
        let due = step.is_multiple_of(opts.eval_every)
            || step == opts.max_steps
            || (stats.perfect() && step - self.last_eval >= opts.eval_every.div_ceil(4));
        if !due {
            return Ok(None);
        }
        self.last_eval = step;
        self.screen()
    }

    /// The learning rate of the current step under the schedule.
    fn learning_rate(&mut self) -> f64 {
        let (opts, step) = (self.opts, self.step);
        match opts.schedule {
            Schedule::Constant => opts.lr,
            Schedule::Cosine { floor } => {
                let phase = (step - 1) as f64 / opts.max_steps.max(1) as f64;
                opts.lr * (floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * phase).cos()))
            }
            Schedule::Plateau { factor, after, floor } => {
                if after > 0 && step - self.last_progress.max(self.last_decay) >= after {
                    self.last_decay = step;
                    self.plateau_lr = (self.plateau_lr * factor).max(opts.lr * floor);
                }
                self.plateau_lr
            }
        }
    }

    /// Screens the model (mining replay sequences first), keeps the best, confirms a perfect
    /// screen on the whole split; `Some` ends the run.
    fn screen(&mut self) -> Result<Option<RunStop>> {
        let (opts, prep, step) = (self.opts, self.prep, self.step);
        if opts.replay > 0 {
            self.mine_replay()?;
        }
        let mut screen = evaluate(
            &mut self.ws,
            &self.params,
            &self.h0,
            &prep.screen,
            &prep.spec,
            true,
            None,
        );
        let screen_loss = screen.loss;
        if let Some(hb) = &self.hard_batch {
            screen.merge(evaluate(
                &mut self.ws,
                &self.params,
                &self.h0,
                hb,
                &prep.spec,
                false,
                None,
            ));
        }
        let acc = screen.accuracy();
        // Progress (for patience) means the screened error or the screened loss (of the first
        // screened sequences) shrank by a meaningful fraction.
        if 1.0 - acc < (1.0 - self.best_screen) * (1.0 - PROGRESS) {
            self.best_screen = acc;
            self.last_progress = step;
        }
        if opts.loss_progress && screen_loss < self.best_loss * (1.0 - PROGRESS) {
            self.best_loss = screen_loss;
            self.last_progress = step;
        }
        if self.best.full.is_none() && acc > self.best.screen {
            self.best = Best {
                params: self.params.clone(),
                step,
                screen: acc,
                full: None,
            };
        }
        if screen.perfect() && self.last_confirm.is_none_or(|at| step - at >= self.confirm_gap) && self.confirm(acc) {
            return Ok(Some(RunStop::Solved));
        }
        if opts.patience > 0 && step - self.last_progress >= opts.patience {
            return Ok(Some(RunStop::Patience));
        }
        Ok(None)
    }

    /// Adds the sequences of a fresh pool that the model gets wrong to the replay store.
    fn mine_replay(&mut self) -> Result<()> {
        let stream = rng::mix(self.seed, MINE_STREAM);
        let mined = self
            .prep
            .batch(stream, self.step, MINE_POOL, std::iter::empty(), &mut self.pool)?;
        let mut wrong = Vec::new();
        evaluate(
            &mut self.ws,
            &self.params,
            &self.h0,
            &self.pool,
            &self.prep.spec,
            false,
            Some(&mut wrong),
        );
        self.replay.add(wrong.into_iter().map(|i| mined.sequences[i].clone()));
        Ok(())
    }

    /// Confirms a perfect screen on the whole split; true when the model is exact there.
    /// Otherwise the sequences it got wrong are screened from now on.
    fn confirm(&mut self, acc: f64) -> bool {
        let step = self.step;
        self.last_confirm = Some(step);
        let mut wrong = Vec::new();
        let full = self
            .prep
            .accuracy(&self.prep.export(self.layout, &self.params), Some(&mut wrong));
        if self.best.full.is_none_or(|b| full > b) {
            self.last_progress = step;
            self.best = Best {
                params: self.params.clone(),
                step,
                screen: acc,
                full: Some(full),
            };
        }
        if full >= 1.0 {
            return true;
        }
        for w in wrong {
            if self.hard.len() >= MAX_HARD {
                break;
            }
            self.hard.insert(w);
        }
        self.hard_batch = Some(hard_dataset(self.prep.test(), &self.hard));
        self.confirm_gap = (self.confirm_gap * 2).min(self.opts.eval_every * 16);
        false
    }

    /// The best model and the run's report.
    fn finish(mut self, stop: RunStop, start: Instant) -> (Network, RunReport) {
        let prep = self.prep;
        let best = &self.best;
        let screen_loss = evaluate(
            &mut self.ws,
            &best.params,
            &self.h0,
            &prep.screen,
            &prep.spec,
            true,
            None,
        )
        .loss;
        let net = prep.export(self.layout, &best.params);
        let test_accuracy = match (stop, best.full) {
            (RunStop::Solved, _) => 1.0,
            (_, Some(full)) => full,
            _ => prep.accuracy(&net, None),
        };
        let report = RunReport {
            shape: self.layout.shape(),
            seed: self.seed,
            steps: self.step,
            seconds: start.elapsed().as_secs_f64(),
            test_accuracy,
            best_step: best.step,
            screen_loss,
            stop,
        };
        (net, report)
    }
}

fn hard_dataset(test: &Dataset, indices: &BTreeSet<usize>) -> Batch<f32> {
    let data = Dataset {
        input_dim: test.input_dim,
        output_dim: test.output_dim,
        sequences: indices.iter().map(|&i| test.sequences[i].clone()).collect(),
    };
    Batch::from_dataset(&data, 0..data.len()).expect("test sequences were validated")
}

/// Accuracy statistics (and mean loss) of a raw network on a dataset, in `f64` like the verifier.
pub fn network_stats(net: &Network, data: &Dataset, spec: &LossSpec) -> Result<Stats> {
    let layout = Layout::new(&net.shape())?;
    let params = layout.flatten::<f64>(net)?;
    let batch = Batch::from_dataset(data, 0..data.len())?;
    let mut ws = Workspace::new(&layout);
    Ok(evaluate(&mut ws, &params, &net.h0, &batch, spec, true, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Activation;
    use crate::train::toy::Toy;

    fn linear(hidden: usize) -> Shape {
        Shape {
            input_dim: 1,
            hidden_dim: hidden,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        }
    }

    fn opts() -> TrainOptions {
        TrainOptions {
            batch_size: 32,
            lr: 1e-2,
            max_steps: 3000,
            eval_every: 50,
            screen_size: 64,
            ..TrainOptions::default()
        }
    }

    #[test]
    fn linear_rnn_learns_a_running_sum_and_stops_early() {
        let task = Toy::running_sum();
        let prep = Prepared::new(&task, &opts()).unwrap();
        let (net, report) = train_run(&prep, &linear(1), 0, &opts(), &|_| false).unwrap();
        assert!(report.solved(), "{report:?}");
        assert!(report.steps < 3000);
        let stats = network_stats(&net, task.test_split(), &prep.raw_spec).unwrap();
        assert!(stats.perfect(), "the returned network is the confirmed one");
    }

    #[test]
    fn runs_are_deterministic() {
        let task = Toy::running_sum();
        let prep = Prepared::new(&task, &opts()).unwrap();
        let o = TrainOptions {
            max_steps: 200,
            ..opts()
        };
        let a = train_run(&prep, &linear(2), 3, &o, &|_| false).unwrap();
        let b = train_run(&prep, &linear(2), 3, &o, &|_| false).unwrap();
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.steps, b.1.steps);
    }

    #[test]
    fn every_loss_trains() {
        for loss in [Loss::Log, Loss::Mse, Loss::CrossEntropy] {
            let task = Toy::copy(loss);
            let prep = Prepared::new(&task, &opts()).unwrap();
            let (_, report) = train_run(&prep, &linear(1), 1, &opts(), &|_| false).unwrap();
            assert!(report.solved(), "{loss:?}: {report:?}");
        }
    }

    #[test]
    fn interrupt_and_patience_stop_runs() {
        let task = Toy::running_sum();
        let prep = Prepared::new(&task, &opts()).unwrap();
        let (_, r) = train_run(&prep, &linear(1), 0, &opts(), &|step| step >= 10).unwrap();
        assert_eq!((r.stop, r.steps), (RunStop::Interrupted, 10));
        // Nothing can be learned with lr so small; patience ends the run.
        let o = TrainOptions {
            lr: 1e-9,
            patience: 200,
            ..opts()
        };
        let (_, r) = train_run(&prep, &linear(1), 0, &o, &|_| false).unwrap();
        assert_eq!(r.stop, RunStop::Patience);
    }

    #[test]
    fn mismatched_shapes_and_bad_options_are_errors() {
        let task = Toy::running_sum();
        let prep = Prepared::new(&task, &opts()).unwrap();
        let mut s = linear(1);
        s.input_dim = 2;
        assert!(train_run(&prep, &s, 0, &opts(), &|_| false).is_err());
        let o = TrainOptions {
            batch_size: 0,
            ..opts()
        };
        assert!(train_run(&prep, &linear(1), 0, &o, &|_| false).is_err());
    }
}
