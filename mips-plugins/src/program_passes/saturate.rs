//! Simplification by equality saturation (the `egg` crate): each update and output becomes an
//! e-graph, sound rewrites of Python integer arithmetic (commutativity, associativity,
//! cancellation, identities, negated comparisons) grow it until saturation or the node and
//! iteration limits, and the smallest equivalent expression in tokens is extracted. A smaller
//! expression replaces the original; ties keep the original. The limits count work, never
//! time, so the result is the same on every machine.

use std::time::Duration;

use egg::{AstSize, Extractor, FromOp, Id, Language, RecExpr, Rewrite, Runner, define_language, rewrite as rw};
use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};

define_language! {
    /// The program IR as an e-graph language (operators by their printed symbol; `neg` is unary
    /// minus). Its nodes are ordered by variant and value, never by an interned name, so
    /// saturation and extraction are the same at any thread count.
    pub enum Term {
        "+" = Add([Id; 2]),
        "-" = Sub([Id; 2]),
        "*" = Mul([Id; 2]),
        "//" = FloorDiv([Id; 2]),
        "%" = Mod([Id; 2]),
        "min" = Min([Id; 2]),
        "max" = Max([Id; 2]),
        "==" = Eq([Id; 2]),
        "!=" = Ne([Id; 2]),
        "<" = Lt([Id; 2]),
        "<=" = Le([Id; 2]),
        ">" = Gt([Id; 2]),
        ">=" = Ge([Id; 2]),
        "and" = And([Id; 2]),
        "or" = Or([Id; 2]),
        "^" = Xor([Id; 2]),
        "neg" = Neg([Id; 1]),
        "not" = Not([Id; 1]),
        "abs" = Abs([Id; 1]),
        "if" = If([Id; 3]),
        Leaf(Leaf),
    }
}

/// A leaf of [`Term`]: a constant, `s{k}` (state `k`) or `x{k}` (input `k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Leaf(Expr0);

/// The leaf kinds (an [`Expr`] without children).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Expr0 {
    Const(i64),
    Var(Var),
}

impl std::fmt::Display for Leaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Expr0::Const(c) => write!(f, "{c}"),
            Expr0::Var(Var::State(k)) => write!(f, "s{k}"),
            Expr0::Var(Var::Input(k)) => write!(f, "x{k}"),
        }
    }
}

impl std::str::FromStr for Leaf {
    type Err = String;

    fn from_str(name: &str) -> Result<Leaf, String> {
        if let Ok(c) = name.parse::<i64>() {
            return Ok(Leaf(Expr0::Const(c)));
        }
        let bad = || format!("{name:?} is not a constant, s<k> or x<k>");
        let (kind, k) = name.split_at_checked(1).ok_or_else(bad)?;
        let k: usize = k.parse().map_err(|_| bad())?;
        match kind {
            "s" => Ok(Leaf(Expr0::Var(Var::State(k)))),
            "x" => Ok(Leaf(Expr0::Var(Var::Input(k)))),
            _ => Err(bad()),
        }
    }
}

/// Largest e-graph (e-nodes) one expression may grow to.
const NODE_LIMIT: usize = 20_000;
/// Most rounds of rewriting per expression.
const ITER_LIMIT: usize = 12;

/// `p` with every update and output replaced by its smallest equivalent form found, and
/// `symbolic` decided again by [`Program::has_symbolic_form`].
pub fn saturate_program(p: &Program) -> Program {
    let rules = rules();
    let shorten = |e: &Expr| {
        let s = simplest(e, &rules);
        if s.tokens() < e.tokens() { s } else { e.clone() }
    };
    let mut out = Program {
        updates: p.updates.iter().map(shorten).collect(),
        outputs: p.outputs.iter().map(shorten).collect(),
        ..p.clone()
    };
    out.symbolic = out.has_symbolic_form();
    out
}

/// The smallest expression (in tokens) equal to `e` under `rules` within the limits.
pub fn simplest(e: &Expr, rules: &[Rewrite<Term, ()>]) -> Expr {
    let mut rec = RecExpr::default();
    to_rec(e, &mut rec);
    let runner = Runner::default()
        .with_node_limit(NODE_LIMIT)
        .with_iter_limit(ITER_LIMIT)
        // egg stops after 5 s by default; only the work limits above apply.
        .with_time_limit(Duration::from_secs(u64::MAX / 4))
        .with_expr(&rec)
        .run(rules);
    let (_, best) = Extractor::new(&runner.egraph, AstSize).find_best(runner.roots[0]);
    let nodes = best.as_ref();
    from_rec(nodes, nodes.len() - 1)
}

/// The rewrite rules: each holds for all integers (Python semantics, unbounded).
pub fn rules() -> Vec<Rewrite<Term, ()>> {
    vec![
        rw!("add-comm"; "(+ ?a ?b)" => "(+ ?b ?a)"),
        rw!("mul-comm"; "(* ?a ?b)" => "(* ?b ?a)"),
        rw!("min-comm"; "(min ?a ?b)" => "(min ?b ?a)"),
        rw!("max-comm"; "(max ?a ?b)" => "(max ?b ?a)"),
        rw!("eq-comm"; "(== ?a ?b)" => "(== ?b ?a)"),
        rw!("ne-comm"; "(!= ?a ?b)" => "(!= ?b ?a)"),
        rw!("and-comm"; "(and ?a ?b)" => "(and ?b ?a)"),
        rw!("or-comm"; "(or ?a ?b)" => "(or ?b ?a)"),
        rw!("xor-comm"; "(^ ?a ?b)" => "(^ ?b ?a)"),
        rw!("add-assoc"; "(+ ?a (+ ?b ?c))" => "(+ (+ ?a ?b) ?c)"),
        rw!("mul-assoc"; "(* ?a (* ?b ?c))" => "(* (* ?a ?b) ?c)"),
        rw!("min-assoc"; "(min ?a (min ?b ?c))" => "(min (min ?a ?b) ?c)"),
        rw!("max-assoc"; "(max ?a (max ?b ?c))" => "(max (max ?a ?b) ?c)"),
        rw!("add-sub"; "(+ ?a (- ?b ?c))" => "(- (+ ?a ?b) ?c)"),
        rw!("sub-sub"; "(- ?a (- ?b ?c))" => "(- (+ ?a ?c) ?b)"),
        rw!("sub-add"; "(- ?a (+ ?b ?c))" => "(- (- ?a ?b) ?c)"),
        rw!("sub-swap"; "(- (- ?a ?b) ?c)" => "(- (- ?a ?c) ?b)"),
        rw!("add-zero"; "(+ ?a 0)" => "?a"),
        rw!("sub-zero"; "(- ?a 0)" => "?a"),
        rw!("zero-sub"; "(- 0 ?a)" => "(neg ?a)"),
        rw!("mul-one"; "(* ?a 1)" => "?a"),
        rw!("mul-zero"; "(* ?a 0)" => "0"),
        rw!("cancel-sub"; "(- (+ ?a ?b) ?b)" => "?a"),
        rw!("cancel-add"; "(+ (- ?a ?b) ?b)" => "?a"),
        rw!("sub-self"; "(- ?a ?a)" => "0"),
        rw!("add-neg"; "(+ ?a (neg ?b))" => "(- ?a ?b)"),
        rw!("sub-neg"; "(- ?a (neg ?b))" => "(+ ?a ?b)"),
        rw!("neg-neg"; "(neg (neg ?a))" => "?a"),
        rw!("neg-sub"; "(neg (- ?a ?b))" => "(- ?b ?a)"),
        rw!("abs-neg"; "(abs (neg ?a))" => "(abs ?a)"),
        rw!("abs-sub"; "(abs (- ?a ?b))" => "(abs (- ?b ?a))"),
        rw!("distribute"; "(+ (* ?a ?b) (* ?a ?c))" => "(* ?a (+ ?b ?c))"),
        rw!("min-self"; "(min ?a ?a)" => "?a"),
        rw!("max-self"; "(max ?a ?a)" => "?a"),
        rw!("if-same"; "(if ?c ?a ?a)" => "?a"),
        rw!("if-not"; "(if (not ?c) ?a ?b)" => "(if ?c ?b ?a)"),
        rw!("gt"; "(> ?a ?b)" => "(< ?b ?a)"),
        rw!("ge"; "(>= ?a ?b)" => "(<= ?b ?a)"),
        rw!("not-lt"; "(not (< ?a ?b))" => "(<= ?b ?a)"),
        rw!("not-le"; "(not (<= ?a ?b))" => "(< ?b ?a)"),
        rw!("not-eq"; "(not (== ?a ?b))" => "(!= ?a ?b)"),
        rw!("not-ne"; "(not (!= ?a ?b))" => "(== ?a ?b)"),
        rw!("min-neg"; "(neg (max (neg ?a) (neg ?b)))" => "(min ?a ?b)"),
        rw!("max-neg"; "(neg (min (neg ?a) (neg ?b)))" => "(max ?a ?b)"),
    ]
}

/// The e-graph symbol of a unary operator (`neg`, so it differs from binary `-`).
fn unary_symbol(op: UnOp) -> &'static str {
    match op {
        UnOp::Neg => "neg",
        UnOp::Not => "not",
        UnOp::Abs => "abs",
    }
}

/// Appends `e` to `rec`; returns its id.
fn to_rec(e: &Expr, rec: &mut RecExpr<Term>) -> Id {
    let (symbol, children) = match e {
        Expr::Const(c) => return rec.add(Term::Leaf(Leaf(Expr0::Const(*c)))),
        Expr::Var(v) => return rec.add(Term::Leaf(Leaf(Expr0::Var(*v)))),
        Expr::Unary(op, a) => (unary_symbol(*op), vec![to_rec(a, rec)]),
        Expr::Binary(op, a, b) => (op.symbol(), vec![to_rec(a, rec), to_rec(b, rec)]),
        Expr::If(c, t, f) => ("if", vec![to_rec(c, rec), to_rec(t, rec), to_rec(f, rec)]),
    };
    rec.add(Term::from_op(symbol, children).expect("every operator has a term"))
}

/// The expression at `index` of an extracted term.
fn from_rec(nodes: &[Term], index: usize) -> Expr {
    let node = &nodes[index];
    let kid = |k: usize| from_rec(nodes, usize::from(node.children()[k]));
    let name = node.to_string();
    match node {
        Term::Leaf(Leaf(Expr0::Const(c))) => Expr::Const(*c),
        Term::Leaf(Leaf(Expr0::Var(v))) => Expr::Var(*v),
        Term::If(_) => Expr::ite(kid(0), kid(1), kid(2)),
        Term::Neg(_) | Term::Not(_) | Term::Abs(_) => {
            let op = [UnOp::Neg, UnOp::Not, UnOp::Abs]
                .into_iter()
                .find(|op| unary_symbol(*op) == name)
                .expect("a unary term");
            Expr::un(op, kid(0))
        }
        _ => {
            let op = BinOp::ALL
                .into_iter()
                .find(|op| op.symbol() == name)
                .expect("a binary term");
            Expr::bin(op, kid(0), kid(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: Expr, b: Expr) -> Expr {
        Expr::bin(BinOp::Add, a, b)
    }

    fn sub(a: Expr, b: Expr) -> Expr {
        Expr::bin(BinOp::Sub, a, b)
    }

    #[test]
    fn a_longer_equivalent_program_is_printed_as_the_shorter() {
        let (s, x) = (Expr::state(0), Expr::input(0));
        // s' = (x + s) - (x - x) + 0 - 0 ... written long: ((x + s) - x) + (s - s) → s
        let long_update = add(sub(add(x.clone(), s.clone()), x.clone()), sub(s.clone(), s.clone()));
        // y = -(-(s + x)) - 0 → s + x (or x + s)
        let long_output = sub(
            Expr::un(UnOp::Neg, Expr::un(UnOp::Neg, add(s.clone(), x.clone()))),
            Expr::Const(0),
        );
        let p = Program {
            state_names: vec!["s".into()],
            init: vec![3],
            input_names: vec!["x".into()],
            updates: vec![long_update],
            outputs: vec![long_output],
            method: "test".into(),
            symbolic: true,
        };
        let q = saturate_program(&p);
        assert_eq!(q.updates[0], s);
        assert_eq!(q.outputs[0].tokens(), 3);
        let inputs = [4, -2, 7, 0, 9];
        assert_eq!(q.run(&inputs).unwrap(), p.run(&inputs).unwrap());
        assert_eq!(q.init, p.init);
    }

    #[test]
    fn negated_comparisons_and_same_branches_shrink() {
        let (s, x) = (Expr::state(0), Expr::input(0));
        let not_lt = Expr::un(UnOp::Not, Expr::bin(BinOp::Lt, s.clone(), x.clone()));
        assert_eq!(simplest(&not_lt, &rules()), Expr::bin(BinOp::Le, x.clone(), s.clone()));
        let same = Expr::ite(x.clone(), add(s.clone(), x.clone()), add(x.clone(), s.clone()));
        assert_eq!(simplest(&same, &rules()).tokens(), 3);
    }

    #[test]
    fn the_shortest_form_is_kept_and_ties_keep_the_original() {
        let (s, x) = (Expr::state(0), Expr::input(0));
        let e = Expr::bin(BinOp::Min, x.clone(), s.clone());
        let p = Program {
            state_names: vec!["m".into()],
            init: vec![9],
            input_names: vec!["x".into()],
            updates: vec![e.clone()],
            outputs: vec![s],
            method: "test".into(),
            symbolic: true,
        };
        assert_eq!(saturate_program(&p), p);
    }

    #[test]
    fn every_operator_survives_the_round_trip() {
        let (s, x) = (Expr::state(1), Expr::input(2));
        let mut rec = RecExpr::default();
        for op in BinOp::ALL {
            let e = Expr::bin(op, s.clone(), Expr::un(UnOp::Abs, x.clone()));
            let id = to_rec(&e, &mut rec);
            assert_eq!(from_rec(rec.as_ref(), usize::from(id)), e);
        }
        let e = Expr::ite(Expr::un(UnOp::Not, s.clone()), Expr::un(UnOp::Neg, x), Expr::Const(-4));
        let id = to_rec(&e, &mut rec);
        assert_eq!(from_rec(rec.as_ref(), usize::from(id)), e);
    }
}
