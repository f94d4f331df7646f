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
//! the smallest description length (basis parameters + `Σ log2(1 + |z|)` + residual bits) is
//! tried first. Networks that are linear but not snapped get [`super::tracked`] lattices and a
//! lenient Krylov lattice after that, and growing recurrences whose hidden states drift off
//! every lattice the [`super::growth`] companion read through the output.

use mips_core::ir::{LatticeCoding, Network, Reading, exact_integer};
use nalgebra::DMatrix;

use super::candidate::{Candidate, Finish, PARAMETER_BITS, finish};
use super::collect::Samples;
use super::growth::Companion;
use super::linalg::{apply, axpy, dot, norm, pseudo_inverse, sub};
use super::linear::LinearModel;
use super::lll::{min_spacing, reduce};
use super::machine::{Quantizer, build, integer_bits};
use super::options::ExtractOptions;
use super::points::{Points, RESOLUTION, dedupe};
use super::subspace::Projection;
use super::tracked::Tracked;

/// Noise tolerances (relative to the spread of the states) at which the reduction finder runs.
const TOLERANCES: [f64; 8] = [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2];

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
        let z: Vec<i64> = c.iter().map(|v| exact_integer(*v)).collect::<Option<_>>()?;
        let mut residual = u.to_vec();
        for (b, zi) in self.basis.iter().zip(&z) {
            axpy(&mut residual, -(*zi as f64), b);
        }
        Some((z, norm(&residual)))
    }

    /// True when every point lies within the tolerance of a lattice point.
    fn fits(&self, points: &Points) -> bool {
        points
            .distinct
            .iter()
            .all(|(u, _)| self.coordinates(u).is_some_and(|(_, r)| r <= self.tol))
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

    fn coding(&self, net: &Network) -> Option<Box<LatticeCoding>> {
        let rows = self.proj.rows();
        let encoder = (0..self.pinv.nrows())
            .map(|k| {
                let coefficients: Vec<f64> = (0..self.pinv.ncols()).map(|j| self.pinv[(k, j)]).collect();
                self.proj.lift(&coefficients)
            })
            .collect();
        Some(Box::new(LatticeCoding {
            origin: self.proj.origin().to_vec(),
            basis: self.basis.iter().map(|b| self.proj.lift(b)).collect(),
            reading: Reading::Nearest { encoder },
            subspace: rows.to_vec(),
            tolerance: self.tol,
            relative_tolerance: 0.0,
            network: net.clone(),
        }))
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
/// bias, reduced to a basis. The flag says whether the chains were independent (the basis has
/// the network's own input scale and was not fitted to the data).
fn krylov_basis(model: &LinearModel) -> Option<(Vec<Vec<f64>>, bool)> {
    let r = model.dim();
    let mut generators = Vec::new();
    for source in model.inputs.iter().chain([&model.bias]) {
        let mut v = source.clone();
        for _ in 0..r {
            if !v.iter().all(|c| c.is_finite()) {
                break;
            }
            generators.push(v.clone());
            v = model.apply(&v);
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
/// description first, with their bits.
pub fn lattices(
    samples: &Samples,
    proj: &Projection,
    points: &Points,
    model: Option<&LinearModel>,
    opts: &ExtractOptions,
) -> Vec<(Lattice, f64)> {
    let mut bases: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
    if let Some((b, _)) = model.and_then(krylov_basis) {
        bases.push(("krylov".into(), b));
    }
    let gens = generators(samples, proj, points);
    for tol in TOLERANCES {
        if let Some(b) = reduction_basis(&gens, tol * points.scale, opts.min_gap) {
            bases.push((format!("reduction at {tol:.0e}"), b));
        }
    }
    let eps = opts.eps * points.scale;
    let mut fitting: Vec<(Lattice, f64)> = Vec::new();
    for (source, basis) in bases {
        let Some(lattice) = fix_signs(proj, basis, points).and_then(|b| Lattice::new(proj, b, opts.coord_tol, &source))
        else {
            continue;
        };
        if !lattice.fits(points) || fitting.iter().any(|(l, _)| same_lattice(l, &lattice)) {
            continue;
        }
        let bits = description_bits(&lattice, proj, points, eps);
        fitting.push((lattice, bits));
    }
    fitting.sort_by(|a, b| a.1.total_cmp(&b.1));
    fitting
}

/// One way of reading lattice coordinates, to be tried.
struct Trial {
    quantizer: Box<dyn Quantizer>,
    dim: usize,
    label: String,
}

/// Every lattice reading, in the order tried: fitting lattices (cheapest first); then, when
/// `lenient_tol` is positive, tracked Krylov lattices; then, when it exceeds `coord_tol`, the
/// Krylov lattice at that tolerance if its chains were independent (a linear network that is
/// not snapped drifts off its lattice a little; its basis has the network's own input scale, so
/// the wider tolerance cannot turn noise into states, and the tables and checks still decide);
/// last, when `lenient_tol` is positive (readings of networks that are not snapped), the
/// [`Companion`] of a growing recurrence read through the output.
fn trials(net: &Network, samples: &Samples, proj: &Projection, points: &Points, opts: &ExtractOptions) -> Vec<Trial> {
    let model = LinearModel::fit(samples, proj);
    let mut out: Vec<Trial> = lattices(samples, proj, points, model.as_ref(), opts)
        .into_iter()
        .map(|(l, _)| Trial {
            dim: l.dim(),
            label: l.source.clone(),
            quantizer: Box::new(l),
        })
        .collect();
    let Some(model) = model else { return out };
    if opts.lenient_tol > 0.0 {
        for t in Tracked::candidates(proj, &model, opts.coord_tol, opts.lenient_tol) {
            let label = if t.counts_steps() {
                "tracked krylov, with step count"
            } else {
                "tracked krylov"
            };
            out.push(Trial {
                dim: t.dim(),
                label: label.into(),
                quantizer: Box::new(t),
            });
        }
    }
    if opts.lenient_tol > opts.coord_tol
        && let Some((basis, true)) = krylov_basis(&model)
        && let Some(lattice) =
            fix_signs(proj, basis, points).and_then(|b| Lattice::new(proj, b, opts.lenient_tol, "krylov, lenient"))
        && lattice.fits(points)
    {
        out.push(Trial {
            dim: lattice.dim(),
            label: lattice.source.clone(),
            quantizer: Box::new(lattice),
        });
    }
    if opts.lenient_tol > 0.0
        && let Some(companion) = Companion::find(net, samples, proj, &model)
    {
        out.push(Trial {
            dim: companion.dim(),
            label: "output companion".into(),
            quantizer: Box::new(companion),
        });
    }
    out
}

/// The lattice machine of `net`: the first lattice reading (see [`trials`]) whose tables are
/// consistent and which passes the closure, held-out and memorization checks.
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
    let trials = trials(net, samples, proj, points, opts);
    if trials.is_empty() {
        return Err("lattice: no integer lattice fits the hidden states".into());
    }
    let eps = opts.eps * points.scale;
    let mut reasons = Vec::new();
    for trial in trials {
        let outcome = build(net, samples, trial.quantizer.as_ref(), opts, eps).and_then(|built| {
            let mut machine = built.machine.clone();
            machine.state_names = (0..trial.dim).map(|j| format!("z{j}")).collect();
            let how = Finish {
                method: "lattice",
                size: format!("dim {} ({})", trial.dim, trial.label),
                model_bits: PARAMETER_BITS * (trial.dim * proj.dim()) as f64,
                state_bits: &integer_bits,
                finite: false,
            };
            let mut candidate = finish(&built, machine, samples, opts, how)?;
            candidate.machine.coding = trial.quantizer.coding(net);
            Ok(candidate)
        });
        match outcome {
            Ok(candidate) => return Ok(candidate),
            Err(e) => reasons.push(format!("dim {} ({}): {e}", trial.dim, trial.label)),
        }
    }
    Err(format!("lattice: {}", reasons.join("; ")))
}
