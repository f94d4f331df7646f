//! Structural helpers shared by the program passes: substituting variables, and the
//! "is this expression always 0 or 1" analysis.

use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};

/// Replaces every variable `v` of `e` by `with(v)`.
pub fn substitute(e: &Expr, with: &impl Fn(Var) -> Expr) -> Expr {
    match e {
        Expr::Const(c) => Expr::Const(*c),
        Expr::Var(v) => with(*v),
        Expr::Unary(op, a) => Expr::un(*op, substitute(a, with)),
        Expr::Binary(op, a, b) => Expr::bin(*op, substitute(a, with), substitute(b, with)),
        Expr::If(c, t, o) => Expr::ite(substitute(c, with), substitute(t, with), substitute(o, with)),
    }
}

/// True when `e` reads variable `v`.
pub fn reads(e: &Expr, v: Var) -> bool {
    let mut found = false;
    e.visit_vars(&mut |w| found |= w == v);
    found
}

/// For each state variable, whether it only ever holds 0 or 1: its initial value is 0 or 1
/// and its update is Boolean-valued assuming the same of every such variable (the greatest
/// fixed point, which is sound by induction over the steps).
pub fn boolean_states(p: &Program) -> Vec<bool> {
    let mut flags: Vec<bool> = p.init.iter().map(|v| *v == 0 || *v == 1).collect();
    loop {
        let next: Vec<bool> = flags
            .iter()
            .zip(&p.updates)
            .map(|(flag, u)| *flag && is_boolean(u, &flags))
            .collect();
        if next == flags {
            return flags;
        }
        flags = next;
    }
}

/// True when `e` always evaluates to 0 or 1, given which state variables are Boolean
/// (inputs are never assumed Boolean).
pub fn is_boolean(e: &Expr, boolean_states: &[bool]) -> bool {
    match e {
        Expr::Const(c) => *c == 0 || *c == 1,
        Expr::Var(Var::State(k)) => boolean_states.get(*k).copied().unwrap_or(false),
        Expr::Var(Var::Input(_)) => false,
        Expr::Unary(UnOp::Not, _) => true,
        Expr::Unary(UnOp::Abs, a) => is_boolean(a, boolean_states),
        Expr::Unary(UnOp::Neg, _) => false,
        Expr::Binary(op, a, b) => {
            op.is_boolean()
                || (matches!(op, BinOp::Xor | BinOp::Min | BinOp::Max | BinOp::Mul)
                    && is_boolean(a, boolean_states)
                    && is_boolean(b, boolean_states))
        }
        Expr::If(_, t, o) => is_boolean(t, boolean_states) && is_boolean(o, boolean_states),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_analysis_follows_updates() {
        let p = Program {
            state_names: vec!["a".into(), "b".into(), "c".into()],
            init: vec![0, 1, 0],
            input_names: vec!["x".into()],
            updates: vec![
                Expr::bin(BinOp::Xor, Expr::state(0), Expr::state(1)),
                Expr::bin(BinOp::Gt, Expr::input(0), Expr::Const(3)),
                Expr::bin(BinOp::Add, Expr::state(2), Expr::input(0)),
            ],
            outputs: vec![Expr::state(0)],
            method: String::new(),
            symbolic: true,
        };
        assert_eq!(boolean_states(&p), vec![true, true, false]);
        let swapped = substitute(&p.updates[0], &|v| match v {
            Var::State(0) => Expr::state(1),
            other => Expr::Var(other),
        });
        assert!(reads(&swapped, Var::State(1)) && !reads(&swapped, Var::State(0)));
    }
}
