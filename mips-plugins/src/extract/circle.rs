//! Circular states: hidden states that sit on a circle in a plane and are read as an angle,
//! as networks store counters modulo k (rotations). The discrete states are clustered first;
//! the plane is the principal plane of the cluster centers, the circle is fitted in it, and k
//! is the smallest number of equal angle steps that places every center on a step. The state
//! is the step index modulo k, shifted so the initial state is 0 and oriented so the first input
//! that moves the state moves it forward; when the minimized machine only distinguishes
//! residues modulo a divisor d of k, the state is read modulo d.

use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::TAU;

use mips_core::ir::{Network, StateMachine};
use nalgebra::DMatrix;

use super::candidate::{Candidate, Finish, PARAMETER_BITS, finish};
use super::clusters::{Clustering, clusterings};
use super::collect::Samples;
use super::linalg::{dot, least_squares, norm, sub};
use super::machine::{Quantizer, build, is_complete};
use super::minimize::{equivalence_classes, rename};
use super::options::ExtractOptions;
use super::points::Points;
use super::subspace::Projection;

/// A circle quantizer in the subspace the network reads.
#[derive(Clone, Debug)]
pub struct Circle {
    proj: Projection,
    mean: Vec<f64>,
    plane: [Vec<f64>; 2],
    center: [f64; 2],
    radius: f64,
    /// Number of equal angle steps around the circle.
    pub k: usize,
    phase: f64,
    coord_tol: f64,
    dist_tol: f64,
}

impl Circle {
    /// Fits a circle through the cluster centers of `clustering` (the first at phase 0); `None`
    /// when they do not lie on one circle in their principal plane at equal angle steps.
    pub fn fit(proj: &Projection, clustering: &Clustering, opts: &ExtractOptions) -> Option<Circle> {
        let centers = &clustering.centers;
        let (m, r) = (centers.len(), proj.dim());
        if m < 3 || r < 2 {
            return None;
        }
        let mean: Vec<f64> = (0..r)
            .map(|d| centers.iter().map(|c| c[d]).sum::<f64>() / m as f64)
            .collect();
        let centered = DMatrix::from_fn(m, r, |i, d| centers[i][d] - mean[d]);
        let svd = centered.svd(false, true);
        let v_t = svd.v_t?;
        let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
        order.sort_by(|a, b| svd.singular_values[*b].total_cmp(&svd.singular_values[*a]));
        let plane = [0, 1].map(|i| (0..r).map(|d| v_t[(order[i], d)]).collect::<Vec<f64>>());
        let flat: Vec<[f64; 2]> = centers
            .iter()
            .map(|c| {
                let v = sub(c, &mean);
                [dot(&v, &plane[0]), dot(&v, &plane[1])]
            })
            .collect();
        let x = DMatrix::from_fn(m, 3, |i, j| if j < 2 { 2.0 * flat[i][j] } else { 1.0 });
        let y = DMatrix::from_fn(m, 1, |i, _| flat[i][0].powi(2) + flat[i][1].powi(2));
        let s = least_squares(&x, &y)?;
        let center = [s[(0, 0)], s[(1, 0)]];
        let radius = (s[(2, 0)] + center[0].powi(2) + center[1].powi(2)).sqrt();
        if !(radius.is_finite() && radius > 0.0) {
            return None;
        }
        let angle = |p: &[f64; 2]| (p[1] - center[1]).atan2(p[0] - center[0]);
        let phase = angle(&flat[0]);
        let limit = (2 * m).min(opts.max_states.max(m));
        let k = (m..=limit).find(|&k| {
            let steps: Vec<f64> = flat
                .iter()
                .map(|p| (angle(p) - phase).rem_euclid(TAU) * k as f64 / TAU)
                .collect();
            let on_steps = steps.iter().all(|s| (s - s.round()).abs() <= opts.coord_tol);
            let distinct: BTreeSet<i64> = steps.iter().map(|s| s.round() as i64 % k as i64).collect();
            on_steps && distinct.len() == m
        })?;
        let circle = Circle {
            proj: proj.clone(),
            mean,
            plane,
            center,
            radius,
            k,
            phase,
            coord_tol: opts.coord_tol,
            dist_tol: opts.coord_tol * 2.0 * radius * (std::f64::consts::PI / k as f64).sin(),
        };
        centers.iter().all(|c| circle.locate(c).is_some()).then_some(circle)
    }

    /// Step index of subspace point `u` and its distance from the ideal point of that step.
    fn locate(&self, u: &[f64]) -> Option<(i64, f64)> {
        let v = sub(u, &self.mean);
        let (a, b) = (dot(&v, &self.plane[0]), dot(&v, &self.plane[1]));
        let off_plane = (dot(&v, &v) - a * a - b * b).max(0.0).sqrt();
        let (da, db) = (a - self.center[0], b - self.center[1]);
        let rho = (da * da + db * db).sqrt();
        let steps = (db.atan2(da) - self.phase).rem_euclid(TAU) * self.k as f64 / TAU;
        let nearest = steps.round();
        if !((steps - nearest).abs() <= self.coord_tol
            && (rho - self.radius).abs() <= self.dist_tol
            && off_plane <= self.dist_tol)
        {
            return None;
        }
        let theta = self.phase + nearest * TAU / self.k as f64;
        let ideal = [
            self.center[0] + self.radius * theta.cos(),
            self.center[1] + self.radius * theta.sin(),
        ];
        let in_plane = norm(&[a - ideal[0], b - ideal[1]]);
        Some(((nearest as i64).rem_euclid(self.k as i64), in_plane.hypot(off_plane)))
    }
}

impl Quantizer for Circle {
    fn state_dim(&self) -> usize {
        1
    }

    fn initial(&self, h0: &[f64]) -> Option<Vec<i64>> {
        self.locate(&self.proj.apply(h0)).map(|(j, _)| vec![j])
    }

    fn read(&self, _: Option<&[i64]>, _: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        self.locate(&self.proj.apply(h)).map(|(j, d)| (vec![j], d))
    }

    fn state_bits(&self, state: &[i64]) -> f64 {
        phase_bits(state, self.k as i64)
    }
}

/// Bits of a phase `z` modulo `k`: `log2(1 + min(z, k − z))`.
fn phase_bits(state: &[i64], k: i64) -> f64 {
    let z = state.first().copied().unwrap_or(0).rem_euclid(k.max(1));
    (1.0 + z.min(k - z) as f64).log2()
}

/// Shifts the phases so the initial state is 0 and flips them so the first input (in sorted
/// order) that moves the initial state moves it forward by less than half a turn.
fn orient(sm: &StateMachine, k: i64) -> StateMachine {
    let start = sm.initial.first().copied().unwrap_or(0);
    let shift = |z: i64, sign: i64| vec![(sign * (z - start)).rem_euclid(k)];
    let shifted = rename(sm, &(0..k).map(|z| (vec![z], shift(z, 1))).collect(), 1);
    let forward = shifted
        .transitions
        .range((vec![0], vec![])..(vec![1], vec![]))
        .map(|(_, t)| t[0])
        .find(|&t| t != 0 && 2 * t != k)
        .is_none_or(|t| 2 * t < k);
    if forward {
        shifted
    } else {
        rename(sm, &(0..k).map(|z| (vec![z], shift(z, -1))).collect(), 1)
    }
}

/// The divisor `d` of `k` such that two states are equivalent exactly when they agree modulo
/// `d`, if the minimized machine has that coset structure with fewer states than `sm`.
fn coset_modulus(sm: &StateMachine, k: i64) -> Option<i64> {
    let classes = equivalence_classes(sm);
    let count = classes.values().collect::<BTreeSet<_>>().len() as i64;
    if count >= classes.len() as i64 || k % count != 0 {
        return None;
    }
    let by_residue: BTreeMap<i64, usize> = classes.iter().map(|(s, c)| (s[0].rem_euclid(count), *c)).collect();
    let consistent = classes.iter().all(|(s, c)| by_residue[&s[0].rem_euclid(count)] == *c)
        && by_residue.values().collect::<BTreeSet<_>>().len() as i64 == count;
    consistent.then_some(count)
}

/// The circle machine of `net`, from the first clustering whose centers lie on a circle and
/// whose tables are consistent and close up on held-out sequences.
pub fn extract(
    net: &Network,
    samples: &Samples,
    proj: &Projection,
    points: &Points,
    opts: &ExtractOptions,
) -> Result<Candidate, String> {
    let eps = opts.eps * points.scale.max(f64::MIN_POSITIVE);
    let mut reasons = Vec::new();
    for clustering in &clusterings(points, opts) {
        let Some(circle) = Circle::fit(proj, clustering, opts) else {
            continue;
        };
        let k = circle.k as i64;
        let outcome = build(net, samples, &circle, opts, eps).and_then(|built| {
            let oriented = orient(&built.machine, k);
            let modulus = coset_modulus(&oriented, k).unwrap_or(k);
            let names = oriented
                .transitions
                .values()
                .chain(oriented.outputs.keys())
                .chain([&oriented.initial])
                .map(|s| (s.clone(), vec![s[0].rem_euclid(modulus)]))
                .collect();
            let mut machine = rename(&oriented, &names, 1);
            machine.complete = is_complete(&machine);
            machine.state_names = vec![format!("phase_mod{modulus}")];
            let bits = move |s: &[i64]| phase_bits(s, modulus);
            let how = Finish {
                method: "circle",
                size: if modulus == k {
                    format!("mod {k}")
                } else {
                    format!("mod {modulus} (circle of {k})")
                },
                model_bits: PARAMETER_BITS * (3 * proj.dim() + 3) as f64,
                state_bits: &bits,
                finite: true,
            };
            finish(&built, machine, samples, opts, how)
        });
        match outcome {
            Ok(candidate) => return Ok(candidate),
            Err(e) => reasons.push(format!("circle of {k}: {e}")),
        }
    }
    if reasons.is_empty() {
        reasons.push("no clustering of the states lies on a circle".into());
    }
    Err(format!("circle: {}", reasons.join("; ")))
}
