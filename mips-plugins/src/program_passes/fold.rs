//! Constant folding and algebraic identities (`x + 0`, `x * 1`, `x * 0`, `not not b`, `if`
//! with a constant condition, `b == 1`, affine re-association, ...). Every rewrite keeps the
//! value of the expression for all inputs on which the original evaluates without error.

use mips_core::ir::{BinOp, Expr, Program, UnOp};

use super::affine::Affine;
use super::rewrite::{boolean_states, is_boolean};

/// Folds every update and output of `p`.
pub fn fold_program(p: &Program) -> Program {
    let bools = boolean_states(p);
    let mut out = p.clone();
    for e in out.updates.iter_mut().chain(out.outputs.iter_mut()) {
        *e = simplify(e, &bools);
    }
    out
}

/// Simplifies `e` bottom-up; `bools` says which state variables only hold 0 or 1.
pub fn simplify(e: &Expr, bools: &[bool]) -> Expr {
    let e = match e {
        Expr::Const(_) | Expr::Var(_) => return e.clone(),
        Expr::Unary(op, a) => unary(*op, simplify(a, bools), bools),
        Expr::Binary(op, a, b) => binary(*op, simplify(a, bools), simplify(b, bools), bools),
        Expr::If(c, t, o) => conditional(simplify(c, bools), simplify(t, bools), simplify(o, bools), bools),
    };
    reassociate(e)
}

/// Rewrites an affine compound (`+`, `-`, negation, constant factors) in normal form when that
/// is no longer.
fn reassociate(e: Expr) -> Expr {
    let affine_top = matches!(
        &e,
        Expr::Unary(UnOp::Neg, _) | Expr::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, _, _)
    );
    if !affine_top {
        return e;
    }
    match Affine::of(&e).map(|f| f.to_expr()) {
        Some(normal) if normal.tokens() <= e.tokens() => normal,
        _ => e,
    }
}

fn unary(op: UnOp, a: Expr, bools: &[bool]) -> Expr {
    if let Expr::Const(c) = a
        && let Ok(v) = op.apply(c)
    {
        return Expr::Const(v);
    }
    match (op, a) {
        (UnOp::Neg, Expr::Unary(UnOp::Neg, inner)) => *inner,
        (UnOp::Not, Expr::Unary(UnOp::Not, inner)) if is_boolean(&inner, bools) => *inner,
        (UnOp::Not, Expr::Binary(cmp, x, y)) if negated(cmp).is_some() => {
            Expr::Binary(negated(cmp).expect("checked"), x, y)
        }
        (UnOp::Abs, Expr::Unary(UnOp::Abs, inner)) => Expr::un(UnOp::Abs, *inner),
        (UnOp::Abs, a) if is_boolean(&a, bools) => a,
        (op, a) => Expr::un(op, a),
    }
}

/// The comparison that is the logical negation of `op`.
fn negated(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        BinOp::Lt => BinOp::Ge,
        BinOp::Ge => BinOp::Lt,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        _ => return None,
    })
}

fn binary(op: BinOp, a: Expr, b: Expr, bools: &[bool]) -> Expr {
    if let (Expr::Const(x), Expr::Const(y)) = (&a, &b)
        && let Ok(v) = op.apply(*x, *y)
    {
        return Expr::Const(v);
    }
    let boolean = |e: &Expr| is_boolean(e, bools);
    let same = a == b;
    let (ca, cb) = (constant(&a), constant(&b));
    use BinOp::*;
    match op {
        Add if ca == Some(0) => b,
        Add | Sub if cb == Some(0) => a,
        Sub if same => Expr::Const(0),
        Mul if ca == Some(1) => b,
        Mul if cb == Some(1) => a,
        Mul if ca == Some(0) || cb == Some(0) => Expr::Const(0),
        FloorDiv if cb == Some(1) => a,
        Mod if cb == Some(1) || cb == Some(-1) => Expr::Const(0),
        Min | Max if same => a,
        Eq | Le | Ge if same => Expr::Const(1),
        Ne | Lt | Gt if same => Expr::Const(0),
        Xor if ca == Some(0) => b,
        Xor if cb == Some(0) => a,
        Xor if same => Expr::Const(0),
        And if ca == Some(0) || cb == Some(0) => Expr::Const(0),
        And if ca.is_some_and(|c| c != 0) && boolean(&b) => b,
        And if cb.is_some_and(|c| c != 0) && boolean(&a) => a,
        Or if ca.is_some_and(|c| c != 0) || cb.is_some_and(|c| c != 0) => Expr::Const(1),
        Or if ca == Some(0) && boolean(&b) => b,
        Or if cb == Some(0) && boolean(&a) => a,
        And | Or if same && boolean(&a) => a,
        _ => compare_with_bit(op, a, b, bools),
    }
}

/// `b == 1`, `b != 0`, `b > 0`, `0 < b` → `b`; `b == 0`, `b != 1` → `not b` for Boolean `b`.
fn compare_with_bit(op: BinOp, a: Expr, b: Expr, bools: &[bool]) -> Expr {
    let (e, c, flipped) = match (constant(&a), constant(&b)) {
        (None, Some(c)) => (&a, c, false),
        (Some(c), None) => (&b, c, true),
        _ => return Expr::bin(op, a, b),
    };
    if !is_boolean(e, bools) {
        return Expr::bin(op, a, b);
    }
    // Normalise to `e op' c`.
    let op_e = if flipped {
        match op {
            BinOp::Lt => BinOp::Gt,
            BinOp::Gt => BinOp::Lt,
            BinOp::Le => BinOp::Ge,
            BinOp::Ge => BinOp::Le,
            other => other,
        }
    } else {
        op
    };
    let same = matches!(
        (op_e, c),
        (BinOp::Eq, 1) | (BinOp::Ne, 0) | (BinOp::Gt, 0) | (BinOp::Ge, 1)
    );
    let inverse = matches!(
        (op_e, c),
        (BinOp::Eq, 0) | (BinOp::Ne, 1) | (BinOp::Lt, 1) | (BinOp::Le, 0)
    );
    if same {
        e.clone()
    } else if inverse {
        Expr::un(UnOp::Not, e.clone())
    } else {
        Expr::bin(op, a, b)
    }
}

fn conditional(c: Expr, t: Expr, o: Expr, bools: &[bool]) -> Expr {
    if let Some(v) = constant(&c) {
        return if v != 0 { t } else { o };
    }
    if t == o {
        return t;
    }
    if is_boolean(&c, bools) {
        match (constant(&t), constant(&o)) {
            (Some(1), Some(0)) => return c,
            (Some(0), Some(1)) => return unary(UnOp::Not, c, bools),
            _ => {}
        }
    }
    Expr::ite(c, t, o)
}

fn constant(e: &Expr) -> Option<i64> {
    match e {
        Expr::Const(c) => Some(*c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Expr {
        Expr::state(0)
    }
    fn x() -> Expr {
        Expr::input(0)
    }
    fn c(v: i64) -> Expr {
        Expr::Const(v)
    }

    #[test]
    fn identities_fold() {
        let bools = [false];
        let cases = [
            (Expr::bin(BinOp::Add, x(), c(0)), x()),
            (Expr::bin(BinOp::Mul, c(1), x()), x()),
            (Expr::bin(BinOp::Mul, x(), c(0)), c(0)),
            (Expr::bin(BinOp::Add, c(2), c(3)), c(5)),
            (Expr::ite(c(1), x(), s()), x()),
            (Expr::ite(c(0), x(), s()), s()),
            (Expr::un(UnOp::Neg, Expr::un(UnOp::Neg, x())), x()),
            (Expr::bin(BinOp::Sub, c(99), Expr::bin(BinOp::Sub, c(99), x())), x()),
            (
                Expr::un(UnOp::Not, Expr::bin(BinOp::Lt, x(), s())),
                Expr::bin(BinOp::Ge, x(), s()),
            ),
        ];
        for (before, after) in cases {
            assert_eq!(simplify(&before, &bools), after, "{before:?}");
        }
    }

    #[test]
    fn boolean_identities_need_boolean_operands() {
        let nn = Expr::un(UnOp::Not, Expr::un(UnOp::Not, s()));
        assert_eq!(simplify(&nn, &[true]), s());
        assert_eq!(simplify(&nn, &[false]), nn);
        let eq1 = Expr::bin(BinOp::Eq, s(), c(1));
        assert_eq!(simplify(&eq1, &[true]), s());
        assert_eq!(simplify(&eq1, &[false]), eq1);
        let eq0 = Expr::bin(BinOp::Eq, c(0), s());
        assert_eq!(simplify(&eq0, &[true]), Expr::un(UnOp::Not, s()));
    }

    #[test]
    fn folding_keeps_values() {
        let e = Expr::bin(
            BinOp::Add,
            Expr::bin(BinOp::Mul, c(1), Expr::bin(BinOp::Sub, x(), c(0))),
            Expr::ite(Expr::bin(BinOp::Gt, x(), c(2)), Expr::bin(BinOp::Max, s(), s()), c(0)),
        );
        let f = simplify(&e, &[false]);
        assert!(f.tokens() < e.tokens());
        for sv in -3..4 {
            for xv in -3..5 {
                assert_eq!(f.eval(&[sv], &[xv]).unwrap(), e.eval(&[sv], &[xv]).unwrap());
            }
        }
    }
}
