//! Integer lattice autoencoder: a basis `A` and offset `b = h0` with `h ≈ b + A z`, `z`
//! integer, in the subspace the network reads. Two finders propose bases:
//!
//! - linear (Krylov): regress `u_t` on `[u_{t-1}, x_t, 1]`, take `W_x, W_h W_x, W_h² W_x, …`
//!   (and the same chain from the bias), reduce;
//! - reduction: feed the step differences and the points themselves, shortest first, into an
//!   incremental LLL with deletion, at a ladder of noise tolerances; works in any dimension.
//!
//! A basis is kept only if every core state lies within `coord_tol` lattice spacings of a
//! lattice point and the spacing is at least `min_gap` times the noise tolerance; among those,
//! the smallest description length (basis parameters + `Σ log2(1 + |z|)` + residual bits) wins.

use mips_core::ir::Network;
use nalgebra::DMatrix;

use super::candidate::{Candidate, Finish, PARAMETER_BITS, finish};
use super::collect::Samples;
use super::linalg::{apply, axpy, dot, least_squares, norm, pseudo_inverse, sub};
use super::lll::{min_spacing, reduce};
use super::machine::{Quantizer, build, integer_bits};
use super::options::ExtractOptions;
use super::points::{Points, RESOLUTION, dedupe};
use super::subspace::Projection;

/// Noise tolerances (relative to the spread of the states) at which the reduction finder runs.
const TOLERANCES: [f64; 8] = [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2];
/// Records used for the linear regression of the Krylov finder.
const REGRESSION_ROWS: usize = 20_000;

/// A lattice quantizer: `z = round(A⁺ u)` for the projected state `u`.
#[derive(Clone, Debug)]
pub struct Lattice {
    proj: Projection,
    basis: Vec<Vec<f64>>,
    pinv: DMatrix<f64>,
    tol: f64,
    /// Which finder proposed the basis.
    pub source: String,
}

impl Lattice {
    /// The lattice spanned by `basis` (subspace coordinates), accepting points within
    /// `coord_tol` lattice spacings; `None` for a dependent or empty basis.
    pub fn new(proj: &Projection, basis: Vec<Vec<f64>>, coord_tol: f64, source: &str) -> Option<Lattice> {
        if basis.is_empty() {
            return None;
        }
        let pinv = pseudo_inverse(&basis, proj.dim())?;
        let tol = coord_tol * min_spacing(&basis);
        Some(Lattice {
            proj: proj.clone(),
            basis,
            pinv,
            tol,
            source: source.to_string(),
        })
    }

    /// Lattice dimension.
    pub fn dim(&self) -> usize {
        self.basis.len()
    }

    /// Integer coordinates of subspace point `u` and its distance from that lattice point.
    fn coordinates(&self, u: &[f64]) -> Option<(Vec<i64>, f64)> {
        let c = apply(&self.pinv, u);
        if c.iter().any(|v| !v.is_finite() || v.abs() > 1e15) {
            return None;
        }
        let z: Vec<i64> = c.iter().map(|v| v.round() as i64).collect();
        let mut residual = u.to_vec();
        for (b, zi) in self.basis.iter().zip(&z) {
            axpy(&mut residual, -(*zi as f64), b);
        }
        Some((z, norm(&residual)))
    }

    /// Largest distance of the points from the lattice, if every point has coordinates.
    fn worst_residual(&self, points: &Points) -> Option<f64> {
        points
            .distinct
            .iter()
            .map(|(u, _)| self.coordinates(u).map(|(_, r)| r))
            .try_fold(0.0, |acc: f64, r| r.map(|r| acc.max(r)))
    }
}

impl Lattice {
    /// The lattice point of hidden state `h`, if `h` is within the tolerance of one.
    fn quantize(&self, h: &[f64]) -> Option<(Vec<i64>, f64)> {
        let u = self.proj.apply(h);
        self.coordinates(&u).filter(|(_, r)| *r <= self.tol)
    }
}

impl Quantizer for Lattice {
    fn state_dim(&self) -> usize {
        self.basis.len()
    }

    fn initial(&self, h0: &[f64]) -> Option<Vec<i64>> {
        self.quantize(h0).map(|(s, _)| s)
    }

    fn read(&self, _: Option<&[i64]>, _: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        self.quantize(h)
    }
}

/// Subtracts from each vector the rounded projections on the earlier ones (Gram–Schmidt
/// size reduction), keeping the order and the lattice.
fn size_reduce(mut basis: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut star: Vec<Vec<f64>> = Vec::new();
    for j in 0..basis.len() {
        for i in (0..j).rev() {
            let ss = dot(&star[i], &star[i]);
            if ss > 0.0 {
                let r = (dot(&basis[j], &star[i]) / ss).round();
                let bi = basis[i].clone();
                axpy(&mut basis[j], -r, &bi);
            }
        }
        let mut s = basis[j].clone();
        for prev in &star {
            let pp = dot(prev, prev);
            if pp > 0.0 {
                axpy(&mut s, -dot(&basis[j], prev) / pp, prev);
            }
        }
        star.push(s);
    }
    basis
}

/// Linear finder: Krylov chains of the regressed recurrence, from the input columns and the
/// bias, reduced to a basis.
/// The flag says whether the chains were independent (the basis has the network's own input
/// scale and was not fitted to the data).
fn krylov_basis(samples: &Samples, proj: &Projection) -> Option<(Vec<Vec<f64>>, bool)> {
    let r = proj.dim();
    let inputs = samples.input_dim;
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
    let p = r + inputs + 1;
    let x = DMatrix::from_fn(rows.len(), p, |i, j| rows[i].0[j]);
    let y = DMatrix::from_fn(rows.len(), r, |i, j| rows[i].1[j]);
    let b = least_squares(&x, &y)?;
    let w_h = |v: &[f64]| -> Vec<f64> { (0..r).map(|i| (0..r).map(|j| b[(j, i)] * v[j]).sum()).collect() };
    let mut generators = Vec::new();
    for col in r..p {
        let mut v: Vec<f64> = (0..r).map(|i| b[(col, i)]).collect();
        for _ in 0..r {
            if !v.iter().all(|c| c.is_finite()) {
                break;
            }
            generators.push(v.clone());
            v = w_h(&v);
        }
    }
    let largest = generators.iter().map(|v| norm(v)).fold(0.0, f64::max);
    if largest <= 0.0 {
        return None;
    }
    let zero_tol = largest * 1e-6;
    let kept: Vec<Vec<f64>> = generators.into_iter().filter(|v| norm(v) >= zero_tol).collect();
    let independent = kept.len() <= r && pseudo_inverse(&kept, r).is_some();
    if independent {
        Some((size_reduce(kept), true))
    } else {
        reduce(&kept, zero_tol).map(|b| (b, false))
    }
}

/// Reduction finder: the lattice generated by the step differences and the points (relative to
/// `h0`), built incrementally, shortest generators first; `None` when its spacing falls below
/// `min_gap · zero_tol` (the data are not on a lattice at this tolerance).
fn reduction_basis(generators: &[Vec<f64>], zero_tol: f64, min_gap: f64) -> Option<Vec<Vec<f64>>> {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut pinv: Option<DMatrix<f64>> = None;
    let dim = generators.first().map_or(0, Vec::len);
    for g in generators {
        if norm(g) < zero_tol {
            continue;
        }
        if let Some(p) = &pinv {
            let c = apply(p, g);
            let mut residual = g.clone();
            for (b, ci) in basis.iter().zip(&c) {
                axpy(&mut residual, -ci.round(), b);
            }
            if norm(&residual) <= zero_tol {
                continue;
            }
        }
        let mut set = basis.clone();
        set.push(g.clone());
        basis = reduce(&set, zero_tol)?;
        if min_spacing(&basis) < min_gap * zero_tol {
            return None;
        }
        pinv = Some(pseudo_inverse(&basis, dim)?);
    }
    (!basis.is_empty()).then_some(basis)
}

/// Step differences and points of the core data, de-duplicated, shortest first.
fn generators(samples: &Samples, proj: &Projection, points: &Points) -> Vec<Vec<f64>> {
    let mut all: Vec<Vec<f64>> = samples
        .core_records()
        .map(|rec| sub(&proj.apply(rec.next), &proj.apply(rec.prev)))
        .collect();
    all.extend(points.distinct.iter().map(|(u, _)| u.clone()));
    let mut distinct: Vec<Vec<f64>> = dedupe(&all, points.scale * RESOLUTION)
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    distinct.retain(|g| g.iter().all(|v| v.is_finite()));
    distinct.sort_by(|a, b| norm(a).total_cmp(&norm(b)));
    distinct
}

/// Flips basis vectors so that the coordinates of the data sum to a non-negative number (ties:
/// first nonzero component positive).
fn fix_signs(proj: &Projection, mut basis: Vec<Vec<f64>>, points: &Points) -> Option<Vec<Vec<f64>>> {
    let pinv = pseudo_inverse(&basis, proj.dim())?;
    let mut sums = vec![0.0; basis.len()];
    for (u, count) in &points.distinct {
        for (s, c) in sums.iter_mut().zip(apply(&pinv, u)) {
            *s += c.round() * *count as f64;
        }
    }
    for (b, s) in basis.iter_mut().zip(sums) {
        let first = b.iter().copied().find(|v| v.abs() > 1e-12).unwrap_or(0.0);
        if s < 0.0 || (s == 0.0 && first < 0.0) {
            b.iter_mut().for_each(|v| *v = -*v);
        }
    }
    Some(basis)
}

/// True when the two lattices coincide (each basis vector has integer coordinates in the other).
fn same_lattice(a: &Lattice, b: &Lattice) -> bool {
    let inside = |x: &Lattice, y: &Lattice| {
        y.basis.iter().all(|v| {
            x.coordinates(v)
                .is_some_and(|(_, r)| r <= 1e-6 * min_spacing(&x.basis).max(f64::MIN_POSITIVE))
        })
    };
    a.dim() == b.dim() && inside(a, b) && inside(b, a)
}

/// Description length of the core states on `lattice`: basis parameters, `Σ log2(1 + |z|)` and
/// residual bits at resolution `eps`.
fn description_bits(lattice: &Lattice, proj: &Projection, points: &Points, eps: f64) -> f64 {
    let mut bits = PARAMETER_BITS * (lattice.dim() * proj.dim()) as f64;
    for u in &points.all {
        if let Some((z, r)) = lattice.coordinates(u) {
            bits += integer_bits(&z) + (1.0 + r / eps).log2();
        }
    }
    bits
}

/// Candidate lattices that fit every core state within `coord_tol` spacings, cheapest
/// description first, with their bits; then, when `lenient_tol` is larger, the Krylov lattice
/// at that tolerance if its chains were independent (a network that is linear but not snapped
/// drifts off its lattice a little; its basis has the network's own input scale, so the wider
/// tolerance cannot turn noise into states, and the tables and held-out check still decide).
pub fn lattices(samples: &Samples, proj: &Projection, points: &Points, opts: &ExtractOptions) -> Vec<(Lattice, f64)> {
    let krylov = krylov_basis(samples, proj);
    let mut bases: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
    if let Some((b, _)) = &krylov {
        bases.push(("krylov".into(), b.clone()));
    }
    let gens = generators(samples, proj, points);
    for tol in TOLERANCES {
        if let Some(b) = reduction_basis(&gens, tol * points.scale, opts.min_gap) {
            bases.push((format!("reduction at {tol:.0e}"), b));
        }
    }
    let eps = opts.eps * points.scale;
    let fits = |lattice: &Lattice| lattice.worst_residual(points).is_some_and(|r| r <= lattice.tol);
    let mut fitting: Vec<(Lattice, f64)> = Vec::new();
    for (source, basis) in bases {
        let Some(lattice) = fix_signs(proj, basis, points).and_then(|b| Lattice::new(proj, b, opts.coord_tol, &source))
        else {
            continue;
        };
        if !fits(&lattice) || fitting.iter().any(|(l, _)| same_lattice(l, &lattice)) {
            continue;
        }
        let bits = description_bits(&lattice, proj, points, eps);
        fitting.push((lattice, bits));
    }
    fitting.sort_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((basis, true)) = krylov
        && opts.lenient_tol > opts.coord_tol
        && let Some(lattice) =
            fix_signs(proj, basis, points).and_then(|b| Lattice::new(proj, b, opts.lenient_tol, "krylov, lenient"))
        && fits(&lattice)
    {
        let bits = description_bits(&lattice, proj, points, eps);
        fitting.push((lattice, bits));
    }
    fitting
}

/// The lattice machine of `net`: the cheapest fitting lattice whose tables are consistent and
/// which holds on held-out sequences.
pub fn extract(
    net: &Network,
    samples: &Samples,
    proj: &Projection,
    points: &Points,
    opts: &ExtractOptions,
) -> Result<Candidate, String> {
    if proj.dim() == 0 || points.scale <= 0.0 || !points.scale.is_finite() {
        return Err("lattice: the hidden states do not vary along any direction the network reads".into());
    }
    let candidates = lattices(samples, proj, points, opts);
    if candidates.is_empty() {
        return Err("lattice: no integer lattice fits the hidden states".into());
    }
    let eps = opts.eps * points.scale;
    let mut reasons = Vec::new();
    for (lattice, _) in candidates {
        let outcome = build(net, samples, &lattice, opts, eps).and_then(|built| {
            let mut machine = built.machine.clone();
            machine.state_names = (0..lattice.dim()).map(|j| format!("z{j}")).collect();
            let how = Finish {
                method: "lattice",
                size: format!("dim {} ({})", lattice.dim(), lattice.source),
                model_bits: PARAMETER_BITS * (lattice.dim() * proj.dim()) as f64,
                state_bits: &integer_bits,
                finite: false,
            };
            finish(&built, machine, samples, opts, how)
        });
        match outcome {
            Ok(candidate) => return Ok(candidate),
            Err(e) => reasons.push(format!("dim {} ({}): {e}", lattice.dim(), lattice.source)),
        }
    }
    Err(format!("lattice: {}", reasons.join("; ")))
}
