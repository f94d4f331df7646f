//! End-to-end test of extraction over a large alphabet: a network reading pairs of digits
//! `(a, b)` in `0..5` (25 input symbols) and keeping a sum mod 5 at two hidden points per
//! residue is extracted, from a model file and a data file of its task, to exactly the 5 states
//! of the abstract machine, which run sequences 10× longer than the data's.

mod common;

use common::*;

use mips_core::ir::{Activation, Linear, Mlp, Network, StateMachine, versioned};

/// Digits per input component.
const BASE: usize = 5;
/// Concrete states: every residue at two hidden points.
const STATES: usize = 2 * BASE;

/// The abstract machine: the running sum mod 5 of both digits.
fn sum(c: usize, a: usize, b: usize) -> usize {
    (c + a + b) % BASE
}

/// Concrete state `2c + copy`: the copy flips with the digits and the sum, so sequences visit
/// both points of every residue.
fn delta(s: usize, a: usize, b: usize) -> usize {
    let c = sum(s / 2, a, b);
    2 * c + (s % 2 + a + 2 * b + c) % 2
}

fn layer(inputs: usize, rows: Vec<Vec<f64>>, bias: Vec<f64>) -> Linear {
    Linear {
        inputs,
        outputs: rows.len(),
        weight: rows.into_iter().flatten().collect(),
        bias,
    }
}

/// The unit vector `e_i` of length `n`.
fn unit(n: usize, i: usize) -> Vec<f64> {
    (0..n).map(|d| f64::from(u8::from(d == i))).collect()
}

/// Layer 1 over `[h, a, b]`: the state copied, then for each input component and digit `m`
/// the three units of `[x = m] = ReLU(x−m+1) − 2 ReLU(x−m) + ReLU(x−m−1)`.
fn first_layer() -> Linear {
    let width = STATES + 2;
    let mut rows: Vec<Vec<f64>> = (0..STATES).map(|s| unit(width, s)).collect();
    let mut bias = vec![0.0; STATES];
    for component in 0..2 {
        for m in 0..BASE {
            for shift in [1.0, 0.0, -1.0] {
                rows.push(unit(width, STATES + component));
                bias.push(shift - m as f64);
            }
        }
    }
    layer(width, rows, bias)
}

/// Column of the first detector unit of digit `m` of input component `component` in layer 1.
fn detector(component: usize, m: usize) -> usize {
    STATES + 3 * (BASE * component + m)
}

/// A ReLU network over one-hot concrete states: layer 2 ANDs a state with both digits, layer 3
/// writes the next state; the readout is the residue.
fn redundant_sum() -> Network {
    let l1 = first_layer();
    let mut rows2 = Vec::new();
    let mut triples = Vec::new();
    for s in 0..STATES {
        for a in 0..BASE {
            for b in 0..BASE {
                let mut row = vec![0.0; l1.outputs];
                row[s] = 1.0;
                for (component, m) in [(0, a), (1, b)] {
                    let at = detector(component, m);
                    row[at..at + 3].copy_from_slice(&[1.0, -2.0, 1.0]);
                }
                rows2.push(row);
                triples.push((s, a, b));
            }
        }
    }
    let rows3: Vec<Vec<f64>> = (0..STATES)
        .map(|t| {
            triples
                .iter()
                .map(|&(s, a, b)| f64::from(u8::from(delta(s, a, b) == t)))
                .collect()
        })
        .collect();
    let readout: Vec<f64> = (0..STATES).map(|s| (s / 2) as f64).collect();
    let net = Network {
        input_dim: 2,
        hidden_dim: STATES,
        output_dim: 1,
        f: Mlp {
            layers: vec![
                l1.clone(),
                layer(l1.outputs, rows2, vec![-2.0; triples.len()]),
                layer(triples.len(), rows3, vec![0.0; STATES]),
            ],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![layer(STATES, vec![readout], vec![0.0])],
            activation: Activation::Relu,
        },
        h0: unit(STATES, 0),
    };
    net.validate().unwrap();
    net
}

/// Seeded digit pairs (xorshift), `n` sequences of `len` steps.
fn inputs(n: usize, len: usize) -> Vec<Vec<(usize, usize)>> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut digit = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % BASE as u64) as usize
    };
    (0..n).map(|_| (0..len).map(|_| (digit(), digit())).collect()).collect()
}

fn sums(xs: &[(usize, usize)]) -> Vec<i64> {
    xs.iter()
        .scan(0, |c, &(a, b)| {
            *c = sum(*c, a, b);
            Some(*c as i64)
        })
        .collect()
}

/// The data file of the task: `a:b` per step, and the sums.
fn data_file(n: usize, len: usize) -> String {
    let mut text = String::from("inputs,outputs\n");
    for xs in inputs(n, len) {
        let flat: Vec<String> = xs.iter().map(|(a, b)| format!("{a}:{b}")).collect();
        let ys: Vec<String> = sums(&xs).iter().map(i64::to_string).collect();
        text += &format!("{},{}\n", flat.join(" "), ys.join(" "));
    }
    text
}

#[test]
fn a_sum_mod_5_over_25_symbols_kept_at_two_points_per_state_has_five_states() {
    let dir = scratch("large-alphabet");
    let model = dir.join("sum.ron");
    std::fs::write(&model, versioned::to_ron(&redundant_sum()).unwrap()).unwrap();
    let data = dir.join("sum.csv");
    std::fs::write(&data, data_file(400, 10)).unwrap();
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
    assert_eq!(sm.state_count(), BASE, "{}", sm.method);
    assert!(
        sm.complete,
        "every transition of the 25 symbols is known: {}",
        sm.method
    );
    for xs in inputs(20, 100) {
        let seq: Vec<i64> = xs.iter().flat_map(|&(a, b)| [a as i64, b as i64]).collect();
        assert_eq!(sm.run(&seq).unwrap(), sums(&xs), "{}", sm.method);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
