//! End-to-end test of minimization that does not depend on luck: a network keeping each state of
//! a 4-state counter with reset at two hidden points, given as a model file with a data file of
//! its task, is extracted to exactly 4 states that run sequences 10× longer than the data's.

mod common;

use common::*;

use mips_core::ir::{Activation, Linear, Mlp, Network, StateMachine, versioned};

/// The count mod 4 of ones, reset to 0 by a two.
fn count(c: usize, x: usize) -> usize {
    match x {
        1 => (c + 1) % 4,
        2 => 0,
        _ => c,
    }
}

/// Concrete state `2c + copy`: the count `c` at one of two hidden points; the copy flips with
/// the input and the count, so sequences visit both points of every count.
fn delta(s: usize, x: usize) -> usize {
    let c = count(s / 2, x);
    2 * c + (s % 2 + x + c) % 2
}

fn layer(inputs: usize, rows: Vec<Vec<f64>>, bias: Vec<f64>) -> Linear {
    Linear {
        inputs,
        outputs: rows.len(),
        weight: rows.into_iter().flatten().collect(),
        bias,
    }
}

/// A ReLU network over one-hot concrete states and inputs 0, 1, 2: layer 1 copies the state and
/// detects the input (`[x = m] = ReLU(x−m+1) − 2 ReLU(x−m) + ReLU(x−m−1)`), layer 2 ANDs a state
/// with an input, layer 3 writes the next state; the readout is the count.
fn redundant_counter() -> Network {
    let (n, symbols) = (8, 3);
    let mut rows1 = Vec::new();
    let mut bias1 = Vec::new();
    for s in 0..n {
        rows1.push((0..=n).map(|d| f64::from(u8::from(d == s))).collect());
        bias1.push(0.0);
    }
    for m in 0..symbols {
        for shift in [1.0, 0.0, -1.0] {
            rows1.push((0..=n).map(|d| f64::from(u8::from(d == n))).collect());
            bias1.push(shift - m as f64);
        }
    }
    let width1 = rows1.len();
    let mut rows2 = Vec::new();
    for s in 0..n {
        for m in 0..symbols {
            let mut row = vec![0.0; width1];
            row[s] = 1.0;
            row[n + 3 * m..n + 3 * m + 3].copy_from_slice(&[1.0, -2.0, 1.0]);
            rows2.push(row);
        }
    }
    let rows3: Vec<Vec<f64>> = (0..n)
        .map(|t| {
            (0..n * symbols)
                .map(|i| f64::from(u8::from(delta(i / symbols, i % symbols) == t)))
                .collect()
        })
        .collect();
    let readout: Vec<f64> = (0..n).map(|s| (s / 2) as f64).collect();
    let net = Network {
        input_dim: 1,
        hidden_dim: n,
        output_dim: 1,
        f: Mlp {
            layers: vec![
                layer(n + 1, rows1, bias1),
                layer(width1, rows2, vec![-1.0; n * symbols]),
                layer(n * symbols, rows3, vec![0.0; n]),
            ],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![layer(n, vec![readout], vec![0.0])],
            activation: Activation::Relu,
        },
        h0: (0..n).map(|d| f64::from(u8::from(d == 0))).collect(),
    };
    net.validate().unwrap();
    net
}

/// Seeded inputs in 0..3 (xorshift), `n` sequences of `len` steps.
fn inputs(n: usize, len: usize) -> Vec<Vec<usize>> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..n)
        .map(|_| {
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 3) as usize
                })
                .collect()
        })
        .collect()
}

fn counts(xs: &[usize]) -> Vec<i64> {
    xs.iter()
        .scan(0, |c, &x| {
            *c = count(*c, x);
            Some(*c as i64)
        })
        .collect()
}

#[test]
fn a_counter_kept_at_two_hidden_points_per_state_has_four_states() {
    let dir = scratch("minimization");
    let model = dir.join("counter.ron");
    std::fs::write(&model, versioned::to_ron(&redundant_counter()).unwrap()).unwrap();
    let data = dir.join("counter.csv");
    let mut text = String::from("inputs,outputs\n");
    for xs in inputs(400, 10) {
        let line = |v: Vec<String>| v.join(" ");
        text += &line(xs.iter().map(usize::to_string).collect());
        text += ",";
        text += &line(counts(&xs).iter().map(i64::to_string).collect());
        text += "\n";
    }
    std::fs::write(&data, text).unwrap();
    let machine = dir.join("machine.ron");
    let out = mips(&[
        "extract",
        path(&model),
        "--task",
        path(&data),
        "--passes",
        "extract",
        "--out",
        path(&machine),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sm: StateMachine = versioned::load(&machine).unwrap();
    assert_eq!(sm.state_count(), 4, "{}", sm.method);
    for xs in inputs(20, 100) {
        let seq: Vec<i64> = xs.iter().map(|x| *x as i64).collect();
        assert_eq!(sm.run(&seq).unwrap(), counts(&xs), "{}", sm.method);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
