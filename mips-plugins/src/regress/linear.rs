//! Exact integer linear regression: `target = (Σ n_i v_i + n_0) // D` over state and input
//! variables, found by least squares (nalgebra) on subsets of the variables, smallest subsets
//! first, with coefficients rationalised to denominators at most `max_denominator`. The
//! constant is not rounded but solved exactly from the residuals, so a fit off by a constant
//! is corrected; a candidate is accepted only if it is exact on every row.

use mips_core::ir::{BinOp, Expr};
use mips_core::{MipsError, Result};
use nalgebra::{DMatrix, DVector};

use super::rows::Problem;
use crate::program_passes::affine::Affine;

/// Subsets of the variables solved by the exhaustive smallest-first search: a work bound
/// (each try is a small solve and, when it rationalises, an exact check of every row). Sizes
/// are enumerated while they fit in it; beyond them the search eliminates backwards from the
/// full set, which finds every exact fit whose columns are independent.
const SUBSET_BUDGET: usize = 1 << 10;

/// Fits `p` exactly with an integer linear formula, or says why not.
pub fn fit_linear(p: &Problem, max_denominator: i64) -> Result<Expr> {
    if p.values.is_empty() {
        return Err(MipsError::pass("regress-linear", "no rows to fit"));
    }
    // Columns constant over the rows are absorbed by the intercept.
    let features: Vec<usize> = (0..p.width())
        .filter(|&c| p.points.iter().any(|row| row[c] != p.points[0][c]))
        .collect();
    let moments = Moments::new(p, &features);
    let (groups, exhaustive) = subsets_by_size(features.len());
    for group in groups {
        let mut best: Option<Expr> = None;
        for s in group {
            let chosen: Vec<usize> = s.iter().map(|&i| features[i]).collect();
            let Some(e) = solve(p, &moments, &s, &chosen, max_denominator) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| e.tokens() < b.tokens()) {
                best = Some(e);
            }
        }
        if let Some(e) = best {
            return Ok(e);
        }
    }
    if !exhaustive {
        let columns = |s: &[usize]| s.iter().map(|&i| features[i]).collect::<Vec<_>>();
        if let Some(e) = backward_elimination(&moments, |s| solve(p, &moments, s, &columns(s), max_denominator)) {
            return Ok(e);
        }
    }
    Err(MipsError::pass(
        "regress-linear",
        format!(
            "no integer linear formula (denominator ≤ {max_denominator}) fits all {} rows",
            p.values.len()
        ),
    ))
}

/// Subsets of `0..n` grouped by size, smallest first, as many sizes as [`SUBSET_BUDGET`]
/// allows, and whether that was every size.
fn subsets_by_size(n: usize) -> (Vec<Vec<Vec<usize>>>, bool) {
    let mut groups = Vec::new();
    let mut total = 0usize;
    for k in 0..=n {
        let count = binomial(n, k);
        if total.saturating_add(count) > SUBSET_BUDGET {
            return (groups, false);
        }
        total += count;
        groups.push(combinations(n, k));
    }
    (groups, true)
}

/// `n choose k`, saturating.
fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Backward elimination: least squares on a largest independent set of the columns, then
/// again without the columns whose coefficient vanishes, until none does; `fit` checks the
/// final set exactly. A sparse exact fit is the unique least-squares solution on any
/// independent superset, so it is found without enumerating subsets.
fn backward_elimination(m: &Moments, fit: impl Fn(&[usize]) -> Option<Expr>) -> Option<Expr> {
    let mut s = independent_columns(&m.cov);
    loop {
        let slopes = least_squares(m, &s)?;
        let kept: Vec<usize> = s
            .iter()
            .zip(&slopes)
            .filter(|(_, c)| c.abs() > VANISHING)
            .map(|(&i, _)| i)
            .collect();
        if kept.len() == s.len() {
            return fit(&s);
        }
        s = kept;
    }
}

/// A largest set of linearly independent columns of the covariance, greedily in order.
fn independent_columns(cov: &DMatrix<f64>) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    for c in 0..cov.ncols() {
        chosen.push(c);
        if !well_conditioned(cov, &chosen) {
            chosen.pop();
        }
    }
    chosen
}

/// Singular values at most this fraction of the largest make a set of columns collinear.
const COLLINEAR: f64 = 1e-10;

/// Slopes smaller than this in magnitude vanish (the data are integers; only rounding is left).
const VANISHING: f64 = 1e-9;

/// The covariance restricted to the features `s`.
fn restricted(cov: &DMatrix<f64>, s: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(s.len(), s.len(), |i, j| cov[(s[i], s[j])])
}

/// Whether singular values `values` are far from singular (see [`COLLINEAR`]).
fn independent(values: &DVector<f64>) -> bool {
    values.min() > values.max() * COLLINEAR
}

/// Whether the covariance restricted to `s` is far from singular.
fn well_conditioned(cov: &DMatrix<f64>, s: &[usize]) -> bool {
    independent(&restricted(cov, s).singular_values())
}

/// The least-squares slopes on the features `s`, or `None` when they are collinear.
fn least_squares(m: &Moments, s: &[usize]) -> Option<Vec<f64>> {
    let k = s.len();
    if k == 0 {
        return Some(Vec::new());
    }
    let b = DVector::from_fn(k, |i, _| m.cross[s[i]]);
    let svd = restricted(&m.cov, s).svd(true, true);
    if !independent(&svd.singular_values) {
        return None;
    }
    Some(svd.solve(&b, 0.0).ok()?.iter().copied().collect())
}

/// All `k`-element subsets of `0..n`, in lexicographic order.
pub fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = Vec::with_capacity(k);
    fn go(start: usize, n: usize, k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if current.len() == k {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            if n - i < k - current.len() {
                break;
            }
            current.push(i);
            go(i + 1, n, k, current, out);
            current.pop();
        }
    }
    go(0, n, k, &mut current, &mut out);
    out
}

/// Centred second moments of the feature columns and the target (for the normal equations).
struct Moments {
    cov: DMatrix<f64>,
    cross: DVector<f64>,
}

impl Moments {
    fn new(p: &Problem, features: &[usize]) -> Moments {
        let n = p.values.len() as f64;
        let mean = |c: usize| p.points.iter().map(|r| r[c] as f64).sum::<f64>() / n;
        let means: Vec<f64> = features.iter().map(|&c| mean(c)).collect();
        let y_mean = p.values.iter().map(|&v| v as f64).sum::<f64>() / n;
        let k = features.len();
        let mut cov = DMatrix::zeros(k, k);
        let mut cross = DVector::zeros(k);
        for (row, &y) in p.points.iter().zip(&p.values) {
            let centred: Vec<f64> = features.iter().zip(&means).map(|(&c, m)| row[c] as f64 - m).collect();
            for i in 0..k {
                cross[i] += centred[i] * (y as f64 - y_mean);
                for j in 0..=i {
                    cov[(i, j)] += centred[i] * centred[j];
                }
            }
        }
        cov.fill_upper_triangle_with_lower_triangle();
        Moments { cov, cross }
    }
}

/// Least squares on the features `s` (indices into the moments; `columns` in the problem),
/// rationalised and checked exactly; the intercept is solved from the residuals.
fn solve(p: &Problem, m: &Moments, s: &[usize], columns: &[usize], max_den: i64) -> Option<Expr> {
    let slopes = least_squares(m, s)?;
    let fractions: Vec<(i64, i64)> = slopes.iter().map(|&c| rationalize(c, max_den)).collect::<Option<_>>()?;
    let den = fractions.iter().try_fold(1i64, |d, &(_, q)| {
        let l = lcm(d, q)?;
        (l <= max_den).then_some(l)
    })?;
    let coefs: Vec<i64> = fractions
        .iter()
        .map(|&(n, q)| n.checked_mul(den / q))
        .collect::<Option<_>>()?;
    if coefs.contains(&0) {
        return None; // a smaller subset covers it
    }
    let residual = |row: &[i64], y: i64| -> i128 {
        let dot: i128 = coefs
            .iter()
            .zip(columns)
            .map(|(&n, &c)| n as i128 * row[c] as i128)
            .sum();
        den as i128 * y as i128 - dot
    };
    let intercept = residual(&p.points[0], p.values[0]);
    if !p
        .points
        .iter()
        .zip(&p.values)
        .all(|(r, &y)| residual(r, y) == intercept)
    {
        return None;
    }
    let intercept = i64::try_from(intercept).ok()?;
    let g = coefs.iter().fold(gcd(den, intercept), |g, &n| gcd(g, n)).max(1);
    let terms = coefs
        .iter()
        .zip(columns)
        .map(|(&n, &c)| (Expr::Var(p.var(c)), n / g))
        .collect();
    let sum = Affine {
        terms,
        constant: intercept / g,
    }
    .to_expr();
    let e = if den / g == 1 {
        sum
    } else {
        Expr::bin(BinOp::FloorDiv, sum, Expr::Const(den / g))
    };
    p.fits(&e).then_some(e)
}

/// The fraction `n/q` (q ≤ `max_den`) closest to `x` by continued fractions, if within 1e-6.
pub fn rationalize(x: f64, max_den: i64) -> Option<(i64, i64)> {
    if !x.is_finite() || x.abs() > 1e15 {
        return None;
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0i64, 1i64, 1i64, 0i64);
    let mut r = x;
    for _ in 0..64 {
        let a = r.floor();
        let ai = a as i64;
        let h2 = ai.checked_mul(h1)?.checked_add(h0)?;
        let k2 = ai.checked_mul(k1)?.checked_add(k0)?;
        if k2 > max_den {
            break;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        if (x - h1 as f64 / k1 as f64).abs() <= 1e-6 * x.abs().max(1.0) {
            return Some((h1, k1));
        }
        let frac = r - a;
        if frac.abs() < 1e-12 {
            break;
        }
        r = 1.0 / frac;
    }
    ((x - h1 as f64 / k1 as f64).abs() <= 1e-6 * x.abs().max(1.0) && k1 > 0).then_some((h1, k1))
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i64::try_from(a).unwrap_or(1)
}

fn lcm(a: i64, b: i64) -> Option<i64> {
    (a / gcd(a, b)).checked_mul(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::rows::Rows;
    use crate::regress::testing::{explore, range};

    fn problem(points: Vec<Vec<i64>>, values: Vec<i64>, state_dim: usize) -> Problem {
        let width = points[0].len();
        Problem {
            state_dim,
            input_dim: width - state_dim,
            points,
            values,
        }
    }

    #[test]
    fn rationals_are_recovered() {
        assert_eq!(rationalize(0.5, 12), Some((1, 2)));
        assert_eq!(rationalize(-2.0 / 3.0 + 1e-9, 12), Some((-2, 3)));
        assert_eq!(rationalize(3.0, 1), Some((3, 1)));
        assert_eq!(rationalize(0.123_456_7, 12), None);
    }

    #[test]
    fn running_sum_and_its_output() {
        let sm = explore(
            vec![0],
            &range(0, 9),
            |s, x| vec![(s[0] + x[0]).min(40)],
            |s| vec![s[0]],
        );
        let up = Rows::updates(&sm);
        let rows: Vec<usize> = (0..up.points.len()).filter(|&r| up.points[r][0] < 31).collect();
        let p = problem(
            rows.iter().map(|&r| up.points[r].clone()).collect(),
            rows.iter().map(|&r| up.targets[r][0]).collect(),
            1,
        );
        assert_eq!(
            fit_linear(&p, 12).unwrap(),
            Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0))
        );
        // Over all rows the saturation at 40 breaks linearity: no wrong program.
        assert!(fit_linear(&up.problem(0, false), 12).is_err());
    }

    #[test]
    fn newton_like_update_with_constant_and_reflection() {
        // v' = v + x - p - 1 over a grid.
        let mut points = Vec::new();
        let mut values = Vec::new();
        for v in -3..4 {
            for pos in -3..4 {
                for x in -2..3 {
                    points.push(vec![v, pos, x]);
                    values.push(v + x - pos - 1);
                }
            }
        }
        let e = fit_linear(&problem(points.clone(), values, 2), 12).unwrap();
        assert_eq!(e.tokens(), 7);
        let reflected: Vec<i64> = points.iter().map(|r| 99 - r[2]).collect();
        assert_eq!(
            fit_linear(&problem(points, reflected, 2), 12).unwrap(),
            Expr::bin(BinOp::Sub, Expr::Const(99), Expr::input(0))
        );
    }

    #[test]
    fn halves_use_floor_division_and_collinear_columns_pick_one() {
        // Output equals the state, which always equals the input: the smallest subset wins.
        let points: Vec<Vec<i64>> = (0..10).map(|v| vec![2 * v, 2 * v]).collect();
        let values: Vec<i64> = (0..10).collect();
        let e = fit_linear(&problem(points, values, 1), 12).unwrap();
        assert_eq!(e, Expr::bin(BinOp::FloorDiv, Expr::state(0), Expr::Const(2)));
    }

    #[test]
    fn parity_is_not_linear() {
        let points: Vec<Vec<i64>> = (0..2).flat_map(|s| (0..2).map(move |x| vec![s, x])).collect();
        let values = points.iter().map(|r| (r[0] + r[1]) % 2).collect();
        let err = fit_linear(&problem(points, values, 1), 12).unwrap_err();
        assert!(err.to_string().contains("no integer linear formula"), "{err}");
    }

    #[test]
    fn a_sum_of_many_variables_is_found_past_the_subset_budget() {
        // y = 5 + the sum of 12 of 16 columns (not 3, 7, 11, 14); some columns repeat others.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as i64 % 10
        };
        let points: Vec<Vec<i64>> = (0..400)
            .map(|_| {
                let mut row: Vec<i64> = (0..14).map(|_| next()).collect();
                row.extend([row[0], row[5]]); // collinear copies
                row
            })
            .collect();
        let used = |c: &usize| ![3, 7, 11, 14, 15].contains(c);
        let values: Vec<i64> = points
            .iter()
            .map(|r| 5 + (0..16).filter(used).map(|c| r[c]).sum::<i64>())
            .collect();
        let (_, exhaustive) = subsets_by_size(16);
        assert!(!exhaustive);
        let e = fit_linear(&problem(points.clone(), values.clone(), 10), 12).unwrap();
        let p = problem(points, values, 10);
        assert!(p.fits(&e), "{e}");
        assert_eq!(e.tokens(), 2 * 11 + 1, "{e}");
    }
}
