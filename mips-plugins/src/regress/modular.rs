//! Modular and floor-divided linear fits: `target = (Σ m_i v_i + c) % k` (states stored on a
//! circle, e.g. a counter mod k) and `target = (Σ m_i v_i + c) // k` (carries, quotients),
//! for moduli `k` suggested by the data. Coefficients are searched exhaustively on variable
//! subsets, smallest first (residues `1..k` for `%`, `±1..±3` for `//`); the constant is solved
//! from the rows (a congruence for `%`, an interval for `//`), and a candidate must be exact on
//! every row.

use mips_core::ir::{BinOp, Expr};
use mips_core::{MipsError, Result};

use super::linear::combinations;
use super::rows::Problem;
use crate::program_passes::affine::Affine;

/// Coefficients tried for floor-divided fits.
const DIV_COEFFICIENTS: [i64; 6] = [1, 2, 3, -1, -2, -3];
/// Largest number of variables in one modular formula.
const MAX_TERMS: usize = 4;

/// Fits `p` as a modular or floor-divided linear formula; `budget` bounds the number of
/// coefficient vectors tried.
pub fn fit_modular(p: &Problem, moduli: &[i64], budget: usize) -> Result<Expr> {
    if p.values.is_empty() {
        return Err(MipsError::pass("regress-linear", "no rows to fit"));
    }
    let features: Vec<usize> = (0..p.width())
        .filter(|&c| p.points.iter().any(|row| row[c] != p.points[0][c]))
        .collect();
    let mut tried = 0usize;
    for size in 1..=features.len().min(MAX_TERMS) {
        for subset in combinations(features.len(), size) {
            let columns: Vec<usize> = subset.iter().map(|&i| features[i]).collect();
            for &k in moduli {
                let found =
                    fit_mod(p, &columns, k, &mut tried, budget).or_else(|| fit_div(p, &columns, k, &mut tried, budget));
                if let Some(e) = found {
                    return Ok(e);
                }
                if tried >= budget {
                    return Err(MipsError::pass(
                        "regress-linear",
                        format!("modular search stopped after {tried} coefficient vectors (budget)"),
                    ));
                }
            }
        }
    }
    Err(MipsError::pass(
        "regress-linear",
        format!(
            "no modular or floor-divided linear formula (moduli {moduli:?}, up to {MAX_TERMS} variables) fits all {} rows",
            p.values.len()
        ),
    ))
}

/// Every vector over `domain` of length `n` (odometer order).
fn vectors(domain: &[i64], n: usize) -> impl Iterator<Item = Vec<i64>> + '_ {
    let total = u32::try_from(n)
        .ok()
        .and_then(|n| domain.len().checked_pow(n))
        .unwrap_or(usize::MAX);
    (0..total).map(move |mut index| {
        (0..n)
            .map(|_| {
                let v = domain[index % domain.len()];
                index /= domain.len();
                v
            })
            .collect()
    })
}

fn dot(coefs: &[i64], columns: &[usize], row: &[i64]) -> Option<i64> {
    coefs
        .iter()
        .zip(columns)
        .try_fold(0i64, |acc, (&m, &c)| acc.checked_add(m.checked_mul(row[c])?))
}

/// `(Σ m_i v_i + c) % k` with `m_i` in `1..k`.
fn fit_mod(p: &Problem, columns: &[usize], k: i64, tried: &mut usize, budget: usize) -> Option<Expr> {
    if p.values.iter().any(|v| !(0..k).contains(v)) {
        return None;
    }
    let domain: Vec<i64> = (1..k).collect();
    for coefs in vectors(&domain, columns.len()) {
        *tried += 1;
        if *tried > budget {
            return None;
        }
        let c = (p.values[0] - dot(&coefs, columns, &p.points[0])?).rem_euclid(k);
        let exact = p.points.iter().zip(&p.values).all(|(row, &y)| {
            dot(&coefs, columns, row).is_some_and(|d| d.checked_add(c).is_some_and(|v| v.rem_euclid(k) == y))
        });
        if exact {
            // Write each residue with its smallest magnitude (k - 1 as -1).
            let small = |m: i64| if 2 * m > k { m - k } else { m };
            let terms = coefs
                .iter()
                .zip(columns)
                .map(|(&m, &col)| (Expr::Var(p.var(col)), small(m)));
            let sum = Affine {
                terms: terms.collect(),
                constant: small(c),
            };
            let e = Expr::bin(BinOp::Mod, sum.to_expr(), Expr::Const(k));
            return p.fits(&e).then_some(e);
        }
    }
    None
}

/// `(Σ m_i v_i + c) // k` with small `m_i`; `c` is the smallest-magnitude value in the
/// interval every row allows.
fn fit_div(p: &Problem, columns: &[usize], k: i64, tried: &mut usize, budget: usize) -> Option<Expr> {
    for coefs in vectors(&DIV_COEFFICIENTS, columns.len()) {
        *tried += 1;
        if *tried > budget {
            return None;
        }
        // k·y ≤ d + c ≤ k·y + k - 1 for every row.
        let (mut lo, mut hi) = (i64::MIN, i64::MAX);
        for (row, &y) in p.points.iter().zip(&p.values) {
            let d = dot(&coefs, columns, row)?;
            let base = k.checked_mul(y)?.checked_sub(d)?;
            lo = lo.max(base);
            hi = hi.min(base.checked_add(k - 1)?);
            if lo > hi {
                break;
            }
        }
        if lo > hi {
            continue;
        }
        let c = 0i64.clamp(lo, hi);
        let terms = coefs.iter().zip(columns).map(|(&m, &col)| (Expr::Var(p.var(col)), m));
        let sum = Affine {
            terms: terms.collect(),
            constant: c,
        };
        let e = Expr::bin(BinOp::FloorDiv, sum.to_expr(), Expr::Const(k));
        if p.fits(&e) {
            return Some(e);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::rows::{Rows, moduli};
    use crate::regress::testing::{counter_mod, explore, range};

    #[test]
    fn counter_mod_k_is_modular() {
        for k in [3, 4, 7] {
            let sm = counter_mod(k);
            let e = fit_modular(&Rows::updates(&sm).problem(0, false), &moduli(&sm, 64), 100_000).unwrap();
            let sum = Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0));
            assert_eq!(e, Expr::bin(BinOp::Mod, sum, Expr::Const(k)));
        }
    }

    #[test]
    fn base_k_adder_carry_and_digit() {
        // State: the carry; inputs: two base-5 digits. The output is the new digit, which the
        // machine keeps as a second state component.
        let digits: Vec<Vec<i64>> = (0..5).flat_map(|a| (0..5).map(move |b| vec![a, b])).collect();
        let sm = explore(
            vec![0, 0],
            &digits,
            |s, x| {
                let v = s[0] + x[0] + x[1];
                vec![v / 5, v % 5]
            },
            |s| vec![s[1]],
        );
        let rows = Rows::updates(&sm);
        let ks = moduli(&sm, 64);
        let carry = fit_modular(&rows.problem(0, false), &ks, 100_000).unwrap();
        let digit = fit_modular(&rows.problem(1, false), &ks, 100_000).unwrap();
        assert!(matches!(carry, Expr::Binary(BinOp::FloorDiv, _, _)), "{carry:?}");
        assert!(matches!(digit, Expr::Binary(BinOp::Mod, _, _)), "{digit:?}");
        assert_eq!(carry.tokens(), 7);
    }

    #[test]
    fn binary_long_division_remainder() {
        // r' = (2r + x) % 3 over bits, found as the shorter (x - r) % 3.
        let sm = explore(
            vec![0],
            &range(0, 1),
            |s, x| vec![(2 * s[0] + x[0]) % 3],
            |s| s.to_vec(),
        );
        let e = fit_modular(&Rows::updates(&sm).problem(0, false), &moduli(&sm, 64), 100_000).unwrap();
        let diff = Expr::bin(BinOp::Sub, Expr::input(0), Expr::state(0));
        assert_eq!(e, Expr::bin(BinOp::Mod, diff, Expr::Const(3)));
    }

    #[test]
    fn no_fit_is_an_error_and_budget_is_reported() {
        let sm = explore(
            vec![0],
            &range(0, 3),
            |s, x| vec![(s[0] * x[0] + 1) % 4],
            |s| s.to_vec(),
        );
        let p = Rows::updates(&sm).problem(0, false);
        assert!(fit_modular(&p, &[4], 100_000).is_err());
        let err = fit_modular(&p, &[4], 2).unwrap_err();
        assert!(err.to_string().contains("budget"), "{err}");
    }
}
