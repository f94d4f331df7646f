//! Test support: random networks, a function-equality check, and a small task (a running sum
//! of bits) with the linear RNN that solves it.

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::network::Shape;
use mips_core::ir::{Activation, Network};
use mips_core::pass::{Artifact, Artifacts, Options, Pass, PassContext};
use mips_core::rng::mix;
use mips_core::task::{Loss, Task, TaskInfo};

/// A deterministic value in `[-1, 1)` for `(seed, index)`.
pub fn uniform(seed: u64, index: u64) -> f64 {
    (mix(seed, index) >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// A ReLU network of the given shape with parameters uniform in `[-1, 1)`.
pub fn random_network(hidden: usize, input: usize, output: usize, f: &[usize], g: &[usize], seed: u64) -> Network {
    let shape = Shape {
        input_dim: input,
        hidden_dim: hidden,
        output_dim: output,
        f_widths: f.to_vec(),
        g_widths: g.to_vec(),
        activation: Activation::Relu,
    };
    let mut net = Network::zeros(&shape);
    let slots = net
        .f
        .parameters_mut()
        .chain(net.g.parameters_mut())
        .chain(net.h0.iter_mut());
    slots.enumerate().for_each(|(k, p)| *p = uniform(seed, k as u64));
    net
}

/// Random integer input sequences in `[-2, 2]`.
pub fn random_inputs(input_dim: usize, len: usize, count: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..count)
        .map(|s| {
            (0..len * input_dim)
                .map(|i| (uniform(mix(seed, s as u64), i as u64) * 2.5).round())
                .collect()
        })
        .collect()
}

/// Asserts that two networks give the same outputs (to 1e-9, relative) on random inputs.
pub fn assert_same_function(a: &Network, b: &Network, seed: u64) {
    for inputs in random_inputs(a.input_dim, 8, 20, seed) {
        let (ya, yb) = (a.run(&inputs).outputs, b.run(&inputs).outputs);
        for (u, v) in ya.iter().zip(&yb) {
            assert!((u - v).abs() <= 1e-9 * (1.0 + u.abs()), "outputs differ: {u} vs {v}");
        }
    }
}

/// `y_t = x_0 + … + x_t` for bits `x_t`: a task a one-unit linear RNN solves exactly.
pub struct CountOnes {
    info: TaskInfo,
    test: Dataset,
}

impl CountOnes {
    /// The task with a test split of `n` sequences of length 8.
    pub fn new(n: usize) -> Self {
        let info = TaskInfo {
            name: "count_ones".into(),
            input_dim: 1,
            output_dim: 1,
            input_ranges: vec![(0, 1)],
            output_ranges: vec![(0, 8)],
            seq_len: 8,
            loss: Loss::Log,
            train_steps: 100,
            rule: "running count of ones".into(),
            paper_solved: None,
            gpt4_solved: None,
        };
        let test = Self::sequences(u64::MAX, n, 8);
        CountOnes { info, test }
    }

    fn sequences(seed: u64, n: usize, len: usize) -> Dataset {
        let mut data = Dataset::new(1, 1);
        for s in 0..n {
            let inputs: Vec<i64> = (0..len)
                .map(|i| (mix(mix(seed, s as u64), i as u64) & 1) as i64)
                .collect();
            let outputs = inputs
                .iter()
                .scan(0, |sum, x| {
                    *sum += x;
                    Some(*sum)
                })
                .collect();
            data.sequences.push(Sequence { inputs, outputs });
        }
        data
    }

    /// A network solving the task with integer parameters: `h = (h_0 + x, 0)`, `y = h_0`.
    pub fn plain() -> Network {
        let mut net = random_network(2, 1, 1, &[], &[], 1);
        net.f.layers[0].weight = vec![1.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        net.f.layers[0].bias = vec![0.0, 0.0];
        net.g.layers[0].weight = vec![1.0, 0.0];
        net.g.layers[0].bias = vec![0.0];
        net.h0 = vec![0.0, 0.0];
        net
    }

    /// [`CountOnes::plain`] in the hidden basis `T`.
    pub fn in_basis(t: &[f64]) -> Network {
        let t = nalgebra::DMatrix::from_row_slice(2, 2, t);
        super::basis::Basis::new(t, 1e6).unwrap().apply(&Self::plain())
    }

    /// [`CountOnes::plain`] in a skewed basis.
    pub fn solution() -> Network {
        Self::in_basis(&[2.0, 1.0, -1.0, 3.0])
    }
}

impl Task for CountOnes {
    fn info(&self) -> &TaskInfo {
        &self.info
    }
    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        Self::sequences(seed, n, 8)
    }
    fn test_split(&self) -> &Dataset {
        &self.test
    }
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        Some(Self::sequences(seed, n, len))
    }
}

/// Runs `pass` with default options (overridden by `given`) on `net`, returning the network.
pub fn run_pass(pass: &dyn Pass, net: &Network, task: &dyn Task, given: &[(&str, &str)]) -> mips_core::Result<Network> {
    let given: Vec<(String, String)> = given.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let options = Options::resolve(pass.name(), &pass.options(), &given)?;
    let ctx = PassContext::new(task, task.test_split(), 1, true);
    match pass.run(&Artifacts::from_network(net.clone()), &options, &ctx)? {
        Artifact::Network(n) => Ok(n),
        other => panic!("pass produced {other:?}"),
    }
}

/// Random integer inputs in `[-2, 2]` with all-zero labels: data for passes that only look at
/// the network's activity.
pub struct Noise {
    info: TaskInfo,
    test: Dataset,
}

impl Noise {
    /// `n` sequences of length 6 with `input_dim` inputs and `output_dim` outputs per step.
    pub fn new(input_dim: usize, output_dim: usize, n: usize) -> Self {
        let mut info = CountOnes::new(0).info;
        info.name = "noise".into();
        info.input_dim = input_dim;
        info.output_dim = output_dim;
        info.input_ranges = vec![(-2, 2); input_dim];
        info.output_ranges = vec![(0, 0); output_dim];
        let mut test = Dataset::new(input_dim, output_dim);
        for inputs in random_inputs(input_dim, 6, n, 99) {
            test.sequences.push(Sequence {
                inputs: inputs.iter().map(|&v| v as i64).collect(),
                outputs: vec![0; 6 * output_dim],
            });
        }
        Noise { info, test }
    }
}

impl Task for Noise {
    fn info(&self) -> &TaskInfo {
        &self.info
    }
    fn train_batch(&self, _seed: u64, n: usize) -> Dataset {
        self.test.head(n)
    }
    fn test_split(&self) -> &Dataset {
        &self.test
    }
    fn generate(&self, _seed: u64, _n: usize, _len: usize) -> Option<Dataset> {
        None
    }
}
