//! Growing lattices read through the output: for a linear recurrence whose state grows or
//! rotates (eigenvalues off the unit circle, as in `y[t] = y[t-1] + y[t-2] + x[t]`), a trained
//! network's eigenvalues are only near those of the integer dynamics, so its hidden states drift
//! off every fixed lattice in proportion to their size, and its Krylov chains close with
//! coefficients that are not integers (it may even spread the recurrence over extra, decaying
//! modes). What it does compute over the trained horizon is an integer impulse response: its
//! Markov parameters `m_f(k) = c W^k v_f` (readout `c`, recurrence `W`, drive `v_f` of input
//! component `f` or of the bias), rounded, obey one integer linear recurrence
//! `M(k+n) = Σ_{j<n} a_j M(k+j)`.
//!
//! The state is the observable companion (Krylov) form of that recurrence: `s_j` is the output,
//! `j` steps ahead, of the inputs so far, so `s'_j = s_{j+1} + Σ_f M_f(j) x_f` for `j < n-1`
//! and `s'_{n-1} = Σ_j a_j s_j + Σ_f M_f(n-1) x_f`, integer and exact. The smallest order `n`
//! (up to the subspace's dimension) that holds on every Markov parameter of the trained horizon,
//! with more equations than unknowns, is used. A hidden state belongs to its tracked state when
//! the network's linear readout is within half an output unit of `s_0` (beyond that its rounded
//! output leaves the recurrence's); the tables, closure and held-out checks then decide. Only
//! networks with one output read by a linear layer qualify.

use super::collect::Samples;
use super::linalg::{dot, least_squares};
use super::linear::LinearModel;
use super::machine::Quantizer;
use super::subspace::Projection;
use mips_core::ir::Network;
use nalgebra::DMatrix;

/// Largest magnitude of a Markov parameter read as an exact integer (`2^53`).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// An output-companion quantizer (see the module documentation).
#[derive(Clone, Debug)]
pub struct Companion {
    proj: Projection,
    /// The readout row in subspace coordinates.
    readout: Vec<f64>,
    /// Closing coefficients `a_0 … a_{n-1}`.
    coefficients: Vec<i64>,
    /// Per feed (input components, then the bias), `M_f(0) … M_f(n-1)`.
    markov: Vec<Vec<i64>>,
}

/// The rounded Markov parameters `M_f(0) … M_f(len-1)` of each feed (input columns, then the
/// bias); `None` when one is not finite or too large to be an exact integer.
fn markov_parameters(model: &LinearModel, readout: &[f64], len: usize) -> Option<Vec<Vec<i64>>> {
    let mut out = Vec::new();
    for source in model.inputs.iter().chain([&model.bias]) {
        let mut v = source.clone();
        let mut seq = Vec::with_capacity(len);
        for _ in 0..len {
            let m = dot(readout, &v).round();
            if !m.is_finite() || m.abs() > EXACT {
                return None;
            }
            seq.push(m as i64);
            v = model.apply(&v);
        }
        out.push(seq);
    }
    Some(out)
}

/// The integer coefficients of order `n` that every sequence obeys exactly, if any, when the
/// sequences give more equations than `n`.
fn recurrence(sequences: &[Vec<i64>], n: usize) -> Option<Vec<i64>> {
    let rows: Vec<(&[i64], i64)> = sequences
        .iter()
        .flat_map(|s| (0..s.len().saturating_sub(n)).map(move |k| (&s[k..k + n], s[k + n])))
        .collect();
    if rows.len() <= n {
        return None;
    }
    let x = DMatrix::from_fn(rows.len(), n, |i, j| rows[i].0[j] as f64);
    let y = DMatrix::from_fn(rows.len(), 1, |i, _| rows[i].1 as f64);
    let fit = least_squares(&x, &y)?;
    let a: Vec<i64> = (0..n)
        .map(|j| fit[(j, 0)].round())
        .map(|v| (v.is_finite() && v.abs() <= EXACT).then_some(v as i64))
        .collect::<Option<_>>()?;
    let holds = |(past, next): &(&[i64], i64)| {
        let sum: i128 = past.iter().zip(&a).map(|(m, c)| i128::from(*m) * i128::from(*c)).sum();
        sum == i128::from(*next)
    };
    rows.iter().all(holds).then_some(a)
}

impl Companion {
    /// The companion of `model` read by `net`'s single linear output, over the longest core
    /// sequence; `None` when the network does not qualify or no integer recurrence holds.
    pub fn find(net: &Network, samples: &Samples, proj: &Projection, model: &LinearModel) -> Option<Companion> {
        let [g] = net.g.layers.as_slice() else { return None };
        if net.output_dim != 1 || proj.dim() == 0 {
            return None;
        }
        let readout: Vec<f64> = proj
            .rows()
            .iter()
            .map(|q| (0..net.hidden_dim).map(|i| g.w(0, i) * q[i]).sum())
            .collect();
        let horizon = samples.core.iter().map(|t| samples.steps(t)).max()?;
        let sequences = markov_parameters(model, &readout, horizon)?;
        if sequences.iter().flatten().all(|m| *m == 0) {
            return None;
        }
        let (n, coefficients) = (1..=proj.dim()).find_map(|n| recurrence(&sequences, n).map(|a| (n, a)))?;
        Some(Companion {
            proj: proj.clone(),
            readout,
            coefficients,
            markov: sequences.iter().map(|s| s[..n].to_vec()).collect(),
        })
    }

    /// Order of the recurrence (state components).
    pub fn dim(&self) -> usize {
        self.coefficients.len()
    }

    /// The state after input `x` from state `s`; `None` on overflow (never a wrapped value).
    fn step(&self, s: &[i64], x: &[i64]) -> Option<Vec<i64>> {
        let n = self.dim();
        let mut out = Vec::with_capacity(n);
        for j in 0..n {
            let mut v = if j + 1 < n {
                s[j + 1]
            } else {
                s.iter()
                    .zip(&self.coefficients)
                    .try_fold(0i64, |acc, (a, b)| acc.checked_add(a.checked_mul(*b)?))?
            };
            for (f, feed) in self.markov.iter().enumerate() {
                let drive = if f < x.len() { x[f] } else { 1 };
                v = v.checked_add(feed[j].checked_mul(drive)?)?;
            }
            out.push(v);
        }
        Some(out)
    }
}

impl Quantizer for Companion {
    fn state_dim(&self) -> usize {
        self.dim()
    }

    fn initial(&self, _: &[f64]) -> Option<Vec<i64>> {
        Some(vec![0; self.dim()])
    }

    fn read(&self, prev: Option<&[i64]>, x: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        let s = self.step(prev?, x)?;
        let residual = (dot(&self.readout, &self.proj.apply(h)) - s[0] as f64).abs();
        (residual <= 0.5).then_some((s, residual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_markov_parameters_have_order_two() {
        let fib = vec![1, 1, 2, 3, 5, 8, 13, 21];
        assert_eq!(recurrence(&[fib.clone(), vec![0; 8]], 1), None);
        assert_eq!(recurrence(&[fib, vec![0; 8]], 2), Some(vec![1, 1]));
    }

    #[test]
    fn too_few_equations_are_no_evidence() {
        assert_eq!(recurrence(&[vec![1, 1, 2]], 2), None);
        assert_eq!(recurrence(&[vec![1, 1, 2, 3]], 2), None);
        assert_eq!(recurrence(&[vec![1, 1, 2, 3, 5]], 2), Some(vec![1, 1]));
    }

    #[test]
    fn the_step_overflows_to_none_not_a_wrapped_value() {
        let net = Network::zeros(&mips_core::ir::network::Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: mips_core::ir::Activation::Relu,
        });
        let c = Companion {
            proj: Projection::relevant(&net),
            readout: vec![],
            coefficients: vec![1, 1],
            markov: vec![vec![1, 1], vec![0, 0]],
        };
        assert_eq!(c.step(&[2, 3], &[1]), Some(vec![4, 6]));
        assert_eq!(c.step(&[1, i64::MAX], &[0]), None);
    }
}
