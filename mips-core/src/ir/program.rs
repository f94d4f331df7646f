//! A symbolic program: integer state variables updated simultaneously from the previous state
//! and the current input, and output expressions over the new state and the input.
//! Arithmetic follows Python's integer semantics (floor `//` and `%`, comparisons give 0/1,
//! unbounded integers). [`Program::run`] is the 64-bit fast path: a value outside i64 stops it
//! with an overflow error ([`is_overflow`]), never a wrapped value, and
//! [`Program::run_exact`] gives the exact values. Division by zero is an error
//! on every path.

use serde::{Deserialize, Serialize};

use crate::{MipsError, Result};

/// A variable an expression reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Var {
    /// State variable `k` (in an update: the previous value; in an output: the new value).
    State(usize),
    /// Input component `k` of the current step.
    Input(usize),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnOp {
    Neg,
    /// Logical not: 1 if the operand is 0, else 0.
    Not,
    Abs,
}

/// Binary operators (Python meaning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// Floor division `//`.
    FloorDiv,
    /// Modulo `%` with the sign of the divisor.
    Mod,
    Min,
    Max,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Logical and: 1 if both operands are non-zero.
    And,
    /// Logical or: 1 if either operand is non-zero.
    Or,
    /// Bitwise xor `^` (for 0/1 operands, logical xor).
    Xor,
}

impl BinOp {
    /// Every binary operator.
    pub const ALL: [BinOp; 16] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::FloorDiv,
        BinOp::Mod,
        BinOp::Min,
        BinOp::Max,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
    ];

    /// Applies the operator with Python semantics.
    pub fn apply(self, a: i64, b: i64) -> Result<i64> {
        let too_big = || overflow(format!("{a} {} {b}", self.symbol()));
        Ok(match self {
            BinOp::Add => a.checked_add(b).ok_or_else(too_big)?,
            BinOp::Sub => a.checked_sub(b).ok_or_else(too_big)?,
            BinOp::Mul => a.checked_mul(b).ok_or_else(too_big)?,
            BinOp::FloorDiv => floor_div(a, b)?,
            BinOp::Mod => floor_mod(a, b)?,
            BinOp::Min => a.min(b),
            BinOp::Max => a.max(b),
            BinOp::Eq => (a == b) as i64,
            BinOp::Ne => (a != b) as i64,
            BinOp::Lt => (a < b) as i64,
            BinOp::Le => (a <= b) as i64,
            BinOp::Gt => (a > b) as i64,
            BinOp::Ge => (a >= b) as i64,
            BinOp::And => (a != 0 && b != 0) as i64,
            BinOp::Or => (a != 0 || b != 0) as i64,
            BinOp::Xor => a ^ b,
        })
    }

    /// The operator's symbol in the pretty printer (function-style ops use their name).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Min => "min",
            BinOp::Max => "max",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "^",
        }
    }

    /// True for operators whose result is always 0 or 1.
    pub fn is_boolean(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::And | BinOp::Or
        )
    }

    /// True for the comparisons `== != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    /// True when `a op b == b op a` for all operands.
    pub fn is_commutative(self) -> bool {
        matches!(
            self,
            BinOp::Add
                | BinOp::Mul
                | BinOp::Min
                | BinOp::Max
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::And
                | BinOp::Or
                | BinOp::Xor
        )
    }
}

impl UnOp {
    /// Applies the operator with Python semantics.
    pub fn apply(self, a: i64) -> Result<i64> {
        match self {
            UnOp::Neg => a.checked_neg().ok_or_else(|| overflow(format!("-({a})"))),
            UnOp::Not => Ok((a == 0) as i64),
            UnOp::Abs => a.checked_abs().ok_or_else(|| overflow(format!("abs({a})"))),
        }
    }
}

const OVERFLOW: &str = "integer overflow in ";

/// The error of an operation whose exact result is outside the i64 range.
fn overflow(operation: String) -> MipsError {
    MipsError::Eval(format!("{OVERFLOW}{operation}"))
}

/// True when `error` is a 64-bit overflow of [`Program::run`] (the exact value exists: see
/// [`Program::run_exact`]), false for division by zero and every other error.
pub fn is_overflow(error: &MipsError) -> bool {
    matches!(error, MipsError::Eval(message) if message.starts_with(OVERFLOW))
}

/// Python's `a // b`.
pub fn floor_div(a: i64, b: i64) -> Result<i64> {
    if b == 0 {
        return Err(MipsError::Eval(format!("division by zero in {a} // 0")));
    }
    let q = a.checked_div(b).ok_or_else(|| overflow(format!("{a} // {b}")))?;
    Ok(if a % b != 0 && ((a < 0) != (b < 0)) { q - 1 } else { q })
}

/// Python's `a % b` (the result has the sign of `b`).
pub fn floor_mod(a: i64, b: i64) -> Result<i64> {
    if b == 0 {
        return Err(MipsError::Eval(format!("modulo by zero in {a} % 0")));
    }
    let r = a.checked_rem(b).unwrap_or(0);
    Ok(if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r })
}

/// An integer expression. Saved in a flat form (see [`super::program_serde`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expr {
    Const(i64),
    Var(Var),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `then if cond != 0 else otherwise`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// State variable `k`.
    pub fn state(k: usize) -> Expr {
        Expr::Var(Var::State(k))
    }

    /// Input component `k`.
    pub fn input(k: usize) -> Expr {
        Expr::Var(Var::Input(k))
    }

    /// `op(a, b)`.
    pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// `op(a)`.
    pub fn un(op: UnOp, a: Expr) -> Expr {
        Expr::Unary(op, Box::new(a))
    }

    /// `then if cond else otherwise`.
    pub fn ite(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
        Expr::If(Box::new(cond), Box::new(then), Box::new(otherwise))
    }

    /// Evaluates with the given state and input values.
    pub fn eval(&self, state: &[i64], input: &[i64]) -> Result<i64> {
        match self {
            Expr::Const(c) => Ok(*c),
            Expr::Var(Var::State(k)) => state
                .get(*k)
                .copied()
                .ok_or_else(|| MipsError::Eval(format!("state variable {k} does not exist"))),
            Expr::Var(Var::Input(k)) => input
                .get(*k)
                .copied()
                .ok_or_else(|| MipsError::Eval(format!("input {k} does not exist"))),
            Expr::Unary(op, a) => op.apply(a.eval(state, input)?),
            Expr::Binary(op, a, b) => op.apply(a.eval(state, input)?, b.eval(state, input)?),
            Expr::If(c, t, e) => {
                if c.eval(state, input)? != 0 {
                    t.eval(state, input)
                } else {
                    e.eval(state, input)
                }
            }
        }
    }

    /// Size in tokens: constants, variables and operators each count one.
    pub fn tokens(&self) -> usize {
        match self {
            Expr::Const(_) | Expr::Var(_) => 1,
            Expr::Unary(_, a) => 1 + a.tokens(),
            Expr::Binary(_, a, b) => 1 + a.tokens() + b.tokens(),
            Expr::If(c, t, e) => 1 + c.tokens() + t.tokens() + e.tokens(),
        }
    }

    /// True when the expression holds a table-like if-else chain over constant rows: an `if`
    /// that tests one variable against a constant with another such `if` directly in one of its
    /// branches (three rows or more of a lookup table). A single test is a threshold formula.
    pub fn has_table_chain(&self) -> bool {
        match self {
            Expr::Const(_) | Expr::Var(_) => false,
            Expr::Unary(_, a) => a.has_table_chain(),
            Expr::Binary(_, a, b) => a.has_table_chain() || b.has_table_chain(),
            Expr::If(c, t, e) => {
                (self.is_row_test() && (t.is_row_test() || e.is_row_test()))
                    || [c, t, e].iter().any(|x| x.has_table_chain())
            }
        }
    }

    /// True for `v ⋈ k if … else …`: an `if` comparing one variable with a constant.
    fn is_row_test(&self) -> bool {
        let Expr::If(c, ..) = self else {
            return false;
        };
        match &**c {
            Expr::Binary(op, a, b) if op.is_comparison() => matches!(
                (&**a, &**b),
                (Expr::Var(_), Expr::Const(_)) | (Expr::Const(_), Expr::Var(_))
            ),
            _ => false,
        }
    }

    /// Calls `visit` on every variable the expression reads.
    pub fn visit_vars(&self, visit: &mut impl FnMut(Var)) {
        match self {
            Expr::Const(_) => {}
            Expr::Var(v) => visit(*v),
            Expr::Unary(_, a) => a.visit_vars(visit),
            Expr::Binary(_, a, b) => {
                a.visit_vars(visit);
                b.visit_vars(visit);
            }
            Expr::If(c, t, e) => {
                c.visit_vars(visit);
                t.visit_vars(visit);
                e.visit_vars(visit);
            }
        }
    }
}

/// A program over integer state variables (simultaneous update), with Python semantics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// One name per state variable.
    pub state_names: Vec<String>,
    /// One initial value per state variable.
    pub init: Vec<i64>,
    /// One name per input component.
    pub input_names: Vec<String>,
    /// One update per state variable, reading the previous state and the current input.
    pub updates: Vec<Expr>,
    /// One expression per output, reading the new state and the current input.
    pub outputs: Vec<Expr>,
    /// How the program was found (e.g. "integer-linear", "boolean", "table").
    #[serde(default)]
    pub method: String,
    /// False when the program is a lookup table rather than a formula; regression sets it by
    /// [`Program::has_symbolic_form`].
    #[serde(default = "default_true")]
    pub symbolic: bool,
}

fn default_true() -> bool {
    true
}

impl Program {
    /// Number of input components.
    pub fn input_dim(&self) -> usize {
        self.input_names.len()
    }

    /// Number of outputs.
    pub fn output_dim(&self) -> usize {
        self.outputs.len()
    }

    /// Size in tokens of all updates and outputs.
    pub fn tokens(&self) -> usize {
        self.updates.iter().chain(&self.outputs).map(Expr::tokens).sum()
    }

    /// The rule for [`Program::symbolic`]: true when no update or output holds a table-like
    /// if-else chain over constant rows ([`Expr::has_table_chain`]).
    pub fn has_symbolic_form(&self) -> bool {
        !self.updates.iter().chain(&self.outputs).any(Expr::has_table_chain)
    }

    /// Checks that every expression reads only existing variables.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(MipsError::invalid("program", m));
        if self.init.len() != self.state_names.len() || self.updates.len() != self.state_names.len() {
            return bad(format!(
                "{} state names, {} initial values and {} updates must agree",
                self.state_names.len(),
                self.init.len(),
                self.updates.len()
            ));
        }
        let (states, inputs) = (self.state_names.len(), self.input_names.len());
        let mut problem = None;
        for e in self.updates.iter().chain(&self.outputs) {
            e.visit_vars(&mut |v| match v {
                Var::State(k) if k >= states => problem = Some(format!("reads state variable {k} of {states}")),
                Var::Input(k) if k >= inputs => problem = Some(format!("reads input {k} of {inputs}")),
                _ => {}
            });
        }
        match problem {
            Some(p) => bad(p),
            None => Ok(()),
        }
    }

    /// Runs the program over `inputs` (`len × input_dim`), returning `len × output_dim` outputs,
    /// in 64-bit arithmetic: a value outside i64 is an overflow error ([`is_overflow`]).
    pub fn run(&self, inputs: &[i64]) -> Result<Vec<i64>> {
        let dim = self.input_dim().max(1);
        let mut state = self.init.clone();
        let mut next = vec![0; state.len()];
        let mut out = Vec::with_capacity(inputs.len() / dim * self.outputs.len());
        for x in inputs.chunks(dim) {
            for (n, update) in next.iter_mut().zip(&self.updates) {
                *n = update.eval(&state, x)?;
            }
            std::mem::swap(&mut state, &mut next);
            for e in &self.outputs {
                out.push(e.eval(&state, x)?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_division_and_modulo_follow_python() {
        // Values computed by CPython: a // b, a % b.
        let cases = [
            (7, 2, 3, 1),
            (-7, 2, -4, 1),
            (7, -2, -4, -1),
            (-7, -2, 3, -1),
            (6, 3, 2, 0),
            (-6, 3, -2, 0),
            (0, -5, 0, 0),
            (i64::MIN, 1, i64::MIN, 0),
        ];
        for (a, b, q, r) in cases {
            assert_eq!(floor_div(a, b).unwrap(), q, "{a} // {b}");
            assert_eq!(floor_mod(a, b).unwrap(), r, "{a} % {b}");
        }
    }

    #[test]
    fn division_by_zero_and_overflow_are_errors() {
        assert!(floor_div(1, 0).is_err());
        assert!(floor_mod(1, 0).is_err());
        assert!(floor_div(i64::MIN, -1).is_err());
        assert_eq!(floor_mod(i64::MIN, -1).unwrap(), 0);
        assert!(is_overflow(&BinOp::Add.apply(i64::MAX, 1).unwrap_err()));
        assert!(is_overflow(&UnOp::Abs.apply(i64::MIN).unwrap_err()));
        assert!(is_overflow(&floor_div(i64::MIN, -1).unwrap_err()));
        assert!(!is_overflow(&floor_div(1, 0).unwrap_err()));
    }

    #[test]
    fn table_chains_are_not_symbolic() {
        let (x, s) = (Expr::input(0), Expr::state(0));
        let lt = |v: &Expr, k| Expr::bin(BinOp::Lt, v.clone(), Expr::Const(k));
        // x < 4 ? (x < 2 ? 1 : 0) : 5: three rows of a table.
        let chain = Expr::ite(
            lt(&x, 4),
            Expr::ite(lt(&x, 2), Expr::Const(1), Expr::Const(0)),
            Expr::Const(5),
        );
        assert!(chain.has_table_chain());
        // Nested deeper inside arithmetic, still a table.
        assert!(Expr::bin(BinOp::Add, s.clone(), chain.clone()).has_table_chain());
        // One threshold, or a condition over two variables, is a formula.
        let threshold = Expr::ite(lt(&x, 7), Expr::Const(0), Expr::Const(1));
        assert!(!threshold.has_table_chain());
        let choice = Expr::ite(
            Expr::bin(BinOp::Ne, x.clone(), s.clone()),
            Expr::ite(lt(&x, 2), s.clone(), Expr::Const(1)),
            Expr::Const(1),
        );
        assert!(!choice.has_table_chain());
        let mut program = Program {
            state_names: vec!["s".into()],
            init: vec![0],
            input_names: vec!["x".into()],
            updates: vec![Expr::bin(BinOp::Add, s, x)],
            outputs: vec![threshold],
            method: "test".into(),
            symbolic: true,
        };
        assert!(program.has_symbolic_form());
        program.outputs[0] = chain;
        assert!(!program.has_symbolic_form());
    }

    #[test]
    fn ripple_carry_adder_runs() {
        // a, b = b ^ c ^ d, (b + c + d > 1)
        let sum = Expr::bin(
            BinOp::Add,
            Expr::bin(BinOp::Add, Expr::state(1), Expr::input(0)),
            Expr::input(1),
        );
        let program = Program {
            state_names: vec!["a".into(), "b".into()],
            init: vec![0, 0],
            input_names: vec!["c".into(), "d".into()],
            updates: vec![
                Expr::bin(
                    BinOp::Xor,
                    Expr::bin(BinOp::Xor, Expr::state(1), Expr::input(0)),
                    Expr::input(1),
                ),
                Expr::bin(BinOp::Gt, sum, Expr::Const(1)),
            ],
            outputs: vec![Expr::state(0)],
            method: "test".into(),
            symbolic: true,
        };
        program.validate().unwrap();
        // 3 + 1 = 4 (LSB first): [1,1,0] + [1,0,0] = [0,0,1]
        assert_eq!(program.run(&[1, 1, 1, 0, 0, 0]).unwrap(), vec![0, 0, 1]);
    }
}
