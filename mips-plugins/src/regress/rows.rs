//! Fitting data read off a state machine. Update rows: one per observed transition
//! `(state, input) -> next`. Output rows: one per reached `(state, input)` pair (the state
//! after a step and that step's input) with the state's output. A [`Problem`] is one target
//! component over such rows.

use std::collections::BTreeSet;

use mips_core::ir::{Expr, StateMachine, Var};
use mips_core::{MipsError, Result};

/// Rows of one table of the machine (updates or outputs).
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    pub state_dim: usize,
    pub input_dim: usize,
    /// One point per row: the state components, then the input components.
    pub points: Vec<Vec<i64>>,
    /// The target vector of each row.
    pub targets: Vec<Vec<i64>>,
    /// Whether the row's state is the machine's initial state (update rows only).
    pub from_initial: Vec<bool>,
}

impl Rows {
    /// The update rows of `sm`.
    pub fn updates(sm: &StateMachine) -> Rows {
        let mut rows = Rows::empty(sm);
        for ((s, x), t) in &sm.transitions {
            rows.points.push(s.iter().chain(x).copied().collect());
            rows.targets.push(t.clone());
            rows.from_initial.push(*s == sm.initial);
        }
        rows
    }

    /// The output rows of `sm`; a reached state without an output is an error.
    pub fn outputs(sm: &StateMachine) -> Result<Rows> {
        let mut rows = Rows::empty(sm);
        let reached: BTreeSet<(&Vec<i64>, &Vec<i64>)> = sm.transitions.iter().map(|((_, x), t)| (t, x)).collect();
        for (t, x) in reached {
            let y = sm.outputs.get(t).ok_or_else(|| {
                MipsError::invalid("state machine", format!("state {t:?} is reached but has no output"))
            })?;
            rows.points.push(t.iter().chain(x).copied().collect());
            rows.targets.push(y.clone());
            rows.from_initial.push(false);
        }
        Ok(rows)
    }

    fn empty(sm: &StateMachine) -> Rows {
        Rows {
            state_dim: sm.state_dim,
            input_dim: sm.input_dim,
            points: Vec::new(),
            targets: Vec::new(),
            from_initial: Vec::new(),
        }
    }

    /// The fitting problem for target component `k`, optionally without the rows leaving the
    /// initial state.
    pub fn problem(&self, k: usize, skip_initial: bool) -> Problem {
        let keep: Vec<usize> = (0..self.points.len())
            .filter(|&r| !(skip_initial && self.from_initial[r]))
            .collect();
        Problem {
            state_dim: self.state_dim,
            input_dim: self.input_dim,
            points: keep.iter().map(|&r| self.points[r].clone()).collect(),
            values: keep.iter().map(|&r| self.targets[r][k]).collect(),
        }
    }
}

/// One target: its value at each observed point (state components, then inputs).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub state_dim: usize,
    pub input_dim: usize,
    pub points: Vec<Vec<i64>>,
    pub values: Vec<i64>,
}

impl Problem {
    /// Number of variables (columns).
    pub fn width(&self) -> usize {
        self.state_dim + self.input_dim
    }

    /// The variable of column `c`.
    pub fn var(&self, c: usize) -> Var {
        if c < self.state_dim {
            Var::State(c)
        } else {
            Var::Input(c - self.state_dim)
        }
    }

    /// Splits a point into (state, input) for [`Expr::eval`].
    pub fn split<'a>(&self, point: &'a [i64]) -> (&'a [i64], &'a [i64]) {
        point.split_at(self.state_dim)
    }

    /// True when `e` gives the target value on every row (errors count as misses).
    pub fn fits(&self, e: &Expr) -> bool {
        self.points.iter().zip(&self.values).all(|(p, v)| {
            let (s, x) = self.split(p);
            e.eval(s, x).ok() == Some(*v)
        })
    }
}

/// Constants and moduli suggested by a machine's data: for every state, input and output
/// component with non-negative values, `max + 1` (a plausible modulus), and the span
/// `max - min + 1`.
pub fn moduli(sm: &StateMachine, limit: i64) -> Vec<i64> {
    let mut columns: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); sm.state_dim + sm.input_dim + sm.output_dim];
    let mut add = |offset: usize, v: &[i64]| {
        for (k, x) in v.iter().enumerate() {
            columns[offset + k].insert(*x);
        }
    };
    for ((s, x), t) in &sm.transitions {
        add(0, s);
        add(0, t);
        add(sm.state_dim, x);
    }
    for y in sm.outputs.values() {
        add(sm.state_dim + sm.input_dim, y);
    }
    let mut out = BTreeSet::new();
    for c in columns.iter().filter(|c| !c.is_empty()) {
        let (lo, hi) = (*c.first().expect("non-empty"), *c.last().expect("non-empty"));
        let span = hi.saturating_sub(lo).saturating_add(1);
        let top = if lo >= 0 { hi.saturating_add(1) } else { span };
        out.extend([top, span].into_iter().filter(|m| (2..=limit).contains(m)));
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::counter_mod;

    #[test]
    fn rows_follow_the_tables() {
        let sm = counter_mod(3);
        let up = Rows::updates(&sm);
        assert_eq!(up.points.len(), 9);
        assert_eq!(up.from_initial.iter().filter(|f| **f).count(), 3);
        let out = Rows::outputs(&sm).unwrap();
        assert_eq!(out.points.len(), 9);
        let p = up.problem(0, true);
        assert_eq!(p.values.len(), 6);
        assert_eq!(moduli(&sm, 64), vec![3]);
    }
}
