//! Krylov coordinates of a linear recurrence `h_t = W h_{t−1} + B x_t + c`, `y_t = C h_t + d`.
//!
//! - Reachable form: the basis vectors are the chains `b_i, W b_i, W² b_i, …` of the input
//!   columns. Each input enters as a unit vector, `W` maps each chain vector to the next one (a
//!   unit column) and the last one of a chain to its coordinates in the basis, and the readout
//!   holds the impulse response `C W^k b_i`.
//! - Observable form: the new coordinates are the chains `c_j h, c_j W h, c_j W² h, …` of the
//!   readout rows. Each output reads one coordinate, `W` has a unit row for each chain step and
//!   the coordinates of the last row of a chain, and the input map holds the impulse response.
//!
//! For integer dynamics all of these are integers (the chain ends are integer combinations of
//! the chains). Chain vectors are taken in the order `s_1, s_2, …, M s_1, M s_2, …` (`M = W`
//! or `Wᵀ`, `s_i` the chain starts): a vector is kept when its part outside the span of those
//! kept before is more than `tol` of its length, and its chain ends at its first vector that
//! is not (later ones would not be either). Lengths are Euclidean in the coordinates given.
//! When the chains span fewer than all dimensions, an orthonormal basis of the complement of
//! their span completes the basis; those coordinates come last.

use nalgebra::{DMatrix, DVector};

use super::basis::Basis;
use super::linalg::smallest_right_singular;

/// Which chains make the basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Chains of the input columns under `W`.
    Reachable,
    /// Chains of the readout rows under `Wᵀ`.
    Observable,
}

impl Form {
    /// The form's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Form::Reachable => "reachable",
            Form::Observable => "observable",
        }
    }
}

/// A Krylov basis: its chain lengths (per input or readout row) and the change of basis.
#[derive(Clone, Debug)]
pub struct KrylovBasis {
    pub chains: Vec<usize>,
    pub basis: Basis,
}

impl KrylovBasis {
    /// Number of chain coordinates (the first ones); the rest complete the basis.
    pub fn dim(&self) -> usize {
        self.chains.iter().sum()
    }
}

/// Residual norms below this fraction of the largest chain start count as zero.
const FLOOR: f64 = 1e-12;

/// The Krylov basis of the given form for the recurrence `w` with input map `b` (`H × I`) and
/// readout `c` (`O × H`); `None` when no chain starts (no input or readout). An error when the
/// basis would have a condition number above `max_condition`.
pub fn krylov_basis(
    w: &DMatrix<f64>,
    b: &DMatrix<f64>,
    c: &DMatrix<f64>,
    form: Form,
    tol: f64,
    max_condition: f64,
) -> Result<Option<KrylovBasis>, String> {
    let n = w.nrows();
    let (starts, step): (Vec<DVector<f64>>, DMatrix<f64>) = match form {
        Form::Reachable => (b.column_iter().map(|v| v.into_owned()).collect(), w.clone()),
        Form::Observable => (c.row_iter().map(|v| v.transpose()).collect(), w.transpose()),
    };
    let chains = chains(starts, &step, tol);
    let mut vectors: Vec<DVector<f64>> = chains.iter().flatten().cloned().collect();
    if vectors.is_empty() {
        return Ok(None);
    }
    let span = DMatrix::from_columns(&vectors);
    let complement = smallest_right_singular(&span.transpose(), n - vectors.len())?;
    vectors.extend(complement.column_iter().map(|v| v.into_owned()));
    let matrix = DMatrix::from_columns(&vectors);
    let basis = match form {
        Form::Reachable => Basis::new(matrix, max_condition)?,
        Form::Observable => Basis::from_inverse(matrix.transpose(), max_condition)?,
    };
    Ok(Some(KrylovBasis {
        chains: chains.iter().map(Vec::len).collect(),
        basis,
    }))
}

/// The chains `s, M s, M² s, …` of each start `s` (see the module docs).
fn chains(starts: Vec<DVector<f64>>, m: &DMatrix<f64>, tol: f64) -> Vec<Vec<DVector<f64>>> {
    let floor = FLOOR * starts.iter().map(|s| s.norm()).fold(0.0, f64::max);
    let mut orthonormal: Vec<DVector<f64>> = Vec::new();
    let mut chains = vec![Vec::new(); starts.len()];
    let mut next: Vec<Option<DVector<f64>>> = starts.into_iter().map(Some).collect();
    while orthonormal.len() < m.nrows() && next.iter().any(Option::is_some) {
        for (slot, chain) in next.iter_mut().zip(chains.iter_mut()) {
            let Some(v) = slot.take() else {
                continue;
            };
            if orthonormal.len() == m.nrows() {
                break;
            }
            let r = residual(&v, &orthonormal);
            let norm = r.norm();
            if norm > tol * v.norm() && norm > floor {
                orthonormal.push(r / norm);
                *slot = Some(m * &v);
                chain.push(v);
            }
        }
    }
    chains
}

/// The part of `v` orthogonal to the orthonormal vectors `q` (Gram–Schmidt, twice).
fn residual(v: &DVector<f64>, q: &[DVector<f64>]) -> DVector<f64> {
    let mut r = v.clone();
    for _ in 0..2 {
        for u in q {
            let along = u.dot(&r);
            r.axpy(-along, u, 1.0);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Position and velocity under a force and a rotation (integer dynamics, two inputs).
    fn magnetic() -> (DMatrix<f64>, DMatrix<f64>, DMatrix<f64>) {
        let w = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.0, 1.0, -1.0, //
                0.0, 1.0, 1.0, 1.0, //
                0.0, 0.0, 1.0, -1.0, //
                0.0, 0.0, 1.0, 1.0,
            ],
        );
        let b = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let c = DMatrix::from_row_slice(2, 4, &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        (w, b, c)
    }

    fn is_integer(m: &DMatrix<f64>) -> bool {
        m.iter().all(|v| (v - v.round()).abs() < 1e-9)
    }

    #[test]
    fn both_forms_of_integer_dynamics_are_integer() {
        let (w, b, c) = magnetic();
        for form in [Form::Reachable, Form::Observable] {
            let k = krylov_basis(&w, &b, &c, form, 0.05, 1e6).unwrap().unwrap();
            assert_eq!(k.chains, vec![2, 2]);
            let t = &k.basis;
            let (wk, bk, ck) = (&t.t_inv * &w * &t.t, &t.t_inv * &b, &c * &t.t);
            assert!(is_integer(&wk) && is_integer(&bk) && is_integer(&ck), "{wk}{bk}{ck}");
            let units = match form {
                Form::Reachable => bk.clone(),
                Form::Observable => ck.transpose(),
            };
            // Chain starts are the first coordinate of each chain.
            let expected = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
            assert!((units - expected).norm() < 1e-9);
        }
    }

    #[test]
    fn chains_stop_at_the_reachable_dimension() {
        // The third coordinate is never reached and the second input repeats the first.
        let w = DMatrix::from_row_slice(3, 3, &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5]);
        let b = DMatrix::from_row_slice(3, 2, &[0.0, 0.0, 1.0, 2.0, 0.0, 0.0]);
        let c = DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]);
        let k = krylov_basis(&w, &b, &c, Form::Reachable, 1e-6, 1e6).unwrap().unwrap();
        assert_eq!((k.chains.clone(), k.dim()), (vec![2, 0], 2));
        assert!((&k.basis.t * &k.basis.t_inv - DMatrix::identity(3, 3)).norm() < 1e-12);
        let none = DMatrix::zeros(3, 0);
        assert!(
            krylov_basis(&w, &none, &c, Form::Reachable, 1e-6, 1e6)
                .unwrap()
                .is_none()
        );
    }
}
