//! The real Jordan normal form of a small square matrix, computed robustly:
//!
//! 1. eigenvalues from a real Schur decomposition; those closer than the tolerance (scaled by the
//!    spectral radius, at least 1) are grouped and replaced by their mean, and imaginary parts
//!    within the tolerance count as real;
//! 2. for each group `λ` of multiplicity `m`, its generalized eigenspace is spanned by the `m`
//!    right singular vectors of `(W − λI)^m` with the smallest singular values (complex
//!    arithmetic for complex `λ`);
//! 3. inside that space, `W − λI` is (nearly) nilpotent; Jordan chains are built top-down from
//!    the SVD null spaces of its powers (singular values up to 1e-3 of the scale, or the
//!    grouping tolerance when smaller, count as zero), each new chain head chosen as far as
//!    possible from the kernels of lower powers and from the chains already found;
//! 4. a complex chain `p = u + iv` for `λ = a + ib` (`b > 0`) becomes the real columns
//!    `u, v`, on which `W` acts by the rotation-scaling block `[[a, b], [−b, a]]`.
//!
//! Each chain `p_1, …, p_L` (`p_1` the eigenvector) satisfies `W p_j = λ p_j + p_{j−1}`, so in
//! the basis of all chains `T⁻¹WT` has the eigenvalues (or 2×2 blocks) on the diagonal and ones
//! (or 2×2 identities) on the superdiagonal within each block. Chains are scaled so their
//! longest vector has unit norm and their eigenvector's largest entry is real and positive.

use nalgebra::{Complex, ComplexField, DMatrix, DVector, Schur};

use super::linalg::{kernel, range_basis, right_singular, smallest_right_singular};

/// One Jordan block of the real form.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The eigenvalue; a complex one (imaginary part > 0) stands for the conjugate pair.
    pub eigenvalue: Complex<f64>,
    /// Chain length; the block spans `len` coordinates (real) or `2·len` (complex pair).
    pub len: usize,
}

impl Block {
    /// Coordinates per chain vector: 1 for a real eigenvalue, 2 for a complex pair.
    pub fn width(&self) -> usize {
        if self.eigenvalue.im == 0.0 { 1 } else { 2 }
    }
}

/// A real Jordan basis: `T⁻¹WT` is block diagonal with `blocks` in order.
#[derive(Clone, Debug)]
pub struct RealJordan {
    /// The basis vectors as columns of `T`.
    pub basis: DMatrix<f64>,
    pub blocks: Vec<Block>,
}

/// A group of near-equal eigenvalues.
struct Cluster {
    value: Complex<f64>,
    count: usize,
}

/// The eigenvalues of `w`, read off its real Schur form (2×2 diagonal blocks with a
/// non-negative discriminant, which the Schur iteration may leave undecoupled, give two real
/// eigenvalues).
fn eigenvalues(w: &DMatrix<f64>) -> Result<Vec<Complex<f64>>, String> {
    let (_, t) = Schur::try_new(w.clone(), f64::EPSILON, 100_000)
        .ok_or("Schur decomposition did not converge")?
        .unpack();
    let n = t.nrows();
    let mut out = Vec::with_capacity(n);
    let mut m = 0;
    while m < n {
        if m + 1 == n || t[(m + 1, m)] == 0.0 {
            out.push(Complex::new(t[(m, m)], 0.0));
            m += 1;
            continue;
        }
        let half_trace = (t[(m, m)] + t[(m + 1, m + 1)]) / 2.0;
        let half_gap = (t[(m, m)] - t[(m + 1, m + 1)]) / 2.0;
        let discriminant = t[(m + 1, m)] * t[(m, m + 1)] + half_gap * half_gap;
        let root = discriminant.abs().sqrt();
        if discriminant >= 0.0 {
            out.extend([
                Complex::new(half_trace + root, 0.0),
                Complex::new(half_trace - root, 0.0),
            ]);
        } else {
            out.extend([Complex::new(half_trace, root), Complex::new(half_trace, -root)]);
        }
        m += 2;
    }
    if out.iter().any(|e| !e.re.is_finite() || !e.im.is_finite()) {
        return Err("eigenvalues are not finite".into());
    }
    Ok(out)
}

/// Relative tolerance of the rank decisions on the nilpotent part (capped by the grouping
/// tolerance): finer than the grouping, since a true Jordan chain in a skewed basis can couple
/// its vectors weakly, while near-equal eigenvalues leave only products of their (small)
/// differences.
const RANK_TOL: f64 = 1e-3;

/// Groups the eigenvalues of `w` within `tol` (relative to the spectral radius, at least 1);
/// complex ones are returned once (upper half). Also returns the absolute rank tolerance.
fn clusters(w: &DMatrix<f64>, tol: f64) -> Result<(Vec<Cluster>, f64), String> {
    let eigenvalues = eigenvalues(w)?;
    let scale = eigenvalues.iter().map(|e| e.norm()).fold(1.0, f64::max);
    let eps = tol * scale;
    let mut reals: Vec<f64> = eigenvalues.iter().filter(|e| e.im.abs() <= eps).map(|e| e.re).collect();
    let upper: Vec<Complex<f64>> = eigenvalues.iter().filter(|e| e.im > eps).copied().collect();
    let lower = eigenvalues.iter().filter(|e| e.im < -eps).count();
    if lower != upper.len() {
        return Err("eigenvalues do not come in conjugate pairs".into());
    }
    reals.sort_by(f64::total_cmp);
    let mut out = Vec::new();
    let mut group: Vec<f64> = Vec::new();
    for r in reals {
        if group.last().is_some_and(|last| r - last > eps) {
            out.push(mean_cluster(group.iter().map(|&v| Complex::new(v, 0.0))));
            group.clear();
        }
        group.push(r);
    }
    if !group.is_empty() {
        out.push(mean_cluster(group.iter().map(|&v| Complex::new(v, 0.0))));
    }
    // Single-linkage grouping of the upper-half complex eigenvalues.
    let mut label: Vec<usize> = (0..upper.len()).collect();
    for i in 0..upper.len() {
        for j in 0..i {
            if (upper[i] - upper[j]).norm() <= eps {
                let (from, to) = (label[i].max(label[j]), label[i].min(label[j]));
                label.iter_mut().filter(|l| **l == from).for_each(|l| *l = to);
            }
        }
    }
    let mut seen: Vec<usize> = label.clone();
    seen.sort_unstable();
    seen.dedup();
    for l in seen {
        let members = upper.iter().zip(&label).filter(|(_, m)| **m == l).map(|(v, _)| *v);
        out.push(mean_cluster(members));
    }
    out.sort_by(|a, b| {
        (b.value.norm().total_cmp(&a.value.norm()))
            .then(b.value.re.total_cmp(&a.value.re))
            .then(b.value.im.total_cmp(&a.value.im))
    });
    Ok((out, tol.min(RANK_TOL) * scale))
}

fn mean_cluster(values: impl Iterator<Item = Complex<f64>>) -> Cluster {
    let values: Vec<Complex<f64>> = values.collect();
    let sum: Complex<f64> = values.iter().sum();
    Cluster {
        value: sum / values.len() as f64,
        count: values.len(),
    }
}

/// Jordan chains `[p_1, …, p_L]` of the eigenvalue group `(λ, m)` of `w`, longest first.
fn cluster_chains<T: ComplexField<RealField = f64>>(
    w: &DMatrix<T>,
    lambda: T,
    m: usize,
    eps: f64,
) -> Result<Vec<Vec<DVector<T>>>, String> {
    let n = w.nrows();
    let shifted = w - DMatrix::<T>::identity(n, n) * lambda;
    let mut power = shifted.clone();
    for _ in 1..m {
        power = &shifted * power;
    }
    let space = smallest_right_singular(&power, m)?;
    let nilpotent = space.adjoint() * &shifted * &space;
    let chains = nilpotent_chains(&nilpotent, eps)?;
    Ok(chains
        .into_iter()
        .map(|chain| chain.iter().map(|p| &space * p).collect())
        .collect())
}

/// Jordan chains of a (nearly) nilpotent matrix: singular values up to `eps` count as zero.
/// A matrix that is not nilpotent to that precision (a group of near-equal but distinct
/// eigenvalues) still gets a consistent chain structure, from the smallest singular values.
fn nilpotent_chains<T: ComplexField<RealField = f64>>(
    m: &DMatrix<T>,
    eps: f64,
) -> Result<Vec<Vec<DVector<T>>>, String> {
    let size = m.nrows();
    // kernels[k] spans the kernel of m^k; the last one is the whole space. The dimensions are
    // kept consistent with some Jordan structure: each power adds at least one dimension (the
    // part is nilpotent by construction) and no more than the previous power added.
    let mut kernels = vec![DMatrix::<T>::zeros(size, 0)];
    let mut power = DMatrix::<T>::identity(size, size);
    let mut added = size;
    while let Some(previous) = kernels.last().map(|k| k.ncols()).filter(|&d| d < size) {
        power = m * power;
        let found = kernel(&power, eps)?.ncols();
        let dim = found.clamp(previous + 1, previous + added).min(size);
        added = dim - previous;
        kernels.push(smallest_right_singular(&power, dim)?);
    }
    let mut heads: Vec<(DVector<T>, usize)> = Vec::new();
    for k in (1..kernels.len()).rev() {
        let at_least_k = kernels[k].ncols() - kernels[k - 1].ncols();
        let need = at_least_k
            .checked_sub(heads.len())
            .ok_or("inconsistent Jordan structure (kernel dimensions)")?;
        if need == 0 {
            continue;
        }
        let mut taken: Vec<DVector<T>> = kernels[k - 1].column_iter().map(|c| c.into_owned()).collect();
        for (v, len) in &heads {
            taken.push(apply_power(m, v, len - k));
        }
        let taken = if taken.is_empty() {
            DMatrix::zeros(size, 0)
        } else {
            DMatrix::from_columns(&taken)
        };
        let q = range_basis(&taken)?;
        let outside = &kernels[k] - &q * (q.adjoint() * &kernels[k]);
        let (_, directions) = right_singular(&outside)?;
        for j in 0..need {
            heads.push((&kernels[k] * directions.column(j), k));
        }
    }
    if heads.iter().map(|(_, len)| len).sum::<usize>() != size {
        return Err("inconsistent Jordan structure (chain lengths)".into());
    }
    Ok(heads
        .into_iter()
        .map(|(v, len)| (0..len).rev().map(|j| apply_power(m, &v, j)).collect())
        .collect())
}

fn apply_power<T: ComplexField<RealField = f64>>(m: &DMatrix<T>, v: &DVector<T>, power: usize) -> DVector<T> {
    (0..power).fold(v.clone(), |acc, _| m * acc)
}

/// Scales a chain so its longest vector has unit norm and the largest entry of its first vector
/// is real and positive.
fn normalize<T: ComplexField<RealField = f64>>(chain: &mut [DVector<T>]) {
    let longest = chain.iter().map(|p| p.norm()).fold(0.0, f64::max);
    let modulus = |v: &T| v.clone().modulus();
    let Some(pivot) = chain[0]
        .iter()
        .max_by(|a, b| modulus(a).total_cmp(&modulus(b)))
        .cloned()
    else {
        return;
    };
    if longest == 0.0 || pivot.clone().modulus() == 0.0 {
        return;
    }
    let factor = pivot.clone().conjugate() * T::from_real(1.0 / (pivot.modulus() * longest));
    for p in chain.iter_mut() {
        *p *= factor.clone();
    }
}

/// The real Jordan basis of `w`, grouping eigenvalues within `tol` (relative to the spectral
/// radius, at least 1).
pub fn real_jordan(w: &DMatrix<f64>, tol: f64) -> Result<RealJordan, String> {
    let n = w.nrows();
    if w.iter().any(|v| !v.is_finite()) {
        return Err("matrix has a non-finite entry".into());
    }
    if n == 0 {
        return Ok(RealJordan {
            basis: DMatrix::zeros(0, 0),
            blocks: Vec::new(),
        });
    }
    let (groups, eps) = clusters(w, tol)?;
    let mut columns: Vec<DVector<f64>> = Vec::new();
    let mut blocks = Vec::new();
    for group in groups {
        if group.value.im == 0.0 {
            for mut chain in cluster_chains(w, group.value.re, group.count, eps)? {
                normalize(&mut chain);
                blocks.push(Block {
                    eigenvalue: group.value,
                    len: chain.len(),
                });
                columns.extend(chain);
            }
        } else {
            let wc = w.map(|v| Complex::new(v, 0.0));
            for mut chain in cluster_chains(&wc, group.value, group.count, eps)? {
                normalize(&mut chain);
                blocks.push(Block {
                    eigenvalue: group.value,
                    len: chain.len(),
                });
                for p in chain {
                    columns.push(p.map(|c| c.re));
                    columns.push(p.map(|c| c.im));
                }
            }
        }
    }
    if columns.len() != n {
        return Err(format!(
            "found {} Jordan basis vectors for a {n}×{n} matrix",
            columns.len()
        ));
    }
    Ok(RealJordan {
        basis: DMatrix::from_columns(&columns),
        blocks,
    })
}

/// The real Jordan matrix of `blocks`: eigenvalues (or `[[a, b], [−b, a]]`) on the diagonal,
/// ones (or 2×2 identities) on the superdiagonal of each block.
pub fn jordan_matrix(blocks: &[Block]) -> DMatrix<f64> {
    let n: usize = blocks.iter().map(|b| b.width() * b.len).sum();
    let mut j = DMatrix::zeros(n, n);
    let mut at = 0;
    for b in blocks {
        let w = b.width();
        for k in 0..b.len {
            let s = at + k * w;
            if w == 1 {
                j[(s, s)] = b.eigenvalue.re;
            } else {
                let (re, im) = (b.eigenvalue.re, b.eigenvalue.im);
                j[(s, s)] = re;
                j[(s + 1, s + 1)] = re;
                j[(s, s + 1)] = im;
                j[(s + 1, s)] = -im;
            }
            if k > 0 {
                for d in 0..w {
                    j[(s - w + d, s + d)] = 1.0;
                }
            }
        }
        at += w * b.len;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::linalg::condition_number;

    fn skew(n: usize) -> DMatrix<f64> {
        DMatrix::from_fn(n, n, |i, j| {
            if i == j {
                1.0
            } else {
                0.3 * ((i * 7 + j * 3) % 5) as f64 - 0.6
            }
        })
    }

    fn check(blocks: Vec<Block>) {
        let j = jordan_matrix(&blocks);
        let s = skew(j.nrows());
        let w = &s * &j * s.clone().try_inverse().unwrap();
        let found = real_jordan(&w, 1e-3).unwrap();
        assert_eq!(found.blocks.len(), blocks.len(), "{:?}", found.blocks);
        for (a, b) in found.blocks.iter().zip(&blocks) {
            assert!(
                a.len == b.len && (a.eigenvalue - b.eigenvalue).norm() < 1e-6,
                "{:?}",
                found.blocks
            );
        }
        let t = &found.basis;
        assert!(condition_number(t).unwrap() < 1e6);
        let back = t.clone().try_inverse().unwrap() * &w * t;
        assert!(
            (back - j).norm() < 1e-6,
            "not Jordan: {}",
            t.clone().try_inverse().unwrap() * &w * t
        );
    }

    fn real(v: f64, len: usize) -> Block {
        Block {
            eigenvalue: Complex::new(v, 0.0),
            len,
        }
    }

    #[test]
    fn diagonalizable_real() {
        check(vec![real(2.0, 1), real(1.0, 1), real(-0.5, 1)]);
    }

    #[test]
    fn chains_and_repeated_eigenvalues() {
        check(vec![real(1.0, 3), real(1.0, 1), real(0.0, 2)]);
        check(vec![real(0.0, 2), real(0.0, 2)]);
    }

    #[test]
    fn complex_pairs_with_chains() {
        let rot = Block {
            eigenvalue: Complex::new(0.5, 0.8),
            len: 2,
        };
        check(vec![rot, real(0.3, 1)]);
    }

    #[test]
    fn near_equal_eigenvalues_group() {
        let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0 + 1e-5]);
        let found = real_jordan(&w, 1e-3).unwrap();
        assert_eq!(found.blocks.len(), 2);
        assert!((found.blocks[0].eigenvalue.re - (1.0 + 5e-6)).abs() < 1e-12);
    }
}
