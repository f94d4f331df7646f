//! The recurrent network `h_t = f([h_{t-1}, x_t])`, `y_t = g(h_t)`, with f and g MLPs.

use serde::{Deserialize, Serialize};

use crate::{MipsError, Result};

/// Activation applied between the layers of an MLP (never after the last layer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activation {
    #[default]
    Relu,
    Tanh,
    Sigmoid,
    Identity,
}

impl Activation {
    /// All activations, for option parsing and tests.
    pub const ALL: [Activation; 4] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Identity,
    ];

    /// The activation's value at `v`.
    #[inline]
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Activation::Relu => v.max(0.0),
            Activation::Tanh => v.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
            Activation::Identity => v,
        }
    }

    /// The derivative at the pre-activation `v`.
    #[inline]
    pub fn derivative(self, v: f64) -> f64 {
        match self {
            Activation::Relu => {
                if v > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Tanh => 1.0 - v.tanh().powi(2),
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + (-v).exp());
                s * (1.0 - s)
            }
            Activation::Identity => 1.0,
        }
    }

    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        }
    }

    /// Parses a name as given by [`Activation::name`].
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| MipsError::unknown("activation", name, Self::ALL.map(|a| a.name())))
    }
}

/// Rows of a [`Linear`] layer summed side by side in [`Linear::apply`].
const ROW_BLOCK: usize = 8;

/// An affine layer `y = W x + b`; `weight` is row-major `outputs × inputs` (PyTorch layout).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f64>,
    pub bias: Vec<f64>,
}

impl Linear {
    /// A layer with all parameters zero.
    pub fn zeros(inputs: usize, outputs: usize) -> Self {
        Linear {
            inputs,
            outputs,
            weight: vec![0.0; inputs * outputs],
            bias: vec![0.0; outputs],
        }
    }

    /// Weight entry at row `o` (output), column `i` (input).
    #[inline]
    pub fn w(&self, o: usize, i: usize) -> f64 {
        self.weight[o * self.inputs + i]
    }

    /// Mutable weight entry at row `o`, column `i`.
    #[inline]
    pub fn w_mut(&mut self, o: usize, i: usize) -> &mut f64 {
        &mut self.weight[o * self.inputs + i]
    }

    /// `out = W x + b`. Each output is `b_o + (((-0 + w_o0·x_0) + w_o1·x_1) + …)`, summed in
    /// column order (the fold of `Iterator::sum`), so results are the same bits on every
    /// machine; rows are taken [`ROW_BLOCK`] at a time so their independent sums overlap.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        debug_assert_eq!(x.len(), self.inputs);
        let x = &x[..x.len().min(self.inputs)];
        let rows = out.len().min(self.outputs);
        for first in (0..rows).step_by(ROW_BLOCK) {
            let count = (rows - first).min(ROW_BLOCK);
            let sums = self.row_sums(first, count, x);
            for (r, sum) in sums.iter().enumerate().take(count) {
                out[first + r] = self.bias[first + r] + sum;
            }
        }
    }

    /// `Σ_i w_oi·x_i` (in column order, from -0) for the `count ≤ ROW_BLOCK` rows from `first`;
    /// the unused tail of the block repeats the last row.
    #[inline]
    fn row_sums(&self, first: usize, count: usize, x: &[f64]) -> [f64; ROW_BLOCK] {
        let row = |r: usize| {
            let start = (first + r.min(count - 1)) * self.inputs;
            &self.weight[start..start + x.len()]
        };
        let rows: [&[f64]; ROW_BLOCK] = std::array::from_fn(row);
        let mut sums = [-0.0; ROW_BLOCK];
        for (i, v) in x.iter().enumerate() {
            for (sum, row) in sums.iter_mut().zip(&rows) {
                *sum += row[i] * v;
            }
        }
        sums
    }

    /// Number of parameters (weights and biases).
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

/// A multi-layer perceptron: linear layers with `activation` between them.
/// Depth 1 is a plain affine map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    pub layers: Vec<Linear>,
    pub activation: Activation,
}

impl Mlp {
    /// An all-zero MLP through the given layer sizes (`sizes[0]` inputs, last = outputs).
    pub fn zeros(sizes: &[usize], activation: Activation) -> Self {
        assert!(sizes.len() >= 2, "an MLP needs at least an input and an output size");
        Mlp {
            layers: sizes.windows(2).map(|w| Linear::zeros(w[0], w[1])).collect(),
            activation,
        }
    }

    /// Input width.
    pub fn input_dim(&self) -> usize {
        self.layers[0].inputs
    }

    /// Output width.
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// Number of linear layers.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// Widths of the hidden layers (empty for depth 1).
    pub fn hidden_widths(&self) -> Vec<usize> {
        self.layers[..self.layers.len() - 1].iter().map(|l| l.outputs).collect()
    }

    /// Evaluates the MLP on one input vector.
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        let mut cur = x.to_vec();
        for (k, layer) in self.layers.iter().enumerate() {
            let mut next = vec![0.0; layer.outputs];
            layer.apply(&cur, &mut next);
            if k + 1 < self.layers.len() {
                next.iter_mut().for_each(|v| *v = self.activation.apply(*v));
            }
            cur = next;
        }
        cur
    }

    /// Number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Linear::parameter_count).sum()
    }

    /// Iterates over every parameter (weights then bias, layer by layer).
    pub fn parameters(&self) -> impl Iterator<Item = f64> + '_ {
        self.layers
            .iter()
            .flat_map(|l| l.weight.iter().chain(l.bias.iter()).copied())
    }

    /// Iterates mutably over every parameter, in the order of [`Mlp::parameters`].
    pub fn parameters_mut(&mut self) -> impl Iterator<Item = &mut f64> + '_ {
        self.layers
            .iter_mut()
            .flat_map(|l| l.weight.iter_mut().chain(l.bias.iter_mut()))
    }
}

/// The shape of a network: what architecture minimization searches over.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shape {
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    /// Hidden-layer widths of f (empty: f is affine).
    pub f_widths: Vec<usize>,
    /// Hidden-layer widths of g (empty: g is affine).
    pub g_widths: Vec<usize>,
    pub activation: Activation,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let widths = |w: &[usize]| {
            if w.is_empty() {
                "linear".to_string()
            } else {
                w.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("x")
            }
        };
        write!(
            out,
            "hidden {} f[{}] g[{}] {}",
            self.hidden_dim,
            widths(&self.f_widths),
            widths(&self.g_widths),
            self.activation.name()
        )
    }
}

/// The recurrent network `h_t = f([h_{t-1}, x_t])`, `y_t = g(h_t)`, `h_{-1} = h0`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    /// State update; reads `[h_{t-1}, x_t]` (hidden first), writes `h_t`.
    pub f: Mlp,
    /// Readout; reads `h_t`, writes `y_t`.
    pub g: Mlp,
    /// Initial hidden state (zero unless a pass stored another).
    pub h0: Vec<f64>,
}

/// Everything one run of the network over a sequence produces.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// `len × hidden_dim`, the state after each step.
    pub hidden: Vec<f64>,
    /// `len × output_dim`, the raw (unrounded) outputs.
    pub outputs: Vec<f64>,
}

impl Network {
    /// An all-zero network of the given shape.
    pub fn zeros(shape: &Shape) -> Self {
        let mut f_sizes = vec![shape.hidden_dim + shape.input_dim];
        f_sizes.extend(&shape.f_widths);
        f_sizes.push(shape.hidden_dim);
        let mut g_sizes = vec![shape.hidden_dim];
        g_sizes.extend(&shape.g_widths);
        g_sizes.push(shape.output_dim);
        Network {
            input_dim: shape.input_dim,
            hidden_dim: shape.hidden_dim,
            output_dim: shape.output_dim,
            f: Mlp::zeros(&f_sizes, shape.activation),
            g: Mlp::zeros(&g_sizes, shape.activation),
            h0: vec![0.0; shape.hidden_dim],
        }
    }

    /// The network's shape.
    pub fn shape(&self) -> Shape {
        Shape {
            input_dim: self.input_dim,
            hidden_dim: self.hidden_dim,
            output_dim: self.output_dim,
            f_widths: self.f.hidden_widths(),
            g_widths: self.g.hidden_widths(),
            activation: self.f.activation,
        }
    }

    /// Checks that all dimensions agree and every parameter is finite.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(MipsError::invalid("network", m));
        let check_mlp = |mlp: &Mlp, name: &str, inputs: usize, outputs: usize| -> Result<()> {
            if mlp.layers.is_empty() {
                return bad(format!("{name} has no layers"));
            }
            if mlp.input_dim() != inputs || mlp.output_dim() != outputs {
                return bad(format!(
                    "{name} maps {} -> {}, expected {inputs} -> {outputs}",
                    mlp.input_dim(),
                    mlp.output_dim()
                ));
            }
            for (k, pair) in mlp.layers.windows(2).enumerate() {
                if pair[0].outputs != pair[1].inputs {
                    return bad(format!(
                        "{name} layer {k} outputs {} but layer {} reads {}",
                        pair[0].outputs,
                        k + 1,
                        pair[1].inputs
                    ));
                }
            }
            for (k, l) in mlp.layers.iter().enumerate() {
                if l.inputs.checked_mul(l.outputs) != Some(l.weight.len()) || l.bias.len() != l.outputs {
                    return bad(format!("{name} layer {k} has parameter arrays of the wrong length"));
                }
            }
            if mlp.parameters().any(|p| !p.is_finite()) {
                return bad(format!("{name} has a non-finite parameter"));
            }
            Ok(())
        };
        let Some(f_inputs) = self.hidden_dim.checked_add(self.input_dim) else {
            return bad(format!(
                "hidden_dim {} plus input_dim {} overflows",
                self.hidden_dim, self.input_dim
            ));
        };
        check_mlp(&self.f, "f", f_inputs, self.hidden_dim)?;
        check_mlp(&self.g, "g", self.hidden_dim, self.output_dim)?;
        if self.h0.len() != self.hidden_dim || self.h0.iter().any(|v| !v.is_finite()) {
            return bad("h0 must have hidden_dim finite entries".into());
        }
        Ok(())
    }

    /// One step: the next hidden state from the previous one and the input.
    pub fn step(&self, h: &[f64], x: &[f64]) -> Vec<f64> {
        let mut hx = Vec::with_capacity(self.hidden_dim + self.input_dim);
        hx.extend_from_slice(h);
        hx.extend_from_slice(x);
        self.f.forward(&hx)
    }

    /// The output for a hidden state.
    pub fn readout(&self, h: &[f64]) -> Vec<f64> {
        self.g.forward(h)
    }

    /// Runs the network over one sequence (`inputs` is `len × input_dim`).
    pub fn run(&self, inputs: &[f64]) -> Trace {
        let len = inputs.len() / self.input_dim.max(1);
        let mut hidden = Vec::with_capacity(len * self.hidden_dim);
        let mut outputs = Vec::with_capacity(len * self.output_dim);
        let mut h = self.h0.clone();
        for x in inputs.chunks(self.input_dim.max(1)).take(len) {
            h = self.step(&h, x);
            outputs.extend(self.readout(&h));
            hidden.extend_from_slice(&h);
        }
        Trace { hidden, outputs }
    }

    /// Runs the network over one sequence of integer inputs.
    pub fn run_int(&self, inputs: &[i64]) -> Trace {
        let xs: Vec<f64> = inputs.iter().map(|&v| v as f64).collect();
        self.run(&xs)
    }

    /// Total number of parameters of f, g (h0 not counted).
    pub fn parameter_count(&self) -> usize {
        self.f.parameter_count() + self.g.parameter_count()
    }

    /// Every parameter of f then g.
    pub fn parameters(&self) -> impl Iterator<Item = f64> + '_ {
        self.f.parameters().chain(self.g.parameters())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accumulator() -> Network {
        // h_t = h_{t-1} + x_t, y_t = h_t: a running sum.
        let shape = Shape {
            input_dim: 1,
            hidden_dim: 1,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        };
        let mut net = Network::zeros(&shape);
        net.f.layers[0].weight = vec![1.0, 1.0];
        net.g.layers[0].weight = vec![1.0];
        net
    }

    /// `apply` gives the bits of the plain row-by-row sum, signed zeros included, for every
    /// width around the row block.
    #[test]
    fn apply_is_the_plain_row_sum_bit_for_bit() {
        let value = |k: usize| match k % 7 {
            0 => -0.0,
            1 => 0.0,
            _ => ((k * 7919) % 1000) as f64 / 37.0 - 13.0,
        };
        for (inputs, outputs) in [(0, 3), (1, 1), (3, 7), (5, 8), (9, 17), (300, 301)] {
            let layer = Linear {
                inputs,
                outputs,
                weight: (0..inputs * outputs).map(|k| value(k + 3)).collect(),
                bias: (0..outputs).map(value).collect(),
            };
            let x: Vec<f64> = (0..inputs).map(|k| value(5 * k + 1)).collect();
            let mut out = vec![f64::NAN; outputs];
            layer.apply(&x, &mut out);
            for (o, y) in out.iter().enumerate() {
                let row = &layer.weight[o * inputs..(o + 1) * inputs];
                let plain = layer.bias[o] + row.iter().zip(&x).map(|(w, v)| w * v).sum::<f64>();
                assert_eq!(y.to_bits(), plain.to_bits(), "{inputs}x{outputs} row {o}");
            }
        }
    }

    #[test]
    fn running_sum_network_sums() {
        let trace = accumulator().run_int(&[1, 2, 3]);
        assert_eq!(trace.outputs, vec![1.0, 3.0, 6.0]);
        assert_eq!(trace.hidden, vec![1.0, 3.0, 6.0]);
    }

    #[test]
    fn relu_between_layers_only() {
        let mut mlp = Mlp::zeros(&[1, 1, 1], Activation::Relu);
        mlp.layers[0].weight = vec![1.0];
        mlp.layers[1].weight = vec![-1.0];
        assert_eq!(mlp.forward(&[2.0]), vec![-2.0]);
        assert_eq!(mlp.forward(&[-2.0]), vec![0.0]);
    }

    #[test]
    fn validate_rejects_bad_dims_and_nan() {
        let mut huge = accumulator();
        huge.f.layers[0].inputs = 1 << 62;
        huge.f.layers[0].outputs = 8;
        assert!(huge.validate().is_err(), "dimensions whose product overflows");
        let mut huge = accumulator();
        huge.hidden_dim = usize::MAX;
        assert!(huge.validate().is_err(), "hidden_dim + input_dim overflows");
        let mut net = accumulator();
        assert!(net.validate().is_ok());
        net.g.layers[0].bias[0] = f64::NAN;
        assert!(net.validate().is_err());
        let mut net = accumulator();
        net.h0 = vec![0.0, 0.0];
        assert!(net.validate().is_err());
    }

    #[test]
    fn activation_derivatives_match_finite_differences() {
        for act in Activation::ALL {
            for &v in &[-1.3, -0.2, 0.4, 2.1] {
                let eps = 1e-6;
                let fd = (act.apply(v + eps) - act.apply(v - eps)) / (2.0 * eps);
                assert!((fd - act.derivative(v)).abs() < 1e-6, "{act:?} at {v}");
            }
        }
    }
}
