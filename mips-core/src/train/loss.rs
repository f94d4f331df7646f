//! Training losses on a regressed output `ŷ` with integer target `y`.
//!
//! - `log`: `0.5 · ln(1 + (ŷ − y)²)` (the reference's default; robust to large errors).
//! - `mse`: `0.5 · (ŷ − y)²`.
//! - `cross_entropy`: a softmax over the classes `k ∈ [lo − 1, hi + 1]` (the output's value
//!   range widened by one value on each side) whose logits are `−(ŷ − k)²`; the loss is
//!   `−ln p(y)`. The network keeps one real output per component, the most likely class is the
//!   integer nearest to `ŷ` (so accuracy is still `round(ŷ) == y`), and the loss is minimal at
//!   `ŷ ≈ y` (the extra classes make the two range ends symmetric). Its gradient is
//!   `2 (E_p[k] − y)`. Terms more than 8 classes from `ŷ` (below `e^-64`) are left out.
//!
//! Each loss is averaged over all (valid) positions and output components.

use crate::task::Loss;

/// Classes on each side of `ŷ` kept in the cross-entropy's normalizer.
const CE_WINDOW: i64 = 8;

/// The loss at one output and its derivative with respect to `ŷ`; `range` is the inclusive value
/// range of the output component (used by cross-entropy only).
#[inline]
pub fn loss_and_grad(loss: Loss, yhat: f64, y: f64, range: (i64, i64)) -> (f64, f64) {
    let e = yhat - y;
    match loss {
        Loss::Log => (0.5 * (e * e).ln_1p(), e / (1.0 + e * e)),
        Loss::Mse => (0.5 * e * e, e),
        Loss::CrossEntropy => cross_entropy(yhat, y, range),
    }
}

fn cross_entropy(yhat: f64, y: f64, (lo, hi): (i64, i64)) -> (f64, f64) {
    let (first, last) = (lo.saturating_sub(1), hi.saturating_add(1));
    let nearest = if yhat.is_finite() {
        (yhat.round().clamp(first as f64, last as f64)) as i64
    } else {
        return (f64::INFINITY, 0.0);
    };
    let (from, to) = (
        nearest.saturating_sub(CE_WINDOW).max(first),
        nearest.saturating_add(CE_WINDOW).min(last),
    );
    let logit = |k: i64| -(yhat - k as f64).powi(2);
    let top = logit(nearest);
    let (mut z, mut mean) = (0.0, 0.0);
    for k in from..=to {
        let p = (logit(k) - top).exp();
        z += p;
        mean += p * k as f64;
    }
    let lse = top + z.ln();
    (lse - logit_of(yhat, y), 2.0 * (mean / z - y))
}

#[inline]
fn logit_of(yhat: f64, y: f64) -> f64 {
    -(yhat - y).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        for loss in [Loss::Log, Loss::Mse, Loss::CrossEntropy] {
            for &(yhat, y) in &[
                (0.3, 0.0),
                (-1.7, 1.0),
                (2.2, 2.0),
                (12.0, 3.0),
                (-0.4, 0.0),
                (4.6, 5.0),
            ] {
                let eps = 1e-6;
                let value = |v| loss_and_grad(loss, v, y, (0, 5)).0;
                let fd = (value(yhat + eps) - value(yhat - eps)) / (2.0 * eps);
                let (_, grad) = loss_and_grad(loss, yhat, y, (0, 5));
                assert!((fd - grad).abs() < 1e-5, "{loss:?} at ({yhat}, {y}): {fd} vs {grad}");
            }
        }
    }

    #[test]
    fn cross_entropy_is_smallest_near_the_target_even_at_range_ends() {
        for y in [0.0, 3.0, 5.0] {
            let at = |v: f64| loss_and_grad(Loss::CrossEntropy, v, y, (0, 5)).0;
            assert!(at(y) < at(y - 0.3) && at(y) < at(y + 0.3), "y = {y}");
            assert!(loss_and_grad(Loss::CrossEntropy, y, y, (0, 5)).1.abs() < 0.05);
        }
    }

    #[test]
    fn cross_entropy_far_from_range_is_finite() {
        let (l, g) = loss_and_grad(Loss::CrossEntropy, 1e6, 2.0, (0, 5));
        assert!(l.is_finite() && g > 0.0);
    }
}
