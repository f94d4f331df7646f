//! The saved form of [`Expr`], flat where programs are long: a left-nested chain of one binary
//! operator is written as `Chain(op, [a, b, c, ...])` (meaning `((a op b) op c) ...`, for any
//! operator) and an else-nested conditional as `Cases([(cond, value), ...], otherwise)`
//! (meaning `v1 if c1 else v2 if c2 else ... otherwise`). A 3,000-token Boolean formula is then
//! a few levels deep in the file, not 1,500, and reads back within RON's nesting limit.
//!
//! Reading also accepts the nested `Binary(op, a, b)` and `If(c, t, e)` forms (format version 1
//! files are read unchanged). An expression deeper than [`MAX_EXPR_DEPTH`] once expanded is an
//! error, so every expression read can be evaluated, printed and dropped without exhausting the
//! stack.

use serde::ser::{SerializeTupleVariant, Serializer};
use serde::{Deserialize, Deserializer, Serialize};

use super::program::{BinOp, Expr, UnOp, Var};

/// The deepest expression (in nested operators) a file may hold. Programs found by synthesis
/// stay far below (a 3,000-token chain is 1,500 deep); the evaluator, the printers and `Drop`
/// recurse once per level, which this keeps within a 2 MiB thread stack.
pub const MAX_EXPR_DEPTH: usize = 2048;

const NAME: &str = "Expr";
const VARIANTS: [&str; 7] = ["Const", "Var", "Unary", "Binary", "If", "Chain", "Cases"];

/// The operands of the left-nested chain of `op` rooted at `a op b` (at least two).
fn chain<'e>(op: BinOp, a: &'e Expr, b: &'e Expr) -> Vec<&'e Expr> {
    let mut operands = vec![b];
    let mut left = a;
    while let Expr::Binary(inner, x, y) = left
        && *inner == op
    {
        operands.push(y);
        left = x;
    }
    operands.push(left);
    operands.reverse();
    operands
}

/// The `(cond, value)` pairs and the final `otherwise` of the else-nested conditional `e`.
fn cases(e: &Expr) -> (Vec<(&Expr, &Expr)>, &Expr) {
    let mut pairs = Vec::new();
    let mut rest = e;
    while let Expr::If(c, t, o) = rest {
        pairs.push((&**c, &**t));
        rest = o;
    }
    (pairs, rest)
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Const(c) => s.serialize_newtype_variant(NAME, 0, VARIANTS[0], c),
            Expr::Var(v) => s.serialize_newtype_variant(NAME, 1, VARIANTS[1], v),
            Expr::Unary(op, a) => {
                let mut t = s.serialize_tuple_variant(NAME, 2, VARIANTS[2], 2)?;
                t.serialize_field(op)?;
                t.serialize_field(&**a)?;
                t.end()
            }
            Expr::Binary(op, a, b) => {
                let operands = chain(*op, a, b);
                if operands.len() == 2 {
                    let mut t = s.serialize_tuple_variant(NAME, 3, VARIANTS[3], 3)?;
                    t.serialize_field(op)?;
                    t.serialize_field(&**a)?;
                    t.serialize_field(&**b)?;
                    t.end()
                } else {
                    let mut t = s.serialize_tuple_variant(NAME, 5, VARIANTS[5], 2)?;
                    t.serialize_field(op)?;
                    t.serialize_field(&operands)?;
                    t.end()
                }
            }
            Expr::If(c, t, o) => {
                let (pairs, otherwise) = cases(self);
                if pairs.len() == 1 {
                    let mut v = s.serialize_tuple_variant(NAME, 4, VARIANTS[4], 3)?;
                    v.serialize_field(&**c)?;
                    v.serialize_field(&**t)?;
                    v.serialize_field(&**o)?;
                    v.end()
                } else {
                    let mut v = s.serialize_tuple_variant(NAME, 6, VARIANTS[6], 2)?;
                    v.serialize_field(&pairs)?;
                    v.serialize_field(otherwise)?;
                    v.end()
                }
            }
        }
    }
}

/// Every form an expression may take in a file.
#[derive(Deserialize)]
#[serde(rename = "Expr")]
enum Form {
    Const(i64),
    Var(Var),
    Unary(UnOp, Box<Form>),
    Binary(BinOp, Box<Form>, Box<Form>),
    If(Box<Form>, Box<Form>, Box<Form>),
    Chain(BinOp, Vec<Form>),
    Cases(Vec<(Form, Form)>, Box<Form>),
}

/// Why a form does not make an expression.
enum Refusal {
    TooDeep,
    ShortChain(usize),
    NoCases,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooDeep => write!(out, "expression nested deeper than {MAX_EXPR_DEPTH} levels"),
            Refusal::ShortChain(n) => write!(out, "Chain has {n} operand(s), expected at least 2"),
            Refusal::NoCases => out.write_str("Cases has no (condition, value) pair, expected at least 1"),
        }
    }
}

/// One level above `depth`, refused beyond [`MAX_EXPR_DEPTH`].
fn deeper(depth: usize) -> Result<usize, Refusal> {
    if depth >= MAX_EXPR_DEPTH {
        Err(Refusal::TooDeep)
    } else {
        Ok(depth + 1)
    }
}

impl Form {
    /// The expression and its depth (0 for a leaf). Recursion follows the form's nesting, which
    /// the deserializer's recursion limit bounds; chains and cases expand iteratively.
    fn expand(self) -> Result<(Expr, usize), Refusal> {
        Ok(match self {
            Form::Const(c) => (Expr::Const(c), 0),
            Form::Var(v) => (Expr::Var(v), 0),
            Form::Unary(op, a) => {
                let (a, d) = a.expand()?;
                (Expr::un(op, a), deeper(d)?)
            }
            Form::Binary(op, a, b) => {
                let ((a, da), (b, db)) = (a.expand()?, b.expand()?);
                (Expr::bin(op, a, b), deeper(da.max(db))?)
            }
            Form::If(c, t, o) => {
                let ((c, dc), (t, dt), (o, d_o)) = (c.expand()?, t.expand()?, o.expand()?);
                (Expr::ite(c, t, o), deeper(dc.max(dt).max(d_o))?)
            }
            Form::Chain(op, operands) => {
                if operands.len() < 2 {
                    return Err(Refusal::ShortChain(operands.len()));
                }
                let mut operands = operands.into_iter();
                let (mut acc, mut depth) = operands.next().expect("two operands").expand()?;
                for operand in operands {
                    let (b, db) = operand.expand()?;
                    depth = deeper(depth.max(db))?;
                    acc = Expr::bin(op, acc, b);
                }
                (acc, depth)
            }
            Form::Cases(pairs, otherwise) => {
                if pairs.is_empty() {
                    return Err(Refusal::NoCases);
                }
                let expanded = pairs
                    .into_iter()
                    .map(|(c, t)| Ok((c.expand()?, t.expand()?)))
                    .collect::<Result<Vec<_>, Refusal>>()?;
                let (mut acc, mut depth) = otherwise.expand()?;
                for ((c, dc), (t, dt)) in expanded.into_iter().rev() {
                    depth = deeper(depth.max(dc).max(dt))?;
                    acc = Expr::ite(c, t, acc);
                }
                (acc, depth)
            }
        })
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let form = Form::deserialize(d)?;
        form.expand().map(|(e, _)| e).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
