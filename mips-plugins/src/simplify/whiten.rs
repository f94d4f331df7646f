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
use mips_core::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use nalgebra::{DMatrix, SymmetricEigen};

use super::basis::Basis;
use super::record::hidden_moments;
use super::{fail, input_network};

/// The `whiten` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whiten;

const NAME: &str = "whiten";

impl Pass for Whiten {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "rotate the hidden space onto the principal axes of the hidden states and scale them to unit variance"
    }

    fn kind(&self) -> PassKind {
        PassKind::Representation
    }

    fn options(&self) -> Vec<OptionSpec> {
        vec![
            OptionSpec::float(
                "tol",
                1e-6,
                "axes whose second moment is at most tol times the largest keep their scale",
            ),
            OptionSpec::float("max-condition", 1e8, "refuse a basis with a larger condition number"),
        ]
    }

    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let net = input_network(input, NAME)?;
        if net.hidden_dim == 0 {
            return Ok(Artifact::Network(net.clone()));
        }
        let t = whitening(net, ctx.verify, options.float("tol")).map_err(fail(NAME))?;
        let basis = Basis::new(t, options.float("max-condition")).map_err(fail(NAME))?;
        Ok(Artifact::Network(basis.apply(net)))
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

mips_core::register_pass!(Whiten);

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
        let out = run_pass(&Whiten, &net, &task, &[]).unwrap();
        assert_same_function(&net, &out, 1);
        let m = hidden_moments(&out, task.test_split()).unwrap();
        // One axis carries the count (unit second moment), the other is never visited.
        assert!((m.second[(0, 0)] - 1.0).abs() < 1e-9, "{}", m.second);
        assert!(m.second[(1, 1)].abs() < 1e-12 && m.mean[0] > 0.0);
    }
}
