//! Forward pass, loss and backpropagation through time for a whole batch, written by hand over
//! the column layout of [`Batch`]. One [`Workspace`] holds every buffer a step needs, so a
//! training loop allocates nothing per step.
//!
//! The public entry points ([`train_step`], [`evaluate`]) pick, once per call, a copy of the
//! same generic code compiled for AVX-512 or AVX2 when the CPU has them. No fused multiply-add
//! is used and every reduction has a fixed order, so all copies give bit-identical results.

use super::batch::{Batch, Block};
use super::kernels::{activate, activation_backward, affine, affine_grads, affine_transposed};
use super::layout::{LayerSlot, Layout};
use super::loss::loss_and_grad;
use super::real::Real;
use crate::task::Loss;

/// Loss and accuracy of one pass over a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Mean loss over valid positions and output components (0 when not computed).
    pub loss: f64,
    /// Output values (position × component) with `round(ŷ) == y`.
    pub correct: u64,
    /// Output values scored.
    pub total: u64,
}

impl Stats {
    /// Share of correct outputs (1 for an empty batch).
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }

    /// True when every output is right.
    pub fn perfect(&self) -> bool {
        self.correct == self.total
    }

    /// Adds another batch's counts (losses weighted by their counts).
    pub fn merge(&mut self, other: Stats) {
        let total = self.total + other.total;
        if total > 0 {
            self.loss = (self.loss * self.total as f64 + other.loss * other.total as f64) / total as f64;
        }
        self.correct += other.correct;
        self.total = total;
    }
}

/// What the loss needs to know about the task's outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct LossSpec {
    pub loss: Loss,
    /// Inclusive value range per output component (cross-entropy only).
    pub ranges: Vec<(i64, i64)>,
    /// Per output component, `ŷ = out_scale · g(h) + out_shift` (empty: identity); see
    /// [`Scaling`](super::scaling::Scaling).
    pub out_scale: Vec<f64>,
    pub out_shift: Vec<f64>,
}

impl LossSpec {
    /// A loss on unscaled outputs.
    pub fn new(loss: Loss, ranges: Vec<(i64, i64)>) -> Self {
        LossSpec {
            loss,
            ranges,
            out_scale: Vec::new(),
            out_shift: Vec::new(),
        }
    }
}

/// Buffers for the forward and backward pass of one layout.
#[derive(Clone, Debug)]
pub struct Workspace<R> {
    layout: Layout,
    steps: usize,
    n: usize,
    /// `(steps + 1) × H × n`: `h0` then the state after each step.
    hs: Vec<R>,
    /// `steps × Σ f hidden widths × n`: activations of f's hidden layers.
    fa: Vec<R>,
    /// `steps × Σ g hidden widths × n`.
    ga: Vec<R>,
    /// `steps × O × n` outputs.
    y: Vec<R>,
    /// `steps × O × n` loss gradients.
    dy: Vec<R>,
    /// `H × n` gradient with respect to the current state.
    dh: Vec<R>,
    s1: Vec<R>,
    s2: Vec<R>,
}

impl<R: Real> Workspace<R> {
    /// Empty buffers for `layout`; they grow to the first batch's size.
    pub fn new(layout: &Layout) -> Self {
        Workspace {
            layout: layout.clone(),
            steps: 0,
            n: 0,
            hs: Vec::new(),
            fa: Vec::new(),
            ga: Vec::new(),
            y: Vec::new(),
            dy: Vec::new(),
            dh: Vec::new(),
            s1: Vec::new(),
            s2: Vec::new(),
        }
    }

    /// The layout the workspace was made for.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The outputs of the last forward pass over a block (`steps × O × n`).
    pub fn outputs(&self) -> &[R] {
        &self.y[..self.steps * self.layout.output_dim * self.n]
    }

    /// The hidden states of the last forward pass over a block (`(steps + 1) × H × n`, `h0` first).
    pub fn hidden(&self) -> &[R] {
        &self.hs[..(self.steps + 1) * self.layout.hidden_dim * self.n]
    }

    fn ensure(&mut self, steps: usize, n: usize) {
        let l = &self.layout;
        let (h, o, w) = (l.hidden_dim, l.output_dim, l.max_width());
        let (fh, gh) = (l.f_hidden_total(), l.g_hidden_total());
        self.steps = steps;
        self.n = n;
        let grow = |v: &mut Vec<R>, len: usize| {
            if v.len() < len {
                v.resize(len, R::ZERO);
            }
        };
        grow(&mut self.hs, (steps + 1) * h * n);
        grow(&mut self.fa, steps * fh * n);
        grow(&mut self.ga, steps * gh * n);
        grow(&mut self.y, steps * o * n);
        grow(&mut self.dy, steps * o * n);
        grow(&mut self.dh, h * n);
        grow(&mut self.s1, w * n);
        grow(&mut self.s2, w * n);
    }
}

/// Offset of hidden layer `k`'s activations inside one step's block.
#[inline(always)]
fn hidden_offset(slots: &[LayerSlot], k: usize, n: usize) -> usize {
    slots[..k].iter().map(|s| s.outputs).sum::<usize>() * n
}

/// Runs an MLP's layers for one step: `input` (`ins_a` rows of `xa` then `xb`) through the hidden
/// activations stored in `acts`, into `out`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn mlp_forward<R: Real>(
    params: &[R],
    slots: &[LayerSlot],
    act: crate::ir::Activation,
    xa: &[R],
    ins_a: usize,
    xb: &[R],
    acts: &mut [R],
    out: &mut [R],
    n: usize,
) {
    let last = slots.len() - 1;
    let mut offset = 0;
    for (k, s) in slots.iter().enumerate() {
        let (w, b) = (&params[s.weight..s.bias], &params[s.bias..s.bias + s.outputs]);
        let prev_offset = offset;
        if k > 0 {
            offset += slots[k - 1].outputs * n;
        }
        match (k == 0, k == last) {
            (true, true) => affine(w, b, s.inputs, s.outputs, xa, ins_a, xb, out, n),
            (true, false) => {
                affine(w, b, s.inputs, s.outputs, xa, ins_a, xb, &mut acts[..s.outputs * n], n);
                activate(act, &mut acts[..s.outputs * n]);
            }
            (false, is_last) => {
                let (before, after) = acts.split_at_mut(offset);
                let src = &before[prev_offset..];
                let ins = s.inputs;
                if is_last {
                    affine(w, b, ins, s.outputs, src, ins, &[], out, n);
                } else {
                    let dst = &mut after[..s.outputs * n];
                    affine(w, b, ins, s.outputs, src, ins, &[], dst, n);
                    activate(act, dst);
                }
            }
        }
    }
}

#[inline(always)]
fn forward_impl<R: Real>(ws: &mut Workspace<R>, params: &[R], h0: &[R], batch: &Block<R>) {
    ws.ensure(batch.steps, batch.n);
    let l = &ws.layout;
    let (h, i, o, n) = (l.hidden_dim, l.input_dim, l.output_dim, batch.n);
    let (fh, gh) = (l.f_hidden_total() * n, l.g_hidden_total() * n);
    for (k, &v) in h0.iter().enumerate().take(h) {
        ws.hs[k * n..(k + 1) * n].fill(v);
    }
    for t in 0..batch.steps {
        let (prev, next) = ws.hs.split_at_mut((t + 1) * h * n);
        let h_prev = &prev[t * h * n..];
        let h_next = &mut next[..h * n];
        let x_t = &batch.x[t * i * n..(t + 1) * i * n];
        let fa_t = &mut ws.fa[t * fh..(t + 1) * fh];
        mlp_forward(params, &l.f, l.activation, h_prev, h, x_t, fa_t, h_next, n);
        let h_next = &*h_next;
        let ga_t = &mut ws.ga[t * gh..(t + 1) * gh];
        let y_t = &mut ws.y[t * o * n..(t + 1) * o * n];
        mlp_forward(params, &l.g, l.activation, h_next, h, &[], ga_t, y_t, n);
    }
}

/// Scores the outputs of the last forward pass; writes the loss gradient (already divided by
/// the number of scored outputs) when `grad`, computes the loss value when `want_loss`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn score_impl<R: Real>(
    ws: &mut Workspace<R>,
    batch: &Block<R>,
    positions: usize,
    spec: &LossSpec,
    grad: bool,
    want_loss: bool,
) -> Stats {
    let (o_dim, n) = (ws.layout.output_dim, batch.n);
    let total = (batch.positions * o_dim) as u64;
    // The gradient is of the mean over the whole batch (`positions` over all blocks).
    let all = (positions * o_dim) as u64;
    let scale = if all == 0 { 0.0 } else { 1.0 / all as f64 };
    let rscale = R::from_f64(scale);
    let mut correct = 0u64;
    let mut loss_sum = 0.0;
    for t in 0..batch.steps {
        let mask = &batch.mask[t * n..(t + 1) * n];
        for o in 0..o_dim {
            let at = (t * o_dim + o) * n;
            let out_scale = spec.out_scale.get(o).copied().unwrap_or(1.0);
            if !spec.out_scale.is_empty() {
                let (s, m) = (R::from_f64(out_scale), R::from_f64(spec.out_shift[o]));
                ws.y[at..at + n].iter_mut().for_each(|v| *v = *v * s + m);
            }
            // The gradient with respect to g's output (before the output scaling).
            let (scale, rscale) = (scale * out_scale, rscale * R::from_f64(out_scale));
            let (yh, yt) = (&ws.y[at..at + n], &batch.y[at..at + n]);
            correct += yh
                .iter()
                .zip(yt)
                .zip(mask)
                .filter(|((a, b), m)| **m != R::ZERO && a.round() == **b)
                .count() as u64;
            if want_loss || spec.loss == Loss::CrossEntropy {
                let range = spec.ranges.get(o).copied().unwrap_or((0, 0));
                let dy = &mut ws.dy[at..at + n];
                for c in 0..n {
                    if mask[c] != R::ZERO {
                        let (l, g) = loss_and_grad(spec.loss, yh[c].to_f64(), yt[c].to_f64(), range);
                        loss_sum += l;
                        dy[c] = R::from_f64(g * scale);
                    } else {
                        dy[c] = R::ZERO;
                    }
                }
            } else if grad {
                let dy = &mut ws.dy[at..at + n];
                match spec.loss {
                    Loss::Log => {
                        for c in 0..n {
                            let e = yh[c] - yt[c];
                            dy[c] = mask[c] * rscale * e / (R::ONE + e * e);
                        }
                    }
                    _ => {
                        for c in 0..n {
                            dy[c] = mask[c] * rscale * (yh[c] - yt[c]);
                        }
                    }
                }
            }
        }
    }
    Stats {
        loss: if total == 0 { 0.0 } else { loss_sum / total as f64 },
        correct,
        total,
    }
}

/// Backpropagation through time of the gradient left by [`score_impl`]; adds into `grads`.
#[inline(always)]
fn backward_impl<R: Real>(ws: &mut Workspace<R>, params: &[R], batch: &Block<R>, grads: &mut [R]) {
    let Workspace {
        layout: l,
        hs,
        fa,
        ga,
        dy,
        dh,
        s1,
        s2,
        ..
    } = ws;
    let (h, i, o, n) = (l.hidden_dim, l.input_dim, l.output_dim, batch.n);
    let (fh, gh) = (l.f_hidden_total() * n, l.g_hidden_total() * n);
    let act = l.activation;
    dh[..h * n].fill(R::ZERO);
    for t in (0..batch.steps).rev() {
        let h_prev = &hs[t * h * n..(t + 1) * h * n];
        let h_t = &hs[(t + 1) * h * n..(t + 2) * h * n];
        let x_t = &batch.x[t * i * n..(t + 1) * i * n];
        let (fa_t, ga_t) = (&fa[t * fh..(t + 1) * fh], &ga[t * gh..(t + 1) * gh]);

        // g: from dL/dy_t back to h_t, adding into dh (which holds f's share from step t + 1).
        let (mut cur, mut other) = (&mut *s1, &mut *s2);
        cur[..o * n].copy_from_slice(&dy[t * o * n..(t + 1) * o * n]);
        for (k, s) in l.g.iter().enumerate().rev() {
            let (gw, rest) = grads[s.weight..].split_at_mut(s.inputs * s.outputs);
            let gb = &mut rest[..s.outputs];
            let w = &params[s.weight..s.bias];
            let delta = &cur[..s.outputs * n];
            if k == 0 {
                affine_grads(s.inputs, s.outputs, delta, h_t, h, &[], gw, gb, n);
                affine_transposed(w, s.inputs, s.outputs, delta, dh, n, h, true);
            } else {
                let at = hidden_offset(&l.g, k - 1, n);
                let input = &ga_t[at..at + s.inputs * n];
                affine_grads(s.inputs, s.outputs, delta, input, s.inputs, &[], gw, gb, n);
                affine_transposed(w, s.inputs, s.outputs, delta, other, n, s.inputs, false);
                activation_backward(act, input, &mut other[..s.inputs * n]);
                std::mem::swap(&mut cur, &mut other);
            }
        }

        // f: from dL/dh_t back to its inputs; dh becomes dL/dh_{t-1}.
        cur[..h * n].copy_from_slice(&dh[..h * n]);
        for (k, s) in l.f.iter().enumerate().rev() {
            let (gw, rest) = grads[s.weight..].split_at_mut(s.inputs * s.outputs);
            let gb = &mut rest[..s.outputs];
            let w = &params[s.weight..s.bias];
            let delta = &cur[..s.outputs * n];
            if k == 0 {
                affine_grads(s.inputs, s.outputs, delta, h_prev, h, x_t, gw, gb, n);
                affine_transposed(w, s.inputs, s.outputs, delta, dh, n, h, false);
            } else {
                let at = hidden_offset(&l.f, k - 1, n);
                let input = &fa_t[at..at + s.inputs * n];
                affine_grads(s.inputs, s.outputs, delta, input, s.inputs, &[], gw, gb, n);
                affine_transposed(w, s.inputs, s.outputs, delta, other, n, s.inputs, false);
                activation_backward(act, input, &mut other[..s.inputs * n]);
                std::mem::swap(&mut cur, &mut other);
            }
        }
    }
}

#[inline(always)]
fn train_step_impl<R: Real>(
    ws: &mut Workspace<R>,
    params: &[R],
    h0: &[R],
    batch: &Batch<R>,
    spec: &LossSpec,
    grads: &mut [R],
    want_loss: bool,
) -> Stats {
    let mut stats = Stats::default();
    for block in &batch.blocks {
        forward_impl(ws, params, h0, block);
        stats.merge(score_impl(ws, block, batch.positions, spec, true, want_loss));
        backward_impl(ws, params, block, grads);
    }
    stats
}

#[inline(always)]
fn evaluate_impl<R: Real>(
    ws: &mut Workspace<R>,
    params: &[R],
    h0: &[R],
    batch: &Batch<R>,
    spec: &LossSpec,
    want_loss: bool,
    mut wrong: Option<&mut Vec<usize>>,
) -> Stats {
    let mut stats = Stats::default();
    let mut first = 0;
    for block in &batch.blocks {
        forward_impl(ws, params, h0, block);
        let s = score_impl(ws, block, batch.positions, spec, false, want_loss);
        if let Some(wrong) = wrong.as_deref_mut().filter(|_| !s.perfect()) {
            record_wrong(ws, block, first, wrong);
        }
        stats.merge(s);
        first += block.count;
    }
    stats
}

/// Appends the index (`first` + column) of every sequence of `block` with a wrong output.
fn record_wrong<R: Real>(ws: &Workspace<R>, block: &Block<R>, first: usize, wrong: &mut Vec<usize>) {
    let (o_dim, n) = (ws.layout.output_dim, block.n);
    for c in 0..block.count {
        let bad = (0..block.steps).any(|t| {
            block.mask[t * n + c] != R::ZERO
                && (0..o_dim).any(|o| {
                    let at = (t * o_dim + o) * n + c;
                    ws.y[at].round() != block.y[at]
                })
        });
        if bad {
            wrong.push(first + c);
        }
    }
}

/// The instruction sets the engine can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simd {
    Baseline,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

fn simd() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
            return Simd::Avx512;
        }
        if std::is_x86_feature_detected!("avx2") {
            return Simd::Avx2;
        }
    }
    Simd::Baseline
}

macro_rules! dispatched {
    ($(#[$doc:meta])* $name:ident => $imp:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        pub fn $name<R: Real>(ws: &mut Workspace<R>, $($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            mod simd_copies {
                use super::*;
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,avx")]
                pub(super) fn avx512<R: Real>(ws: &mut Workspace<R>, $($arg: $ty),*) -> $ret {
                    $imp(ws, $($arg),*)
                }
                #[target_feature(enable = "avx2,avx")]
                pub(super) fn avx2<R: Real>(ws: &mut Workspace<R>, $($arg: $ty),*) -> $ret {
                    $imp(ws, $($arg),*)
                }
            }
            match simd() {
                // SAFETY: the CPU supports the features (checked at run time by `simd`).
                #[cfg(target_arch = "x86_64")]
                Simd::Avx512 => unsafe { simd_copies::avx512(ws, $($arg),*) },
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx2 => unsafe { simd_copies::avx2(ws, $($arg),*) },
                Simd::Baseline => $imp(ws, $($arg),*),
            }
        }
    };
}

dispatched!(
    /// One forward pass, loss and backward pass over `batch`; adds the gradient of the mean
    /// loss into `grads` (the caller zeroes it) and returns the batch's accuracy (and loss
    /// when `want_loss`).
    train_step => train_step_impl(params: &[R], h0: &[R], batch: &Batch<R>, spec: &LossSpec, grads: &mut [R], want_loss: bool) -> Stats
);

dispatched!(
    /// Forward pass and scoring only; appends the indices of the sequences with a wrong output
    /// to `wrong` when given.
    evaluate => evaluate_impl(params: &[R], h0: &[R], batch: &Batch<R>, spec: &LossSpec, want_loss: bool, wrong: Option<&mut Vec<usize>>) -> Stats
);
