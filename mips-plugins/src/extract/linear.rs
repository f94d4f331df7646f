//! The linear model of the recurrence on the visited states: `u_t ≈ W_h u_{t-1} + W_x x_t + c`
//! (subspace coordinates relative to `h0`), fitted by least squares on the core records. Its
//! Krylov chains `v, W_h v, W_h² v, …` (from each input column and from the bias) are the linear
//! finder's lattice generators.

use nalgebra::DMatrix;

use super::collect::Samples;
use super::linalg::least_squares;
use super::subspace::Projection;

/// Records used for the regression.
const REGRESSION_ROWS: usize = 20_000;

/// A fitted affine recurrence in subspace coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearModel {
    /// `W_h`, `r × r`.
    w_h: DMatrix<f64>,
    /// Columns of `W_x`, one per input component.
    pub inputs: Vec<Vec<f64>>,
    /// The bias `c`.
    pub bias: Vec<f64>,
}

impl LinearModel {
    /// Least-squares fit on the core records; `None` when the data are degenerate.
    pub fn fit(samples: &Samples, proj: &Projection) -> Option<LinearModel> {
        let r = proj.dim();
        let rows: Vec<(Vec<f64>, Vec<f64>)> = samples
            .core_records()
            .take(REGRESSION_ROWS)
            .map(|rec| {
                let mut x = proj.apply(rec.prev);
                x.extend(rec.input.iter().map(|v| *v as f64));
                x.push(1.0);
                (x, proj.apply(rec.next))
            })
            .collect();
        let p = r + samples.input_dim + 1;
        let x = DMatrix::from_fn(rows.len(), p, |i, j| rows[i].0[j]);
        let y = DMatrix::from_fn(rows.len(), r, |i, j| rows[i].1[j]);
        let b = least_squares(&x, &y)?;
        let column = |k: usize| -> Vec<f64> { (0..r).map(|i| b[(k, i)]).collect() };
        Some(LinearModel {
            w_h: DMatrix::from_fn(r, r, |i, j| b[(j, i)]),
            inputs: (r..r + samples.input_dim).map(column).collect(),
            bias: column(p - 1),
        })
    }

    /// `W_h v`.
    pub fn apply(&self, v: &[f64]) -> Vec<f64> {
        (0..self.w_h.nrows())
            .map(|i| (0..self.w_h.ncols()).map(|j| self.w_h[(i, j)] * v[j]).sum())
            .collect()
    }

    /// Dimension of the subspace.
    pub fn dim(&self) -> usize {
        self.w_h.nrows()
    }
}
