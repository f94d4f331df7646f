//! Arbitrary-precision evaluation of a [`Program`]: Python's unbounded integers, for the
//! sequences whose values outgrow i64 on the 64-bit fast path ([`Program::run`]), and
//! [`Values`], a sequence of integers kept in 64 bits whenever they fit.

use std::borrow::Cow;
use std::fmt::{self, Display, Formatter};

use num_bigint::{BigInt, Sign};
use num_integer::Integer;

use super::program::{BinOp, Expr, Program, UnOp, Var};
use crate::{MipsError, Result};

/// Flat integer values of a sequence, in canonical form: `Small` when every value fits in i64,
/// `Big` only when one does not (so two equal sequences are equal values).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Values {
    /// Every value fits in i64.
    Small(Vec<i64>),
    /// At least one value is outside the i64 range.
    Big(Vec<BigInt>),
}

impl Values {
    /// The canonical form of exact values.
    pub fn from_big(values: Vec<BigInt>) -> Values {
        let small: Option<Vec<i64>> = values.iter().map(|v| i64::try_from(v).ok()).collect();
        match small {
            Some(small) => Values::Small(small),
            None => Values::Big(values),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Small(v) => v.len(),
            Values::Big(v) => v.len(),
        }
    }

    /// True when there is no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` in decimal.
    pub fn text(&self, i: usize) -> Option<String> {
        match self {
            Values::Small(v) => v.get(i).map(i64::to_string),
            Values::Big(v) => v.get(i).map(BigInt::to_string),
        }
    }

    /// The first value outside the i64 range, with its index.
    pub fn first_big(&self) -> Option<(usize, &BigInt)> {
        match self {
            Values::Small(_) => None,
            Values::Big(v) => v.iter().enumerate().find(|(_, v)| i64::try_from(*v).is_err()),
        }
    }
}

/// A big value in an error message: in full up to 40 digits, else its size.
struct Short<'a>(&'a BigInt);

impl Display for Short<'_> {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let digits = text.trim_start_matches('-').len();
        if digits <= 40 {
            out.write_str(&text)
        } else {
            let sign = if text.starts_with('-') { "-" } else { "" };
            write!(out, "{sign}({digits}-digit number)")
        }
    }
}

impl BinOp {
    /// Applies the operator with Python semantics on unbounded integers (only `//` and `%` by
    /// zero fail).
    pub fn apply_exact(self, a: &BigInt, b: &BigInt) -> Result<BigInt> {
        let zero = BigInt::from(0);
        let flag = |v: bool| BigInt::from(i64::from(v));
        let by_zero = |symbol: &str| {
            let what = if self == BinOp::Mod { "modulo" } else { "division" };
            MipsError::Eval(format!("{what} by zero in {} {symbol} 0", Short(a)))
        };
        Ok(match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::FloorDiv if *b == zero => return Err(by_zero("//")),
            BinOp::FloorDiv => a.div_floor(b),
            BinOp::Mod if *b == zero => return Err(by_zero("%")),
            BinOp::Mod => a.mod_floor(b),
            BinOp::Min => a.min(b).clone(),
            BinOp::Max => a.max(b).clone(),
            BinOp::Eq => flag(a == b),
            BinOp::Ne => flag(a != b),
            BinOp::Lt => flag(a < b),
            BinOp::Le => flag(a <= b),
            BinOp::Gt => flag(a > b),
            BinOp::Ge => flag(a >= b),
            BinOp::And => flag(*a != zero && *b != zero),
            BinOp::Or => flag(*a != zero || *b != zero),
            // Two's complement of unbounded width, as in Python.
            BinOp::Xor => a ^ b,
        })
    }
}

impl UnOp {
    /// Applies the operator with Python semantics on unbounded integers.
    pub fn apply_exact(self, a: &BigInt) -> BigInt {
        let zero = BigInt::from(0);
        match self {
            UnOp::Neg => -a,
            UnOp::Not => BigInt::from(i64::from(*a == zero)),
            UnOp::Abs if *a < zero => -a,
            UnOp::Abs => a.clone(),
        }
    }
}

impl Expr {
    /// Evaluates with unbounded integers.
    pub fn eval_exact(&self, state: &[BigInt], input: &[i64]) -> Result<BigInt> {
        self.eval_cow(state, input).map(Cow::into_owned)
    }

    /// Evaluates, borrowing state values instead of copying them.
    fn eval_cow<'s>(&self, state: &'s [BigInt], input: &[i64]) -> Result<Cow<'s, BigInt>> {
        Ok(match self {
            Expr::Const(c) => Cow::Owned(BigInt::from(*c)),
            Expr::Var(Var::State(k)) => Cow::Borrowed(
                state
                    .get(*k)
                    .ok_or_else(|| MipsError::Eval(format!("state variable {k} does not exist")))?,
            ),
            Expr::Var(Var::Input(k)) => Cow::Owned(BigInt::from(
                *input
                    .get(*k)
                    .ok_or_else(|| MipsError::Eval(format!("input {k} does not exist")))?,
            )),
            Expr::Unary(op, a) => Cow::Owned(op.apply_exact(&*a.eval_cow(state, input)?)),
            Expr::Binary(op, a, b) => {
                Cow::Owned(op.apply_exact(&*a.eval_cow(state, input)?, &*b.eval_cow(state, input)?)?)
            }
            Expr::If(c, t, e) => {
                if c.eval_cow(state, input)?.sign() != Sign::NoSign {
                    t.eval_cow(state, input)?
                } else {
                    e.eval_cow(state, input)?
                }
            }
        })
    }
}

impl Program {
    /// Runs the program over `inputs` (`len × input_dim`) with unbounded integers (Python's
    /// semantics), returning the `len × output_dim` outputs. Slower than [`Program::run`]: meant
    /// for the sequences on which the 64-bit run overflows.
    pub fn run_exact(&self, inputs: &[i64]) -> Result<Values> {
        let dim = self.input_dim().max(1);
        let mut state: Vec<BigInt> = self.init.iter().map(|&v| BigInt::from(v)).collect();
        let mut out = Vec::with_capacity(inputs.len() / dim * self.outputs.len());
        for x in inputs.chunks(dim) {
            state = self
                .updates
                .iter()
                .map(|update| update.eval_cow(&state, x).map(Cow::into_owned))
                .collect::<Result<_>>()?;
            for e in &self.outputs {
                out.push(e.eval_exact(&state, x)?);
            }
        }
        Ok(Values::from_big(out))
    }

    /// The exact outputs: the 64-bit fast path, re-run with unbounded integers when it
    /// overflows. The flag says whether the re-run was needed.
    pub fn run_any(&self, inputs: &[i64]) -> (Result<Values>, bool) {
        match self.run(inputs) {
            Ok(values) => (Ok(Values::Small(values)), false),
            Err(e) if super::program::is_overflow(&e) => (self.run_exact(inputs), true),
            Err(e) => (Err(e), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(v: i128) -> BigInt {
        BigInt::from(v)
    }

    /// `s = (s + x + MAX) - MAX`: the running sum, through values beyond i64.
    fn detour() -> Program {
        let plus_max = Expr::bin(
            BinOp::Add,
            Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0)),
            Expr::Const(i64::MAX),
        );
        Program {
            state_names: vec!["s".into()],
            init: vec![0],
            input_names: vec!["x".into()],
            updates: vec![Expr::bin(BinOp::Sub, plus_max, Expr::Const(i64::MAX))],
            outputs: vec![Expr::state(0)],
            method: "test".into(),
            symbolic: true,
        }
    }

    #[test]
    fn exact_runs_pass_through_values_beyond_i64() {
        let program = detour();
        assert!(super::super::program::is_overflow(&program.run(&[1, 2]).unwrap_err()));
        assert_eq!(program.run_exact(&[1, 2, -5]).unwrap(), Values::Small(vec![1, 3, -2]));
        let (outputs, rerun) = program.run_any(&[1, 2]);
        assert_eq!((outputs.unwrap(), rerun), (Values::Small(vec![1, 3]), true));
        let (outputs, rerun) = program.run_any(&[0, -1]);
        assert_eq!((outputs.unwrap(), rerun), (Values::Small(vec![0, -1]), false));
    }

    #[test]
    fn operators_follow_python_beyond_i64() {
        // Values computed by CPython.
        let a = big(i128::from(i64::MAX) * 3 + 1);
        let b = big(-7);
        assert_eq!(BinOp::FloorDiv.apply_exact(&a, &b).unwrap(), big(-3952873730080618204));
        assert_eq!(BinOp::Mod.apply_exact(&a, &b).unwrap(), big(-6));
        assert_eq!(BinOp::Xor.apply_exact(&-&a, &b).unwrap(), big(27670116110564327419));
        assert_eq!(
            BinOp::Mul.apply_exact(&a, &a).unwrap().to_string(),
            "765635325572111542681912402279221166084"
        );
        assert_eq!(UnOp::Abs.apply_exact(&big(i128::from(i64::MIN))), big(1 << 63));
        let err = BinOp::Mod.apply_exact(&(&a * &a), &big(0)).unwrap_err().to_string();
        assert!(
            err.contains("modulo by zero in 765635325572111542681912402279221166084 % 0"),
            "{err}"
        );
        let huge = a.pow(3);
        let err = BinOp::FloorDiv.apply_exact(&huge, &big(0)).unwrap_err().to_string();
        assert!(err.contains("division by zero in (59-digit number) // 0"), "{err}");
    }

    #[test]
    fn values_are_canonical() {
        assert_eq!(Values::from_big(vec![big(3), big(-4)]), Values::Small(vec![3, -4]));
        let beyond = Values::from_big(vec![big(3), big(1 << 64)]);
        assert_eq!(beyond.first_big(), Some((1, &big(1 << 64))));
        assert_eq!(beyond.text(1).unwrap(), "18446744073709551616");
        assert_eq!(beyond.len(), 2);
    }
}
