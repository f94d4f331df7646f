//! Changes of hidden basis `h → T⁻¹h` and the linear maps of the recurrence they act on.
//!
//! A basis change rewrites the network outside its MLPs only: f's last layer (weight and bias)
//! is left-multiplied by `T⁻¹`, the hidden columns of f's first layer and g's first layer are
//! right-multiplied by `T`, and `h0` becomes `T⁻¹h0`. The function is unchanged for any
//! activation and any depth, since f and g only ever see `T·(T⁻¹h) = h`.

use mips_core::ir::{Linear, Network};
use nalgebra::{DMatrix, DVector};

use super::linalg::checked_inverse;

/// A layer's weight as an `outputs × inputs` matrix.
pub fn weight_matrix(layer: &Linear) -> DMatrix<f64> {
    DMatrix::from_row_slice(layer.outputs, layer.inputs, &layer.weight)
}

/// Replaces a layer's weight with `m` (same shape or a new one; the bias is left alone).
pub fn set_weight(layer: &mut Linear, m: &DMatrix<f64>) {
    layer.outputs = m.nrows();
    layer.inputs = m.ncols();
    layer.weight = m.transpose().iter().copied().collect();
}

/// The hidden columns of f's first layer: how f reads `h` (`width × H`).
pub fn hidden_reads(net: &Network) -> DMatrix<f64> {
    weight_matrix(&net.f.layers[0]).columns(0, net.hidden_dim).into_owned()
}

/// g's first-layer weight: how the readout reads `h` (`width × H`).
pub fn readout_reads(net: &Network) -> DMatrix<f64> {
    weight_matrix(&net.g.layers[0])
}

/// Product of f's later layer weights `L_k ⋯ L_2` (identity for an affine f).
fn later_product(net: &Network) -> DMatrix<f64> {
    let mut product = DMatrix::identity(net.f.layers[0].outputs, net.f.layers[0].outputs);
    for layer in &net.f.layers[1..] {
        product = weight_matrix(layer) * product;
    }
    product
}

/// Linear part of the recurrence, `W = L_k ⋯ L_1` restricted to the hidden inputs (`H × H`).
/// For an affine f this is exactly the recurrence; for an MLP it is the map with every
/// activation replaced by the identity. Basis changes act on it by similarity: `T⁻¹WT`.
pub fn recurrence(net: &Network) -> DMatrix<f64> {
    later_product(net) * hidden_reads(net)
}

/// Linear part of how the input enters the recurrence, `L_k ⋯ L_1` restricted to the input
/// columns (`H × input_dim`). Basis changes act on it as `T⁻¹B`.
pub fn input_map(net: &Network) -> DMatrix<f64> {
    let first = weight_matrix(&net.f.layers[0]);
    later_product(net) * first.columns(net.hidden_dim, net.input_dim)
}

/// An invertible change of hidden basis: the new state is `T⁻¹h`.
#[derive(Clone, Debug)]
pub struct Basis {
    pub t: DMatrix<f64>,
    pub t_inv: DMatrix<f64>,
}

impl Basis {
    /// The basis whose columns (in old coordinates) are those of `t`; refuses a `t` whose
    /// condition number exceeds `max_condition`.
    pub fn new(t: DMatrix<f64>, max_condition: f64) -> Result<Basis, String> {
        let t_inv = checked_inverse(&t, max_condition)?;
        Ok(Basis { t, t_inv })
    }

    /// The basis whose inverse is `t_inv` (the new coordinates are `t_inv·h`); refuses a
    /// `t_inv` whose condition number exceeds `max_condition`.
    pub fn from_inverse(t_inv: DMatrix<f64>, max_condition: f64) -> Result<Basis, String> {
        let t = checked_inverse(&t_inv, max_condition)?;
        Ok(Basis { t, t_inv })
    }

    /// This change of basis followed by `next` (whose vectors are given in this basis).
    pub fn then(&self, next: &Basis) -> Basis {
        Basis {
            t: &self.t * &next.t,
            t_inv: &next.t_inv * &self.t_inv,
        }
    }

    /// Rewrites `net` into the new basis.
    pub fn apply(&self, net: &Network) -> Network {
        let h = net.hidden_dim;
        let mut out = net.clone();
        let first = &mut out.f.layers[0];
        let mut w = weight_matrix(first);
        let reads = w.columns(0, h) * &self.t;
        w.columns_mut(0, h).copy_from(&reads);
        set_weight(first, &w);
        let last = out.f.layers.last_mut().expect("validated network has layers");
        set_weight(last, &(&self.t_inv * weight_matrix(last)));
        last.bias = (&self.t_inv * DVector::from_column_slice(&last.bias))
            .iter()
            .copied()
            .collect();
        let readout = &mut out.g.layers[0];
        set_weight(readout, &(weight_matrix(readout) * &self.t));
        out.h0 = (&self.t_inv * DVector::from_column_slice(&net.h0))
            .iter()
            .copied()
            .collect();
        out
    }
}

/// Removes the hidden coordinates listed in `drop` (f's last-layer rows, the hidden columns of
/// f's first layer and of g's first layer, and `h0` entries). Function-preserving when nothing
/// reads those coordinates.
pub fn remove_hidden(net: &Network, drop: &[usize]) -> Network {
    let keep: Vec<usize> = (0..net.hidden_dim).filter(|i| !drop.contains(i)).collect();
    let mut out = net.clone();
    out.hidden_dim = keep.len();
    let first = &mut out.f.layers[0];
    let w = weight_matrix(first);
    let mut columns: Vec<usize> = keep.clone();
    columns.extend(net.hidden_dim..net.hidden_dim + net.input_dim);
    set_weight(first, &w.select_columns(&columns));
    let last = out.f.layers.last_mut().expect("validated network has layers");
    set_weight(last, &weight_matrix(last).select_rows(&keep));
    last.bias = keep.iter().map(|&i| last.bias[i]).collect();
    let readout = &mut out.g.layers[0];
    set_weight(readout, &weight_matrix(readout).select_columns(&keep));
    out.h0 = keep.iter().map(|&i| net.h0[i]).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{assert_same_function, random_network};

    #[test]
    fn basis_change_preserves_function_for_deep_networks() {
        let net = random_network(3, 2, 2, &[4], &[3], 7);
        let t = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 0.0, 1.0, -1.0, 0.5, 0.0, 2.0]);
        let changed = Basis::new(t.clone(), 1e6).unwrap().apply(&net);
        assert_same_function(&net, &changed, 11);
        let w = recurrence(&net);
        let similar = t.clone().try_inverse().unwrap() * w * t;
        assert!((recurrence(&changed) - similar).norm() < 1e-9);
    }

    #[test]
    fn composed_and_inverse_bases_agree() {
        let net = random_network(2, 1, 1, &[], &[], 5);
        let a = Basis::new(DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 1.0]), 1e6).unwrap();
        let b = Basis::from_inverse(DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 3.0, 0.0]), 1e6).unwrap();
        let composed = a.then(&b);
        assert!((&composed.t * &composed.t_inv - DMatrix::identity(2, 2)).norm() < 1e-12);
        assert_same_function(&net, &composed.apply(&net), 3);
        let twice = b.apply(&a.apply(&net));
        assert!((recurrence(&twice) - recurrence(&composed.apply(&net))).norm() < 1e-12);
        assert!(Basis::from_inverse(DMatrix::zeros(2, 2), 1e6).is_err());
    }

    #[test]
    fn removing_unread_coordinates_preserves_function() {
        let mut net = random_network(3, 1, 1, &[], &[], 3);
        for o in 0..3 {
            *net.f.layers[0].w_mut(o, 1) = 0.0;
        }
        *net.g.layers[0].w_mut(0, 1) = 0.0;
        let smaller = remove_hidden(&net, &[1]);
        assert_eq!(smaller.hidden_dim, 2);
        assert!(smaller.validate().is_ok());
        assert_same_function(&net, &smaller, 5);
    }
}
