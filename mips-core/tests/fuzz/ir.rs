//! Versioned RON IR files: network, state machine, program.

use std::path::Path;
use std::sync::LazyLock;

use mips_core::ir::network::Shape;
use mips_core::ir::program_fmt::Dialect;
use mips_core::ir::versioned::{from_ron, to_ron};
use mips_core::ir::{Activation, BinOp, Expr, LatticeCoding, Network, Program, Reading, StateMachine, UnOp};
use proptest::test_runner::TestCaseError;

use crate::harness::{bounded, fuzz, short_message};

/// A small network with distinct weights.
pub fn network(input_dim: usize, hidden_dim: usize, f_widths: Vec<usize>) -> Network {
    let mut net = Network::zeros(&Shape {
        input_dim,
        hidden_dim,
        output_dim: 1,
        f_widths,
        g_widths: vec![2],
        activation: Activation::Tanh,
    });
    let layers = net.f.layers.iter_mut().chain(net.g.layers.iter_mut());
    for (k, v) in layers
        .flat_map(|l| l.weight.iter_mut().chain(l.bias.iter_mut()))
        .enumerate()
    {
        *v = (k as f64 * 0.37).sin();
    }
    net.h0[0] = 0.5;
    net
}

fn machines() -> Vec<StateMachine> {
    let mut counter = StateMachine {
        state_dim: 1,
        input_dim: 1,
        output_dim: 1,
        initial: vec![0],
        complete: true,
        alphabet: Some(vec![vec![0], vec![1]]),
        method: "lattice".into(),
        ..Default::default()
    };
    for s in 0..4 {
        counter.transitions.insert((vec![s], vec![0]), vec![s]);
        counter.transitions.insert((vec![s], vec![1]), vec![(s + 1).min(3)]);
        counter.outputs.insert(vec![s], vec![s % 2]);
    }
    let mut coded = counter.clone();
    coded.transitions.retain(|(s, _), _| s[0] < 2);
    coded.coding = Some(Box::new(LatticeCoding {
        origin: vec![0.0, 0.0],
        basis: vec![vec![2.0, 0.0]],
        reading: Reading::Rule {
            rule: vec![vec![1, 1, 0]],
        },
        subspace: vec![vec![1.0, 0.0]],
        tolerance: 0.25,
        relative_tolerance: 0.01,
        network: network(1, 2, vec![]),
    }));
    let mut nearest = coded.clone();
    if let Some(c) = nearest.coding.as_mut() {
        c.reading = Reading::Nearest {
            encoder: vec![vec![0.5, 0.0]],
        };
    }
    vec![counter, coded, nearest]
}

fn programs() -> Vec<Program> {
    let chain = |op, n: usize| {
        (1..n).fold(Expr::input(0), |acc, k| {
            Expr::bin(op, acc, Expr::un(UnOp::Not, Expr::input(k % 2)))
        })
    };
    let mut cases = Expr::Const(0);
    for k in 0..6 {
        cases = Expr::ite(
            Expr::bin(BinOp::Eq, Expr::state(0), Expr::Const(k)),
            Expr::Const(k + 1),
            cases,
        );
    }
    let base = Program {
        state_names: vec!["a".into(), "b".into()],
        init: vec![0, 3],
        input_names: vec!["x".into(), "y".into()],
        updates: vec![
            Expr::bin(
                BinOp::FloorDiv,
                Expr::bin(BinOp::Add, Expr::state(1), Expr::input(0)),
                Expr::Const(2),
            ),
            Expr::bin(BinOp::Mod, Expr::state(0), Expr::Const(-7)),
        ],
        outputs: vec![Expr::bin(BinOp::Gt, Expr::state(0), Expr::state(1))],
        method: "integer-linear".into(),
        symbolic: true,
    };
    let boolean = Program {
        updates: vec![chain(BinOp::Or, 12), cases],
        outputs: vec![chain(BinOp::And, 5), Expr::un(UnOp::Abs, Expr::Const(i64::MIN + 1))],
        method: "boolean".into(),
        ..base.clone()
    };
    vec![base, boolean]
}

static NETWORKS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    [network(1, 2, vec![]), network(2, 3, vec![4, 2])]
        .iter()
        .map(|n| to_ron(n).unwrap().into_bytes())
        .collect()
});

static MACHINES: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| machines().iter().map(|m| to_ron(m).unwrap().into_bytes()).collect());

static PROGRAMS: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| programs().iter().map(|p| to_ron(p).unwrap().into_bytes()).collect());

/// Some inputs of `dim` components per step.
fn steps(dim: usize) -> Vec<i64> {
    [0, 1, -1, 2, 1, 0].iter().cycle().take(3 * dim).copied().collect()
}

/// Reads `bytes` as a `T` file and, when that works, uses the value with `using`.
fn check<T, F>(bytes: Vec<u8>, using: F) -> Result<(), TestCaseError>
where
    T: mips_core::ir::versioned::Versioned + 'static,
    F: FnOnce(T) + Send + 'static,
{
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let read = bounded(move || match from_ron::<T>(&text, Path::new("fuzz.ron")) {
        Ok(value) => {
            using(value);
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    })?;
    match read {
        Ok(()) => Ok(()),
        Err(message) => short_message(&message),
    }
}

#[test]
fn network_files() {
    fuzz("network files", &NETWORKS, |bytes| {
        check(bytes, |net: Network| {
            let trace = net.run_int(&steps(net.input_dim));
            assert_eq!(trace.outputs.len(), 3 * net.output_dim);
        })
    });
}

#[test]
fn state_machine_files() {
    fuzz("state machine files", &MACHINES, |bytes| {
        check(bytes, |sm: StateMachine| {
            if let Ok(out) = sm.run(&steps(sm.input_dim)) {
                assert_eq!(out.len(), 3 * sm.output_dim);
            }
            let _ = sm.within(2);
        })
    });
}

#[test]
fn program_files() {
    fuzz("program files", &PROGRAMS, |bytes| {
        check(bytes, |p: Program| {
            if let Ok(out) = p.run(&steps(p.input_dim())) {
                assert_eq!(out.len(), 3 * p.output_dim());
            }
            let _ = (p.to_string(), p.fmt_tuple(&p.outputs, Dialect::Python), p.tokens());
            let again: Program = from_ron(&to_ron(&p).unwrap(), Path::new("again.ron")).unwrap();
            assert_eq!(again, p, "a program read must write and read back as itself");
        })
    });
}
