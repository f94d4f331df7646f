//! Affine re-basing: the state variables are changed by unimodular affine maps (so every state
//! stays an integer and the change can be undone) when that shortens the program. Two kinds of
//! move generate these maps:
//!
//! - an offset or sign, `s = ±s' + c`: a state stored as `c - x`, `-x` or `x + c` becomes `x`
//!   itself. It substitutes `±s' + c` for `s` everywhere, turns the update `u` into `±(u - c)`
//!   and the initial value into `±(init - c)`. Candidates come from the constant term of the
//!   update and from every affine use `±s + c` (which the re-basing turns into `s'`);
//! - a shear between two states with affine updates, `t_i = s_i ± s_j`: it substitutes
//!   `t_i ∓ t_j` for `s_i`, and `t_i`'s update is `u_i ± u_j`. Shears change the axes of a
//!   lattice of states (integer-linear regression picks arbitrary ones) to those the rule is
//!   shortest in.
//!
//! The search takes the shortest candidate that is not longer than the current program (plateau
//! moves allow a chain of re-basings one at a time) and keeps the shortest program seen.

use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};

use super::affine::Affine;
use super::fold::fold_program;
use super::rewrite::substitute;

/// `p` with its affinely re-based state variables simplified away.
pub fn rebase_affine(p: &Program) -> Program {
    let mut current = fold_program(p);
    let mut best = current.clone();
    let mut visited = vec![current.clone()];
    let n = p.updates.len();
    for _ in 0..4 * (n + 1) * (n + 1) {
        let offsets = candidates(&current)
            .into_iter()
            .filter_map(|(k, sign, c)| rebase(&current, k, sign, c));
        let shears = shear_candidates(&current)
            .into_iter()
            .filter_map(|(i, j, sign)| shear(&current, i, j, sign));
        let next = offsets
            .chain(shears)
            .filter(|q| q.tokens() <= current.tokens() && !visited.contains(q))
            .min_by_key(Program::tokens);
        let Some(q) = next else { break };
        visited.push(q.clone());
        if q.tokens() < best.tokens() {
            best = q.clone();
        }
        current = q;
    }
    best
}

/// The `(state, sign, c)` re-basings `s = sign · s' + c` worth trying.
fn candidates(p: &Program) -> Vec<(usize, i64, i64)> {
    let mut out = Vec::new();
    for (k, u) in p.updates.iter().enumerate() {
        let c = Affine::of(u).map_or(0, |f| f.constant);
        out.push((k, -1, c));
        out.push((k, 1, c));
    }
    for e in p.updates.iter().chain(&p.outputs) {
        affine_uses(e, &mut out);
    }
    out.retain(|&(_, sign, c)| sign == -1 || c != 0);
    out.sort();
    out.dedup();
    out
}

/// For every maximal affine sub-expression `±s + c + ...` of `e`: the re-basing `(s, ±1, ∓c)`
/// that turns it into `s' + ...`.
fn affine_uses(e: &Expr, out: &mut Vec<(usize, i64, i64)>) {
    let affine_top = matches!(
        e,
        Expr::Unary(UnOp::Neg, _) | Expr::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, _, _)
    );
    // A product of two non-constants is its own single atom: look inside it instead.
    let form = Affine::of(e).filter(|f| affine_top && !(f.terms.len() == 1 && f.terms[0].0 == *e));
    if let Some(f) = form {
        for (atom, coef) in &f.terms {
            match atom {
                Expr::Var(Var::State(k)) if coef.abs() == 1 => {
                    if let Some(c) = coef.checked_mul(f.constant).and_then(i64::checked_neg) {
                        out.push((*k, *coef, c));
                    }
                }
                other => affine_uses(other, out),
            }
        }
        return;
    }
    match e {
        Expr::Const(_) | Expr::Var(_) => {}
        Expr::Unary(_, a) => affine_uses(a, out),
        Expr::Binary(_, a, b) => {
            affine_uses(a, out);
            affine_uses(b, out);
        }
        Expr::If(c, t, o) => {
            affine_uses(c, out);
            affine_uses(t, out);
            affine_uses(o, out);
        }
    }
}

/// The shears `(i, j, sign)` worth trying: both states have affine updates.
fn shear_candidates(p: &Program) -> Vec<(usize, usize, i64)> {
    let affine: Vec<bool> = p.updates.iter().map(|u| Affine::of(u).is_some()).collect();
    let n = p.updates.len();
    (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .filter(|&(i, j)| i != j && affine[i] && affine[j])
        .flat_map(|(i, j)| [(i, j, 1), (i, j, -1)])
        .collect()
}

/// Replaces state `i` by `t_i = s_i + sign · s_j`, folded; `None` on overflow.
pub fn shear(p: &Program, i: usize, j: usize, sign: i64) -> Option<Program> {
    let old_in_new = Affine {
        terms: vec![(Expr::state(i), 1), (Expr::state(j), -sign)],
        constant: 0,
    };
    let mut q = substituted(p, i, &old_in_new);
    q.init[i] = p.init[i].checked_add(sign.checked_mul(p.init[j])?)?;
    q.updates[i] = Affine {
        terms: vec![(q.updates[i].clone(), 1), (q.updates[j].clone(), sign)],
        constant: 0,
    }
    .to_expr();
    Some(fold_program(&q))
}

/// Re-bases state `k` as `s = sign · s' + c`, folded; `None` on overflow.
pub fn rebase(p: &Program, k: usize, sign: i64, c: i64) -> Option<Program> {
    let old_in_new = Affine {
        terms: vec![(Expr::state(k), sign)],
        constant: c,
    };
    let mut q = substituted(p, k, &old_in_new);
    q.init[k] = sign.checked_mul(p.init[k].checked_sub(c)?)?;
    q.updates[k] = Affine {
        terms: vec![(q.updates[k].clone(), sign)],
        constant: sign.checked_mul(c)?.checked_neg()?,
    }
    .to_expr();
    Some(fold_program(&q))
}

/// `p` with `old_in_new` (the old state `k` written in the new states) substituted for state
/// `k` in every update and output; the caller sets the new state's update and initial value.
fn substituted(p: &Program, k: usize, old_in_new: &Affine) -> Program {
    let old_in_new = old_in_new.to_expr();
    let replace = |v: Var| match v {
        Var::State(j) if j == k => old_in_new.clone(),
        other => Expr::Var(other),
    };
    let mut q = p.clone();
    for e in q.updates.iter_mut().chain(q.outputs.iter_mut()) {
        *e = substitute(e, &replace);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(update: Expr, output: Expr, init: i64) -> Program {
        Program {
            state_names: vec!["s".into()],
            init: vec![init],
            input_names: vec!["x".into()],
            updates: vec![update],
            outputs: vec![output],
            method: String::new(),
            symbolic: true,
        }
    }

    #[test]
    fn reflected_delay_becomes_plain() {
        // s stores 99 - previous x; the output is 99 - s.
        let p = program(
            Expr::bin(BinOp::Sub, Expr::Const(99), Expr::input(0)),
            Expr::bin(
                BinOp::Add,
                Expr::bin(BinOp::Sub, Expr::Const(99), Expr::state(0)),
                Expr::input(0),
            ),
            99,
        );
        let q = rebase_affine(&p);
        assert_eq!(q.updates[0], Expr::input(0));
        assert_eq!(q.init, vec![0]);
        assert!(q.tokens() < p.tokens());
        let xs = [5, -3, 7, 7, 0, 2];
        assert_eq!(q.run(&xs).unwrap(), p.run(&xs).unwrap());
    }

    #[test]
    fn shifted_and_negated_counters_become_plain() {
        // s = s + x + 5 stored with offset; output s - 5 … and s = -x with output -s.
        let shifted = program(
            Expr::bin(BinOp::Add, Expr::input(0), Expr::Const(5)),
            Expr::bin(BinOp::Sub, Expr::state(0), Expr::Const(5)),
            5,
        );
        let q = rebase_affine(&shifted);
        assert_eq!(q.updates[0], Expr::input(0));
        assert_eq!(q.outputs[0], Expr::state(0));
        let negated = program(
            Expr::un(UnOp::Neg, Expr::input(0)),
            Expr::un(UnOp::Neg, Expr::state(0)),
            0,
        );
        let q = rebase_affine(&negated);
        assert_eq!(
            (q.updates[0].clone(), q.outputs[0].clone()),
            (Expr::input(0), Expr::state(0))
        );
        let xs = [1, -2, 3];
        assert_eq!(q.run(&xs).unwrap(), negated.run(&xs).unwrap());
    }

    #[test]
    fn reflected_delay_chain_needs_two_steps() {
        // s0 = 99 - x, s1 = s0, output 99 - s1: each re-basing alone saves nothing.
        let p = Program {
            state_names: vec!["s".into(), "t".into()],
            init: vec![99, 99],
            input_names: vec!["x".into()],
            updates: vec![Expr::bin(BinOp::Sub, Expr::Const(99), Expr::input(0)), Expr::state(0)],
            outputs: vec![Expr::bin(BinOp::Sub, Expr::Const(99), Expr::state(1))],
            method: String::new(),
            symbolic: true,
        };
        let q = rebase_affine(&p);
        assert_eq!(q.updates, vec![Expr::input(0), Expr::state(0)]);
        assert_eq!(q.outputs, vec![Expr::state(1)]);
        assert_eq!(q.init, vec![0, 0]);
        let xs = [4, 8, 15, 16, 23, 42];
        assert_eq!(q.run(&xs).unwrap(), p.run(&xs).unwrap());
    }

    /// `Σ coef · var` over states (`s`) and inputs (`x`).
    fn linear(states: &[i64], inputs: &[i64]) -> Expr {
        let terms = states
            .iter()
            .enumerate()
            .map(|(k, &c)| (Expr::state(k), c))
            .chain(inputs.iter().enumerate().map(|(k, &c)| (Expr::input(k), c)))
            .filter(|(_, c)| *c != 0)
            .collect();
        Affine { terms, constant: 0 }.to_expr()
    }

    #[test]
    fn shears_find_the_axes_a_lattice_rule_is_shortest_in() {
        // Velocity and position under a force (a, b) with a rotating term, as integer-linear
        // regression wrote it on arbitrary lattice axes (c, total, d, e).
        let p = Program {
            state_names: vec!["c".into(), "total".into(), "d".into(), "e".into()],
            init: vec![0; 4],
            input_names: vec!["a".into(), "b".into()],
            updates: vec![
                linear(&[0, 1, 1, 1], &[-2, -1]),
                linear(&[0, 1, 0, 1], &[-1, -1]),
                linear(&[-2, 2, 3, -2], &[-2, 1]),
                linear(&[-1, 1, 1, 0], &[-1, 0]),
            ],
            outputs: vec![linear(&[-1, 1, 0, 0], &[]), linear(&[0, -1, 0, 1], &[])],
            method: String::new(),
            symbolic: true,
        };
        let q = rebase_affine(&p);
        assert!(q.tokens() <= 30, "{} tokens: {q:?}", q.tokens());
        let xs: Vec<i64> = (0..40).map(|t| (t * 7 % 21) - 10).collect();
        assert_eq!(q.run(&xs).unwrap(), p.run(&xs).unwrap());
    }

    #[test]
    fn nothing_to_gain_leaves_program_alone() {
        let p = program(Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0)), Expr::state(0), 0);
        assert_eq!(rebase_affine(&p), p);
    }
}
