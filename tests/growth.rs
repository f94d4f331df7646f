//! End-to-end test of lattices with growth: a linear network computing the Fibonacci-like
//! recurrence `y[t] = y[t-1] + y[t-2] + x[t]` (the parameters of one trained from a data file,
//! whose eigenvalues are only near the golden ratio's, with an extra decaying mode) is extracted,
//! through its integer impulse response, to a two-dimensional integer lattice and regressed to
//! a program that is exact at 10× the data's length: there the values pass `i64`, so the fast
//! path reports an overflow (never a wrapped value) and the exact run gives the true values.

mod common;

use common::networks::{Xorshift, data_file, sequences};
use common::*;

use mips_core::ir::program::is_overflow;
use mips_core::ir::{Activation, Linear, Mlp, Network, Program, StateMachine, Values, versioned};

/// The data's sequence length.
const LEN: usize = 10;

/// Layers of the trained network: `h' = W h + w x + b` with three hidden units, `y = h_0 + h_1`.
fn fibonacci_network() -> Network {
    let net = Network {
        input_dim: 1,
        hidden_dim: 3,
        output_dim: 1,
        f: Mlp {
            layers: vec![Linear {
                inputs: 4,
                outputs: 3,
                weight: vec![
                    1.6174501598817024,
                    -3.0,
                    -0.18230833409145347,
                    1.0,
                    0.0,
                    0.0,
                    -0.028632390690472572,
                    0.0,
                    0.0,
                    -7.646009693159698,
                    0.09298091750608538,
                    2.952593486894695,
                ],
                bias: vec![0.0, 0.06624359756052894, -1.0],
            }],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![Linear {
                inputs: 3,
                outputs: 1,
                weight: vec![1.0, 1.0, 0.0],
                bias: vec![0.0],
            }],
            activation: Activation::Relu,
        },
        h0: vec![0.0; 3],
    };
    net.validate().unwrap();
    net
}

/// The recurrence, exactly (`i128` holds it at every length used here).
fn fibonacci(xs: &[i64]) -> Vec<i128> {
    let (mut a, mut b) = (0i128, 0i128);
    xs.iter()
        .map(|x| {
            (a, b) = (a + b + i128::from(*x), a);
            a
        })
        .collect()
}

/// Seeded inputs in 0..4 (xorshift), `n` sequences of `len` steps.
fn inputs(n: usize, len: usize) -> Vec<Vec<i64>> {
    let mut rng = Xorshift(0x853c_49e6_748f_ea9b);
    sequences(n, len, || rng.below(4) as i64)
}

#[test]
fn a_fibonacci_like_network_becomes_a_program_exact_at_ten_times_its_length() {
    let dir = scratch("growth");
    let model = dir.join("fibonacci.ron");
    std::fs::write(&model, versioned::to_ron(&fibonacci_network()).unwrap()).unwrap();
    let data = dir.join("fibonacci.csv");
    let text = data_file(inputs(400, LEN).iter().map(|xs| {
        (
            xs.iter().map(i64::to_string).collect(),
            fibonacci(xs).iter().map(i128::to_string).collect(),
        )
    }));
    std::fs::write(&data, text).unwrap();
    let out_dir = dir.join("out");
    let args = [
        "synth",
        path(&data),
        "--model",
        path(&model),
        "--passes",
        "extract,regress",
        "--out",
        path(&out_dir),
        "--quiet",
    ];
    let out = mips(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let machine: StateMachine = versioned::load(&out_dir.join("machine.ron")).unwrap();
    assert!(
        machine.method.starts_with("lattice dim 2 (output companion)"),
        "{}",
        machine.method
    );
    let program: Program = versioned::load(&out_dir.join("program.ron")).unwrap();
    let mut overflows = 0;
    for xs in inputs(50, 10 * LEN) {
        let want: Vec<String> = fibonacci(&xs).iter().map(i128::to_string).collect();
        let exact: Vec<String> = match program.run_exact(&xs).unwrap() {
            Values::Small(v) => v.iter().map(i64::to_string).collect(),
            Values::Big(v) => v.iter().map(|b| b.to_string()).collect(),
        };
        assert_eq!(exact, want, "{program:?}");
        match program.run(&xs) {
            Ok(fast) => assert_eq!(fast.iter().map(i64::to_string).collect::<Vec<_>>(), want),
            Err(error) => {
                assert!(is_overflow(&error), "{error}");
                overflows += 1;
            }
        }
    }
    assert!(overflows > 0, "F(100) is past i64: the fast path must report it");
    std::fs::remove_dir_all(dir).unwrap();
}
