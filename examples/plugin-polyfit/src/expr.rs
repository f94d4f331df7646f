//! Turns a fitted polynomial into an integer expression: integer coefficients over a common
//! denominator `D`, written `(a·m + b·n + …) // D` when `D > 1` (exact on every fitted row,
//! where the numerator is a multiple of `D`).

use mips_plugin_sdk::{BinOpData, ExprData, UnOpData};

use crate::fit::Fit;

fn lcm(a: i128, b: i128) -> Option<i128> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).checked_mul(b)
}

/// The product of the variables of `exponents` (`var(k)` is variable `k`), or `None` for the
/// constant monomial.
fn monomial(exponents: &[u32], var: &impl Fn(usize) -> ExprData) -> Option<ExprData> {
    exponents
        .iter()
        .enumerate()
        .flat_map(|(k, &e)| (0..e).map(move |_| k))
        .map(var)
        .reduce(|a, b| ExprData::bin(BinOpData::Mul, a, b))
}

/// The expression of `fit`, reading variable `k` as `var(k)`; an error when a coefficient
/// does not fit an `i64`.
pub fn polynomial(fit: &Fit, var: impl Fn(usize) -> ExprData) -> Result<ExprData, String> {
    let too_large = || "a coefficient does not fit a 64-bit integer".to_string();
    let denominator = fit
        .coefficients
        .iter()
        .try_fold(1i128, |d, c| lcm(d, c.den()))
        .ok_or_else(too_large)?;
    let mut sum: Option<ExprData> = None;
    for (c, exponents) in fit.coefficients.iter().zip(&fit.monomials) {
        if c.is_zero() {
            continue;
        }
        let scaled = c.num().checked_mul(denominator / c.den()).ok_or_else(too_large)?;
        let magnitude = i64::try_from(scaled.unsigned_abs()).map_err(|_| too_large())?;
        let term = match (monomial(exponents, &var), magnitude) {
            (None, m) => ExprData::Const(m),
            (Some(x), 1) => x,
            (Some(x), m) => ExprData::bin(BinOpData::Mul, ExprData::Const(m), x),
        };
        sum = Some(match (sum, scaled < 0) {
            (None, false) => term,
            (None, true) => match term {
                ExprData::Const(m) => ExprData::Const(-m),
                other => ExprData::un(UnOpData::Neg, other),
            },
            (Some(s), false) => ExprData::bin(BinOpData::Add, s, term),
            (Some(s), true) => ExprData::bin(BinOpData::Sub, s, term),
        });
    }
    let sum = sum.unwrap_or(ExprData::Const(0));
    Ok(if denominator > 1 {
        let d = i64::try_from(denominator).map_err(|_| too_large())?;
        ExprData::bin(BinOpData::FloorDiv, sum, ExprData::Const(d))
    } else {
        sum
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::monomials;
    use crate::rational::Rational;

    fn fit(coefficients: &[(i128, i128)]) -> Fit {
        Fit {
            degree: 2,
            monomials: monomials(2, 2),
            coefficients: coefficients
                .iter()
                .map(|&(n, d)| Rational::new(n, d).unwrap())
                .collect(),
        }
    }

    fn var(k: usize) -> ExprData {
        if k == 0 { ExprData::State(0) } else { ExprData::Input(0) }
    }

    #[test]
    fn integer_polynomial_reads_naturally() {
        // -3 + z + x^2, monomials [1, z, x, z^2, zx, x^2]
        let e = polynomial(&fit(&[(-3, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]), var).unwrap();
        let square = ExprData::bin(BinOpData::Mul, ExprData::Input(0), ExprData::Input(0));
        let expected = ExprData::bin(
            BinOpData::Add,
            ExprData::bin(BinOpData::Add, ExprData::Const(-3), ExprData::State(0)),
            square,
        );
        assert_eq!(e, expected);
    }

    #[test]
    fn rational_polynomial_divides_by_the_common_denominator() {
        // x/2 - 2*z*x/3 -> (3x - 4zx) // 6
        let e = polynomial(&fit(&[(0, 1), (0, 1), (1, 2), (0, 1), (-2, 3), (0, 1)]), var).unwrap();
        let zx = ExprData::bin(BinOpData::Mul, ExprData::State(0), ExprData::Input(0));
        let numerator = ExprData::bin(
            BinOpData::Sub,
            ExprData::bin(BinOpData::Mul, ExprData::Const(3), ExprData::Input(0)),
            ExprData::bin(BinOpData::Mul, ExprData::Const(4), zx),
        );
        assert_eq!(e, ExprData::bin(BinOpData::FloorDiv, numerator, ExprData::Const(6)));
    }

    #[test]
    fn zero_and_negative_leading_terms() {
        assert_eq!(polynomial(&fit(&[(0, 1); 6]), var).unwrap(), ExprData::Const(0));
        let e = polynomial(&fit(&[(0, 1), (-1, 1), (0, 1), (0, 1), (0, 1), (0, 1)]), var).unwrap();
        assert_eq!(e, ExprData::un(UnOpData::Neg, ExprData::State(0)));
    }

    #[test]
    fn huge_coefficients_are_errors() {
        let e = polynomial(&fit(&[(i128::MAX, 1), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1)]), var);
        assert!(e.unwrap_err().contains("64-bit"));
    }
}
