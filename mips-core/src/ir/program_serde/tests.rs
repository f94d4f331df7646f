//! Tests of the flat saved form of expressions: long programs read back, hostile nesting is a
//! clean error, and the deepest expression accepted can be used on a 2 MiB stack.

use std::path::Path;

use super::*;
use crate::ir::Program;
use crate::ir::program_fmt::Dialect;
use crate::ir::versioned::{from_ron, to_ron};

/// The stack of a test (or rayon) thread.
const STACK: usize = 2 << 20;

/// Runs `f` on a thread with a [`STACK`]-sized stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow or panic")
}

fn program(output: Expr) -> Program {
    Program {
        state_names: vec!["s".into()],
        init: vec![0],
        input_names: vec!["a".into(), "b".into(), "c".into()],
        updates: vec![Expr::input(0)],
        outputs: vec![output],
        method: "boolean".into(),
        symbolic: true,
    }
}

fn left_chain(op: BinOp, items: impl IntoIterator<Item = Expr>) -> Expr {
    let mut items = items.into_iter();
    let first = items.next().unwrap();
    items.fold(first, |acc, e| Expr::bin(op, acc, e))
}

fn literal(k: usize) -> Expr {
    let v = Expr::input(k % 3);
    if k.is_multiple_of(2) { v } else { Expr::un(UnOp::Not, v) }
}

/// A sum of products of 3,000 tokens as the Boolean synthesis writes it, and one left-nested
/// chain of 1,500 operands (1,499 nested operators).
fn long_formulas() -> Vec<Expr> {
    let products = (0..300).map(|p| left_chain(BinOp::And, (0..5).map(|i| literal(p + i))));
    let sum_of_products = left_chain(BinOp::Or, products);
    let flat = left_chain(BinOp::And, (0..1500).map(literal));
    vec![sum_of_products, flat]
}

fn round_trip(p: &Program) -> Program {
    let text = to_ron(p).unwrap();
    from_ron::<Program>(&text, Path::new("program.ron")).unwrap()
}

#[test]
fn long_chains_written_by_synthesis_read_back() {
    on_small_stack(|| {
        for e in long_formulas() {
            assert!(e.tokens() >= 3000);
            let p = program(e);
            assert_eq!(round_trip(&p), p);
        }
    });
}

#[test]
fn else_if_chains_read_back() {
    on_small_stack(|| {
        let mut e = Expr::Const(-1);
        for k in (0..1000).rev() {
            e = Expr::ite(
                Expr::bin(BinOp::Eq, Expr::input(0), Expr::Const(k)),
                Expr::Const(k * k),
                e,
            );
        }
        let p = program(e);
        let text = to_ron(&p).unwrap();
        assert!(text.contains("Cases("), "written flat");
        assert_eq!(from_ron::<Program>(&text, Path::new("p.ron")).unwrap(), p);
        assert_eq!(p.run(&[7, 0, 0]).unwrap(), vec![49]);
    });
}

#[test]
fn mixed_nesting_round_trips() {
    let sum = left_chain(BinOp::Add, (0..3).map(Expr::input));
    let e = Expr::ite(
        Expr::bin(BinOp::Gt, sum.clone(), Expr::Const(1)),
        Expr::bin(BinOp::Sub, Expr::bin(BinOp::Sub, Expr::state(0), Expr::Const(1)), sum),
        Expr::ite(
            Expr::input(0),
            Expr::un(UnOp::Neg, Expr::Const(3)),
            Expr::Const(i64::MIN),
        ),
    );
    let p = program(e);
    assert_eq!(round_trip(&p), p);
}

#[test]
fn version_1_files_are_read() {
    let text = r#"(kind: "program", version: 1, content: (
        state_names: ["s"], init: [0], input_names: ["a", "b", "c"],
        updates: [Binary(Add, Binary(Add, Var(State(0)), Var(Input(0))), Var(Input(1)))],
        outputs: [If(Var(State(0)), Const(1), Unary(Neg, Const(2)))],
    ))"#;
    let p = from_ron::<Program>(text, Path::new("old.ron")).unwrap();
    assert_eq!(p.run(&[1, 1, 0, 0, 0, 0]).unwrap(), vec![1, 1]);
    assert_eq!(
        p.updates[0],
        left_chain(BinOp::Add, [Expr::state(0), Expr::input(0), Expr::input(1)])
    );
}

fn read_error(output: &str) -> String {
    let text = format!(
        "(kind: \"program\", version: 2, content: (state_names: [], init: [], input_names: [\"a\"], \
         updates: [], outputs: [{output}]))"
    );
    on_small_stack(move || {
        from_ron::<Program>(&text, Path::new("hostile.ron"))
            .unwrap_err()
            .to_string()
    })
}

#[test]
fn hostile_nesting_is_a_clean_error() {
    let levels = 200_000;
    let nested = format!("{}Const(1){}", "Unary(Neg, ".repeat(levels), ")".repeat(levels));
    let message = read_error(&nested);
    assert!(
        message.contains("hostile.ron:1") && message.contains("recursion limit"),
        "{message}"
    );
    let bracketed = format!("{}Const(1){}", "Chain(Add, [".repeat(levels), "])".repeat(levels));
    assert!(read_error(&bracketed).contains("recursion limit"));
}

#[test]
fn chains_expanding_too_deep_are_refused() {
    let operands = vec!["Const(1)"; 200_000].join(", ");
    let message = read_error(&format!("Chain(Add, [{operands}])"));
    assert!(
        message.contains(&format!("nested deeper than {MAX_EXPR_DEPTH}")),
        "{message}"
    );
    let pairs = vec!["(Var(Input(0)), Const(1))"; MAX_EXPR_DEPTH + 1].join(", ");
    let message = read_error(&format!("Cases([{pairs}], Const(0))"));
    assert!(message.contains("nested deeper"), "{message}");
    // Depth adds up across nested chains.
    let half = vec!["Var(Input(0))"; MAX_EXPR_DEPTH / 2 + 2].join(", ");
    let message = read_error(&format!("Chain(Add, [Chain(Mul, [{half}]), {half}])"));
    assert!(message.contains("nested deeper"), "{message}");
}

#[test]
fn degenerate_chains_are_refused() {
    assert!(read_error("Chain(Add, [Const(1)])").contains("at least 2"));
    assert!(read_error("Cases([], Const(1))").contains("at least 1"));
}

#[test]
fn the_deepest_expression_accepted_can_be_used_on_a_small_stack() {
    let operands = vec!["Var(Input(0))"; MAX_EXPR_DEPTH + 1].join(", ");
    let text = format!(
        "(kind: \"program\", version: 2, content: (state_names: [], init: [], input_names: [\"a\"], \
         updates: [], outputs: [Chain(Xor, [{operands}]), Cases([{}], Const(0))]))",
        vec!["(Var(Input(0)), Const(1))"; MAX_EXPR_DEPTH].join(", ")
    );
    on_small_stack(move || {
        let p = from_ron::<Program>(&text, Path::new("deep.ron")).unwrap();
        assert_eq!(p.run(&[1, 0]).unwrap(), vec![1, 1, 0, 0]);
        assert_eq!(p.tokens(), 2 * MAX_EXPR_DEPTH + 1 + 3 * MAX_EXPR_DEPTH + 1);
        for dialect in [Dialect::Pseudo, Dialect::Python] {
            let printed = p.fmt_tuple(&p.outputs, dialect);
            assert!(printed.len() > 8 * MAX_EXPR_DEPTH, "{dialect:?}");
        }
        assert!(p.to_string().contains("a ^ a ^ a"));
        let copy = p.clone();
        assert_eq!(copy, p);
        assert_eq!(round_trip(&copy), p);
    });
}
