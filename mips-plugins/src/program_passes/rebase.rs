//! Affine re-basing: a state stored as `c - x`, `-x` or `x + c` is replaced by `x` itself.
//! A re-basing `s = ±s' + c` substitutes `±s' + c` for `s` everywhere, turns the update `u`
//! into `±(u - c)` and the initial value into `±(init - c)`. Candidates come from the constant
//! term of the update and from every affine use `±s + c` (which the re-basing turns into `s'`).
//! The search takes the shortest candidate that is not longer than the current program (plateau
//! moves allow re-basing a chain of states one at a time) and keeps the shortest program seen.

use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};

use super::affine::Affine;
use super::fold::fold_program;
use super::rewrite::substitute;

/// `p` with its affinely re-based state variables simplified away.
pub fn rebase_affine(p: &Program) -> Program {
    let mut current = fold_program(p);
    let mut best = current.clone();
    let mut visited = vec![current.clone()];
    for _ in 0..4 * (p.updates.len() + 1) {
        let next = candidates(&current)
            .into_iter()
            .filter_map(|(k, sign, c)| rebase(&current, k, sign, c))
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

/// Re-bases state `k` as `s = sign · s' + c`, folded; `None` on overflow.
pub fn rebase(p: &Program, k: usize, sign: i64, c: i64) -> Option<Program> {
    let old_in_new = Affine {
        terms: vec![(Expr::state(k), sign)],
        constant: c,
    }
    .to_expr();
    let replace = |v: Var| match v {
        Var::State(j) if j == k => old_in_new.clone(),
        other => Expr::Var(other),
    };
    let mut q = p.clone();
    q.init[k] = sign.checked_mul(p.init[k].checked_sub(c)?)?;
    for e in q.updates.iter_mut().chain(q.outputs.iter_mut()) {
        *e = substitute(e, &replace);
    }
    q.updates[k] = Affine {
        terms: vec![(q.updates[k].clone(), sign)],
        constant: sign.checked_mul(c)?.checked_neg()?,
    }
    .to_expr();
    Some(fold_program(&q))
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

    #[test]
    fn nothing_to_gain_leaves_program_alone() {
        let p = program(Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0)), Expr::state(0), 0);
        assert_eq!(rebase_affine(&p), p);
    }
}
