//! Hidden states as points of the output-relevant subspace: projection, de-duplication at a
//! fine resolution, and the spread of the data that tolerances are relative to.

use std::collections::BTreeMap;

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
        if p.iter().any(|v| !v.is_finite()) {
            out.push((p.clone(), 1));
            continue;
        }
        let key: Vec<i64> = p.iter().map(|v| (v / resolution).round() as i64).collect();
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
