//! The output-relevant subspace: the network reads its hidden state only through the first
//! layer of `g` and the hidden columns of the first layer of `f`, so two hidden states with the
//! same projection on the row space of those weights behave identically forever. Extraction
//! works on coordinates in that subspace, relative to `h0`.

use mips_core::ir::Network;
use nalgebra::DMatrix;

use super::linalg::{axpy, dot, sub};

/// Orthonormal coordinates of the subspace the network reads, relative to `h0`.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// Orthonormal basis vectors (each of length `hidden_dim`).
    basis: Vec<Vec<f64>>,
    h0: Vec<f64>,
}

impl Projection {
    /// The subspace read by `g`'s first layer and by the hidden columns of `f`'s first layer
    /// (directions with singular value below `1e-9` of the largest are dropped).
    pub fn relevant(net: &Network) -> Projection {
        let d = net.hidden_dim;
        let mut rows: Vec<Vec<f64>> = Vec::new();
        if let Some(g) = net.g.layers.first() {
            rows.extend((0..g.outputs).map(|o| (0..d).map(|i| g.w(o, i)).collect()));
        }
        if let Some(f) = net.f.layers.first() {
            rows.extend((0..f.outputs).map(|o| (0..d).map(|i| f.w(o, i)).collect()));
        }
        let h0 = net.h0.clone();
        if d == 0 || rows.is_empty() {
            return Projection { basis: Vec::new(), h0 };
        }
        let m = DMatrix::from_fn(rows.len(), d, |i, j| rows[i][j]);
        let svd = m.svd(false, true);
        let max = svd.singular_values.max();
        let basis = match &svd.v_t {
            Some(v_t) if max.is_finite() && max > 0.0 => svd
                .singular_values
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > max * 1e-9)
                .map(|(k, _)| (0..d).map(|j| v_t[(k, j)]).collect())
                .collect(),
            _ => Vec::new(),
        };
        Projection { basis, h0 }
    }

    /// Dimension of the subspace.
    pub fn dim(&self) -> usize {
        self.basis.len()
    }

    /// The orthonormal basis rows (each of length `hidden_dim`).
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.basis
    }

    /// The origin of the coordinates (`h0`).
    pub fn origin(&self) -> &[f64] {
        &self.h0
    }

    /// The hidden-space vector with subspace coordinates `u`.
    pub fn lift(&self, u: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.h0.len()];
        for (q, &c) in self.basis.iter().zip(u) {
            axpy(&mut v, c, q);
        }
        v
    }

    /// Coordinates of `h - h0` in the subspace.
    pub fn apply(&self, h: &[f64]) -> Vec<f64> {
        let centered = sub(h, &self.h0);
        self.basis.iter().map(|q| dot(q, &centered)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::ir::network::{Activation, Shape};

    #[test]
    fn unread_directions_are_dropped() {
        // h = (a, b): f reads only a, g reads only a, so b is irrelevant.
        let shape = Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        };
        let mut net = Network::zeros(&shape);
        net.f.layers[0].weight = vec![1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        net.g.layers[0].weight = vec![2.0, 0.0];
        let p = Projection::relevant(&net);
        assert_eq!(p.dim(), 1);
        let u = p.apply(&[3.0, 7.0]);
        assert!((u[0].abs() - 3.0).abs() < 1e-12);
        assert_eq!(p.apply(&[3.0, -5.0]), u);
    }
}
