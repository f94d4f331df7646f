//! Outputs decided by comparisons of state components (counters) with 0 and with each other:
//! a decision list `v1 if P1 else (v2 if P2 else … vn)` whose conditions are conjunctions of
//! comparisons, chosen greedily (each rule the one that covers the most remaining rows with one
//! value, fewer tokens breaking ties). Conjunctions of one or two comparisons are tried first;
//! when no list exists, conjunctions grow by one comparison at a time while the truth table of
//! the conditions stays within [`TRUTH_BUDGET`] bits (the most frequent of four values needs
//! three: `x ≥ y and x ≥ z and x ≥ 0`). The list holds at any counter value the comparisons
//! see, unlike a table over the observed rows.

use mips_core::ir::{BinOp, Expr, Var};
use mips_core::{MipsError, Result};

use super::driver::Fit;
use super::rows::Problem;

/// The comparison operators of a literal.
const OPS: [BinOp; 6] = [BinOp::Lt, BinOp::Le, BinOp::Eq, BinOp::Ne, BinOp::Gt, BinOp::Ge];

/// Most bits (conditions × rows) of the conditions' truth table: a work bound on the growth of
/// the conjunctions (2^28 bits is 32 MiB).
pub const TRUTH_BUDGET: usize = 1 << 28;

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

/// A set of rows as bits.
#[derive(Clone, PartialEq, Eq)]
struct Rows(Vec<u64>);

impl Rows {
    fn empty(n: usize) -> Rows {
        Rows(vec![0; n.div_ceil(64)])
    }

    fn of(n: usize, member: impl Fn(usize) -> bool) -> Rows {
        let mut rows = Rows::empty(n);
        (0..n)
            .filter(|&r| member(r))
            .for_each(|r| rows.0[r / 64] |= 1 << (r % 64));
        rows
    }

    fn and(&self, other: &Rows) -> Rows {
        Rows(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    fn minus(&self, other: &Rows) -> Rows {
        Rows(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }

    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn first(&self) -> Option<usize> {
        self.0
            .iter()
            .position(|w| *w != 0)
            .map(|i| i * 64 + self.0[i].trailing_zeros() as usize)
    }

    fn is_subset(&self, other: &Rows) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
}

/// Conditions with the rows they hold on: a conjunction of literals (indices, ascending).
struct Conditions {
    literals: Vec<Expr>,
    conjunctions: Vec<Vec<usize>>,
    truth: Vec<Rows>,
}

impl Conditions {
    /// Every single literal and every conjunction of two, in the order they are tried.
    fn new(p: &Problem) -> Conditions {
        let literals = literals(p);
        let n = p.points.len();
        let mut conds = Conditions {
            truth: literals
                .iter()
                .map(|c| {
                    Rows::of(n, |r| {
                        let (s, x) = p.split(&p.points[r]);
                        c.eval(s, x).is_ok_and(|v| v != 0)
                    })
                })
                .collect(),
            conjunctions: (0..literals.len()).map(|i| vec![i]).collect(),
            literals,
        };
        conds.grow();
        conds
    }

    /// Adds the conjunctions one literal longer than the longest so far (each literal after the
    /// last of a conjunction); false when there are none or they would exceed [`TRUTH_BUDGET`].
    fn grow(&mut self) -> bool {
        let longest = self.conjunctions.iter().map(Vec::len).max().unwrap_or(0);
        let m = self.literals.len();
        let mut added: Vec<Vec<usize>> = Vec::new();
        for c in self.conjunctions.iter().filter(|c| c.len() == longest) {
            added.extend((c[c.len() - 1] + 1..m).map(|l| [c.clone(), vec![l]].concat()));
        }
        let rows = self.truth.first().map_or(0, |t| t.0.len() * 64);
        if added.is_empty() || (self.truth.len() + added.len()).saturating_mul(rows) > TRUTH_BUDGET {
            return false;
        }
        for c in added {
            let truth = c[1..]
                .iter()
                .fold(self.truth[c[0]].clone(), |t, &l| t.and(&self.truth[l]));
            self.truth.push(truth);
            self.conjunctions.push(c);
        }
        true
    }

    /// The expression of condition `c`.
    fn expr(&self, c: usize) -> Expr {
        let lits = &self.conjunctions[c];
        lits[1..].iter().fold(self.literals[lits[0]].clone(), |acc, &l| {
            Expr::Binary(BinOp::And, Box::new(acc), Box::new(self.literals[l].clone()))
        })
    }

    /// Tokens of condition `c`.
    fn tokens(&self, c: usize) -> usize {
        self.conjunctions[c]
            .iter()
            .map(|&l| self.literals[l].tokens())
            .sum::<usize>()
            + self.conjunctions[c].len()
            - 1
    }
}

/// The rule covering the most rows of `left` with one value: `(condition, value, covered)`.
fn best_rule(p: &Problem, conds: &Conditions, by_value: &[(i64, Rows)], left: &Rows) -> Option<(usize, i64, Rows)> {
    let mut best: Option<(usize, i64, Rows, usize)> = None;
    for (c, holds) in conds.truth.iter().enumerate() {
        let covered = holds.and(left);
        let Some(first) = covered.first() else { continue };
        let v = p.values[first];
        let pure = by_value.iter().any(|(w, rows)| *w == v && covered.is_subset(rows));
        if !pure {
            continue;
        }
        let count = covered.count();
        let better = best
            .as_ref()
            .is_none_or(|(b, _, _, n)| count > *n || (count == *n && conds.tokens(c) < conds.tokens(*b)));
        if better {
            best = Some((c, v, covered, count));
        }
    }
    best.map(|(c, v, covered, _)| (c, v, covered))
}

/// The greedy decision list over `conds`, or `None` when a remaining row set has no pure rule.
fn decision_list(p: &Problem, conds: &Conditions) -> Option<Expr> {
    let n = p.points.len();
    let mut values: Vec<i64> = p.values.clone();
    values.sort_unstable();
    values.dedup();
    let by_value: Vec<(i64, Rows)> = values.iter().map(|&v| (v, Rows::of(n, |r| p.values[r] == v))).collect();
    let mut left = Rows::of(n, |_| true);
    let mut rules: Vec<(usize, i64)> = Vec::new();
    loop {
        let v = p.values[left.first()?];
        if by_value.iter().any(|(w, rows)| *w == v && left.is_subset(rows)) {
            let expr = rules.iter().rev().fold(Expr::Const(v), |rest, &(c, value)| {
                Expr::If(Box::new(conds.expr(c)), Box::new(Expr::Const(value)), Box::new(rest))
            });
            return Some(expr);
        }
        let (c, value, covered) = best_rule(p, conds, &by_value, &left)?;
        left = left.minus(&covered);
        rules.push((c, value));
    }
}

/// Fits `p` as a decision list over comparisons of its state components (see the module doc).
pub fn fit_comparisons(p: &Problem) -> Result<Fit> {
    let fail = |why: &str| Err(MipsError::pass("regress-comparisons", why.to_string()));
    if p.state_dim == 0 || p.points.is_empty() {
        return fail("no state to compare");
    }
    let mut conds = Conditions::new(p);
    loop {
        if let Some(expr) = decision_list(p, &conds) {
            return Ok(Fit {
                expr,
                method: "comparisons",
            });
        }
        if !conds.grow() {
            return fail("no comparison separates the remaining values");
        }
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

    /// The most frequent of four symbols (ties to the smallest) from `n_i − n3`, `i < 3`.
    fn majority_of_four() -> Problem {
        let mut points = Vec::new();
        let mut values = Vec::new();
        for a in -3i64..=3 {
            for b in -3i64..=3 {
                for c in -3i64..=3 {
                    let counts = [a, b, c, 0];
                    let top = *counts.iter().max().unwrap();
                    points.push(vec![a, b, c, 0]);
                    values.push(counts.iter().position(|&n| n == top).unwrap() as i64);
                }
            }
        }
        Problem {
            state_dim: 3,
            input_dim: 1,
            points,
            values,
        }
    }

    #[test]
    fn conjunctions_grow_when_two_comparisons_do_not_decide() {
        let p = majority_of_four();
        let pairs = Conditions::new(&p);
        assert!(
            decision_list(&p, &pairs).is_none(),
            "two comparisons should not suffice"
        );
        let fit = fit_comparisons(&p).unwrap();
        assert!(p.fits(&fit.expr), "{}", fit.expr);
        assert_eq!(fit.expr.eval(&[40, 39, 40], &[0]).unwrap(), 0);
        assert_eq!(fit.expr.eval(&[-40, 39, 39], &[0]).unwrap(), 1);
        assert_eq!(fit.expr.eval(&[-40, -39, -1], &[0]).unwrap(), 3);
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
