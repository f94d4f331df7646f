//! Exact polynomial fitting: every target column is fitted as a polynomial of bounded degree
//! in the input variables, with rational coefficients found by exact Gaussian elimination.
//! A fit is returned only when it reproduces every row exactly, i.e. when the least-squares
//! residual is zero; among exact fits the one using the lowest-degree monomials is chosen.

use crate::rational::Rational;

/// The most monomial columns a fit may use (bounds time and memory).
pub const MAX_COLUMNS: usize = 220;

/// Exponent vectors of every monomial in `vars` variables with total degree ≤ `degree`,
/// ordered by degree, then with earlier variables at higher powers first.
pub fn monomials(vars: usize, degree: u32) -> Vec<Vec<u32>> {
    fn exactly(vars: usize, degree: u32) -> Vec<Vec<u32>> {
        if vars == 0 {
            return if degree == 0 { vec![vec![]] } else { vec![] };
        }
        (0..=degree)
            .rev()
            .flat_map(|first| {
                exactly(vars - 1, degree - first).into_iter().map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
            })
            .collect()
    }
    (0..=degree).flat_map(|d| exactly(vars, d)).collect()
}

/// The value of the monomial `exponents` at `values`; `None` on overflow.
fn evaluate(exponents: &[u32], values: &[i64]) -> Option<i128> {
    exponents
        .iter()
        .zip(values)
        .try_fold(1i128, |acc, (&e, &v)| acc.checked_mul(i128::from(v).checked_pow(e)?))
}

/// A polynomial found for one target: coefficient `k` multiplies monomial `k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    pub degree: u32,
    pub monomials: Vec<Vec<u32>>,
    pub coefficients: Vec<Rational>,
}

/// One observation: the variables' values and the targets' values.
pub type Point = (Vec<i64>, Vec<i64>);

/// Fits every target of `points` (each with `vars` variables and `targets` targets) at the
/// lowest degree ≤ `max_degree` that is exact on every point; `None` for a target with no
/// exact fit. Arithmetic overflow or too many monomials is an error.
pub fn fit_all(points: &[Point], vars: usize, targets: usize, max_degree: u32) -> Result<Vec<Option<Fit>>, String> {
    let mut fits: Vec<Option<Fit>> = vec![None; targets];
    for degree in 0..=max_degree {
        let open: Vec<usize> = (0..targets).filter(|&t| fits[t].is_none()).collect();
        if open.is_empty() {
            break;
        }
        let columns = monomials(vars, degree);
        if columns.len() > MAX_COLUMNS {
            return Err(format!(
                "degree {degree} in {vars} variables needs {} monomials, more than {MAX_COLUMNS}; lower `degree`",
                columns.len()
            ));
        }
        let overflow = || format!("exact arithmetic overflowed while fitting degree {degree}");
        let rows = points
            .iter()
            .map(|(values, goals)| {
                let features = columns.iter().map(|m| evaluate(m, values)).collect::<Option<Vec<_>>>();
                let goals = open.iter().map(|&t| i128::from(goals[t])).collect();
                features.map(|f| (f, goals))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(overflow)?;
        let solutions = solve(&rows, columns.len(), open.len()).ok_or_else(overflow)?;
        for (&t, solution) in open.iter().zip(solutions) {
            fits[t] = solution.map(|coefficients| Fit {
                degree,
                monomials: columns.clone(),
                coefficients,
            });
        }
    }
    Ok(fits)
}

/// For each target column, coefficients `c` with `features · c = target` on every row (free
/// columns zero), or `None` when no exact solution exists. `None` overall on overflow.
///
/// Rows are added one by one to a basis kept in reduced row-echelon form, with the first
/// non-zero column as pivot; a row that reduces to zero features but a non-zero target
/// contradicts the earlier rows for that target.
fn solve(rows: &[(Vec<i128>, Vec<i128>)], columns: usize, targets: usize) -> Option<Vec<Option<Vec<Rational>>>> {
    let mut basis: Vec<(usize, Vec<Rational>)> = Vec::new();
    let mut consistent = vec![true; targets];
    for (features, goals) in rows {
        let mut row: Vec<Rational> = features.iter().chain(goals).map(|&v| Rational::int(v)).collect();
        for (pivot, base) in &basis {
            let factor = row[*pivot];
            subtract_multiple(&mut row, factor, base)?;
        }
        match (0..columns).find(|&c| !row[c].is_zero()) {
            None => {
                for (t, ok) in consistent.iter_mut().enumerate() {
                    *ok &= row[columns + t].is_zero();
                }
                if !consistent.contains(&true) {
                    return Some(vec![None; targets]);
                }
            }
            Some(pivot) => {
                let scale = row[pivot];
                for v in row.iter_mut() {
                    *v = v.div(scale)?;
                }
                for (_, base) in basis.iter_mut() {
                    let factor = base[pivot];
                    subtract_multiple(base, factor, &row)?;
                }
                basis.push((pivot, row));
            }
        }
    }
    Some(
        consistent
            .iter()
            .enumerate()
            .map(|(t, &ok)| {
                ok.then(|| {
                    let mut c = vec![Rational::ZERO; columns];
                    for (pivot, base) in &basis {
                        c[*pivot] = base[columns + t];
                    }
                    c
                })
            })
            .collect(),
    )
}

/// `row -= factor * base`; `None` on overflow.
fn subtract_multiple(row: &mut [Rational], factor: Rational, base: &[Rational]) -> Option<()> {
    if factor.is_zero() {
        return Some(());
    }
    for (v, b) in row.iter_mut().zip(base) {
        if !b.is_zero() {
            *v = v.sub(factor.mul(*b)?)?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monomials_are_graded() {
        assert_eq!(
            monomials(2, 2),
            vec![vec![0, 0], vec![1, 0], vec![0, 1], vec![2, 0], vec![1, 1], vec![0, 2]]
        );
        assert_eq!(monomials(3, 3).len(), 20);
        assert_eq!(monomials(0, 2), vec![Vec::<u32>::new()]);
    }

    fn points(f: impl Fn(i64, i64) -> i64) -> Vec<Point> {
        (0..4)
            .flat_map(|z| (-2..3).map(move |x| (z, x)))
            .map(|(z, x)| (vec![z, x], vec![f(z, x)]))
            .collect()
    }

    fn coefficient(fit: &Fit, exponents: &[u32]) -> Rational {
        let k = fit.monomials.iter().position(|m| m == exponents).unwrap();
        fit.coefficients[k]
    }

    #[test]
    fn finds_a_quadratic_update_at_degree_two() {
        let fits = fit_all(&points(|z, x| z + x * x - 3), 2, 1, 3).unwrap();
        let fit = fits[0].as_ref().unwrap();
        assert_eq!(fit.degree, 2);
        assert_eq!(coefficient(fit, &[1, 0]), Rational::int(1));
        assert_eq!(coefficient(fit, &[0, 2]), Rational::int(1));
        assert_eq!(coefficient(fit, &[0, 0]), Rational::int(-3));
        assert_eq!(coefficient(fit, &[1, 1]), Rational::ZERO);
    }

    #[test]
    fn rational_coefficients_are_kept_exact() {
        let fits = fit_all(&points(|_, x| x * (x + 1) / 2), 2, 1, 2).unwrap();
        let fit = fits[0].as_ref().unwrap();
        assert_eq!(coefficient(fit, &[0, 2]), Rational::new(1, 2).unwrap());
        assert_eq!(coefficient(fit, &[0, 1]), Rational::new(1, 2).unwrap());
    }

    #[test]
    fn non_polynomial_targets_have_no_fit() {
        let pts = points(|z, x| (z * 7 + x).rem_euclid(3));
        let fits = fit_all(&pts, 2, 1, 2).unwrap();
        assert_eq!(fits, vec![None]);
    }

    #[test]
    fn targets_are_fitted_independently() {
        let pts: Vec<Point> = points(|z, x| z * x)
            .into_iter()
            .map(|(v, g)| (v.clone(), vec![g[0], (v[0] + v[1]).rem_euclid(2)]))
            .collect();
        let fits = fit_all(&pts, 2, 2, 2).unwrap();
        assert_eq!(fits[0].as_ref().unwrap().degree, 2);
        assert!(fits[1].is_none());
    }

    #[test]
    fn overflow_is_an_error() {
        let pts: Vec<Point> = [(i64::MAX, 1), (i64::MIN, 2), (0, 5), (1, 0), (2, 7)]
            .map(|(x, y)| (vec![x], vec![y]))
            .to_vec();
        assert!(fit_all(&pts, 1, 1, 3).unwrap_err().contains("overflow"));
    }
}
