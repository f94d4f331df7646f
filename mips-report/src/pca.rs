//! Principal axes of a cloud of points (deterministic: fixed-order sums, axes sorted by
//! variance, each axis's sign fixed so that its largest component is positive).

use nalgebra::{DMatrix, SymmetricEigen};

/// The leading principal axes of some points.
#[derive(Clone, Debug, PartialEq)]
pub struct Axes {
    /// The mean of the points.
    pub mean: Vec<f64>,
    /// Unit axes, by decreasing variance (at most as many as asked for, and as dimensions).
    pub axes: Vec<Vec<f64>>,
    /// The fraction of the total variance along each axis (0 when the points do not vary).
    pub explained: Vec<f64>,
}

impl Axes {
    /// The coordinates of `point` along the axes.
    pub fn project(&self, point: &[f64]) -> Vec<f64> {
        self.axes
            .iter()
            .map(|axis| {
                axis.iter()
                    .zip(point)
                    .zip(&self.mean)
                    .map(|((a, p), m)| a * (p - m))
                    .sum()
            })
            .collect()
    }
}

/// The `count` leading principal axes of `points` (each of length `dim`; at least one point).
pub fn principal_axes(points: &[&[f64]], dim: usize, count: usize) -> Axes {
    let n = points.len().max(1) as f64;
    let mut mean = vec![0.0; dim];
    for p in points {
        for (m, v) in mean.iter_mut().zip(p.iter()) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut cov = DMatrix::<f64>::zeros(dim, dim);
    for p in points {
        for i in 0..dim {
            for j in 0..dim {
                cov[(i, j)] += (p[i] - mean[i]) * (p[j] - mean[j]);
            }
        }
    }
    cov /= n;
    let eigen = SymmetricEigen::new(cov);
    let mut order: Vec<usize> = (0..dim).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]).then(a.cmp(&b)));
    let total: f64 = eigen.eigenvalues.iter().map(|v| v.max(0.0)).sum();
    let chosen = &order[..count.min(dim)];
    Axes {
        mean,
        axes: chosen
            .iter()
            .map(|&k| signed(eigen.eigenvectors.column(k).iter().copied().collect()))
            .collect(),
        explained: chosen
            .iter()
            .map(|&k| {
                if total > 0.0 {
                    eigen.eigenvalues[k].max(0.0) / total
                } else {
                    0.0
                }
            })
            .collect(),
    }
}

/// `axis` or its negative, whichever has its largest-magnitude component positive.
fn signed(axis: Vec<f64>) -> Vec<f64> {
    let largest = axis
        .iter()
        .copied()
        .fold(0.0_f64, |best, v| if v.abs() > best.abs() { v } else { best });
    if largest < 0.0 {
        axis.into_iter().map(|v| -v).collect()
    } else {
        axis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_axis_follows_the_spread_of_the_points() {
        // Points along (1, 1) with a little spread along (1, -1).
        let raw: Vec<Vec<f64>> = (0..10)
            .flat_map(|t| [0.1, -0.1].map(|w| vec![t as f64 + w, t as f64 - w]))
            .collect();
        let points: Vec<&[f64]> = raw.iter().map(Vec::as_slice).collect();
        let axes = principal_axes(&points, 2, 2);
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert!(
            (axes.axes[0][0] - s).abs() < 1e-9 && (axes.axes[0][1] - s).abs() < 1e-9,
            "{axes:?}"
        );
        assert!(axes.explained[0] > 0.99 && axes.explained[1] < 0.01);
        assert_eq!(axes.mean, vec![4.5, 4.5]);
        let first = axes.project(&[4.5 + s, 4.5 + s]);
        assert!((first[0] - 1.0).abs() < 1e-9 && first[1].abs() < 1e-9);
    }

    #[test]
    fn points_that_do_not_vary_explain_nothing() {
        let raw = [vec![2.0], vec![2.0]];
        let points: Vec<&[f64]> = raw.iter().map(Vec::as_slice).collect();
        let axes = principal_axes(&points, 1, 2);
        assert_eq!(axes.axes, vec![vec![1.0]]);
        assert_eq!(axes.explained, vec![0.0]);
    }
}
