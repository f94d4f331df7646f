//! Where each parameter of a network lives in one flat buffer: for f then g, layer by layer,
//! the weight (row-major `outputs × inputs`, PyTorch layout) followed by the bias.

use super::real::Real;
use crate::ir::{Activation, Linear, Mlp, Network, network::Shape};
use crate::rng;
use crate::{MipsError, Result};
use rand::Rng as _;

/// One linear layer inside the flat buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSlot {
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// Offset of the weight (`outputs × inputs` entries).
    pub weight: usize,
    /// Offset of the bias (`outputs` entries).
    pub bias: usize,
}

impl LayerSlot {
    /// Number of parameters of the layer.
    pub fn len(&self) -> usize {
        self.inputs * self.outputs + self.outputs
    }

    /// Always false (a layer has at least one output); for API symmetry with [`LayerSlot::len`].
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The flat-buffer layout of a network shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    /// Layers of f (reads `[h, x]`, writes `h`).
    pub f: Vec<LayerSlot>,
    /// Layers of g (reads `h`, writes `y`).
    pub g: Vec<LayerSlot>,
    pub activation: Activation,
    /// Total number of parameters.
    pub len: usize,
}

fn slots(sizes: &[usize], offset: &mut usize) -> Vec<LayerSlot> {
    sizes
        .windows(2)
        .map(|w| {
            let slot = LayerSlot {
                inputs: w[0],
                outputs: w[1],
                weight: *offset,
                bias: *offset + w[0] * w[1],
            };
            *offset += slot.len();
            slot
        })
        .collect()
}

impl Layout {
    /// The layout of `shape`; errors on zero dimensions.
    pub fn new(shape: &Shape) -> Result<Layout> {
        if shape.hidden_dim == 0 || shape.input_dim == 0 || shape.output_dim == 0 {
            return Err(MipsError::invalid(
                "network shape",
                format!("{shape}: input, hidden and output sizes must be positive"),
            ));
        }
        if shape.f_widths.iter().chain(&shape.g_widths).any(|&w| w == 0) {
            return Err(MipsError::invalid(
                "network shape",
                format!("{shape}: MLP widths must be positive"),
            ));
        }
        let mut f_sizes = vec![shape.hidden_dim + shape.input_dim];
        f_sizes.extend(&shape.f_widths);
        f_sizes.push(shape.hidden_dim);
        let mut g_sizes = vec![shape.hidden_dim];
        g_sizes.extend(&shape.g_widths);
        g_sizes.push(shape.output_dim);
        let mut offset = 0;
        let f = slots(&f_sizes, &mut offset);
        let g = slots(&g_sizes, &mut offset);
        Ok(Layout {
            input_dim: shape.input_dim,
            hidden_dim: shape.hidden_dim,
            output_dim: shape.output_dim,
            f,
            g,
            activation: shape.activation,
            len: offset,
        })
    }

    /// The shape this layout describes.
    pub fn shape(&self) -> Shape {
        let widths = |l: &[LayerSlot]| l[..l.len() - 1].iter().map(|s| s.outputs).collect();
        Shape {
            input_dim: self.input_dim,
            hidden_dim: self.hidden_dim,
            output_dim: self.output_dim,
            f_widths: widths(&self.f),
            g_widths: widths(&self.g),
            activation: self.activation,
        }
    }

    /// Sum of the hidden-layer widths of f (activations stored per time step).
    pub fn f_hidden_total(&self) -> usize {
        self.f[..self.f.len() - 1].iter().map(|s| s.outputs).sum()
    }

    /// Sum of the hidden-layer widths of g.
    pub fn g_hidden_total(&self) -> usize {
        self.g[..self.g.len() - 1].iter().map(|s| s.outputs).sum()
    }

    /// The widest layer input or output (scratch size per column).
    pub fn max_width(&self) -> usize {
        self.f
            .iter()
            .chain(&self.g)
            .flat_map(|s| [s.inputs, s.outputs])
            .max()
            .unwrap_or(1)
    }

    /// Fresh parameters like PyTorch's `nn.Linear` default: every weight and bias uniform in
    /// `±1/sqrt(fan_in)`, drawn from the seeded ChaCha8 stream.
    pub fn init<R: Real>(&self, seed: u64) -> Vec<R> {
        let mut rng = rng::seeded(seed, 0x1_417);
        let mut params = vec![R::ZERO; self.len];
        for slot in self.f.iter().chain(&self.g) {
            let bound = 1.0 / (slot.inputs as f64).sqrt();
            for p in &mut params[slot.weight..slot.weight + slot.len()] {
                // 53 random bits -> uniform in [0, 1).
                let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                *p = R::from_f64((2.0 * u - 1.0) * bound);
            }
        }
        params
    }

    /// Like [`Layout::init`], then, when f has a hidden layer, moves each first-layer unit's
    /// bias so that its ReLU kink (the hyperplane `w · [h, x] + b = 0`, at `h = 0`) passes
    /// through a random point of the input box `ranges` (inclusive, widened by half a unit on
    /// each side). Random kinks near zero would leave most of a wide input range linear; kinks
    /// spread over the range let the network pick out individual input values from the start.
    pub fn init_spread<R: Real>(&self, seed: u64, ranges: &[(f64, f64)]) -> Vec<R> {
        let mut params = self.init::<R>(seed);
        if self.f.len() < 2 || ranges.len() != self.input_dim {
            return params;
        }
        let mut rng = rng::seeded(seed, 0x1_418);
        let first = self.f[0];
        for o in 0..first.outputs {
            let mut bias = 0.0;
            for (i, &(lo, hi)) in ranges.iter().enumerate() {
                let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                let (lo, hi) = (lo - 0.5, hi + 0.5);
                let c = lo + u * (hi - lo);
                bias -= params[first.weight + o * first.inputs + self.hidden_dim + i].to_f64() * c;
            }
            params[first.bias + o] = R::from_f64(bias);
        }
        params
    }

    /// Flattens a network's parameters into this layout (errors when shapes differ).
    pub fn flatten<R: Real>(&self, net: &Network) -> Result<Vec<R>> {
        net.validate()?;
        if net.shape() != self.shape() {
            return Err(MipsError::invalid(
                "network",
                format!("shape {} does not match the expected {}", net.shape(), self.shape()),
            ));
        }
        let mut params = vec![R::ZERO; self.len];
        for (mlp, slots) in [(&net.f, &self.f), (&net.g, &self.g)] {
            for (layer, slot) in mlp.layers.iter().zip(slots) {
                for (dst, src) in params[slot.weight..]
                    .iter_mut()
                    .zip(layer.weight.iter().chain(&layer.bias))
                {
                    *dst = R::from_f64(*src);
                }
            }
        }
        Ok(params)
    }

    /// Builds a network from flat parameters (`h0` zero).
    pub fn to_network<R: Real>(&self, params: &[R]) -> Network {
        let mlp = |slots: &[LayerSlot]| Mlp {
            layers: slots
                .iter()
                .map(|s| Linear {
                    inputs: s.inputs,
                    outputs: s.outputs,
                    weight: params[s.weight..s.bias].iter().map(|v| v.to_f64()).collect(),
                    bias: params[s.bias..s.bias + s.outputs].iter().map(|v| v.to_f64()).collect(),
                })
                .collect(),
            activation: self.activation,
        };
        Network {
            input_dim: self.input_dim,
            hidden_dim: self.hidden_dim,
            output_dim: self.output_dim,
            f: mlp(&self.f),
            g: mlp(&self.g),
            h0: vec![0.0; self.hidden_dim],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> Shape {
        Shape {
            input_dim: 2,
            hidden_dim: 3,
            output_dim: 1,
            f_widths: vec![4],
            g_widths: vec![2, 5],
            activation: Activation::Tanh,
        }
    }

    #[test]
    fn layout_round_trips_a_network() {
        let layout = Layout::new(&shape()).unwrap();
        assert_eq!(layout.len, Network::zeros(&shape()).parameter_count());
        let params: Vec<f64> = layout.init(7);
        let net = layout.to_network(&params);
        assert_eq!(net.shape(), shape());
        assert_eq!(layout.flatten::<f64>(&net).unwrap(), params);
        assert_eq!(
            net.parameters().collect::<Vec<_>>(),
            params,
            "same order as Network::parameters"
        );
    }

    #[test]
    fn init_is_deterministic_and_bounded() {
        let layout = Layout::new(&shape()).unwrap();
        let a: Vec<f32> = layout.init(1);
        assert_eq!(a, layout.init::<f32>(1));
        assert_ne!(a, layout.init::<f32>(2));
        let first = layout.f[0];
        let bound = 1.0 / (first.inputs as f32).sqrt();
        assert!(a[..first.len()].iter().all(|v| v.abs() <= bound));
    }

    #[test]
    fn zero_sizes_are_rejected() {
        let mut s = shape();
        s.hidden_dim = 0;
        assert!(Layout::new(&s).is_err());
        let mut s = shape();
        s.f_widths = vec![0];
        assert!(Layout::new(&s).is_err());
    }
}
