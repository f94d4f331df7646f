//! Integer linear regression over the input's symbols: `target = Σ n_i s_i + Σ w_a (x == a) + c`,
//! the linear fit with one indicator column per value each input component takes on the rows.
//! A counter that each symbol moves by its own step (`d = d + (x == 0) - (x == 3)`) is linear
//! in the indicators but not in `x`. Tried only when the plain fits fail, so a rule linear in
//! `x` keeps its shorter form.

use std::collections::BTreeSet;

use mips_core::ir::{BinOp, Expr, Var};
use mips_core::{MipsError, Result};

use super::linear::fit_linear;
use super::rows::Problem;
use crate::program_passes::rewrite::substitute;

/// The indicator columns of `p`: `(input component, value)` for every value a component takes.
fn indicators(p: &Problem) -> Vec<(usize, i64)> {
    (0..p.input_dim)
        .flat_map(|c| {
            let values: BTreeSet<i64> = p.points.iter().map(|row| row[p.state_dim + c]).collect();
            values.into_iter().map(move |v| (c, v))
        })
        .collect()
}

/// `p` with the indicator columns appended to its inputs.
fn augmented(p: &Problem, columns: &[(usize, i64)]) -> Problem {
    let points = p
        .points
        .iter()
        .map(|row| {
            let extra = columns.iter().map(|&(c, v)| i64::from(row[p.state_dim + c] == v));
            row.iter().copied().chain(extra).collect()
        })
        .collect();
    Problem {
        state_dim: p.state_dim,
        input_dim: p.input_dim + columns.len(),
        points,
        values: p.values.clone(),
    }
}

/// Fits `p` linearly over its states, inputs and input indicators, or says why not.
pub fn fit_indicators(p: &Problem, max_denominator: i64) -> Result<Expr> {
    let columns = indicators(p);
    if columns.len() <= p.input_dim {
        return Err(MipsError::pass("regress-indicators", "no input takes two values"));
    }
    let expr = fit_linear(&augmented(p, &columns), max_denominator)
        .map_err(|_| MipsError::pass("regress-indicators", "no linear formula over the input's symbols fits"))?;
    let replace = |v: Var| match v {
        Var::Input(j) if j >= p.input_dim => {
            let (c, value) = columns[j - p.input_dim];
            Expr::bin(BinOp::Eq, Expr::input(c), Expr::Const(value))
        }
        other => Expr::Var(other),
    };
    Ok(substitute(&expr, &replace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_moved_by_symbols_is_linear_in_their_indicators() {
        // d' = d + (x == 0) - (x == 3) over x in 0..4.
        let mut points = Vec::new();
        let mut values = Vec::new();
        for d in -3i64..=3 {
            for x in 0..4 {
                points.push(vec![d, x]);
                values.push(d + i64::from(x == 0) - i64::from(x == 3));
            }
        }
        let p = Problem {
            state_dim: 1,
            input_dim: 1,
            points,
            values,
        };
        assert!(fit_linear(&p, 12).is_err());
        let e = fit_indicators(&p, 12).unwrap();
        assert!(p.fits(&e), "{e}");
        assert_eq!(e.eval(&[100], &[3]).unwrap(), 99);
    }
}
