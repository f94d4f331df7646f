//! The hot loops: affine layers and their gradients over a block of `n` columns (one column per
//! sequence of the batch), stored feature-major (`rows × n`, the batch contiguous), so every inner
//! loop runs along the batch and vectorizes. `n` is always a multiple of [`TILE`].
//!
//! Every reduction has a fixed order (the batch is summed in [`LANES`] independent lanes, then
//! the lanes in a fixed tree), so results do not depend on the vector width the CPU offers.

use super::real::Real;
use crate::ir::Activation;

/// Columns per tile; batches are padded to a multiple of this.
pub const TILE: usize = 32;
/// Independent accumulators of a reduction along the batch.
pub const LANES: usize = 16;

/// Rounds a column count up to a multiple of [`TILE`].
pub fn padded(n: usize) -> usize {
    n.div_ceil(TILE).max(1) * TILE
}

#[inline(always)]
fn tile<R: Real>(s: &[R], at: usize) -> &[R; TILE] {
    s[at..at + TILE].try_into().expect("tile in bounds")
}

#[inline(always)]
fn tile_mut<R: Real>(s: &mut [R], at: usize) -> &mut [R; TILE] {
    (&mut s[at..at + TILE]).try_into().expect("tile in bounds")
}

/// `out[o] = b[o] + Σ_i w[o, i] x[i]` for every column; `w` is `outs × ins` row-major and
/// the input rows are the `ins_a` rows of `xa` followed by the rows of `xb` (so the first layer
/// of f reads `[h, x]` without copying); `out` is `outs × n`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn affine<R: Real>(
    w: &[R],
    b: &[R],
    ins: usize,
    outs: usize,
    xa: &[R],
    ins_a: usize,
    xb: &[R],
    out: &mut [R],
    n: usize,
) {
    debug_assert!(n.is_multiple_of(TILE) && xa.len() >= ins_a * n && xb.len() >= (ins - ins_a) * n);
    debug_assert!(out.len() >= outs * n);
    let row = |i: usize, c: usize| -> &[R; TILE] {
        if i < ins_a {
            tile(xa, i * n + c)
        } else {
            tile(xb, (i - ins_a) * n + c)
        }
    };
    for c in (0..n).step_by(TILE) {
        let mut o = 0;
        while o + 2 <= outs {
            let (w0, w1) = (&w[o * ins..(o + 1) * ins], &w[(o + 1) * ins..(o + 2) * ins]);
            let mut a0 = [b[o]; TILE];
            let mut a1 = [b[o + 1]; TILE];
            for i in 0..ins {
                let xs = row(i, c);
                let (v0, v1) = (w0[i], w1[i]);
                for j in 0..TILE {
                    a0[j] += v0 * xs[j];
                    a1[j] += v1 * xs[j];
                }
            }
            *tile_mut(out, o * n + c) = a0;
            *tile_mut(out, (o + 1) * n + c) = a1;
            o += 2;
        }
        if o < outs {
            let w0 = &w[o * ins..(o + 1) * ins];
            let mut a0 = [b[o]; TILE];
            for (i, &v0) in w0.iter().enumerate() {
                let xs = row(i, c);
                for j in 0..TILE {
                    a0[j] += v0 * xs[j];
                }
            }
            *tile_mut(out, o * n + c) = a0;
        }
    }
}

/// `dx[i] (+)= Σ_o w[o, i] delta[o]` for the first `rows` inputs `i`; `delta` is `outs × n`.
/// Overwrites `dx` unless `accumulate`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn affine_transposed<R: Real>(
    w: &[R],
    ins: usize,
    outs: usize,
    delta: &[R],
    dx: &mut [R],
    n: usize,
    rows: usize,
    accumulate: bool,
) {
    debug_assert!(rows <= ins && delta.len() >= outs * n && dx.len() >= rows * n);
    for c in (0..n).step_by(TILE) {
        let mut i = 0;
        // Four input rows at a time: four independent accumulators share each delta load.
        while i + 4 <= rows {
            let mut acc = [[R::ZERO; TILE]; 4];
            if accumulate {
                for (k, a) in acc.iter_mut().enumerate() {
                    *a = *tile(dx, (i + k) * n + c);
                }
            }
            for o in 0..outs {
                let ds = tile(delta, o * n + c);
                let v = [
                    w[o * ins + i],
                    w[o * ins + i + 1],
                    w[o * ins + i + 2],
                    w[o * ins + i + 3],
                ];
                for j in 0..TILE {
                    acc[0][j] += v[0] * ds[j];
                    acc[1][j] += v[1] * ds[j];
                    acc[2][j] += v[2] * ds[j];
                    acc[3][j] += v[3] * ds[j];
                }
            }
            for (k, a) in acc.iter().enumerate() {
                *tile_mut(dx, (i + k) * n + c) = *a;
            }
            i += 4;
        }
        while i < rows {
            let mut acc = if accumulate {
                *tile(dx, i * n + c)
            } else {
                [R::ZERO; TILE]
            };
            for o in 0..outs {
                let v = w[o * ins + i];
                let ds = tile(delta, o * n + c);
                for j in 0..TILE {
                    acc[j] += v * ds[j];
                }
            }
            *tile_mut(dx, i * n + c) = acc;
            i += 1;
        }
    }
}

/// Sum of 16 lanes in a fixed tree order.
#[inline(always)]
fn lane_sum<R: Real>(acc: [R; LANES]) -> R {
    let mut half = [R::ZERO; 8];
    for k in 0..8 {
        half[k] = acc[k] + acc[k + 8];
    }
    let q = [
        half[0] + half[4],
        half[1] + half[5],
        half[2] + half[6],
        half[3] + half[7],
    ];
    (q[0] + q[2]) + (q[1] + q[3])
}

/// `Σ_c a[c] b[c]` over `n` columns, in [`LANES`] lanes.
#[inline(always)]
pub fn dot<R: Real>(a: &[R], b: &[R], n: usize) -> R {
    let mut acc = [R::ZERO; LANES];
    for c in (0..n).step_by(LANES) {
        let (xa, xb): (&[R; LANES], &[R; LANES]) = (
            a[c..c + LANES].try_into().expect("lanes"),
            b[c..c + LANES].try_into().expect("lanes"),
        );
        for j in 0..LANES {
            acc[j] += xa[j] * xb[j];
        }
    }
    lane_sum(acc)
}

/// `Σ_c a[c]` over `n` columns, in [`LANES`] lanes.
#[inline(always)]
pub fn sum<R: Real>(a: &[R], n: usize) -> R {
    let mut acc = [R::ZERO; LANES];
    for c in (0..n).step_by(LANES) {
        let xa: &[R; LANES] = a[c..c + LANES].try_into().expect("lanes");
        for j in 0..LANES {
            acc[j] += xa[j];
        }
    }
    lane_sum(acc)
}

/// Parameter gradients of an affine layer: `gw[o, i] += Σ_c delta[o, c] x[i, c]`,
/// `gb[o] += Σ_c delta[o, c]`, with the input rows split as in [`affine`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn affine_grads<R: Real>(
    ins: usize,
    outs: usize,
    delta: &[R],
    xa: &[R],
    ins_a: usize,
    xb: &[R],
    gw: &mut [R],
    gb: &mut [R],
    n: usize,
) {
    let row = |i: usize| -> &[R] {
        if i < ins_a {
            &xa[i * n..(i + 1) * n]
        } else {
            &xb[(i - ins_a) * n..(i - ins_a + 1) * n]
        }
    };
    for o in 0..outs {
        let d = &delta[o * n..(o + 1) * n];
        let mut i = 0;
        while i + 4 <= ins {
            let dots = dot4(d, [row(i), row(i + 1), row(i + 2), row(i + 3)], n);
            for (k, v) in dots.into_iter().enumerate() {
                gw[o * ins + i + k] += v;
            }
            i += 4;
        }
        while i < ins {
            gw[o * ins + i] += dot(d, row(i), n);
            i += 1;
        }
        gb[o] += sum(d, n);
    }
}

/// Four dot products of `a` with `b[k]`, each exactly as [`dot`] computes it.
#[inline(always)]
fn dot4<R: Real>(a: &[R], b: [&[R]; 4], n: usize) -> [R; 4] {
    let mut acc = [[R::ZERO; LANES]; 4];
    for c in (0..n).step_by(LANES) {
        let xa: &[R; LANES] = a[c..c + LANES].try_into().expect("lanes");
        for k in 0..4 {
            let xb: &[R; LANES] = b[k][c..c + LANES].try_into().expect("lanes");
            for j in 0..LANES {
                acc[k][j] += xa[j] * xb[j];
            }
        }
    }
    acc.map(lane_sum)
}

/// Applies the activation in place.
#[inline(always)]
pub fn activate<R: Real>(act: Activation, z: &mut [R]) {
    match act {
        Activation::Relu => z.iter_mut().for_each(|v| {
            if *v < R::ZERO {
                *v = R::ZERO
            }
        }),
        Activation::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
        Activation::Sigmoid => z.iter_mut().for_each(|v| *v = R::ONE / (R::ONE + (-*v).exp())),
        Activation::Identity => {}
    }
}

/// Multiplies `delta` by the activation's derivative, given the activation's output `a`
/// (ReLU: 1 where `a > 0`; tanh: `1 − a²`; sigmoid: `a (1 − a)`).
#[inline(always)]
pub fn activation_backward<R: Real>(act: Activation, a: &[R], delta: &mut [R]) {
    match act {
        Activation::Relu => delta.iter_mut().zip(a).for_each(|(d, &v)| {
            if v <= R::ZERO {
                *d = R::ZERO
            }
        }),
        Activation::Tanh => delta.iter_mut().zip(a).for_each(|(d, &v)| *d *= R::ONE - v * v),
        Activation::Sigmoid => delta.iter_mut().zip(a).for_each(|(d, &v)| *d *= v * (R::ONE - v)),
        Activation::Identity => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_matches_naive() {
        let (ins, outs, n) = (6, 5, 2 * TILE);
        let w: Vec<f64> = (0..ins * outs).map(|k| k as f64 * 0.5 - 3.0).collect();
        let b: Vec<f64> = (0..outs).map(|k| k as f64).collect();
        let x: Vec<f64> = (0..ins * n).map(|k| (k % 7) as f64 - 2.0).collect();
        let mut out = vec![0.0; outs * n];
        affine(&w, &b, ins, outs, &x[..n], 1, &x[n..], &mut out, n);
        for o in 0..outs {
            for c in 0..n {
                let want = b[o] + (0..ins).map(|i| w[o * ins + i] * x[i * n + c]).sum::<f64>();
                assert_eq!(out[o * n + c], want);
            }
        }
        let mut dx = vec![1.0; ins * n];
        affine_transposed(&w, ins, outs, &out, &mut dx, n, 2, true);
        let (mut gw, mut gb) = (vec![0.5; ins * outs], vec![0.0; outs]);
        affine_grads(ins, outs, &out, &x[..n], 1, &x[n..], &mut gw, &mut gb, n);
        for o in 0..outs {
            for i in 0..ins {
                let want = 0.5 + (0..n).map(|c| out[o * n + c] * x[i * n + c]).sum::<f64>();
                assert!((gw[o * ins + i] - want).abs() < 1e-6 * want.abs().max(1.0));
            }
        }
        for i in 0..2 {
            for c in 0..n {
                let want = 1.0 + (0..outs).map(|o| w[o * ins + i] * out[o * n + c]).sum::<f64>();
                assert!((dx[i * n + c] - want).abs() < 1e-9);
            }
        }
        assert!(dx[2 * n..].iter().all(|&v| v == 1.0), "rows past `rows` untouched");
        let mut dx = vec![0.0; ins * n];
        affine_transposed(&w, ins, outs, &out, &mut dx, n, ins, false);
        for i in 0..ins {
            for c in 0..n {
                let want: f64 = (0..outs).map(|o| w[o * ins + i] * out[o * n + c]).sum();
                assert!((dx[i * n + c] - want).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn reductions_sum_everything() {
        let a: Vec<f32> = (0..64).map(|k| k as f32).collect();
        assert_eq!(sum(&a, 64), (0..64).sum::<i32>() as f32);
        assert_eq!(dot(&a, &a, 64), (0..64).map(|k| k * k).sum::<i32>() as f32);
        assert_eq!(padded(0), TILE);
        assert_eq!(padded(TILE + 1), 2 * TILE);
    }
}
