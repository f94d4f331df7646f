//! Tracked Krylov lattice: for a network whose recurrence is linear on the visited states with
//! integer dynamics in Krylov coordinates, but not snapped (its states drift off any fixed
//! lattice, or more Krylov directions than hidden dimensions are in use, as when a bias counts
//! time alongside a sum). Each chain `v, W v, …, W^{ℓ-1} v` (from an input column or the bias)
//! closes with `W^ℓ v ≈ Σ a_j W^j v`, `a` integer, so its coordinates follow an integer
//! companion recurrence, fed by the input component (or 1 for the bias). The state is tracked
//! through that recurrence from 0 at `h0`, and each hidden state must stay near its state's
//! ideal point: within `lenient_tol` times the largest chain vector plus `coord_tol` times the
//! ideal point's norm (a network whose eigenvalues are only close to the integer dynamics drifts
//! in proportion to its state). The tables (one output per state), the closure and the held-out
//! check decide whether the network really behaves so.

use mips_core::ir::{LatticeCoding, Network, Reading};

use super::linalg::{apply, axpy, norm, pseudo_inverse, sub};
use super::linear::LinearModel;
use super::machine::Quantizer;
use super::subspace::Projection;

/// Relative residual below which the next Krylov vector counts as in the span of the chain.
const SPAN_TOL: f64 = 1e-2;

/// What feeds a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feed {
    /// Input component `i`.
    Input(usize),
    /// The bias (one per step).
    Bias,
}

/// One Krylov chain with its integer closing coefficients.
#[derive(Clone, Debug, PartialEq)]
struct Chain {
    feed: Feed,
    vectors: Vec<Vec<f64>>,
    coefficients: Vec<i64>,
}

/// A tracked Krylov lattice (see the module documentation).
#[derive(Clone, Debug)]
pub struct Tracked {
    proj: Projection,
    chains: Vec<Chain>,
    tol: f64,
    relative_tol: f64,
}

/// The chain of `v` under the model, if it closes with near-integer coefficients.
fn chain(model: &LinearModel, v: &[f64], feed: Feed, coord_tol: f64) -> Option<Chain> {
    let r = model.dim();
    let mut vectors = vec![v.to_vec()];
    loop {
        let next = model.apply(vectors.last()?);
        let pinv = pseudo_inverse(&vectors, r)?;
        let a = apply(&pinv, &next);
        let mut residual = next.clone();
        for (c, w) in a.iter().zip(&vectors) {
            axpy(&mut residual, -c, w);
        }
        let size = vectors.iter().map(|w| norm(w)).fold(norm(&next), f64::max);
        if norm(&residual) <= SPAN_TOL * size || vectors.len() == r {
            if a.iter()
                .any(|c| !c.is_finite() || (c - c.round()).abs() > coord_tol || c.abs() > 1e6)
            {
                return None;
            }
            return Some(Chain {
                feed,
                vectors,
                coefficients: a.iter().map(|c| c.round() as i64).collect(),
            });
        }
        vectors.push(next);
    }
}

impl Tracked {
    /// Tracked lattices from `model`: chains of the input columns, with and without the bias
    /// chain (smaller first); sources shorter than `1e-9` of the largest are left out.
    pub fn candidates(proj: &Projection, model: &LinearModel, coord_tol: f64, lenient_tol: f64) -> Vec<Tracked> {
        let largest = model
            .inputs
            .iter()
            .chain([&model.bias])
            .map(|v| norm(v))
            .fold(0.0, f64::max);
        if !(largest > 0.0 && largest.is_finite()) {
            return Vec::new();
        }
        let mut inputs = Vec::new();
        for (i, v) in model.inputs.iter().enumerate() {
            if norm(v) > 1e-9 * largest {
                match chain(model, v, Feed::Input(i), coord_tol) {
                    Some(c) => inputs.push(c),
                    None => return Vec::new(),
                }
            }
        }
        let bias = (norm(&model.bias) > 1e-9 * largest)
            .then(|| chain(model, &model.bias, Feed::Bias, coord_tol))
            .flatten();
        let mut variants = vec![inputs.clone()];
        if let Some(b) = bias {
            let mut with = inputs;
            with.push(b);
            variants.push(with);
        }
        variants
            .into_iter()
            .filter(|chains| !chains.is_empty())
            .map(|chains| {
                let scale = chains
                    .iter()
                    .flat_map(|c| &c.vectors)
                    .map(|v| norm(v))
                    .fold(0.0, f64::max);
                Tracked {
                    proj: proj.clone(),
                    chains,
                    tol: lenient_tol * scale,
                    relative_tol: coord_tol,
                }
            })
            .collect()
    }

    /// Number of state components (Krylov vectors in use).
    pub fn dim(&self) -> usize {
        self.chains.iter().map(|c| c.vectors.len()).sum()
    }

    /// True when a chain is fed by the bias (a component counts steps).
    pub fn counts_steps(&self) -> bool {
        self.chains.iter().any(|c| c.feed == Feed::Bias)
    }

    /// The ideal subspace point of state `z`.
    fn ideal(&self, z: &[i64]) -> Vec<f64> {
        let mut u = vec![0.0; self.proj.dim()];
        for (v, zi) in self.chains.iter().flat_map(|c| &c.vectors).zip(z) {
            axpy(&mut u, *zi as f64, v);
        }
        u
    }

    /// The integer affine map `[z, x, 1] ↦ z'` of [`Tracked::step`], one row per component.
    fn rule(&self, input_dim: usize) -> Option<Vec<Vec<i64>>> {
        let dim = self.dim();
        let unit = |n: usize, i: Option<usize>| (0..n).map(|j| i64::from(Some(j) == i)).collect::<Vec<_>>();
        let base = self.step(&unit(dim, None), &unit(input_dim, None))?;
        let mut columns: Vec<Vec<i64>> = Vec::new();
        for j in 0..dim {
            columns.push(self.step(&unit(dim, Some(j)), &unit(input_dim, None))?);
        }
        for i in 0..input_dim {
            columns.push(self.step(&unit(dim, None), &unit(input_dim, Some(i)))?);
        }
        Some(
            (0..dim)
                .map(|r| columns.iter().map(|col| col[r] - base[r]).chain([base[r]]).collect())
                .collect(),
        )
    }

    /// The state after input `x` from state `z` (`None` on overflow).
    fn step(&self, z: &[i64], x: &[i64]) -> Option<Vec<i64>> {
        let mut out = Vec::with_capacity(z.len());
        let mut at = 0;
        for c in &self.chains {
            let len = c.vectors.len();
            let part = &z[at..at + len];
            let last = part[len - 1];
            let feed = match c.feed {
                Feed::Input(i) => *x.get(i)?,
                Feed::Bias => 1,
            };
            for j in 0..len {
                let carried = if j == 0 { feed } else { part[j - 1] };
                out.push(carried.checked_add(c.coefficients[j].checked_mul(last)?)?);
            }
            at += len;
        }
        Some(out)
    }
}

impl Quantizer for Tracked {
    fn state_dim(&self) -> usize {
        self.dim()
    }

    fn initial(&self, _: &[f64]) -> Option<Vec<i64>> {
        Some(vec![0; self.dim()])
    }

    fn read(&self, prev: Option<&[i64]>, x: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        let z = self.step(prev?, x)?;
        let ideal = self.ideal(&z);
        let residual = norm(&sub(&self.proj.apply(h), &ideal));
        (residual <= self.tol + self.relative_tol * norm(&ideal)).then_some((z, residual))
    }

    fn coding(&self, net: &Network) -> Option<Box<LatticeCoding>> {
        Some(Box::new(LatticeCoding {
            origin: self.proj.origin().to_vec(),
            basis: self
                .chains
                .iter()
                .flat_map(|c| &c.vectors)
                .map(|v| self.proj.lift(v))
                .collect(),
            reading: Reading::Rule {
                rule: self.rule(net.input_dim)?,
            },
            subspace: self.proj.rows().to_vec(),
            tolerance: self.tol,
            relative_tolerance: self.relative_tol,
            network: net.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::ir::network::{Activation, Shape};

    #[test]
    fn the_rule_is_the_tracked_step() {
        let net = Network::zeros(&Shape {
            input_dim: 2,
            hidden_dim: 3,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        });
        let chain = |feed, len: usize, coefficients: Vec<i64>| Chain {
            feed,
            vectors: vec![vec![0.0; 3]; len],
            coefficients,
        };
        let tracked = Tracked {
            proj: Projection::relevant(&net),
            chains: vec![
                chain(Feed::Input(1), 2, vec![-1, 2]),
                chain(Feed::Input(0), 1, vec![3]),
                chain(Feed::Bias, 1, vec![1]),
            ],
            tol: 0.0,
            relative_tol: 0.0,
        };
        let rule = tracked.rule(2).unwrap();
        for z in [[0, 0, 0, 0], [1, -2, 5, 7], [-3, 4, 0, 2]] {
            for x in [[0, 0], [1, 0], [-2, 5]] {
                let by_rule: Vec<i64> = rule
                    .iter()
                    .map(|row| z.iter().chain(&x).chain(&[1]).zip(row).map(|(a, b)| a * b).sum())
                    .collect();
                assert_eq!(Some(by_rule), tracked.step(&z, &x), "z {z:?} x {x:?}");
            }
        }
    }
}
