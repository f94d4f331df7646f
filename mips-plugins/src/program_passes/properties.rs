//! Property tests: every program pass keeps the program's outputs on random programs and
//! inputs, and constant folding never lengthens an expression.

use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};
use proptest::prelude::*;

use super::dead_state::remove_dead_state;
use super::fold::{fold_program, simplify};
use super::names::name_variables;
use super::rebase::rebase_affine;

/// A program pass as a function.
type PassFn = fn(&Program) -> Program;

/// Random expressions over two states, one input and small constants.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (-3i64..100).prop_map(Expr::Const),
        Just(Expr::Var(Var::State(0))),
        Just(Expr::Var(Var::State(1))),
        Just(Expr::Var(Var::Input(0))),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec![UnOp::Neg, UnOp::Not, UnOp::Abs]),
                inner.clone()
            )
                .prop_map(|(op, a)| Expr::un(op, a)),
            (prop::sample::select(BinOp::ALL.to_vec()), inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| Expr::bin(op, a, b)),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, t, o)| Expr::ite(c, t, o)),
        ]
    })
}

/// Random programs with two states and one input.
fn program() -> impl Strategy<Value = Program> {
    (expr(), expr(), expr(), -2i64..100, 0i64..2).prop_map(|(u0, u1, y, i0, i1)| Program {
        state_names: vec!["s0".into(), "s1".into()],
        init: vec![i0, i1],
        input_names: vec!["x0".into()],
        updates: vec![u0, u1],
        outputs: vec![y],
        method: "test".into(),
        symbolic: true,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Folding never lengthens an expression and keeps its value wherever it is defined
    /// (state 1 is Boolean, state 0 is not).
    #[test]
    fn folding_keeps_values(e in expr()) {
        let f = simplify(&e, &[false, true]);
        prop_assert!(f.tokens() <= e.tokens());
        for s0 in -3..4 {
            for s1 in 0..2 {
                for x in -3..4 {
                    if let Ok(v) = e.eval(&[s0, s1], &[x]) {
                        prop_assert_eq!(f.eval(&[s0, s1], &[x]).ok(), Some(v), "{:?} -> {:?}", e, f);
                    }
                }
            }
        }
    }

    /// Every program pass keeps the outputs wherever the original program runs.
    #[test]
    fn program_passes_keep_outputs(p in program(), xs in prop::collection::vec(-3i64..100, 1..8)) {
        let Ok(expected) = p.run(&xs) else { return Ok(()) };
        let passes: [(&str, PassFn); 4] = [
            ("fold-constants", fold_program),
            ("remove-dead-state", remove_dead_state),
            ("rebase-affine", rebase_affine),
            ("name-variables", name_variables),
        ];
        for (name, pass) in passes {
            let q = pass(&p);
            prop_assert!(q.validate().is_ok(), "{}", name);
            prop_assert!(q.tokens() <= p.tokens(), "{}", name);
            prop_assert_eq!(q.run(&xs).ok(), Some(expected.clone()), "{} on {:?} gave {:?}", name, p, q);
        }
    }
}
