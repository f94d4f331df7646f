//! Statistics of a network's activity on data (the verification sequences): moments of the
//! hidden states, and per-unit statistics of the internal layers of f and g.
//!
//! Sequences are processed in fixed chunks in parallel and the partial results summed in chunk
//! order, so the result does not depend on the number of threads.

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{Mlp, Network};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Sequences per parallel chunk.
const CHUNK: usize = 64;

/// Calls `visit(acc, h_prev, x, h)` for every step of every sequence of `data`; `merge` folds the
/// per-chunk accumulators in order.
fn visit_steps<A: Send>(
    net: &Network,
    data: &[&Dataset],
    init: impl Fn() -> A + Sync,
    visit: impl Fn(&mut A, &[f64], &[f64], &[f64]) + Sync,
    merge: impl Fn(&mut A, A),
) -> Result<A, String> {
    if let Some(d) = data.iter().find(|d| d.input_dim != net.input_dim) {
        return Err(format!(
            "data has {} inputs per step, the network reads {}",
            d.input_dim, net.input_dim
        ));
    }
    if data.iter().all(|d| d.total_steps() == 0) {
        return Err("no verification data to measure the network on".into());
    }
    let (h, i) = (net.hidden_dim, net.input_dim.max(1));
    let chunks: Vec<&[Sequence]> = data.iter().flat_map(|d| d.sequences.chunks(CHUNK)).collect();
    let parts: Vec<A> = chunks
        .par_iter()
        .map(|chunk| {
            let mut acc = init();
            for s in chunk.iter() {
                let xs: Vec<f64> = s.inputs.iter().map(|&v| v as f64).collect();
                let trace = net.run(&xs);
                let mut prev = net.h0.as_slice();
                for (t, x) in xs.chunks(i).enumerate() {
                    let now = &trace.hidden[t * h..(t + 1) * h];
                    visit(&mut acc, prev, &x[..net.input_dim], now);
                    prev = now;
                }
            }
            acc
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut total = parts.next().unwrap_or_else(&init);
    parts.for_each(|p| merge(&mut total, p));
    Ok(total)
}

/// First and second moments of the hidden states `h_t` over all steps.
#[derive(Clone, Debug)]
pub struct HiddenMoments {
    /// `E[h]`.
    pub mean: DVector<f64>,
    /// `E[h hᵀ]` (not centred).
    pub second: DMatrix<f64>,
}

impl HiddenMoments {
    /// Variance of each coordinate.
    pub fn variances(&self) -> Vec<f64> {
        (0..self.mean.len())
            .map(|i| (self.second[(i, i)] - self.mean[i] * self.mean[i]).max(0.0))
            .collect()
    }
}

/// Moments of the hidden states of `net` on `data`.
pub fn hidden_moments(net: &Network, data: &Dataset) -> Result<HiddenMoments, String> {
    let h = net.hidden_dim;
    let init = || (0usize, DVector::<f64>::zeros(h), DMatrix::<f64>::zeros(h, h));
    let (count, sum, outer) = visit_steps(
        net,
        &[data],
        init,
        |acc, _, _, now| {
            let v = DVector::from_column_slice(now);
            acc.0 += 1;
            acc.1 += &v;
            acc.2.ger(1.0, &v, &v, 1.0);
        },
        |acc, part| {
            acc.0 += part.0;
            acc.1 += part.1;
            acc.2 += part.2;
        },
    )?;
    let n = count as f64;
    Ok(HiddenMoments {
        mean: sum / n,
        second: outer / n,
    })
}

/// Per internal layer (every layer but the last) of one MLP, per unit: the largest
/// pre-activation and the mean activation seen on the data.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitStats {
    pub max_pre: Vec<Vec<f64>>,
    pub mean_post: Vec<Vec<f64>>,
}

impl UnitStats {
    fn new(mlp: &Mlp) -> Self {
        let widths = mlp.hidden_widths();
        UnitStats {
            max_pre: widths.iter().map(|&w| vec![f64::NEG_INFINITY; w]).collect(),
            mean_post: widths.iter().map(|&w| vec![0.0; w]).collect(),
        }
    }

    /// Runs `mlp` on `x`, recording internal pre-activations and (summed) activations.
    fn record(&mut self, mlp: &Mlp, x: &[f64]) {
        let mut cur = x.to_vec();
        for (k, layer) in mlp.layers.iter().enumerate().take(mlp.layers.len() - 1) {
            let mut next = vec![0.0; layer.outputs];
            layer.apply(&cur, &mut next);
            for (u, v) in next.iter_mut().enumerate() {
                self.max_pre[k][u] = self.max_pre[k][u].max(*v);
                *v = mlp.activation.apply(*v);
                self.mean_post[k][u] += *v;
            }
            cur = next;
        }
    }

    fn merge(&mut self, other: UnitStats) {
        for (mine, theirs) in self.max_pre.iter_mut().zip(other.max_pre) {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a = a.max(b));
        }
        for (mine, theirs) in self.mean_post.iter_mut().zip(other.mean_post) {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
        }
    }
}

/// Unit statistics of f (fed `[h_{t-1}, x_t]`) and of g (fed `h_t`) over all sequences of `data`.
pub fn unit_stats(net: &Network, data: &[&Dataset]) -> Result<(UnitStats, UnitStats), String> {
    let init = || (0usize, UnitStats::new(&net.f), UnitStats::new(&net.g));
    let (count, mut f, mut g) = visit_steps(
        net,
        data,
        init,
        |acc, prev, x, now| {
            let mut hx = prev.to_vec();
            hx.extend_from_slice(x);
            acc.0 += 1;
            acc.1.record(&net.f, &hx);
            acc.2.record(&net.g, now);
        },
        |acc, part| {
            acc.0 += part.0;
            acc.1.merge(part.1);
            acc.2.merge(part.2);
        },
    )?;
    for stats in [&mut f, &mut g] {
        stats.mean_post.iter_mut().flatten().for_each(|v| *v /= count as f64);
    }
    Ok((f, g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, random_network};
    use mips_core::task::Task;

    #[test]
    fn moments_of_a_counter() {
        let task = CountOnes::new(50);
        let mut net = random_network(1, 1, 1, &[], &[], 0);
        net.f.layers[0].weight = vec![1.0, 1.0];
        net.f.layers[0].bias = vec![0.0];
        net.h0 = vec![0.0];
        let m = hidden_moments(&net, task.test_split()).unwrap();
        // The running count of fair bits at steps 1..=8 has mean 2.25.
        assert!((m.mean[0] - 2.25).abs() < 0.5, "{}", m.mean[0]);
        assert!(m.variances()[0] > 0.5);
    }

    #[test]
    fn unit_stats_see_dead_units() {
        let task = CountOnes::new(20);
        let mut net = random_network(1, 1, 1, &[2], &[], 0);
        net.f.layers[0].weight = vec![0.0, -1.0, 0.0, 1.0];
        net.f.layers[0].bias = vec![-0.5, 0.0];
        let (f, g) = unit_stats(&net, &[task.test_split()]).unwrap();
        assert!(f.max_pre[0][0] <= 0.0 && f.max_pre[0][1] > 0.0);
        assert!(g.max_pre.is_empty());
    }

    #[test]
    fn mismatched_or_empty_data_is_an_error() {
        let net = random_network(1, 2, 1, &[], &[], 0);
        assert!(hidden_moments(&net, CountOnes::new(5).test_split()).is_err());
        let net = random_network(1, 1, 1, &[], &[], 0);
        assert!(hidden_moments(&net, &Dataset::new(1, 1)).is_err());
    }
}
