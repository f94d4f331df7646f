//! Outputs decided by comparisons of state components (counters) with 0 and with each other:
//! a decision list `v1 if P1 else (v2 if P2 else … vn)` whose conditions are one comparison or
//! the conjunction of two, chosen greedily (each rule the one that covers the most remaining
//! rows with one value, fewer tokens breaking ties). It holds at any counter value the
//! comparisons see, unlike a table over the observed rows.

use mips_core::ir::{BinOp, Expr, Var};
use mips_core::{MipsError, Result};

use super::driver::Fit;
use super::rows::Problem;

/// The comparison operators of a literal.
const OPS: [BinOp; 6] = [BinOp::Lt, BinOp::Le, BinOp::Eq, BinOp::Ne, BinOp::Gt, BinOp::Ge];

/// Literals over the state columns: each compared with 0, each pair with each other.
fn literals(p: &Problem) -> Vec<Expr> {
    let state = |i: usize| Expr::Var(Var::State(i));
    let mut out = Vec::new();
    for i in 0..p.state_dim {
        for op in OPS {
            out.push(Expr::Binary(op, Box::new(state(i)), Box::new(Expr::Const(0))));
        }
        for j in i + 1..p.state_dim {
            for op in OPS {
                out.push(Expr::Binary(op, Box::new(state(i)), Box::new(state(j))));
            }
        }
    }
    out
}

/// The conditions: every literal, then every conjunction of two.
fn conditions(p: &Problem) -> Vec<Expr> {
    let lits = literals(p);
    let mut out = lits.clone();
    for (a, x) in lits.iter().enumerate() {
        for y in &lits[a + 1..] {
            out.push(Expr::Binary(BinOp::And, Box::new(x.clone()), Box::new(y.clone())));
        }
    }
    out
}

/// The rule covering the most rows of `left` with one value: `(condition, value, covered)`.
fn best_rule(p: &Problem, truth: &[Vec<bool>], conds: &[Expr], left: &[usize]) -> Option<(usize, i64, Vec<usize>)> {
    let mut best: Option<(usize, i64, Vec<usize>)> = None;
    for (c, holds) in truth.iter().enumerate() {
        let covered: Vec<usize> = left.iter().copied().filter(|&r| holds[r]).collect();
        let Some(&first) = covered.first() else { continue };
        let v = p.values[first];
        if covered.iter().any(|&r| p.values[r] != v) {
            continue;
        }
        let better = best.as_ref().is_none_or(|(b, _, cov)| {
            covered.len() > cov.len() || (covered.len() == cov.len() && conds[c].tokens() < conds[*b].tokens())
        });
        if better {
            best = Some((c, v, covered));
        }
    }
    best
}

/// Fits `p` as a decision list over comparisons of its state components (see the module doc).
pub fn fit_comparisons(p: &Problem) -> Result<Fit> {
    let fail = |why: &str| Err(MipsError::pass("regress-comparisons", why.to_string()));
    if p.state_dim == 0 || p.points.is_empty() {
        return fail("no state to compare");
    }
    let conds = conditions(p);
    let truth: Vec<Vec<bool>> = conds
        .iter()
        .map(|c| {
            p.points
                .iter()
                .map(|pt| {
                    let (s, x) = p.split(pt);
                    c.eval(s, x).is_ok_and(|v| v != 0)
                })
                .collect()
        })
        .collect();
    let mut left: Vec<usize> = (0..p.points.len()).collect();
    let mut rules: Vec<(usize, i64)> = Vec::new();
    loop {
        let v = p.values[left[0]];
        if left.iter().all(|&r| p.values[r] == v) {
            let expr = rules.iter().rev().fold(Expr::Const(v), |rest, &(c, value)| {
                Expr::If(Box::new(conds[c].clone()), Box::new(Expr::Const(value)), Box::new(rest))
            });
            return Ok(Fit {
                expr,
                method: "comparisons",
            });
        }
        let Some((c, value, covered)) = best_rule(p, &truth, &conds, &left) else {
            return fail("no comparison separates the remaining values");
        };
        left.retain(|r| !covered.contains(r));
        rules.push((c, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most frequent of three symbols (ties to the smallest) from `n0 − n2` and `n1 − n2`.
    fn majority_rows() -> Problem {
        let mut points = Vec::new();
        let mut values = Vec::new();
        for a in -4i64..=4 {
            for b in -4i64..=4 {
                let counts = [a, b, 0];
                let top = *counts.iter().max().unwrap();
                points.push(vec![a, b, 0]);
                values.push(counts.iter().position(|&c| c == top).unwrap() as i64);
            }
        }
        Problem {
            state_dim: 2,
            input_dim: 1,
            points,
            values,
        }
    }

    #[test]
    fn the_majority_is_a_short_decision_list() {
        let p = majority_rows();
        let fit = fit_comparisons(&p).unwrap();
        assert!(p.fits(&fit.expr), "{}", fit.expr);
        assert!(fit.expr.tokens() <= 16, "{} tokens: {}", fit.expr.tokens(), fit.expr);
        // It holds far outside the rows it was fitted on.
        assert_eq!(fit.expr.eval(&[50, 49], &[0]).unwrap(), 0);
        assert_eq!(fit.expr.eval(&[-50, -49], &[0]).unwrap(), 2);
        assert_eq!(fit.expr.eval(&[-1, 30], &[0]).unwrap(), 1);
    }

    #[test]
    fn values_no_comparison_separates_are_refused() {
        let p = Problem {
            state_dim: 1,
            input_dim: 1,
            points: vec![vec![2, 0], vec![2, 1]],
            values: vec![0, 1],
        };
        assert!(fit_comparisons(&p).is_err());
    }
}
