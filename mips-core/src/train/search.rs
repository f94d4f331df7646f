//! Architecture minimization: the smallest network (hidden size first, then the depths and
//! widths of f and g) that reaches 100% accuracy on the whole test split.
//!
//! Phase 1 tries the linear RNN (f and g affine) at hidden sizes `H = 1, 2, .., max_hidden`;
//! linear RNNs solve sums, delays and the physics tasks, and they train fast.
//!
//! Phase 2 tries the generous MLP shapes in order (by default: f affine and g with a hidden
//! layer of 16; f with two hidden layers of 32 and g with one; f and g with one hidden layer of
//! 16), each at hidden sizes `1..=max_hidden_mlp`, until three hidden sizes in a row gained no
//! more than one point of accuracy. When a linear RNN succeeded, only the shapes with an affine f
//! are tried, and only below its hidden size (an MLP f at a smaller hidden size than a linear
//! solution is rare and costly to rule out).
//!
//! When a generous shape succeeds at `H`, the later generous shapes are tried at the hidden sizes
//! below `H` with half the step budget (hidden size first); then the MLP shapes at the winning
//! hidden size that are smaller (fewer hidden layers, then fewer parameters; uniform widths from
//! `widths`) are searched by bisection, assuming that a shape succeeds when a larger one does,
//! and the smallest success is kept. Every candidate is trained with several seeds in parallel;
//! a candidate succeeds when one seed does.
//!
//! Near misses: when no candidate reached 100% but the most accurate network is at least
//! `polish_from` accurate, that network is trained further (`polish_steps` steps per seed, the
//! learning rate decayed towards zero, hard sequences mined from the test screen for model
//! selection, and training sequences it gets wrong replayed in half of every batch, see
//! [`super::replay`]): a network that is right on all but a few rare sequences usually only lacks
//! precision.
//!
//! Growth: the hidden sizes above are those of the first round, which has its own step budget
//! (`round_steps`). When it and its polishing fail, growth rounds follow until the total budget
//! (`max_total_steps`) is spent: each doubles the largest hidden size of the linear RNNs and of
//! the generous shapes (`max_hidden` → 2·`max_hidden` → …) and searches the new sizes as the first
//! round does (a success is shrunk the same way), its runs trained with the polishing's recipe
//! (replay of the training sequences the network gets wrong, and a falling loss counting as
//! progress: a rare event otherwise leaves the accuracy flat and the run stops). There is no
//! fixed cap; two principled bounds end the growth of a kind of shape early: a linear RNN stops
//! growing at `T · (inputs + 1)` hidden units (`T` the training length: its states lie in the
//! span of `A^j B` and `A^j c`, `j < T`, so a larger one is equivalent to one of that size),
//! and a generous shape stops at its plateau (three hidden sizes in a row without a point of
//! accuracy, counted over all rounds).
//! When every generous shape has reached its plateau, they are widened (every hidden-layer
//! width doubled) and grow again from the smallest hidden size: width grows like the state,
//! until the budget is spent or a widening gains less than a point of accuracy (the plateau
//! rule over widths: labels no network explains stop there, not at the budget). The search is
//! exhausted when the linear RNNs reached their bound and the widths stopped. The most accurate
//! network the growth trained is then polished with the steps left in the budget (at least
//! `polish_steps`). A task the first round solves never reaches growth, so its network does not
//! depend on `max_total_steps`.
//!
//! Budgets: optimizer steps per run (`max_steps`, with `patience`), steps of the first round
//! (`round_steps`) and in total (`max_total_steps`), both deterministic, and wall time per task
//! (`max_seconds`, a safety net; the result depends on the machine's speed only when this one
//! cuts in). Every run is recorded.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::run::{Prepared, RunReport, TrainOptions, train_network, train_run};
use crate::budget::StopReason;
use crate::ir::{Activation, Network, network::Shape};
use crate::rng;
use crate::task::Task;
use crate::{MipsError, Result};

/// The default budget of optimizer steps of the first round (over all its runs, before
/// polishing): deterministic, and the 62 catalog tasks train in under ten minutes on two cores.
pub const DEFAULT_ROUND_STEPS: usize = 250_000;

/// The default budget of optimizer steps per task over all runs (the first round, polishing and
/// growth rounds): four first rounds, so a task the first round fails gets three times its work
/// to grow; deterministic.
pub const DEFAULT_TOTAL_STEPS: usize = 4 * DEFAULT_ROUND_STEPS;

/// Budgets and choices of the architecture search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Options of the training runs of shapes whose f has hidden layers (`max_steps` and
    /// `patience` are per run).
    pub train: TrainOptions,
    /// Options of the training runs of shapes with an affine f (a linear state update, any g):
    /// their states must be exact (sums over many steps), so by default they train longer with
    /// a higher learning rate decayed towards zero (cosine); such runs are cheap.
    pub linear: TrainOptions,
    /// Seeds tried per candidate shape (in parallel).
    pub seeds: usize,
    /// Base seed; run `k` of every candidate uses `rng::mix(seed, k)`.
    pub seed: u64,
    /// Largest hidden size of the first round's linear RNNs (growth rounds double it).
    pub max_hidden: usize,
    /// Smallest hidden size tried.
    pub min_hidden: usize,
    /// Largest hidden size of the first round's MLP shapes when no linear RNN succeeds (growth
    /// rounds double it).
    pub max_hidden_mlp: usize,
    /// Hidden-layer widths of the smaller shapes tried after a success.
    pub widths: Vec<usize>,
    /// Most hidden layers per MLP (0: linear networks only).
    pub max_depth: usize,
    /// The generous shapes tried at each hidden size after the linear one: hidden-layer widths
    /// of f and of g (shapes deeper than `max_depth` are skipped).
    pub generous: Vec<(Vec<usize>, Vec<usize>)>,
    /// Activation of the MLPs.
    pub activation: Activation,
    /// Total optimizer steps over all runs of a task, growth rounds included (0: unlimited
    /// first round and no growth).
    pub max_total_steps: usize,
    /// Optimizer steps of the first round (0: only `max_total_steps` bounds it); a task it
    /// solves never grows, so its network does not depend on `max_total_steps` above this.
    #[serde(default = "default_round_steps")]
    pub round_steps: usize,
    /// Wall-time budget per task in seconds (0: unlimited).
    pub max_seconds: f64,
    /// Steps per seed of the polishing of a near miss (0: no polishing).
    #[serde(default)]
    pub polish_steps: usize,
    /// Smallest test accuracy of a near miss that is polished.
    #[serde(default)]
    pub polish_from: f64,
}

fn default_round_steps() -> usize {
    DEFAULT_ROUND_STEPS
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            train: TrainOptions {
                max_steps: 10_000,
                patience: 2_000,
                ..TrainOptions::default()
            },
            linear: TrainOptions {
                lr: 3e-3,
                schedule: super::run::Schedule::Cosine { floor: 0.01 },
                max_steps: 20_000,
                patience: 3_000,
                ..TrainOptions::default()
            },
            seeds: 2,
            seed: 0,
            max_hidden: 8,
            min_hidden: 1,
            max_hidden_mlp: 4,
            widths: vec![2, 4, 8, 16, 32],
            max_depth: 2,
            generous: vec![(vec![], vec![16]), (vec![32, 32], vec![32]), (vec![16], vec![16])],
            activation: Activation::Relu,
            max_total_steps: DEFAULT_TOTAL_STEPS,
            round_steps: DEFAULT_ROUND_STEPS,
            max_seconds: 0.0,
            polish_steps: 50_000,
            polish_from: 0.98,
        }
    }
}

impl SearchOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        self.train.validate()?;
        self.linear.validate()?;
        let bad = |m: &str| Err(MipsError::invalid("search options", m));
        if self.seeds == 0 {
            return bad("seeds must be positive");
        }
        if self.min_hidden == 0 || self.max_hidden < self.min_hidden {
            return bad("hidden sizes must satisfy 1 <= min-hidden <= max-hidden");
        }
        if self.widths.contains(&0) || self.generous.iter().any(|(f, g)| f.contains(&0) || g.contains(&0)) {
            return bad("MLP widths must be positive");
        }
        if self.max_depth > 3 {
            return bad("at most 3 hidden layers per MLP");
        }
        if !(0.0..=1.0).contains(&self.polish_from) {
            return bad("polish-from must lie in [0, 1]");
        }
        if !(self.max_seconds.is_finite() && self.max_seconds >= 0.0) {
            return bad("max-seconds must be a non-negative number");
        }
        Ok(())
    }
}

/// The outcome of an architecture search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    pub task: String,
    /// Shape of the returned network.
    pub shape: Shape,
    /// Accuracy of the returned network on the whole test split.
    pub test_accuracy: f64,
    /// Seed and steps of the run that produced the returned network.
    pub seed: u64,
    pub steps: usize,
    /// Why the search ended: [`StopReason::Found`] (a 100% accurate network; no smaller
    /// candidate succeeded), [`StopReason::Exhausted`] (every candidate tried without reaching
    /// 100%), or the total step budget ([`StopReason::Steps`]) or the wall-time budget
    /// ([`StopReason::Time`]) ran out.
    pub stop: StopReason,
    /// Every run, in the order candidates were tried.
    pub runs: Vec<RunReport>,
    /// Optimizer steps over all runs.
    pub total_steps: usize,
    /// Wall time of the search.
    pub seconds: f64,
}

impl SearchReport {
    /// True when the returned network is 100% accurate on the test split.
    pub fn solved(&self) -> bool {
        self.test_accuracy >= 1.0
    }
}

/// A linear shape or one with hidden layers.
fn shape(info: &crate::task::TaskInfo, hidden: usize, f: &[usize], g: &[usize], act: Activation) -> Shape {
    Shape {
        input_dim: info.input_dim,
        hidden_dim: hidden,
        output_dim: info.output_dim,
        f_widths: f.to_vec(),
        g_widths: g.to_vec(),
        activation: act,
    }
}

/// The size order within one hidden size: hidden layers first, then parameters.
fn size_key(s: &Shape) -> (usize, usize) {
    (
        s.f_widths.len() + s.g_widths.len(),
        crate::ir::Network::zeros(s).parameter_count(),
    )
}

/// The MLP shapes smaller than `generous` at one hidden size, smallest first: every pair of
/// uniform-width stacks (`[]`, `[w]`, `[w, w]`, ... up to `max_depth` layers) for f and g.
fn shrink_candidates(
    info: &crate::task::TaskInfo,
    hidden: usize,
    opts: &SearchOptions,
    generous: &Shape,
) -> Vec<Shape> {
    let mut stacks: Vec<Vec<usize>> = vec![vec![]];
    for depth in 1..=opts.max_depth {
        stacks.extend(opts.widths.iter().map(|&w| vec![w; depth]));
    }
    let mut out: Vec<Shape> = stacks
        .iter()
        .flat_map(|f| stacks.iter().map(move |g| (f, g)))
        .filter(|(f, g)| !(f.is_empty() && g.is_empty()))
        .map(|(f, g)| shape(info, hidden, f, g, opts.activation))
        .filter(|s| size_key(s) < size_key(generous))
        .collect();
    out.sort_by_key(size_key);
    out.dedup();
    out
}

/// Seed stream of the polishing runs.
const POLISH_STREAM: u64 = 0x706f_6c69_7368;

/// In the shrink phase, a smaller shape gets this many times the generous shape's steps...
const SHRINK_STEPS_FACTOR: usize = 4;
/// ...but at least this many.
const SHRINK_MIN_STEPS: usize = 2000;

/// Stops growing the hidden size of one kind of shape when it stops helping: after
/// [`PLATEAU_SIZES`] hidden sizes in a row whose score (higher is better) is not `gain` above
/// the best so far.
struct Plateau {
    best: f64,
    gain: f64,
    flat: usize,
}

/// Hidden sizes in a row without gain that end the growth of one kind of shape.
const PLATEAU_SIZES: usize = 3;

/// Accuracy a widening of the generous shapes must add for the next one to follow (the MLP
/// plateau's one point; widths double, so one flat widening ends it).
const WIDENING_GAIN: f64 = 0.01;

impl Plateau {
    /// A plateau on scores that must rise by `gain` to count as progress.
    fn new(gain: f64) -> Self {
        Plateau {
            best: f64::NEG_INFINITY,
            gain,
            flat: 0,
        }
    }

    /// For MLP shapes: best test accuracy, progress is one point (absolute).
    fn accuracy() -> Self {
        Plateau::new(0.01)
    }

    /// Records the score at the next hidden size; true when growth should stop.
    fn flat(&mut self, score: f64) -> bool {
        if score > self.best + self.gain {
            self.best = score;
            self.flat = 0;
        } else {
            self.flat += 1;
        }
        self.flat >= PLATEAU_SIZES
    }
}

/// Called after each run (for progress displays).
pub type Progress<'a> = &'a (dyn Fn(&RunReport) + Sync);

struct Searcher<'a> {
    prep: Prepared<'a>,
    opts: &'a SearchOptions,
    start: Instant,
    deadline: Option<Instant>,
    runs: Vec<RunReport>,
    total_steps: usize,
    /// The current bound on `total_steps` (0: none): the first round's, then the total.
    limit: usize,
    best: Option<(Network, RunReport)>,
    /// During growth rounds: the most accurate network they trained.
    grown: Option<Option<(Network, RunReport)>>,
    progress: Option<Progress<'a>>,
}

impl Searcher<'_> {
    fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn out_of_steps(&self) -> bool {
        self.limit > 0 && self.total_steps >= self.limit
    }

    /// Trains `shape` with every seed in parallel (at most `max_steps` steps per run); returns
    /// the winning run when one solved it.
    fn try_shape(&mut self, shape: &Shape, max_steps: usize) -> Result<Option<(Network, RunReport)>> {
        let seeds: Vec<u64> = (0..self.opts.seeds as u64)
            .map(|k| rng::mix(self.opts.seed, k))
            .collect();
        // Shapes with an affine f (a linear state update) train with the linear recipe; fully
        // linear shapes also count a falling loss as progress (their accuracy can stay flat
        // until the weights are precise).
        let fully_linear = shape.f_widths.is_empty() && shape.g_widths.is_empty();
        let mut train = if shape.f_widths.is_empty() {
            self.opts.linear.clone()
        } else {
            self.opts.train.clone()
        };
        train.max_steps = train.max_steps.min(max_steps);
        train.loss_progress |= fully_linear;
        if self.grown.is_some() {
            // Growth rounds (the first round failed): the polishing's recipe, so events the
            // batches seldom show are replayed and a falling loss keeps a run going while its
            // accuracy is flat.
            train.replay = self.replayed_per_batch();
            train.loss_progress = true;
        }
        if self.limit > 0 {
            // A candidate never runs past the task's remaining step budget.
            let left = self.limit.saturating_sub(self.total_steps);
            train.max_steps = train.max_steps.min(left.div_ceil(self.opts.seeds).max(1));
        }
        self.race(&seeds, |prep, seed, interrupt| {
            train_run(prep, shape, seed, &train, interrupt)
        })
    }

    /// Runs `run` for every seed in parallel, interrupting the others once one reaches 100%
    /// (or the deadline passes); records every run and returns the winner: the solving run
    /// with the fewest steps, then the lowest seed index (independent of timing).
    fn race(
        &mut self,
        seeds: &[u64],
        run: impl Fn(&Prepared, u64, &(dyn Fn(usize) -> bool + Sync)) -> Result<(Network, RunReport)> + Sync,
    ) -> Result<Option<(Network, RunReport)>> {
        let first_success = AtomicUsize::new(usize::MAX);
        let deadline = self.deadline;
        let reported = Mutex::new(());
        let results: Vec<Result<(Network, RunReport)>> = seeds
            .par_iter()
            .map(|&seed| {
                let interrupt = |step: usize| {
                    step >= first_success.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d)
                };
                let out = run(&self.prep, seed, &interrupt)?;
                if out.1.solved() {
                    first_success.fetch_min(out.1.steps, Ordering::Relaxed);
                }
                if let Some(p) = self.progress {
                    let _guard = reported.lock();
                    p(&out.1);
                }
                Ok(out)
            })
            .collect();
        let results: Vec<(Network, RunReport)> = results.into_iter().collect::<Result<_>>()?;
        let winner = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.1.solved())
            .min_by_key(|(k, r)| (r.1.steps, *k))
            .map(|(k, _)| k);
        self.total_steps += match winner {
            Some(k) => results[k].1.steps * results.len(),
            None => results.iter().map(|r| r.1.steps).sum(),
        };
        for (net, report) in &results {
            self.runs.push(report.clone());
            let better = self
                .best
                .as_ref()
                .is_none_or(|(_, b)| report.test_accuracy > b.test_accuracy);
            if better {
                self.best = Some((net.clone(), report.clone()));
            }
            if let Some(grown) = &mut self.grown
                && grown
                    .as_ref()
                    .is_none_or(|(_, b)| report.test_accuracy > b.test_accuracy)
            {
                *grown = Some((net.clone(), report.clone()));
            }
        }
        Ok(winner.map(|k| results[k].clone()))
    }

    /// The first round (see the module docs); returns the network to keep and why it ended.
    fn search(&mut self) -> Result<((Network, RunReport), StopReason)> {
        let info = self.prep.task.info().clone();
        let act = self.opts.activation;
        // Phase 1: linear RNNs, by hidden size (cheap; they solve sums, delays and physics).
        let mut linear: Option<(Network, RunReport)> = None;
        // (No plateau rule here: a delay line's loss only falls once the state is large enough.)
        for hidden in self.opts.min_hidden..=self.opts.max_hidden {
            if let Some(stop) = self.budget_stop() {
                return Ok((self.best.clone().expect("a run happened"), stop));
            }
            let candidate = shape(&info, hidden, &[], &[], act);
            if let Some(found) = self.try_shape(&candidate, self.opts.linear.max_steps)? {
                linear = Some(found);
                break;
            }
        }
        // Phase 2: the generous MLP shapes, each over the hidden sizes below the linear
        // solution (or up to `max_hidden_mlp`).
        let top = match &linear {
            Some((net, _)) => net.hidden_dim - 1,
            None => self.mlp_top(),
        };
        // Below a linear solution only shapes with an affine f are tried (cheap; an MLP f at a
        // smaller hidden size than a linear RNN is rare and costly to rule out).
        let generous: Vec<(Vec<usize>, Vec<usize>)> = self
            .generous()
            .into_iter()
            .filter(|(f, _)| linear.is_none() || f.is_empty())
            .collect();
        if let Some(done) = self.generous_phase(&generous, self.opts.min_hidden, top, linear.as_ref())? {
            return Ok(done);
        }
        match linear {
            Some(found) => Ok((found, StopReason::Found)),
            None => Ok((self.best.clone().expect("a run happened"), StopReason::Exhausted)),
        }
    }

    /// The largest hidden size of MLP shapes in the first round.
    fn mlp_top(&self) -> usize {
        self.opts.max_hidden.min(self.opts.max_hidden_mlp)
    }

    /// The generous shapes within `max_depth`.
    fn generous(&self) -> Vec<(Vec<usize>, Vec<usize>)> {
        self.opts
            .generous
            .iter()
            .filter(|(f, g)| f.len().max(g.len()) <= self.opts.max_depth)
            .cloned()
            .collect()
    }

    /// Tries each generous shape at hidden sizes `lo..=top` (growth of a shape ends at its
    /// plateau, counted from the first hidden size); on a success, the later generous shapes at
    /// smaller hidden sizes from `lo`, then the bisection. `None` when no candidate succeeded;
    /// otherwise the network kept and the stop (when a budget runs out before a success: the
    /// `solved` network, else the most accurate one).
    fn generous_phase(
        &mut self,
        generous: &[(Vec<usize>, Vec<usize>)],
        lo: usize,
        top: usize,
        solved: Option<&(Network, RunReport)>,
    ) -> Result<Option<((Network, RunReport), StopReason)>> {
        let info = self.prep.task.info().clone();
        let act = self.opts.activation;
        for (k, (f, g)) in generous.iter().enumerate() {
            let Some(mut plateau) = self.plateau_below(f, g, lo) else {
                continue;
            };
            for hidden in lo..=top {
                if let Some(stop) = self.budget_stop() {
                    let keep = solved.or(self.best.as_ref()).expect("a run happened");
                    return Ok(Some((keep.clone(), stop)));
                }
                let candidate = shape(&info, hidden, f, g, act);
                let Some(mut found) = self.try_shape(&candidate, self.opts.train.max_steps)? else {
                    if plateau.flat(self.accuracy_of(&candidate)) {
                        break;
                    }
                    continue;
                };
                let (mut at, mut winner) = (hidden, candidate);
                // Hidden size first: the later generous shapes at smaller hidden sizes.
                'smaller: for (f2, g2) in &generous[k + 1..] {
                    let below = at;
                    for h2 in lo..below {
                        if self.budget_stop().is_some() {
                            break 'smaller;
                        }
                        let c2 = shape(&info, h2, f2, g2, act);
                        if let Some(better) = self.try_shape(&c2, self.opts.train.max_steps / 2)? {
                            (at, winner, found) = (h2, c2, better);
                            break;
                        }
                    }
                }
                return self.shrink(&info, at, &winner, found).map(Some);
            }
        }
        Ok(None)
    }

    /// The plateau of shape (`f`, `g`) over the hidden sizes from `min_hidden` below `lo`, from
    /// the recorded runs; `None` when it already ended the shape's growth.
    fn plateau_below(&self, f: &[usize], g: &[usize], lo: usize) -> Option<Plateau> {
        let info = self.prep.task.info();
        let mut plateau = Plateau::accuracy();
        for hidden in self.opts.min_hidden..lo {
            let s = shape(info, hidden, f, g, self.opts.activation);
            if plateau.flat(self.accuracy_of(&s)) {
                return None;
            }
        }
        Some(plateau)
    }

    /// Bisection over the shapes smaller than `shape` (which succeeded with `found`), each run
    /// with a step budget of a few times what `found` needed.
    fn shrink(
        &mut self,
        info: &crate::task::TaskInfo,
        hidden: usize,
        shape: &Shape,
        found: (Network, RunReport),
    ) -> Result<((Network, RunReport), StopReason)> {
        let steps = (found.1.steps * SHRINK_STEPS_FACTOR).max(SHRINK_MIN_STEPS);
        // (Linear shapes in the shrink list run on their own budget.)
        let smaller = shrink_candidates(info, hidden, self.opts, shape);
        // Invariant: candidates below `lo` are assumed to fail, `best` solves `smaller[hi]` (or
        // the generous shape when `hi == smaller.len()`).
        let (mut lo, mut hi, mut best) = (0, smaller.len(), found);
        while lo < hi {
            if let Some(stop) = self.budget_stop() {
                return Ok((best, stop));
            }
            let mid = (lo + hi) / 2;
            match self.try_shape(&smaller[mid], steps)? {
                Some(better) => {
                    hi = mid;
                    best = better;
                }
                None => lo = mid + 1,
            }
        }
        Ok((best, StopReason::Found))
    }

    /// Training sequences replayed in every batch of the polishing and of growth runs: half.
    fn replayed_per_batch(&self) -> usize {
        self.opts.train.batch_size / 2
    }

    /// Trains `from` further when it is a near miss (see the module docs), `steps` steps per
    /// seed; returns the first seed's run that reaches 100%.
    fn polish(&mut self, from: Option<(Network, RunReport)>, steps: usize) -> Result<Option<(Network, RunReport)>> {
        let Some((net, run)) = from else {
            return Ok(None);
        };
        if steps == 0 || run.solved() || run.test_accuracy < self.opts.polish_from {
            return Ok(None);
        }
        let train = TrainOptions {
            max_steps: steps,
            patience: 0,
            schedule: super::run::Schedule::Cosine { floor: 0.0 },
            replay: self.replayed_per_batch(),
            ..self.opts.train.clone()
        };
        let seeds: Vec<u64> = (0..self.opts.seeds as u64)
            .map(|k| rng::mix(rng::mix(self.opts.seed, k), POLISH_STREAM))
            .collect();
        self.race(&seeds, |prep, seed, interrupt| {
            train_network(prep, &net, seed, &train, None, interrupt)
        })
    }

    /// After a first round without a 100% network (`kept`, ended by `stop`): polishing of the
    /// most accurate network, then growth rounds, then polishing of the most accurate network
    /// they trained (see the module docs).
    fn rescue(&mut self, kept: (Network, RunReport), stop: StopReason) -> Result<((Network, RunReport), StopReason)> {
        if let Some(polished) = self.polish(self.best.clone(), self.opts.polish_steps)? {
            return Ok((polished, StopReason::Found));
        }
        if self.opts.max_total_steps == 0 || self.out_of_time() {
            return Ok((self.most_accurate(kept), stop));
        }
        self.limit = self.opts.max_total_steps;
        self.grown = Some(None);
        let (found, stop) = match self.grow()? {
            Some((found, stop)) => (Some(found), stop),
            None => (None, self.budget_stop().unwrap_or(StopReason::Exhausted)),
        };
        let grown = self.grown.take().flatten();
        if let Some(found) = found.filter(|f| f.1.solved()) {
            return Ok((found, stop));
        }
        // Polishing as long as the budget left allows (at least `polish_steps`; none when 0).
        let left = self.limit.saturating_sub(self.total_steps) / self.opts.seeds;
        let steps = if self.opts.polish_steps == 0 {
            0
        } else {
            self.opts.polish_steps.max(left)
        };
        if let Some(polished) = self.polish(grown, steps)? {
            return Ok((polished, StopReason::Found));
        }
        Ok((self.most_accurate(kept), stop))
    }

    /// `kept`, or the most accurate network trained when that one is more accurate.
    fn most_accurate(&self, kept: (Network, RunReport)) -> (Network, RunReport) {
        match &self.best {
            Some(best) if best.1.test_accuracy > kept.1.test_accuracy => best.clone(),
            _ => kept,
        }
    }

    /// Growth rounds (see the module docs): each doubles the largest hidden size of the linear
    /// shapes (up to [`linear_bound`]) and of the generous shapes not ended by their plateau,
    /// until a candidate succeeds (`Some`, with the shrink's result), the budget runs out
    /// (`Some`, the most accurate network) or nothing is left to grow (`None`: every shape
    /// ended and none has a hidden layer to widen).
    fn grow(&mut self) -> Result<Option<((Network, RunReport), StopReason)>> {
        let info = self.prep.task.info().clone();
        let bound = linear_bound(&info);
        let mut generous = self.generous();
        let (mut lin, mut mlp) = (self.opts.max_hidden, self.mlp_top());
        // The best accuracy when the shapes were last widened (none yet).
        let mut widened_at: Option<f64> = None;
        loop {
            let (lin2, mlp2) = (lin * 2, (mlp * 2).max(mlp + 1));
            for hidden in lin + 1..=lin2.min(bound) {
                if let Some(stop) = self.budget_stop() {
                    return Ok(self.best.clone().map(|b| (b, stop)));
                }
                let candidate = shape(&info, hidden, &[], &[], self.opts.activation);
                if let Some(found) = self.try_shape(&candidate, self.opts.linear.max_steps)? {
                    return Ok(Some((found, StopReason::Found)));
                }
            }
            if let Some(done) = self.generous_phase(&generous, mlp + 1, mlp2, None)? {
                return Ok(Some(done));
            }
            let mlp_left = generous
                .iter()
                .any(|(f, g)| self.plateau_below(f, g, mlp2 + 1).is_some());
            (lin, mlp) = (lin2, mlp2);
            if !mlp_left {
                // Every generous shape reached its plateau: the same shapes twice as wide, from
                // the smallest hidden size again, while the last widening gained a point of
                // accuracy (the plateau rule, over widths).
                let best = self.best.as_ref().map_or(0.0, |b| b.1.test_accuracy);
                let wider = widened(&generous);
                let gained = widened_at.is_none_or(|before| best > before + WIDENING_GAIN);
                if wider == generous || !gained {
                    if lin >= bound {
                        return Ok(None);
                    }
                } else {
                    (generous, mlp, widened_at) = (wider, self.opts.min_hidden - 1, Some(best));
                }
            }
        }
    }

    /// The best test accuracy any run of `shape` reached.
    fn accuracy_of(&self, shape: &Shape) -> f64 {
        self.runs
            .iter()
            .filter(|r| &r.shape == shape)
            .map(|r| r.test_accuracy)
            .fold(0.0, f64::max)
    }

    fn budget_stop(&self) -> Option<StopReason> {
        if self.runs.is_empty() {
            return None;
        }
        if self.out_of_time() {
            return Some(StopReason::Time(self.opts.max_seconds));
        }
        self.out_of_steps().then_some(StopReason::Steps(self.limit as u64))
    }
}

/// The generous shapes with every hidden-layer width doubled.
fn widened(generous: &[(Vec<usize>, Vec<usize>)]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let double = |widths: &[usize]| widths.iter().map(|w| w.saturating_mul(2)).collect();
    generous.iter().map(|(f, g)| (double(f), double(g))).collect()
}

/// The step bound of the first round: the smaller of `round_steps` and `max_total_steps` (0:
/// none).
fn first_round_limit(opts: &SearchOptions) -> usize {
    match (opts.round_steps, opts.max_total_steps) {
        (0, t) => t,
        (r, 0) => r,
        (r, t) => r.min(t),
    }
}

/// The largest hidden size that can help a linear RNN on the task's data: its states after `T`
/// steps lie in the span of `A^j B` and `A^j c` for `j < T` (`T` the training length), a space
/// of at most `T · (inputs + 1)` dimensions, so a larger linear RNN is equivalent to one of that
/// size.
fn linear_bound(info: &crate::task::TaskInfo) -> usize {
    info.seq_len.max(1).saturating_mul(info.input_dim + 1)
}

/// Finds the smallest network reaching 100% test accuracy on `task` (see the module docs);
/// when none does within the budgets, returns the most accurate network trained.
pub fn minimize(task: &dyn Task, opts: &SearchOptions, progress: Option<Progress>) -> Result<(Network, SearchReport)> {
    opts.validate()?;
    let start = Instant::now();
    let mut searcher = Searcher {
        prep: Prepared::new(task, &opts.train)?,
        opts,
        start,
        deadline: (opts.max_seconds > 0.0).then(|| start + Duration::from_secs_f64(opts.max_seconds)),
        runs: Vec::new(),
        total_steps: 0,
        limit: first_round_limit(opts),
        best: None,
        grown: None,
        progress,
    };
    let (mut kept, mut stop) = searcher.search()?;
    if !kept.1.solved() {
        (kept, stop) = searcher.rescue(kept, stop)?;
    }
    let (net, run) = kept;
    let report = SearchReport {
        task: task.info().name.clone(),
        shape: net.shape(),
        test_accuracy: run.test_accuracy,
        seed: run.seed,
        steps: run.steps,
        stop,
        runs: std::mem::take(&mut searcher.runs),
        total_steps: searcher.total_steps,
        seconds: searcher.start.elapsed().as_secs_f64(),
    };
    Ok((net, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::toy::Toy;

    fn opts() -> SearchOptions {
        SearchOptions {
            train: TrainOptions {
                batch_size: 32,
                lr: 1e-2,
                max_steps: 1500,
                patience: 600,
                eval_every: 50,
                screen_size: 64,
                ..TrainOptions::default()
            },
            linear: TrainOptions {
                batch_size: 32,
                lr: 1e-2,
                max_steps: 1500,
                patience: 600,
                eval_every: 50,
                screen_size: 64,
                ..TrainOptions::default()
            },
            max_hidden: 2,
            widths: vec![2, 4],
            max_depth: 1,
            generous: vec![(vec![4], vec![4])],
            polish_steps: 0,
            ..SearchOptions::default()
        }
    }

    #[test]
    fn a_near_miss_is_polished() {
        let task = Toy::running_sum();
        let base = opts();
        let cut = SearchOptions {
            linear: TrainOptions {
                max_steps: 30,
                patience: 0,
                ..base.linear.clone()
            },
            max_hidden: 1,
            max_depth: 0,
            // No growth: polishing alone is tested.
            max_total_steps: 0,
            ..base
        };
        let (_, unpolished) = minimize(&task, &cut, None).unwrap();
        assert!(!unpolished.solved(), "30 steps do not solve it");
        let polishing = SearchOptions {
            polish_steps: 1500,
            polish_from: 0.0,
            ..cut
        };
        let (net, report) = minimize(&task, &polishing, None).unwrap();
        assert!(report.solved());
        assert_eq!(report.stop, StopReason::Found);
        assert_eq!(
            report.runs.len(),
            unpolished.runs.len() + 2,
            "one polishing run per seed"
        );
        assert_eq!(net.hidden_dim, 1);
        let too_far = SearchOptions {
            polish_from: 1.0,
            ..polishing
        };
        assert!(!minimize(&task, &too_far, None).unwrap().1.solved());
    }

    #[test]
    fn finds_a_linear_rnn_for_a_running_sum() {
        let task = Toy::running_sum();
        let (net, report) = minimize(&task, &opts(), None).unwrap();
        assert_eq!(report.stop, StopReason::Found);
        assert!(report.solved());
        assert_eq!((net.hidden_dim, net.f.depth(), net.g.depth()), (1, 1, 1));
        assert_eq!(report.runs.len(), 2, "one candidate, two seeds");
        assert_eq!(report.runs[0].shape, net.shape());
    }

    #[test]
    fn search_is_deterministic() {
        let task = Toy::running_sum();
        let a = minimize(&task, &opts(), None).unwrap();
        let b = minimize(&task, &opts(), None).unwrap();
        assert_eq!(a.0, b.0);
        assert_eq!(
            (a.1.shape.clone(), a.1.steps, a.1.seed),
            (b.1.shape.clone(), b.1.steps, b.1.seed)
        );
    }

    #[test]
    fn search_is_the_same_at_any_thread_count() {
        let task = Toy::running_sum();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| minimize(&task, &opts(), None).unwrap())
        };
        let (a, b) = (run(1), run(3));
        assert_eq!(a.0, b.0);
        assert_eq!(
            (a.1.steps, a.1.seed, a.1.total_steps),
            (b.1.steps, b.1.seed, b.1.total_steps)
        );
    }

    #[test]
    fn step_budget_stops_the_search_with_a_reason() {
        let task = Toy::running_sum();
        let o = SearchOptions {
            max_total_steps: 4,
            max_seconds: 0.0,
            ..opts()
        };
        let (_, report) = minimize(&task, &o, None).unwrap();
        assert_eq!(report.stop, StopReason::Steps(4));
        assert!(report.total_steps <= 4);
        assert!(!report.runs.is_empty());
    }

    /// Linear shapes only, first round up to hidden size 1, and a total budget for growth.
    fn delay_opts(max_total_steps: usize) -> SearchOptions {
        SearchOptions {
            max_hidden: 1,
            max_depth: 0,
            round_steps: 6000,
            max_total_steps,
            ..opts()
        }
    }

    /// What a run did, without its wall time.
    fn facts(runs: &[RunReport]) -> Vec<(Shape, u64, usize, u64)> {
        runs.iter()
            .map(|r| (r.shape.clone(), r.seed, r.steps, r.test_accuracy.to_bits()))
            .collect()
    }

    #[test]
    fn a_failed_first_round_grows_past_max_hidden() {
        let task = Toy::delay2();
        let (_, capped) = minimize(&task, &delay_opts(0), None).unwrap();
        assert!(!capped.solved(), "hidden size 1 cannot delay by two steps");
        assert!(capped.runs.iter().all(|r| r.shape.hidden_dim == 1));
        let (net, grown) = minimize(&task, &delay_opts(60_000), None).unwrap();
        assert!(grown.solved(), "{:?}", grown.runs);
        assert_eq!(grown.stop, StopReason::Found);
        assert!(net.hidden_dim >= 3, "a lag-2 delay needs hidden size 3");
        assert!(grown.total_steps <= 60_000);
        let first = capped.runs.len();
        assert_eq!(facts(&grown.runs[..first]), facts(&capped.runs), "growth only follows");
    }

    #[test]
    fn growth_stops_at_the_budget() {
        let task = Toy::delay2();
        let (_, capped) = minimize(&task, &delay_opts(0), None).unwrap();
        let (_, r) = minimize(&task, &delay_opts(capped.total_steps + 1), None).unwrap();
        assert_eq!(r.stop, StopReason::Steps(capped.total_steps as u64 + 1));
        assert!(r.total_steps <= capped.total_steps + 2, "one step per seed was left");
        assert!(r.runs.iter().any(|r| r.shape.hidden_dim == 2), "the growth began");
    }

    #[test]
    fn growth_widens_the_shapes_when_hidden_size_stops_helping() {
        let task = Toy::xor_last2();
        let narrow = SearchOptions {
            generous: vec![(vec![], vec![1])],
            widths: vec![1, 2],
            max_total_steps: 400_000,
            round_steps: 10_000,
            ..opts()
        };
        let (net, r) = minimize(&task, &narrow, None).unwrap();
        let g_width = |s: &Shape| s.g_widths.first().copied();
        assert!(r.runs.iter().any(|run| g_width(&run.shape) == Some(1)));
        assert!(
            r.solved(),
            "{:?}",
            r.runs.iter().map(|r| (&r.shape, r.test_accuracy)).collect::<Vec<_>>()
        );
        assert!(net.shape().g_widths.iter().all(|&w| w >= 2), "{:?}", net.shape());
    }

    #[test]
    fn a_solved_first_round_does_not_depend_on_the_total_budget() {
        let task = Toy::running_sum();
        let one = SearchOptions {
            round_steps: 10_000,
            max_total_steps: 10_000,
            ..opts()
        };
        let four = SearchOptions {
            max_total_steps: 40_000,
            ..one.clone()
        };
        let (a, b) = (
            minimize(&task, &one, None).unwrap(),
            minimize(&task, &four, None).unwrap(),
        );
        assert!(a.1.solved());
        assert_eq!(a.0, b.0);
        assert_eq!((&a.1.runs.len(), a.1.total_steps), (&b.1.runs.len(), b.1.total_steps));
    }

    #[test]
    fn the_linear_bound_is_the_krylov_dimension() {
        let task = Toy::running_sum();
        assert_eq!(linear_bound(task.info()), 6 * 2);
    }

    #[test]
    fn shrink_candidates_are_smaller_and_ordered() {
        let task = Toy::running_sum();
        let info = task.info();
        let o = opts();
        let generous = shape(info, 2, &[4], &[4], Activation::Relu);
        let c = shrink_candidates(info, 2, &o, &generous);
        assert!(!c.is_empty());
        assert!(c.windows(2).all(|w| size_key(&w[0]) <= size_key(&w[1])));
        assert!(c.iter().all(|s| size_key(s) < size_key(&generous)));
    }

    #[test]
    fn plateau_stops_after_three_flat_sizes() {
        let mut p = Plateau::accuracy();
        assert!(!p.flat(0.5));
        assert!(!p.flat(0.505));
        assert!(!p.flat(0.6), "a gain resets the count");
        assert!(!p.flat(0.6) && !p.flat(0.55));
        assert!(p.flat(0.609));
    }

    #[test]
    fn bad_options_are_errors() {
        let task = Toy::running_sum();
        let o = SearchOptions { seeds: 0, ..opts() };
        assert!(minimize(&task, &o, None).is_err());
        let o = SearchOptions {
            min_hidden: 3,
            max_hidden: 2,
            ..opts()
        };
        assert!(minimize(&task, &o, None).is_err());
    }
}
