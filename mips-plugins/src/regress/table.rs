//! Lookup-table fallback: each update component and each output becomes a decision tree over
//! the state and input variables (`if v < k then ... else ...`, balanced, with runs of equal
//! sub-tables merged). Exact on every observed row by construction; a program with a chain of
//! three rows or more is not symbolic (`Program::has_symbolic_form`; method "table").

use mips_core::ir::{BinOp, Expr, Program, StateMachine};
use mips_core::{MipsError, Result};

use super::driver::{Fit, TABLE, fit_machine};
use super::rows::Problem;

/// The machine as lookup tables; unless `allow_incomplete`, only for complete machines.
pub fn fit_table(sm: &StateMachine, allow_incomplete: bool) -> Result<Program> {
    check_tabulable(sm, allow_incomplete)?;
    fit_machine(sm, &table_fit, None, 0)
}

/// Refuses incomplete machines unless `allow_incomplete`: a table only covers what was seen.
pub fn check_tabulable(sm: &StateMachine, allow_incomplete: bool) -> Result<()> {
    if sm.complete || allow_incomplete {
        Ok(())
    } else {
        Err(MipsError::pass(
            "regress-table",
            "the machine's table is not complete (some reachable transitions were never observed)",
        ))
    }
}

/// The decision tree of one component, checked on every row.
pub fn table_fit(p: &Problem) -> Result<Fit> {
    let expr = decision_tree(p);
    if !p.fits(&expr) {
        return Err(MipsError::pass("regress-table", "the decision tree misses a row"));
    }
    Ok(Fit { expr, method: TABLE })
}

/// A decision tree giving the target of every row of `p`.
pub fn decision_tree(p: &Problem) -> Expr {
    let mut rows: Vec<(&[i64], i64)> = p
        .points
        .iter()
        .map(Vec::as_slice)
        .zip(p.values.iter().copied())
        .collect();
    rows.sort();
    build(p, &rows, 0)
}

/// The tree for `rows` (sorted, all equal on the columns before `col`).
fn build(p: &Problem, rows: &[(&[i64], i64)], col: usize) -> Expr {
    let first = rows.first().map_or(0, |r| r.1);
    if col >= p.width() || rows.iter().all(|r| r.1 == first) {
        return Expr::Const(first);
    }
    // One sub-tree per value of this column; adjacent equal sub-trees merged into ranges.
    let mut ranges: Vec<(i64, Expr)> = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let key = rows[start].0[col];
        let end = start + rows[start..].iter().take_while(|r| r.0[col] == key).count();
        let sub = build(p, &rows[start..end], col + 1);
        if ranges.last().is_none_or(|(_, e)| *e != sub) {
            ranges.push((key, sub));
        }
        start = end;
    }
    balanced(&Expr::Var(p.var(col)), &ranges)
}

/// `if v < k_mid then (left half) else (right half)` down to single ranges.
fn balanced(v: &Expr, ranges: &[(i64, Expr)]) -> Expr {
    if ranges.len() == 1 {
        return ranges[0].1.clone();
    }
    let mid = ranges.len() / 2;
    Expr::ite(
        Expr::bin(BinOp::Lt, v.clone(), Expr::Const(ranges[mid].0)),
        balanced(v, &ranges[..mid]),
        balanced(v, &ranges[mid..]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::{assert_same, explore, range};

    #[test]
    fn majority_of_three_values_as_a_table() {
        // Counts of 0, 1, 2 capped at 4; output: the most frequent value (ties → smallest).
        let sm = explore(
            vec![0, 0, 0],
            &range(0, 2),
            |s, x| {
                let mut t = s.to_vec();
                t[x[0] as usize] = (t[x[0] as usize] + 1).min(4);
                t
            },
            |s| {
                let best = (0..3).max_by_key(|&v| (s[v], std::cmp::Reverse(v))).unwrap();
                vec![best as i64]
            },
        );
        let p = fit_table(&sm, false).unwrap();
        assert!(!p.symbolic);
        assert_eq!(p.method, "table");
        assert_same(&sm, &p, &range(0, 2));
    }

    #[test]
    fn incomplete_machines_are_refused() {
        let mut sm = explore(vec![0], &range(0, 1), |s, x| vec![s[0] ^ x[0]], |s| s.to_vec());
        sm.complete = false;
        assert!(fit_table(&sm, false).is_err());
        let p = fit_table(&sm, true).unwrap();
        assert_same(&sm, &p, &range(0, 1));
    }

    #[test]
    fn trees_merge_equal_runs() {
        let p = Problem {
            state_dim: 0,
            input_dim: 1,
            points: (0..20).map(|x| vec![x]).collect(),
            values: (0..20).map(|x| (x >= 7) as i64).collect(),
        };
        let e = decision_tree(&p);
        assert_eq!(e.tokens(), 6); // if x < 7 then 0 else 1
        assert!(p.fits(&e));
    }
}
