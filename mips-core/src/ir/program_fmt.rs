//! Pretty printing of [`Program`] and [`Expr`] as readable pseudo-Python, with the fewest
//! parentheses Python's operator precedence allows; and, for the Python emitter, as executable
//! Python with the IR's exact semantics ([`Dialect::Python`]).

use std::fmt::{self, Display, Formatter};

use super::program::{BinOp, Expr, Program, UnOp, Var};

/// The language an expression is printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Readable pseudo-Python: `a > b`, `a and b`, `not a` stand for their 0/1 values.
    Pseudo,
    /// Executable Python with the interpreter's results: comparisons and `not` are wrapped in
    /// `int(..)`, logical and/or become `&`/`|` over 0/1 operands (so both sides are evaluated,
    /// as the interpreter does).
    Python,
}

// Python precedence levels, loosest first.
const IF: u8 = 1;
const OR: u8 = 2;
const AND: u8 = 3;
const NOT: u8 = 4;
const CMP: u8 = 5;
const BIT_OR: u8 = 6;
const BIT_XOR: u8 = 7;
const BIT_AND: u8 = 8;
const SUM: u8 = 9;
const PRODUCT: u8 = 10;
const UNARY: u8 = 11;
const ATOM: u8 = 12;

/// An expression with names for its variables, ready to print (see [`Expr::display`]).
#[derive(Clone, Copy, Debug)]
pub struct ExprDisplay<'a> {
    expr: &'a Expr,
    states: &'a [String],
    inputs: &'a [String],
    dialect: Dialect,
    min_prec: u8,
    /// The condition of a conditional expression, where only truthiness matters: Python
    /// comparisons and `not` need no `int(..)` there.
    condition: bool,
}

impl Expr {
    /// Prints with the given variable names (missing names print as `s{k}` / `x{k}`).
    pub fn display<'a>(&'a self, states: &'a [String], inputs: &'a [String], dialect: Dialect) -> ExprDisplay<'a> {
        ExprDisplay {
            expr: self,
            states,
            inputs,
            dialect,
            min_prec: 0,
            condition: false,
        }
    }
}

/// True when the expression's value is always 0 or 1.
fn is_boolean(e: &Expr) -> bool {
    match e {
        Expr::Const(c) => *c == 0 || *c == 1,
        Expr::Var(_) => false,
        Expr::Unary(op, _) => *op == UnOp::Not,
        Expr::Binary(op, a, b) => {
            op.is_boolean() || (matches!(op, BinOp::Xor | BinOp::Min | BinOp::Max) && is_boolean(a) && is_boolean(b))
        }
        Expr::If(_, t, e) => is_boolean(t) && is_boolean(e),
    }
}

impl<'a> ExprDisplay<'a> {
    /// Parenthesizes comparisons, logical operators and conditional expressions, for readable
    /// tuple elements: `a, (b > 1)`.
    pub fn grouped(mut self) -> Self {
        self.min_prec = CMP + 1;
        self
    }

    fn sub(&self, expr: &'a Expr, min_prec: u8) -> ExprDisplay<'a> {
        ExprDisplay {
            expr,
            min_prec,
            condition: false,
            ..*self
        }
    }

    fn python(&self) -> bool {
        self.dialect == Dialect::Python
    }

    /// True when comparisons and `not` are wrapped in `int(..)`.
    fn wraps_bools(&self) -> bool {
        self.python() && !self.condition
    }

    fn prec(&self) -> u8 {
        let loose = |pseudo| if self.wraps_bools() { ATOM } else { pseudo };
        match self.expr {
            Expr::Const(c) if *c < 0 => UNARY,
            Expr::Const(_) | Expr::Var(_) => ATOM,
            Expr::Unary(UnOp::Neg, _) => UNARY,
            Expr::Unary(UnOp::Abs, _) => ATOM,
            Expr::Unary(UnOp::Not, _) => loose(NOT),
            Expr::Binary(op, _, _) => match op {
                BinOp::Add | BinOp::Sub => SUM,
                BinOp::Mul | BinOp::FloorDiv | BinOp::Mod => PRODUCT,
                BinOp::Min | BinOp::Max => ATOM,
                BinOp::Xor => BIT_XOR,
                BinOp::And if self.python() => BIT_AND,
                BinOp::Or if self.python() => BIT_OR,
                BinOp::And => AND,
                BinOp::Or => OR,
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => loose(CMP),
            },
            Expr::If(..) => IF,
        }
    }

    fn name(&self, var: Var, out: &mut Formatter<'_>) -> fmt::Result {
        let (names, prefix, k) = match var {
            Var::State(k) => (self.states, "s", k),
            Var::Input(k) => (self.inputs, "x", k),
        };
        match names.get(k) {
            Some(name) => out.write_str(name),
            None => write!(out, "{prefix}{k}"),
        }
    }

    /// An operand of Python's `&`/`|`: 0/1 operands as they are, others as `int(e != 0)`.
    fn logical_operand(&self, e: &'a Expr, min_prec: u8, out: &mut Formatter<'_>) -> fmt::Result {
        if is_boolean(e) {
            write!(out, "{}", self.sub(e, min_prec))
        } else {
            write!(out, "int({} != 0)", self.sub(e, CMP + 1))
        }
    }

    fn body(&self, out: &mut Formatter<'_>) -> fmt::Result {
        match self.expr {
            Expr::Const(c) => write!(out, "{c}"),
            Expr::Var(v) => self.name(*v, out),
            Expr::Unary(UnOp::Neg, a) => write!(out, "-{}", self.sub(a, UNARY + 1)),
            Expr::Unary(UnOp::Abs, a) => write!(out, "abs({})", self.sub(a, 0)),
            Expr::Unary(UnOp::Not, a) if self.wraps_bools() => write!(out, "int(not {})", self.sub(a, NOT)),
            Expr::Unary(UnOp::Not, a) => write!(out, "not {}", self.sub(a, NOT)),
            Expr::Binary(op @ (BinOp::Min | BinOp::Max), a, b) => {
                write!(out, "{}({}, {})", op.symbol(), self.sub(a, 0), self.sub(b, 0))
            }
            Expr::Binary(op @ (BinOp::And | BinOp::Or), a, b) if self.python() => {
                let p = self.prec();
                self.logical_operand(a, p, out)?;
                out.write_str(if *op == BinOp::And { " & " } else { " | " })?;
                self.logical_operand(b, p + 1, out)
            }
            Expr::Binary(op, a, b) if op.is_boolean() && !matches!(op, BinOp::And | BinOp::Or) => {
                let (a, b) = (self.sub(a, CMP + 1), self.sub(b, CMP + 1));
                if self.wraps_bools() {
                    write!(out, "int({a} {} {b})", op.symbol())
                } else {
                    write!(out, "{a} {} {b}", op.symbol())
                }
            }
            Expr::Binary(op, a, b) => {
                let p = self.prec();
                write!(out, "{} {} {}", self.sub(a, p), op.symbol(), self.sub(b, p + 1))
            }
            Expr::If(c, t, e) => {
                let condition = ExprDisplay {
                    condition: true,
                    ..self.sub(c, IF + 1)
                };
                write!(out, "{} if {condition} else {}", self.sub(t, IF + 1), self.sub(e, IF))
            }
        }
    }
}

impl Display for ExprDisplay<'_> {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        if self.prec() < self.min_prec {
            out.write_str("(")?;
            self.body(out)?;
            out.write_str(")")
        } else {
            self.body(out)
        }
    }
}

impl Display for Expr {
    /// Pseudo-Python with variables named `s{k}` (state) and `x{k}` (input).
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        self.display(&[], &[], Dialect::Pseudo).fmt(out)
    }
}

/// Comma-separated names (`_` for none).
fn names_tuple(names: &[String]) -> String {
    if names.is_empty() { "_".into() } else { names.join(", ") }
}

impl Program {
    /// Every expression of `exprs` printed with this program's names, comma-separated;
    /// comparisons, logical operators and conditionals are parenthesized when there are several.
    pub fn fmt_tuple(&self, exprs: &[Expr], dialect: Dialect) -> String {
        let one = |e: &Expr| {
            let d = e.display(&self.state_names, &self.input_names, dialect);
            if exprs.len() > 1 {
                d.grouped().to_string()
            } else {
                d.to_string()
            }
        };
        exprs.iter().map(one).collect::<Vec<_>>().join(", ")
    }
}

impl Display for Program {
    /// A generator in pseudo-Python:
    ///
    /// ```text
    /// a, b = 0, 0
    /// for c, d in xs:
    ///     a, b = b ^ c ^ d, (b + c + d > 1)
    ///     yield a
    /// ```
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        if !self.state_names.is_empty() {
            let init: Vec<String> = self.init.iter().map(i64::to_string).collect();
            writeln!(out, "{} = {}", self.state_names.join(", "), init.join(", "))?;
        }
        writeln!(out, "for {} in xs:", names_tuple(&self.input_names))?;
        if !self.state_names.is_empty() {
            let updates = self.fmt_tuple(&self.updates, Dialect::Pseudo);
            writeln!(out, "    {} = {updates}", self.state_names.join(", "))?;
        }
        match self.outputs.len() {
            0 => writeln!(out, "    yield ()"),
            _ => writeln!(out, "    yield {}", self.fmt_tuple(&self.outputs, Dialect::Pseudo)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(k: usize) -> Expr {
        Expr::state(k)
    }
    fn x(k: usize) -> Expr {
        Expr::input(k)
    }
    fn c(v: i64) -> Expr {
        Expr::Const(v)
    }
    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::bin(op, a, b)
    }

    #[test]
    fn precedence_gives_minimal_parentheses() {
        let sum = bin(BinOp::Add, bin(BinOp::Add, s(1), x(0)), x(1));
        assert_eq!(sum.to_string(), "s1 + x0 + x1");
        let right = bin(BinOp::Sub, s(0), bin(BinOp::Sub, x(0), x(1)));
        assert_eq!(right.to_string(), "s0 - (x0 - x1)");
        let prod = bin(BinOp::Mul, bin(BinOp::Add, s(0), c(1)), c(3));
        assert_eq!(prod.to_string(), "(s0 + 1) * 3");
        let modulo = bin(BinOp::Mod, bin(BinOp::Mul, s(0), c(3)), c(7));
        assert_eq!(modulo.to_string(), "s0 * 3 % 7");
        let cmp = bin(BinOp::Gt, sum.clone(), c(1));
        assert_eq!(cmp.to_string(), "s1 + x0 + x1 > 1");
        let chained = bin(BinOp::Lt, bin(BinOp::Lt, s(0), s(1)), c(1));
        assert_eq!(chained.to_string(), "(s0 < s1) < 1", "comparisons never chain");
        let xor = bin(BinOp::Xor, bin(BinOp::Add, s(0), c(1)), x(0));
        assert_eq!(xor.to_string(), "s0 + 1 ^ x0");
    }

    #[test]
    fn unary_calls_and_conditionals() {
        assert_eq!(Expr::un(UnOp::Neg, c(-3)).to_string(), "-(-3)");
        assert_eq!(
            Expr::un(UnOp::Neg, bin(BinOp::Add, s(0), c(1))).to_string(),
            "-(s0 + 1)"
        );
        assert_eq!(bin(BinOp::Sub, s(0), c(-3)).to_string(), "s0 - -3");
        assert_eq!(
            Expr::un(UnOp::Abs, bin(BinOp::Sub, s(0), x(0))).to_string(),
            "abs(s0 - x0)"
        );
        assert_eq!(
            bin(BinOp::Min, s(0), bin(BinOp::Add, x(0), c(1))).to_string(),
            "min(s0, x0 + 1)"
        );
        let ite = Expr::ite(bin(BinOp::Eq, x(0), c(0)), s(0), bin(BinOp::Add, s(0), c(1)));
        assert_eq!(ite.to_string(), "s0 if x0 == 0 else s0 + 1");
        let nested = Expr::ite(x(0), Expr::ite(x(1), c(1), c(2)), Expr::ite(x(1), c(3), c(4)));
        assert_eq!(nested.to_string(), "(1 if x1 else 2) if x0 else 3 if x1 else 4");
        let plus_if = bin(BinOp::Add, ite, c(1));
        assert_eq!(plus_if.to_string(), "(s0 if x0 == 0 else s0 + 1) + 1");
    }

    #[test]
    fn logical_operators_by_dialect() {
        let and = bin(BinOp::And, bin(BinOp::Gt, s(0), c(0)), x(0));
        let or = bin(BinOp::Or, and.clone(), Expr::un(UnOp::Not, x(1)));
        assert_eq!(or.to_string(), "s0 > 0 and x0 or not x1");
        let python = or.display(&[], &[], Dialect::Python).to_string();
        assert_eq!(python, "int(s0 > 0) & int(x0 != 0) | int(not x1)");
        let not_and = Expr::un(UnOp::Not, and);
        assert_eq!(not_and.to_string(), "not (s0 > 0 and x0)");
        let ite = Expr::ite(bin(BinOp::Gt, s(0), c(0)), Expr::ite(not_and, c(1), c(2)), c(3));
        let python = ite.display(&[], &[], Dialect::Python).to_string();
        assert_eq!(python, "(1 if not int(s0 > 0) & int(x0 != 0) else 2) if s0 > 0 else 3");
    }

    #[test]
    fn program_prints_as_a_generator() {
        let program = Program {
            state_names: vec!["a".into(), "b".into()],
            init: vec![0, 0],
            input_names: vec!["c".into(), "d".into()],
            updates: vec![
                bin(BinOp::Xor, bin(BinOp::Xor, s(1), x(0)), x(1)),
                bin(BinOp::Gt, bin(BinOp::Add, bin(BinOp::Add, s(1), x(0)), x(1)), c(1)),
            ],
            outputs: vec![s(0)],
            method: "test".into(),
            symbolic: true,
        };
        let expected = "a, b = 0, 0\nfor c, d in xs:\n    a, b = b ^ c ^ d, (b + c + d > 1)\n    yield a\n";
        assert_eq!(program.to_string(), expected);
        let stateless = Program {
            state_names: vec![],
            init: vec![],
            input_names: vec!["x".into()],
            updates: vec![],
            outputs: vec![bin(BinOp::Mul, x(0), c(2)), c(1)],
            method: String::new(),
            symbolic: true,
        };
        assert_eq!(stateless.to_string(), "for x in xs:\n    yield x * 2, 1\n");
    }
}
