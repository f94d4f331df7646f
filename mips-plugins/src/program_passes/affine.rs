//! Affine normal form: an expression built from `+`, `-`, negation and multiplication by
//! constants is a sum `Σ coef · atom + constant` over its other sub-expressions (the atoms).
//! Used to fold `(x + 2) + 3`, `99 - (99 - x)` and to write fitted linear formulas readably.

use mips_core::ir::{BinOp, Expr, UnOp};

/// `Σ coef · atom + constant`; atoms are distinct, coefficients non-zero, in order of first
/// appearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affine {
    pub terms: Vec<(Expr, i64)>,
    pub constant: i64,
}

impl Affine {
    /// The constant `c`.
    pub fn constant(c: i64) -> Affine {
        Affine {
            terms: Vec::new(),
            constant: c,
        }
    }

    /// The normal form of `e`, or `None` when a coefficient would overflow.
    pub fn of(e: &Expr) -> Option<Affine> {
        match e {
            Expr::Const(c) => Some(Affine::constant(*c)),
            Expr::Unary(UnOp::Neg, a) => Affine::of(a)?.scale(-1),
            Expr::Binary(BinOp::Add, a, b) => Affine::of(a)?.add(&Affine::of(b)?, 1),
            Expr::Binary(BinOp::Sub, a, b) => Affine::of(a)?.add(&Affine::of(b)?, -1),
            Expr::Binary(BinOp::Mul, a, b) => match (a.as_ref(), b.as_ref()) {
                (Expr::Const(k), other) | (other, Expr::Const(k)) => Affine::of(other)?.scale(*k),
                _ => Some(Affine::atom(e.clone())),
            },
            _ => Some(Affine::atom(e.clone())),
        }
    }

    fn atom(e: Expr) -> Affine {
        Affine {
            terms: vec![(e, 1)],
            constant: 0,
        }
    }

    /// `self · k`.
    pub fn scale(mut self, k: i64) -> Option<Affine> {
        if k == 0 {
            return Some(Affine::constant(0));
        }
        for (_, c) in &mut self.terms {
            *c = c.checked_mul(k)?;
        }
        self.constant = self.constant.checked_mul(k)?;
        Some(self)
    }

    /// `self + k · other`.
    pub fn add(mut self, other: &Affine, k: i64) -> Option<Affine> {
        for (atom, c) in &other.terms {
            let c = c.checked_mul(k)?;
            match self.terms.iter_mut().find(|(a, _)| a == atom) {
                Some((_, existing)) => *existing = existing.checked_add(c)?,
                None => self.terms.push((atom.clone(), c)),
            }
        }
        self.terms.retain(|(_, c)| *c != 0);
        self.constant = self.constant.checked_add(other.constant.checked_mul(k)?)?;
        Some(self)
    }

    /// Writes the form as an expression: positive terms first, then subtracted terms, then
    /// the constant (`99 - x` when there are only subtracted terms and a positive constant).
    pub fn to_expr(&self) -> Expr {
        let term = |atom: &Expr, c: i64| {
            if c == 1 {
                atom.clone()
            } else {
                Expr::bin(BinOp::Mul, Expr::Const(c), atom.clone())
            }
        };
        let mut acc: Option<Expr> = None;
        for (atom, c) in self.terms.iter().filter(|(_, c)| *c > 0) {
            let t = term(atom, *c);
            acc = Some(match acc {
                None => t,
                Some(a) => Expr::bin(BinOp::Add, a, t),
            });
        }
        let mut constant = self.constant;
        if acc.is_none() && constant > 0 && self.terms.iter().any(|(_, c)| *c < 0) {
            acc = Some(Expr::Const(constant));
            constant = 0;
        }
        for (atom, c) in self.terms.iter().filter(|(_, c)| *c < 0) {
            acc = Some(match (acc, c.checked_neg()) {
                (None, Some(m)) => Expr::un(UnOp::Neg, term(atom, m)),
                (Some(a), Some(m)) => Expr::bin(BinOp::Sub, a, term(atom, m)),
                (None, None) => term(atom, *c),
                (Some(a), None) => Expr::bin(BinOp::Add, a, term(atom, *c)),
            });
        }
        match acc {
            None => Expr::Const(constant),
            Some(a) if constant > 0 => Expr::bin(BinOp::Add, a, Expr::Const(constant)),
            Some(a) if constant < 0 && constant != i64::MIN => Expr::bin(BinOp::Sub, a, Expr::Const(-constant)),
            Some(a) if constant < 0 => Expr::bin(BinOp::Add, a, Expr::Const(constant)),
            Some(a) => a,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Expr {
        Expr::input(0)
    }

    #[test]
    fn folds_nested_offsets_and_reflections() {
        let e = Expr::bin(BinOp::Sub, Expr::Const(99), Expr::bin(BinOp::Sub, Expr::Const(99), x()));
        assert_eq!(Affine::of(&e).unwrap().to_expr(), x());
        let e = Expr::bin(BinOp::Add, Expr::bin(BinOp::Add, x(), Expr::Const(2)), Expr::Const(3));
        assert_eq!(
            Affine::of(&e).unwrap().to_expr(),
            Expr::bin(BinOp::Add, x(), Expr::Const(5))
        );
    }

    #[test]
    fn writes_reflections_and_negations() {
        let f = Affine {
            terms: vec![(x(), -1)],
            constant: 99,
        };
        assert_eq!(f.to_expr(), Expr::bin(BinOp::Sub, Expr::Const(99), x()));
        let g = Affine {
            terms: vec![(x(), -2), (Expr::state(0), 1)],
            constant: -1,
        };
        let e = g.to_expr();
        for (s, v) in [(3, 4), (-2, 7)] {
            assert_eq!(e.eval(&[s], &[v]).unwrap(), s - 2 * v - 1);
        }
    }

    #[test]
    fn overflow_gives_none() {
        let e = Expr::bin(
            BinOp::Mul,
            Expr::Const(i64::MAX),
            Expr::bin(BinOp::Mul, Expr::Const(2), x()),
        );
        assert!(Affine::of(&e).is_none());
    }
}
