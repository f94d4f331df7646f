//! Lattice reduction over the reals: LLL with deletion of dependent generators (vectors that
//! reduce to below a noise tolerance), so a generating set of any size and dimension becomes a
//! short, nearly orthogonal basis of the lattice it generates.

use super::linalg::{axpy, dot, norm};

/// Lovász constant.
const DELTA: f64 = 0.99;
/// Bound on swaps and size reductions; noisy, nearly dense data give up instead of looping.
const MAX_ITERATIONS: usize = 20_000;

/// Gram–Schmidt vectors of `b` (not normalized).
fn gram_schmidt(b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(b.len());
    for v in b {
        let mut s = v.clone();
        for prev in &out {
            let pp = dot(prev, prev);
            if pp > 0.0 {
                axpy(&mut s, -dot(v, prev) / pp, prev);
            }
        }
        out.push(s);
    }
    out
}

/// Reduces the generating set `generators` to an LLL-reduced basis of the lattice it
/// generates. Vectors shorter than `zero_tol` count as zero (noise) and are dropped; `None` when
/// the reduction does not settle (typically: the points are not on a lattice at this tolerance).
pub fn reduce(generators: &[Vec<f64>], zero_tol: f64) -> Option<Vec<Vec<f64>>> {
    let mut b: Vec<Vec<f64>> = generators.iter().filter(|v| norm(v) >= zero_tol).cloned().collect();
    if b.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    let mut star = gram_schmidt(&b[..b.len().min(1)]);
    let mut k = 1;
    let mut iterations = 0;
    while k < b.len() {
        iterations += 1;
        if iterations > MAX_ITERATIONS {
            return None;
        }
        for j in (0..k).rev() {
            let ss = dot(&star[j], &star[j]);
            if ss <= 0.0 {
                continue;
            }
            let r = (dot(&b[k], &star[j]) / ss).round();
            if !r.is_finite() || r.abs() > 1e12 {
                return None;
            }
            if r != 0.0 {
                let bj = b[j].clone();
                axpy(&mut b[k], -r, &bj);
            }
        }
        if norm(&b[k]) < zero_tol {
            b.remove(k);
            continue;
        }
        let mut s = b[k].clone();
        let mut mu_last = 0.0;
        for (j, prev) in star.iter().enumerate().take(k) {
            let pp = dot(prev, prev);
            let mu = if pp > 0.0 { dot(&b[k], prev) / pp } else { 0.0 };
            if j + 1 == k {
                mu_last = mu;
            }
            axpy(&mut s, -mu, prev);
        }
        let last = dot(&star[k - 1], &star[k - 1]);
        if dot(&s, &s) >= (DELTA - mu_last * mu_last) * last {
            star.truncate(k);
            star.push(s);
            k += 1;
        } else {
            b.swap(k, k - 1);
            k = (k - 1).max(1);
            star = gram_schmidt(&b[..k]);
        }
    }
    Some(b)
}

/// Length of the shortest Gram–Schmidt vector of `basis`: the smallest spacing of the lattice
/// along any of its directions (0 for an empty basis).
pub fn min_spacing(basis: &[Vec<f64>]) -> f64 {
    if basis.is_empty() {
        return 0.0;
    }
    gram_schmidt(basis)
        .iter()
        .map(|v| norm(v))
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det2(b: &[Vec<f64>]) -> f64 {
        b[0][0] * b[1][1] - b[0][1] * b[1][0]
    }

    #[test]
    fn reduces_a_skewed_basis() {
        let b = reduce(&[vec![1.0, 0.0], vec![17.0, 1.0]], 1e-9).unwrap();
        assert_eq!(b.len(), 2);
        assert!((det2(&b).abs() - 1.0).abs() < 1e-9);
        assert!(b.iter().all(|v| (norm(v) - 1.0).abs() < 1e-9), "{b:?}");
    }

    #[test]
    fn dependent_generators_give_the_gcd() {
        // 6 and 10 generate 2Z; 0.3 and 0.5 along another axis generate 0.1Z.
        let b = reduce(&[vec![6.0], vec![10.0], vec![14.0]], 1e-9).unwrap();
        assert_eq!(b.len(), 1);
        assert!((b[0][0].abs() - 2.0).abs() < 1e-9);
        let b = reduce(&[vec![0.3, 0.0], vec![0.5, 0.0], vec![0.0, 2.0]], 1e-9).unwrap();
        assert_eq!(b.len(), 2);
        assert!((det2(&b).abs() - 0.2).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn noise_below_tolerance_is_dropped() {
        let b = reduce(&[vec![1.0 + 1e-7, 0.0], vec![2.0, 1e-7], vec![0.0, 3.0]], 1e-4).unwrap();
        assert_eq!(b.len(), 2);
        assert!((min_spacing(&b) - 1.0).abs() < 1e-3, "{b:?}");
    }

    #[test]
    fn works_in_six_dimensions() {
        let mut gens = Vec::new();
        for i in 0..6 {
            let mut v = vec![0.0; 6];
            v[i] = 1.0;
            if i > 0 {
                v[i - 1] = 5.0;
            }
            gens.push(v);
        }
        gens.push(gens[2].iter().zip(&gens[4]).map(|(a, b)| a + 3.0 * b).collect());
        let b = reduce(&gens, 1e-9).unwrap();
        assert_eq!(b.len(), 6);
        assert!((min_spacing(&b) - 1.0).abs() < 1e-6 || min_spacing(&b) > 0.5);
    }
}
