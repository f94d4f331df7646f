//! `jordan`: changes the hidden basis to a real Jordan basis of the recurrence's linear part.
//!
//! The linear part is `W = L_k ⋯ L_1` restricted to the hidden inputs (exactly the recurrence
//! for an affine f; for an MLP f, the map with activations replaced by the identity — any
//! basis is function-preserving, this one just makes that linear part canonical). See
//! [`super::jordan_form`] for the decomposition. The pass refuses (returns an error) when the
//! basis is ill-conditioned or the rewritten parameters blow up.

use mips_core::Result;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};

use super::basis::{Basis, recurrence};
use super::fail;
use super::jordan_form::{jordan_matrix, real_jordan};

/// The `jordan` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jordan;

const NAME: &str = "jordan";

/// Largest growth of the largest parameter magnitude the pass accepts.
const MAX_GROWTH: f64 = 1e6;

mips_core::pass_settings! {
    /// The options of `jordan`.
    pub struct JordanSettings {
        /// eigenvalues closer than tol (times the spectral radius, at least 1) are treated as equal
        tol: f64 = 0.1,
        /// refuse a basis with a larger condition number
        max_condition: f64 = 1e6,
    }
}

impl TypedPass for Jordan {
    type Input = Network;
    type Output = Network;
    type Settings = JordanSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "change the hidden basis to a real Jordan basis of the recurrence's linear part"
    }

    fn run(&self, net: &Network, settings: &JordanSettings, _ctx: &PassContext) -> Result<Network> {
        let tol = settings.tol;
        let w = recurrence(net);
        let jordan = real_jordan(&w, tol).map_err(fail(NAME))?;
        let basis = Basis::new(jordan.basis, settings.max_condition).map_err(fail(NAME))?;
        let out = basis.apply(net);
        let deviation = (recurrence(&out) - jordan_matrix(&jordan.blocks)).amax();
        if deviation.is_nan() || deviation > tol.sqrt() * w.amax().max(1.0) {
            return Err(fail(NAME)(format!(
                "the basis found does not bring the recurrence to Jordan form (off by {deviation:.3e})"
            )));
        }
        let largest = |n: &mips_core::ir::Network| {
            n.parameters()
                .chain(n.h0.iter().copied())
                .fold(1.0, |m, p| f64::max(m, p.abs()))
        };
        if !largest(&out).is_finite() || largest(&out) > MAX_GROWTH * largest(net) {
            return Err(fail(NAME)("parameters would blow up in the Jordan basis".into()));
        }
        Ok(out)
    }
}

mips_core::register_pass!(Typed(Jordan));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, assert_same_function, random_network, run_pass};
    use nalgebra::DMatrix;

    #[test]
    fn counter_becomes_diagonal() {
        let task = CountOnes::new(20);
        let net = CountOnes::solution();
        let out = run_pass(&Typed(Jordan), &net, &task, &[]).unwrap();
        assert_same_function(&net, &out, 2);
        let w = recurrence(&out);
        assert!((w - DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 0.0])).norm() < 1e-9);
    }

    #[test]
    fn refuses_ill_conditioned_basis() {
        let task = CountOnes::new(5);
        let mut net = random_network(2, 1, 1, &[], &[], 4);
        // Eigenvalues 1 and 1 + 1e-9 with nearly parallel eigenvectors, but not grouped.
        net.f.layers[0].weight = vec![1.0, 1.0, 0.3, 0.0, 1.0 + 1e-9, 0.2];
        let err = run_pass(&Typed(Jordan), &net, &task, &[("tol", "1e-12")]).unwrap_err();
        assert!(err.to_string().contains("ill-conditioned"), "{err}");
    }
}
