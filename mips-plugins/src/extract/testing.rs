//! Test support: a task over uniform random inputs, hand-built networks with known state sets,
//! and a helper that runs a registered extraction pass through the pass manager.

use std::sync::Arc;

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{Activation, Linear, Mlp, Network, StateMachine};
use mips_core::pass::manager::PassManager;
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::verify::rounded_outputs;
use mips_core::pass::{Artifacts, Options, PassContext, Registry, ReportRow};
use mips_core::task::{Loss, Task, TaskInfo};

/// Uniform random inputs in `ranges`, labelled by a network.
pub struct TestTask {
    info: TaskInfo,
    labeller: Network,
    test: Dataset,
}

impl TestTask {
    pub fn new(ranges: Vec<(i64, i64)>, seq_len: usize, labeller: &Network) -> TestTask {
        let mut task = TestTask {
            info: TaskInfo {
                name: "test".into(),
                input_dim: ranges.len(),
                output_dim: labeller.output_dim,
                input_ranges: ranges,
                output_ranges: vec![(0, 1); labeller.output_dim],
                seq_len,
                loss: Loss::Log,
                train_steps: 1,
                rule: String::new(),
                paper_solved: None,
                gpt4_solved: None,
            },
            labeller: labeller.clone(),
            test: Dataset::default(),
        };
        task.test = task.make(99, 200, seq_len);
        task
    }

    fn make(&self, seed: u64, n: usize, len: usize) -> Dataset {
        let mut counter = 0u64;
        let mut draw = |lo: i64, hi: i64| {
            counter += 1;
            lo + (mips_core::rng::mix(seed, counter) % (hi - lo + 1) as u64) as i64
        };
        let sequences = (0..n)
            .map(|_| {
                let inputs: Vec<i64> = (0..len)
                    .flat_map(|_| {
                        self.info
                            .input_ranges
                            .iter()
                            .map(|&(lo, hi)| draw(lo, hi))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let outputs = rounded_outputs(&self.labeller, &inputs);
                Sequence { inputs, outputs }
            })
            .collect();
        Dataset {
            input_dim: self.info.input_dim,
            output_dim: self.info.output_dim,
            sequences,
        }
    }
}

impl Task for TestTask {
    fn info(&self) -> &TaskInfo {
        &self.info
    }
    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        self.make(seed, n, self.info.seq_len)
    }
    fn test_split(&self) -> &Dataset {
        &self.test
    }
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        Some(self.make(seed, n, len))
    }
}

/// Options small enough for fast tests.
pub const SMALL: [(&str, &str); 3] = [("fresh", "150"), ("long-count", "20"), ("heldout", "100")];

/// Runs the registered pass `name` on `net` through the pass manager, with `SMALL` options
/// plus `extra`; returns the report row and the machine (when accepted).
pub fn run_pass(
    name: &str,
    net: &Network,
    task: &TestTask,
    extra: &[(&str, &str)],
) -> (ReportRow, Option<StateMachine>) {
    let registry = Registry::builtin();
    let pass: Arc<dyn mips_core::pass::Pass> = registry.get(name).unwrap().pass.clone();
    let given: Vec<(String, String)> = SMALL
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = Options::resolve(name, &pass.options(), &given).unwrap();
    let verify = task.train_batch(7, 60);
    let ctx = PassContext::new(task, &verify, 1, true);
    let step = ResolvedStep { pass, options };
    let (artifacts, rows) = PassManager.run(&[step], Artifacts::from_network(net.clone()), &ctx, |_| {});
    (rows[0].clone(), artifacts.machine)
}

/// An affine layer from rows.
pub fn linear(rows: &[Vec<f64>], bias: &[f64]) -> Linear {
    Linear {
        inputs: rows.first().map_or(0, Vec::len),
        outputs: rows.len(),
        weight: rows.iter().flatten().copied().collect(),
        bias: bias.to_vec(),
    }
}

/// A linear RNN `h_t = W_h h_{t-1} + W_x x_t + c`, `y_t = G h_t`.
pub fn linear_rnn(w_h: &[Vec<f64>], w_x: &[Vec<f64>], c: &[f64], g: &[Vec<f64>], h0: Vec<f64>) -> Network {
    let rows: Vec<Vec<f64>> = w_h
        .iter()
        .zip(w_x)
        .map(|(a, b)| a.iter().chain(b).copied().collect())
        .collect();
    let net = Network {
        input_dim: w_x[0].len(),
        hidden_dim: w_h.len(),
        output_dim: g.len(),
        f: Mlp {
            layers: vec![linear(&rows, c)],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![linear(g, &vec![0.0; g.len()])],
            activation: Activation::Relu,
        },
        h0,
    };
    net.validate().unwrap();
    net
}

/// Layer-1 units detecting the integer input `x == m` for each `m` in `0..symbols`:
/// `ReLU(x − m + 1) − 2 ReLU(x − m) + ReLU(x − m − 1)`; rows read `[h (dim zeros), x]`.
fn input_detectors(dim: usize, symbols: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rows = Vec::new();
    let mut bias = Vec::new();
    for m in 0..symbols {
        for shift in [1.0, 0.0, -1.0] {
            let mut row = vec![0.0; dim + 1];
            row[dim] = 1.0;
            rows.push(row);
            bias.push(shift - m as f64);
        }
    }
    (rows, bias)
}

/// How a network reads which state a hidden vector codes: state `s` is present to the degree
/// `clamp(decode[s] · h + bias[s], 0, 1)` (two ReLU units), which must be 1 on `codes[s]` and
/// 0 on every other code.
pub struct Detector {
    pub decode: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
}

impl Detector {
    /// One-hot codes read off directly.
    pub fn one_hot(n: usize) -> Detector {
        Detector {
            decode: (0..n)
                .map(|s| (0..n).map(|d| f64::from(u8::from(s == d))).collect())
                .collect(),
            bias: vec![0.0; n],
        }
    }

    /// Codes on the unit circle at angles `2πs/k`, read off by their angle.
    pub fn circle(k: usize) -> (Vec<Vec<f64>>, Detector) {
        let step = std::f64::consts::TAU / k as f64;
        let codes: Vec<Vec<f64>> = (0..k)
            .map(|s| vec![(step * s as f64).cos(), (step * s as f64).sin()])
            .collect();
        let scale = 1.0 - step.cos();
        let detector = Detector {
            decode: codes.iter().map(|c| c.iter().map(|v| v / scale).collect()).collect(),
            bias: vec![-step.cos() / scale; k],
        };
        (codes, detector)
    }

    /// The two ReLU units per state, as rows over `[h, extra zero columns]`.
    fn rows(&self, extra: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rows = Vec::new();
        let mut bias = Vec::new();
        for (d, b) in self.decode.iter().zip(&self.bias) {
            for shift in [0.0, -1.0] {
                rows.push(d.iter().copied().chain(std::iter::repeat_n(0.0, extra)).collect());
                bias.push(b + shift);
            }
        }
        (rows, bias)
    }
}

/// A ReLU network running the automaton `delta` (state × symbol → state) over inputs
/// `0..symbols`, its states stored at the points `codes[s]` and read by `detector`, with
/// output `outputs[s]`; `jitter` lengthens some next-state codes (the state detectors saturate,
/// so the error does not build up) so that states are only approximately discrete.
pub fn automaton(
    codes: &[Vec<f64>],
    detector: &Detector,
    delta: &dyn Fn(usize, usize) -> usize,
    symbols: usize,
    outputs: &[f64],
    h0: Vec<f64>,
    jitter: f64,
) -> Network {
    let n = codes.len();
    let dim = codes[0].len();
    // Layer 1: state detectors (two units per state), then input detectors (three per symbol).
    let (mut rows1, mut bias1) = detector.rows(1);
    let (det_rows, det_bias) = input_detectors(dim, symbols);
    rows1.extend(det_rows);
    bias1.extend(det_bias);
    // Layer 2: unit (s, m) = ReLU([state s] + [x == m] − 1).
    let width1 = rows1.len();
    let mut rows2 = Vec::new();
    let mut bias2 = Vec::new();
    for s in 0..n {
        for m in 0..symbols {
            let mut row = vec![0.0; width1];
            row[2 * s] = 1.0;
            row[2 * s + 1] = -1.0;
            row[2 * n + 3 * m] = 1.0;
            row[2 * n + 3 * m + 1] = -2.0;
            row[2 * n + 3 * m + 2] = 1.0;
            rows2.push(row);
            bias2.push(-1.0);
        }
    }
    // Layer 3: the code of the next state.
    let rows3: Vec<Vec<f64>> = (0..dim)
        .map(|d| {
            (0..n)
                .flat_map(|s| (0..symbols).map(move |m| (s, m)))
                .map(|(s, m)| codes[delta(s, m)][d] * (1.0 + jitter * ((s * 7 + m * 3) % 5) as f64 / 4.0))
                .collect()
        })
        .collect();
    let (g_rows, g_bias) = detector.rows(0);
    let g_out: Vec<f64> = (0..n).flat_map(|s| [outputs[s], -outputs[s]]).collect();
    let net = Network {
        input_dim: 1,
        hidden_dim: dim,
        output_dim: 1,
        f: Mlp {
            layers: vec![
                linear(&rows1, &bias1),
                linear(&rows2, &bias2),
                linear(&rows3, &vec![0.0; dim]),
            ],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![linear(&g_rows, &g_bias), linear(&[g_out], &[0.0])],
            activation: Activation::Relu,
        },
        h0,
    };
    net.validate().unwrap();
    net
}

/// A ReLU network counting each input symbol `0..symbols`: `h_t = h_{t-1} + steps[x_t]`
/// (through `h = ReLU(h) − ReLU(−h)` and input detectors, so the recurrence is not linear in
/// the input), with linear readout `g`.
pub fn symbol_counter(steps: &[Vec<f64>], g: &[f64]) -> Network {
    let dim = steps[0].len();
    let symbols = steps.len();
    let mut rows1 = Vec::new();
    let mut bias1 = Vec::new();
    for d in 0..dim {
        for sign in [1.0, -1.0] {
            let mut row = vec![0.0; dim + 1];
            row[d] = sign;
            rows1.push(row);
            bias1.push(0.0);
        }
    }
    let (det_rows, det_bias) = input_detectors(dim, symbols);
    rows1.extend(det_rows);
    bias1.extend(det_bias);
    let rows2: Vec<Vec<f64>> = (0..dim)
        .map(|d| {
            let mut row = vec![0.0; 2 * dim];
            row[2 * d] = 1.0;
            row[2 * d + 1] = -1.0;
            for step in steps {
                row.extend([step[d], -2.0 * step[d], step[d]]);
            }
            row
        })
        .collect();
    let net = Network {
        input_dim: 1,
        hidden_dim: dim,
        output_dim: 1,
        f: Mlp {
            layers: vec![linear(&rows1, &bias1), linear(&rows2, &vec![0.0; dim])],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![linear(&[g.to_vec()], &[0.0])],
            activation: Activation::Relu,
        },
        h0: vec![0.0; dim],
    };
    net.validate().unwrap();
    net
}
