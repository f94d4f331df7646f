//! `whiten`: rotates the hidden space onto the principal axes of the hidden states seen on the
//! verification sequences and scales each axis to unit second moment.
//!
//! With `C = E[h hᵀ] = U S Uᵀ` (eigenvalues descending), the new state is `D Uᵀ h` where
//! `D = diag(s_i^{-1/2})` for eigenvalues above `tol` times the largest and 1 for the rest
//! (directions the data never visits keep their scale). Each axis is signed so that its mean
//! on the data is non-negative.

use mips_core::Result;
use mips_core::data::Dataset;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use nalgebra::{DMatrix, SymmetricEigen};

use super::basis::Basis;
use super::fail;
use super::record::hidden_moments;

/// The `whiten` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whiten;

const NAME: &str = "whiten";

mips_core::pass_settings! {
    /// The options of `whiten`.
    pub struct WhitenSettings {
        /// axes whose second moment is at most tol times the largest keep their scale
        tol: f64 = 1e-6,
        /// refuse a basis with a larger condition number
        max_condition: f64 = 1e8,
    }
}

impl TypedPass for Whiten {
    type Input = Network;
    type Output = Network;
    type Settings = WhitenSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "rotate the hidden space onto the principal axes of the hidden states and scale them to unit variance"
    }

    fn run(&self, net: &Network, settings: &WhitenSettings, ctx: &PassContext) -> Result<Network> {
        if net.hidden_dim == 0 {
            return Ok(net.clone());
        }
        let t = whitening(net, ctx.verifier().screen(), settings.tol).map_err(fail(NAME))?;
        let basis = Basis::new(t, settings.max_condition).map_err(fail(NAME))?;
        Ok(basis.apply(net))
    }
}

/// The whitening basis of `net` on `data` (see the module docs): its columns are the principal
/// axes of the hidden states, scaled by the square roots of their second moments (axes at most
/// `tol` times the largest keep unit length).
pub fn whitening(net: &Network, data: &Dataset, tol: f64) -> Result<DMatrix<f64>, String> {
    let moments = hidden_moments(net, data)?;
    let eigen = SymmetricEigen::try_new(moments.second.clone(), f64::EPSILON, 100_000)
        .ok_or("eigen decomposition did not converge")?;
    let mut order: Vec<usize> = (0..net.hidden_dim).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let largest = order.first().map_or(0.0, |&i| eigen.eigenvalues[i]);
    let mut t = DMatrix::zeros(net.hidden_dim, net.hidden_dim);
    for (new, &old) in order.iter().enumerate() {
        let s = eigen.eigenvalues[old];
        let scale = if s > tol * largest && s > 0.0 { s.sqrt() } else { 1.0 };
        let mut axis = eigen.eigenvectors.column(old) * scale;
        if axis.dot(&moments.mean) < 0.0 {
            axis = -axis;
        }
        t.set_column(new, &axis);
    }
    Ok(t)
}

mips_core::register_pass!(Typed(Whiten));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::record::hidden_moments;
    use crate::simplify::testing::{CountOnes, assert_same_function, run_pass};
    use mips_core::task::Task;

    #[test]
    fn whitened_states_have_unit_second_moment() {
        let task = CountOnes::new(200);
        let net = CountOnes::solution();
        let out = run_pass(&Typed(Whiten), &net, &task, &[]).unwrap();
        assert_same_function(&net, &out, 1);
        let m = hidden_moments(&out, task.test_split()).unwrap();
        // One axis carries the count (unit second moment), the other is never visited.
        assert!((m.second[(0, 0)] - 1.0).abs() < 1e-9, "{}", m.second);
        assert!(m.second[(1, 1)].abs() < 1e-12 && m.mean[0] > 0.0);
    }
}
