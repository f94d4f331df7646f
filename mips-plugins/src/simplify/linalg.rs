//! Small dense linear-algebra helpers (real or complex): SVD with a bounded iteration count,
//! null spaces, condition numbers and checked inverses. Errors are plain messages; passes wrap
//! them with their name.

use nalgebra::{ComplexField, DMatrix, SVD};

/// Iteration cap for SVD and eigen decompositions (they converge in far fewer on our sizes).
const MAX_ITERATIONS: usize = 100_000;

/// Right singular vectors of `m` as the columns of a square `ncols × ncols` matrix, with the
/// singular values in descending order (missing ones, when `m` has fewer rows, are 0).
pub fn right_singular<T: ComplexField<RealField = f64>>(m: &DMatrix<T>) -> Result<(Vec<f64>, DMatrix<T>), String> {
    let n = m.ncols();
    if n == 0 {
        return Ok((Vec::new(), DMatrix::zeros(0, 0)));
    }
    if m.iter().any(|v| !v.clone().is_finite()) {
        return Err("matrix has a non-finite entry".into());
    }
    let rows = m.nrows().max(n);
    let mut padded = DMatrix::<T>::zeros(rows, n);
    padded.view_mut((0, 0), (m.nrows(), n)).copy_from(m);
    let svd = SVD::try_new(padded, false, true, f64::EPSILON, MAX_ITERATIONS)
        .ok_or("singular value decomposition did not converge")?;
    let v_t = svd.v_t.ok_or("singular value decomposition returned no vectors")?;
    Ok((svd.singular_values.iter().copied().collect(), v_t.adjoint()))
}

/// An orthonormal basis (as columns) of the directions `v` with `‖m v‖` at most `tol` times
/// the largest singular value (or `tol` itself when that is below 1).
pub fn null_space<T: ComplexField<RealField = f64>>(m: &DMatrix<T>, tol: f64) -> Result<DMatrix<T>, String> {
    let (sv, v) = right_singular(m)?;
    let cut = tol * sv.first().copied().unwrap_or(0.0).max(1.0);
    let rank = sv.iter().filter(|s| **s > cut).count();
    Ok(v.columns(rank, v.ncols() - rank).into_owned())
}

/// An orthonormal basis (as columns) of the directions `v` with `‖m v‖ ≤ cut` (absolute).
pub fn kernel<T: ComplexField<RealField = f64>>(m: &DMatrix<T>, cut: f64) -> Result<DMatrix<T>, String> {
    let (sv, v) = right_singular(m)?;
    let rank = sv.iter().filter(|s| **s > cut).count();
    Ok(v.columns(rank, v.ncols() - rank).into_owned())
}

/// An orthonormal basis (as columns) of the span of `m`'s columns, ignoring directions with
/// singular values below `1e-9` times the largest.
pub fn range_basis<T: ComplexField<RealField = f64>>(m: &DMatrix<T>) -> Result<DMatrix<T>, String> {
    if m.ncols() == 0 {
        return Ok(DMatrix::zeros(m.nrows(), 0));
    }
    let (sv, v) = right_singular(m)?;
    let rank = sv.iter().filter(|s| **s > 1e-9 * sv[0]).count();
    let mut basis = m * v.columns(0, rank);
    for (j, mut col) in basis.column_iter_mut().enumerate() {
        col /= T::from_real(sv[j]);
    }
    Ok(basis)
}

/// The `k` right singular vectors of `m` with the smallest singular values, as columns.
pub fn smallest_right_singular<T: ComplexField<RealField = f64>>(
    m: &DMatrix<T>,
    k: usize,
) -> Result<DMatrix<T>, String> {
    let (_, v) = right_singular(m)?;
    let n = v.ncols();
    Ok(v.columns(n - k.min(n), k.min(n)).into_owned())
}

/// Condition number `σ_max / σ_min` of a square matrix (infinite when singular).
pub fn condition_number(m: &DMatrix<f64>) -> Result<f64, String> {
    let (sv, _) = right_singular(m)?;
    let (max, min) = (sv.first().copied().unwrap_or(1.0), sv.last().copied().unwrap_or(1.0));
    Ok(if min > 0.0 { max / min } else { f64::INFINITY })
}

/// The inverse of a square matrix whose condition number is at most `max_condition`.
pub fn checked_inverse(m: &DMatrix<f64>, max_condition: f64) -> Result<DMatrix<f64>, String> {
    let cond = condition_number(m)?;
    if cond.is_nan() || cond > max_condition {
        return Err(format!(
            "basis would be ill-conditioned (condition number {cond:.3e} > {max_condition:.1e})"
        ));
    }
    let inv = m.clone().try_inverse().ok_or("basis matrix is singular")?;
    if inv.iter().any(|v| !v.is_finite()) {
        return Err("basis inverse is not finite".into());
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Complex;

    #[test]
    fn null_space_of_rank_one() {
        let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 0.0, 2.0, 4.0, 0.0]);
        let n = null_space(&m, 1e-9).unwrap();
        assert_eq!(n.ncols(), 2);
        assert!((&m * &n).norm() < 1e-12);
    }

    #[test]
    fn complex_null_space() {
        // (W - iI) for a rotation by 90 degrees has a one-dimensional null space.
        let i = Complex::new(0.0, 1.0);
        let one = Complex::new(1.0, 0.0);
        let m = DMatrix::from_row_slice(2, 2, &[-i, -one, one, -i]);
        let n = null_space(&m, 1e-9).unwrap();
        assert_eq!(n.ncols(), 1);
        assert!((&m * &n).norm() < 1e-12);
    }

    #[test]
    fn refuses_ill_conditioned_inverse() {
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0 + 1e-12]);
        assert!(checked_inverse(&m, 1e6).unwrap_err().contains("ill-conditioned"));
        let good = DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 0.5]);
        assert_eq!(checked_inverse(&good, 1e6).unwrap()[(1, 1)], 2.0);
        let nan = DMatrix::from_row_slice(1, 1, &[f64::NAN]);
        assert!(checked_inverse(&nan, 1e6).is_err());
    }
}
