//! Membership in a constant set: a 0/1 target that depends on one variable only is
//! `v == c1 or v == c2 or …` over the values where it is 1, or `v != c1 and …` over those where
//! it is 0, whichever is shorter. The set is read from the rows; the form is kept only when its
//! description is shorter than the decision tree of the same rows (a table by another name
//! otherwise).

use std::collections::BTreeMap;

use mips_core::ir::{BinOp, Expr};
use mips_core::{MipsError, Result};

use super::rows::Problem;
use super::table::decision_tree;

/// The shortest membership test giving the target of every row of `p`.
pub fn fit_membership(p: &Problem) -> Result<Expr> {
    if p.values.iter().any(|v| *v != 0 && *v != 1) {
        return Err(MipsError::pass("regress-membership", "the target is not 0/1"));
    }
    let best = (0..p.width())
        .filter_map(|c| column_test(p, c))
        .min_by_key(Expr::tokens)
        .ok_or_else(|| MipsError::pass("regress-membership", "the target depends on more than one variable"))?;
    if best.tokens() >= decision_tree(p).tokens() {
        return Err(MipsError::pass(
            "regress-membership",
            format!("the set test ({} tokens) is no shorter than a table", best.tokens()),
        ));
    }
    Ok(best)
}

/// The membership test over column `c`, when the target is a function of that column alone.
fn column_test(p: &Problem, c: usize) -> Option<Expr> {
    let mut table: BTreeMap<i64, i64> = BTreeMap::new();
    for (point, value) in p.points.iter().zip(&p.values) {
        if *table.entry(point[c]).or_insert(*value) != *value {
            return None;
        }
    }
    let v = Expr::Var(p.var(c));
    let ones: Vec<i64> = table.iter().filter(|e| *e.1 == 1).map(|e| *e.0).collect();
    let zeros: Vec<i64> = table.iter().filter(|e| *e.1 == 0).map(|e| *e.0).collect();
    let any = chain(&v, &ones, BinOp::Eq, BinOp::Or);
    let none = chain(&v, &zeros, BinOp::Ne, BinOp::And);
    [any, none].into_iter().flatten().min_by_key(Expr::tokens)
}

/// `v test k1 join v test k2 join …` (`None` for no constants).
fn chain(v: &Expr, constants: &[i64], test: BinOp, join: BinOp) -> Option<Expr> {
    constants
        .iter()
        .map(|k| Expr::bin(test, v.clone(), Expr::Const(*k)))
        .reduce(|a, b| Expr::bin(join, a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of_input(values: impl Fn(i64) -> i64) -> Problem {
        Problem {
            state_dim: 1,
            input_dim: 1,
            points: (0..20).flat_map(|x| [vec![0, x], vec![1, x]]).collect(),
            values: (0..20).flat_map(|x| [values(x), values(x)]).collect(),
        }
    }

    #[test]
    fn perfect_squares_are_a_set_of_the_input() {
        let p = of_input(|x| [0, 1, 4, 9, 16].contains(&x) as i64);
        let e = fit_membership(&p).unwrap();
        assert!(p.fits(&e));
        assert_eq!(e.tokens(), 19);
        assert!(e.tokens() < decision_tree(&p).tokens());
    }

    #[test]
    fn the_complement_is_used_when_shorter() {
        let p = of_input(|x| (x != 3 && x != 11) as i64);
        let e = fit_membership(&p).unwrap();
        assert!(p.fits(&e));
        assert_eq!(e.tokens(), 7);
    }

    #[test]
    fn tables_and_other_targets_are_refused() {
        // A threshold is a one-test table: the set of 10 values is longer.
        let p = of_input(|x| (x < 10) as i64);
        assert!(fit_membership(&p).unwrap_err().to_string().contains("no shorter"));
        let p = of_input(|x| x % 3);
        assert!(fit_membership(&p).unwrap_err().to_string().contains("not 0/1"));
        let mut p = of_input(|x| (x == 2) as i64);
        p.values[0] = 1 - p.values[0];
        assert!(fit_membership(&p).unwrap_err().to_string().contains("more than one"));
    }
}
