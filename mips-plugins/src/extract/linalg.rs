//! Small vector helpers and least squares (through nalgebra's SVD) used by the finders.

use nalgebra::DMatrix;

/// Dot product.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Euclidean norm.
pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Euclidean distance between `a` and `b`.
pub fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// `a - b`.
pub fn sub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// `a += s · b`.
pub fn axpy(a: &mut [f64], s: f64, b: &[f64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += s * y);
}

/// The matrix whose columns are `vectors` (all of length `dim`).
pub fn columns(vectors: &[Vec<f64>], dim: usize) -> DMatrix<f64> {
    DMatrix::from_fn(dim, vectors.len(), |i, j| vectors[j][i])
}

/// Moore–Penrose pseudo-inverse of the matrix with columns `vectors`, so that
/// `pinv · v` are the least-squares coordinates of `v`; `None` if the columns are dependent.
pub fn pseudo_inverse(vectors: &[Vec<f64>], dim: usize) -> Option<DMatrix<f64>> {
    if vectors.is_empty() {
        return Some(DMatrix::zeros(0, dim));
    }
    let a = columns(vectors, dim);
    let svd = a.svd(true, true);
    let max = svd.singular_values.max();
    if !(max.is_finite() && max > 0.0) || svd.singular_values.min() <= max * 1e-12 {
        return None;
    }
    svd.pseudo_inverse(0.0).ok()
}

/// `m · v` as a vector.
pub fn apply(m: &DMatrix<f64>, v: &[f64]) -> Vec<f64> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)] * v[j]).sum())
        .collect()
}

/// Least-squares solution `B` of `X B ≈ Y` (`X`: n × p, `Y`: n × q), `None` when the data are
/// degenerate or not finite.
pub fn least_squares(x: &DMatrix<f64>, y: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    if x.nrows() == 0 || x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return None;
    }
    let svd = x.clone().svd(true, true);
    let max = svd.singular_values.max();
    svd.solve(y, max * 1e-10).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_inverse_gives_coordinates() {
        let basis = vec![vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]];
        let p = pseudo_inverse(&basis, 3).unwrap();
        let c = apply(&p, &[2.0, 5.0, 3.0]);
        assert!((c[0] - 2.0).abs() < 1e-9 && (c[1] - 3.0).abs() < 1e-9);
        assert!(pseudo_inverse(&[vec![1.0, 2.0], vec![2.0, 4.0]], 2).is_none());
    }

    #[test]
    fn least_squares_recovers_a_linear_map() {
        let x = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0]);
        let b = DMatrix::from_row_slice(2, 1, &[3.0, -1.0]);
        let y = &x * &b;
        let got = least_squares(&x, &y).unwrap();
        assert!((got - b).abs().max() < 1e-9);
    }
}
