//! Small networks built by hand for the extraction tests, the seeded inputs they read and the
//! data files of their tasks.

use std::path::Path;

use mips_core::ir::{Activation, Linear, Mlp, Network, StateMachine, versioned};

use super::{mips, path, stderr};

/// A linear layer from its rows (each of `inputs` weights) and biases.
pub fn layer(inputs: usize, rows: Vec<Vec<f64>>, bias: Vec<f64>) -> Linear {
    Linear {
        inputs,
        outputs: rows.len(),
        weight: rows.into_iter().flatten().collect(),
        bias,
    }
}

/// The unit vector `e_i` of length `n`.
pub fn unit(n: usize, i: usize) -> Vec<f64> {
    (0..n).map(|d| f64::from(u8::from(d == i))).collect()
}

/// A seeded xorshift generator.
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next draw, reduced modulo `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// `n` sequences of `len` steps, each step drawn by `step`.
pub fn sequences<T>(n: usize, len: usize, mut step: impl FnMut() -> T) -> Vec<Vec<T>> {
    (0..n).map(|_| (0..len).map(|_| step()).collect()).collect()
}

/// A data file in the format of `mips data`: one line per sequence, its inputs and its outputs
/// (each a list of tokens joined by spaces).
pub fn data_file(rows: impl IntoIterator<Item = (Vec<String>, Vec<String>)>) -> String {
    let mut text = String::from("inputs,outputs\n");
    for (inputs, outputs) in rows {
        text += &format!("{},{}\n", inputs.join(" "), outputs.join(" "));
    }
    text
}

/// The digits of symbol tuple `j` of `components` digits in `0..symbols`, most significant
/// first (tuples in lexicographic order).
fn digits(j: usize, components: usize, symbols: usize) -> Vec<usize> {
    (0..components)
        .map(|c| j / symbols.pow((components - 1 - c) as u32) % symbols)
        .collect()
}

/// A ReLU network over one-hot concrete states `0..states` (starting in state 0) reading
/// `components` inputs with digits `0..symbols`: layer 1 copies the state and detects each
/// input's digit `m` (`[x = m] = ReLU(x−m+1) − 2 ReLU(x−m) + ReLU(x−m−1)`), layer 2 ANDs a state
/// with one digit per input, layer 3 writes the next state `delta(s, digits)`; the readout of
/// state `s` is `readout(s)`.
pub fn one_hot_network(
    states: usize,
    components: usize,
    symbols: usize,
    delta: impl Fn(usize, &[usize]) -> usize,
    readout: impl Fn(usize) -> f64,
) -> Network {
    let width = states + components;
    let mut rows1: Vec<Vec<f64>> = (0..states).map(|s| unit(width, s)).collect();
    let mut bias1 = vec![0.0; states];
    for component in 0..components {
        for m in 0..symbols {
            for shift in [1.0, 0.0, -1.0] {
                rows1.push(unit(width, states + component));
                bias1.push(shift - m as f64);
            }
        }
    }
    let width1 = rows1.len();
    let tuples = symbols.pow(components as u32);
    let mut rows2 = Vec::new();
    let mut cases = Vec::new();
    for s in 0..states {
        for j in 0..tuples {
            let ds = digits(j, components, symbols);
            let mut row = vec![0.0; width1];
            row[s] = 1.0;
            for (component, m) in ds.iter().enumerate() {
                let at = states + 3 * (symbols * component + m);
                row[at..at + 3].copy_from_slice(&[1.0, -2.0, 1.0]);
            }
            rows2.push(row);
            cases.push(delta(s, &ds));
        }
    }
    let rows3: Vec<Vec<f64>> = (0..states)
        .map(|t| cases.iter().map(|&next| f64::from(u8::from(next == t))).collect())
        .collect();
    let net = Network {
        input_dim: components,
        hidden_dim: states,
        output_dim: 1,
        f: Mlp {
            layers: vec![
                layer(width, rows1, bias1),
                layer(width1, rows2, vec![-(components as f64); cases.len()]),
                layer(cases.len(), rows3, vec![0.0; states]),
            ],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![layer(states, vec![(0..states).map(readout).collect()], vec![0.0])],
            activation: Activation::Relu,
        },
        h0: unit(states, 0),
    };
    net.validate().unwrap();
    net
}

/// The machine `mips extract --passes extract` reads off `net`, its task the data file `data`
/// (both written to `dir`).
pub fn extract_machine(dir: &Path, net: &Network, data: &str) -> StateMachine {
    let model = dir.join("model.ron");
    std::fs::write(&model, versioned::to_ron(net).unwrap()).unwrap();
    let data_path = dir.join("data.csv");
    std::fs::write(&data_path, data).unwrap();
    let machine = dir.join("machine.ron");
    let out = mips(&[
        "extract",
        path(&model),
        "--task",
        path(&data_path),
        "--passes",
        "extract",
        "--out",
        path(&machine),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    versioned::load(&machine).unwrap()
}
