//! Affine re-basing: a state stored as `c - x`, `-x` or `x + c` is replaced by `x` itself.
//! For state `s` with update `u`, the candidates are `s' = s - c` and `s' = c - s` where `c` is
//! the constant term of `u`; `s = ±s' + c` is substituted everywhere, the update becomes
//! `±(u - c)` and the initial value `±(init - c)`. A candidate is kept when the folded program
//! is strictly shorter (in tokens); the search repeats until nothing improves.

use mips_core::ir::{Expr, Program, Var};

use super::affine::Affine;
use super::fold::fold_program;
use super::rewrite::substitute;

/// `p` with its affinely re-based state variables simplified away.
pub fn rebase_affine(p: &Program) -> Program {
    let mut best = fold_program(p);
    // Each accepted step removes at least one token, so this terminates.
    loop {
        let improved = (0..best.updates.len())
            .flat_map(|k| candidates(&best, k).into_iter().map(move |(sign, c)| (k, sign, c)))
            .filter_map(|(k, sign, c)| rebase(&best, k, sign, c))
            .min_by_key(Program::tokens)
            .filter(|q| q.tokens() < best.tokens());
        match improved {
            Some(q) => best = q,
            None => return best,
        }
    }
}

/// The `(sign, c)` pairs worth trying for state `k`: `s = sign · s' + c`.
fn candidates(p: &Program, k: usize) -> Vec<(i64, i64)> {
    let c = Affine::of(&p.updates[k]).map_or(0, |f| f.constant);
    let mut out = vec![(-1, c)];
    if c != 0 {
        out.push((1, c));
    }
    out
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
    use mips_core::ir::BinOp;

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
            Expr::un(mips_core::ir::UnOp::Neg, Expr::input(0)),
            Expr::un(mips_core::ir::UnOp::Neg, Expr::state(0)),
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
    fn nothing_to_gain_leaves_program_alone() {
        let p = program(Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0)), Expr::state(0), 0);
        assert_eq!(rebase_affine(&p), p);
    }
}
