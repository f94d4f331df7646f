//! Input and output scaling. The engine trains in coordinates where every input and output
//! component lies in `[-1, 1]` (`x' = (x − shift) / scale`, `ŷ = scale · out + shift`, from the
//! task's declared value ranges), so that initial ReLU kinks fall inside the input range and
//! parameters stay of order one. The affine maps are folded into f's first layer and g's
//! last layer when a network is exported, so the [`Network`] IR always reads and writes raw
//! integers.

use crate::ir::Network;

/// Per-component affine maps of inputs and outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaling {
    pub x_shift: Vec<f64>,
    pub x_scale: Vec<f64>,
    pub y_shift: Vec<f64>,
    pub y_scale: Vec<f64>,
}

/// Shift 0 (zero stays zero, which keeps the sign structure ReLU networks rely on) and the
/// largest magnitude of the range as scale (1 for the range {0}).
fn magnitude(ranges: &[(i64, i64)]) -> (Vec<f64>, Vec<f64>) {
    ranges
        .iter()
        .map(|&(lo, hi)| {
            let m = (lo as f64).abs().max((hi as f64).abs());
            (0.0, if m > 0.0 { m } else { 1.0 })
        })
        .unzip()
}

impl Scaling {
    /// No change of coordinates.
    pub fn identity(input_dim: usize, output_dim: usize) -> Self {
        Scaling {
            x_shift: vec![0.0; input_dim],
            x_scale: vec![1.0; input_dim],
            y_shift: vec![0.0; output_dim],
            y_scale: vec![1.0; output_dim],
        }
    }

    /// Divides each component by the largest magnitude of its inclusive range (no shift).
    pub fn from_ranges(inputs: &[(i64, i64)], outputs: &[(i64, i64)]) -> Self {
        let (x_shift, x_scale) = magnitude(inputs);
        let (y_shift, y_scale) = magnitude(outputs);
        Scaling {
            x_shift,
            x_scale,
            y_shift,
            y_scale,
        }
    }

    /// Turns a network trained in scaled coordinates into one on raw values.
    pub fn fold(&self, net: &mut Network) {
        let h = net.hidden_dim;
        let first = &mut net.f.layers[0];
        for o in 0..first.outputs {
            for (j, (&mu, &s)) in self.x_shift.iter().zip(&self.x_scale).enumerate() {
                let w = first.w(o, h + j) / s;
                *first.w_mut(o, h + j) = w;
                first.bias[o] -= w * mu;
            }
        }
        let last = net.g.layers.last_mut().expect("g has a layer");
        for o in 0..last.outputs {
            let (mu, s) = (self.y_shift[o], self.y_scale[o]);
            for i in 0..last.inputs {
                *last.w_mut(o, i) *= s;
            }
            last.bias[o] = last.bias[o] * s + mu;
        }
    }

    /// The inverse of [`Scaling::fold`].
    pub fn unfold(&self, net: &mut Network) {
        let h = net.hidden_dim;
        let first = &mut net.f.layers[0];
        for o in 0..first.outputs {
            for (j, (&mu, &s)) in self.x_shift.iter().zip(&self.x_scale).enumerate() {
                let w = first.w(o, h + j);
                first.bias[o] += w * mu;
                *first.w_mut(o, h + j) = w * s;
            }
        }
        let last = net.g.layers.last_mut().expect("g has a layer");
        for o in 0..last.outputs {
            let (mu, s) = (self.y_shift[o], self.y_scale[o]);
            for i in 0..last.inputs {
                *last.w_mut(o, i) /= s;
            }
            last.bias[o] = (last.bias[o] - mu) / s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Activation, network::Shape};
    use crate::train::layout::Layout;

    #[test]
    fn folding_matches_scaled_computation_and_unfolds() {
        let shape = Shape {
            input_dim: 2,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![3],
            g_widths: vec![],
            activation: Activation::Relu,
        };
        let layout = Layout::new(&shape).unwrap();
        let scaled = layout.to_network(&layout.init::<f64>(4));
        let mut s = Scaling::from_ranges(&[(0, 9), (-3, 3)], &[(0, 100)]);
        s.x_shift[1] = 0.5;
        let mut raw = scaled.clone();
        s.fold(&mut raw);
        let xs = [4i64, -2, 9, 3, 0, 0];
        let xs_scaled: Vec<f64> = xs
            .iter()
            .enumerate()
            .map(|(k, &v)| (v as f64 - s.x_shift[k % 2]) / s.x_scale[k % 2])
            .collect();
        let want: Vec<f64> = scaled.run(&xs_scaled).outputs.iter().map(|v| v * 100.0).collect();
        let got = raw.run_int(&xs).outputs;
        for (a, b) in want.iter().zip(&got) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        s.unfold(&mut raw);
        for (a, b) in raw.parameters().zip(scaled.parameters()) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn degenerate_ranges_keep_unit_scale() {
        let s = Scaling::from_ranges(&[(0, 0), (-7, 3)], &[(0, 1)]);
        assert_eq!(s.x_scale, vec![1.0, 7.0]);
        assert_eq!((s.y_shift[0], s.y_scale[0]), (0.0, 1.0));
    }
}
