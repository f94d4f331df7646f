//! Hidden states as points of the output-relevant subspace: projection, de-duplication at a
//! fine resolution, and the spread of the data that tolerances are relative to.

use std::collections::BTreeMap;

use mips_core::ir::exact_integer;

use super::collect::Samples;
use super::linalg::norm;
use super::subspace::Projection;

/// Resolution below which two points are the same, relative to the spread of the data.
pub const RESOLUTION: f64 = 1e-9;

/// Core hidden states projected on the relevant subspace.
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    /// `h0` then the state after every core step, projected.
    pub all: Vec<Vec<f64>>,
    /// Distinct points (first appearance order) with how often each occurs.
    pub distinct: Vec<(Vec<f64>, usize)>,
    /// Largest distance of a point from `h0` (the projection's origin); 0 if all coincide.
    pub scale: f64,
}

impl Points {
    /// Projects the core states of `samples` with `proj`.
    pub fn new(samples: &Samples, proj: &Projection) -> Points {
        let all: Vec<Vec<f64>> = samples.core_states().map(|h| proj.apply(h)).collect();
        let scale = all
            .iter()
            .map(|u| norm(u))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let distinct = dedupe(&all, scale * RESOLUTION);
        Points { all, distinct, scale }
    }
}

/// The grid cell of `p` for cells of size `cell`: `p / cell` rounded, `None` when a coordinate is
/// not finite or its cell index is too large to be exact (such points are never merged).
pub fn grid_key(p: &[f64], cell: f64) -> Option<Vec<i64>> {
    p.iter().map(|v| exact_integer(v / cell)).collect()
}

/// Groups `points` that agree to within `resolution` per coordinate (first appearance order),
/// counting occurrences; non-finite points are kept apart, once each.
pub fn dedupe(points: &[Vec<f64>], resolution: f64) -> Vec<(Vec<f64>, usize)> {
    let resolution = if resolution > 0.0 {
        resolution
    } else {
        f64::MIN_POSITIVE
    };
    let mut index: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
    let mut out: Vec<(Vec<f64>, usize)> = Vec::new();
    for p in points {
        let Some(key) = grid_key(p, resolution) else {
            out.push((p.clone(), 1));
            continue;
        };
        match index.get(&key) {
            Some(&i) => out[i].1 += 1,
            None => {
                index.insert(key, out.len());
                out.push((p.clone(), 1));
            }
        }
    }
    out
}

/// Snaps `points` to a grid whose cell doubles from `resolution` until at most `max` cells are
/// occupied; returns each occupied cell's weighted mean point and count, with the cell size used.
/// Gaps wider than the cell survive, so clustering the cells finds the same clusters as
/// clustering every point, at a bounded cost.
pub fn coarsen(points: &[Vec<f64>], max: usize, resolution: f64) -> (Vec<(Vec<f64>, usize)>, f64) {
    let mut cell = if resolution > 0.0 {
        resolution
    } else {
        f64::MIN_POSITIVE
    };
    // Keys only shrink as the cell grows, so a point whose key fits the first grid fits them all.
    let finite: Vec<&Vec<f64>> = points.iter().filter(|p| grid_key(p, cell).is_some()).collect();
    loop {
        let mut index: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
        let mut sums: Vec<(Vec<f64>, usize)> = Vec::new();
        for p in &finite {
            let Some(key) = grid_key(p, cell) else { continue };
            let i = *index.entry(key).or_insert_with(|| {
                sums.push((vec![0.0; p.len()], 0));
                sums.len() - 1
            });
            sums[i].0.iter_mut().zip(p.iter()).for_each(|(s, v)| *s += v);
            sums[i].1 += 1;
        }
        if sums.len() <= max.max(1) || !cell.is_finite() {
            let means = sums
                .into_iter()
                .map(|(s, n)| (s.iter().map(|v| v / n as f64).collect(), n))
                .collect();
            return (means, cell);
        }
        cell *= 2.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarsening_keeps_wide_gaps() {
        let points: Vec<Vec<f64>> = (0..1000)
            .map(|i| vec![if i % 2 == 0 { 0.0 } else { 5.0 } + (i as f64) * 1e-4])
            .collect();
        let (cells, size) = coarsen(&points, 50, 1e-9);
        assert!(cells.len() <= 50 && size < 1.0, "{} cells of {size}", cells.len());
        assert!(cells.iter().all(|(p, _)| p[0] < 0.2 || p[0] > 4.9));
        assert_eq!(cells.iter().map(|(_, n)| n).sum::<usize>(), 1000);
    }
}
