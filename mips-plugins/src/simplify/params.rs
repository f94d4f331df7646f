//! A flat view of a network's parameters — f, then g (layer by layer, weight then bias), then
//! `h0` — so parameter passes can address, snap and freeze them by index.

use mips_core::ir::{Mlp, Network};

/// Where each layer's parameters sit in the flat vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Per MLP (0 = f, 1 = g), per layer: offsets of the weight and of the bias.
    pub layers: [Vec<(usize, usize)>; 2],
    /// Offset of `h0`.
    pub h0: usize,
    /// Total length.
    pub len: usize,
}

impl Layout {
    /// The layout of `net`.
    pub fn of(net: &Network) -> Layout {
        let mut at = 0;
        let mut offsets = |mlp: &Mlp| -> Vec<(usize, usize)> {
            mlp.layers
                .iter()
                .map(|l| {
                    let w = at;
                    at += l.weight.len() + l.bias.len();
                    (w, w + l.weight.len())
                })
                .collect()
        };
        let layers = [offsets(&net.f), offsets(&net.g)];
        Layout {
            layers,
            h0: at,
            len: at + net.hidden_dim,
        }
    }

    /// Index of weight `(o, i)` of layer `k` of MLP `m` (0 = f, 1 = g) with `inputs` columns.
    pub fn weight(&self, m: usize, k: usize, inputs: usize, o: usize, i: usize) -> usize {
        self.layers[m][k].0 + o * inputs + i
    }

    /// Index of bias `o` of layer `k` of MLP `m`.
    pub fn bias(&self, m: usize, k: usize, o: usize) -> usize {
        self.layers[m][k].1 + o
    }
}

/// All parameters of `net` in layout order.
pub fn flatten(net: &Network) -> Vec<f64> {
    net.f
        .parameters()
        .chain(net.g.parameters())
        .chain(net.h0.iter().copied())
        .collect()
}

/// `net` with its parameters replaced by `values` (in layout order).
pub fn unflatten(net: &Network, values: &[f64]) -> Network {
    let mut out = net.clone();
    let slots = out
        .f
        .parameters_mut()
        .chain(out.g.parameters_mut())
        .chain(out.h0.iter_mut());
    slots.zip(values).for_each(|(slot, v)| *slot = *v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::random_network;

    #[test]
    fn layout_addresses_weights_and_biases() {
        let net = random_network(2, 1, 1, &[3], &[], 4);
        let layout = Layout::of(&net);
        let flat = flatten(&net);
        assert_eq!(flat.len(), layout.len);
        assert_eq!(flat[layout.weight(0, 1, 3, 1, 2)], net.f.layers[1].w(1, 2));
        assert_eq!(flat[layout.bias(1, 0, 0)], net.g.layers[0].bias[0]);
        assert_eq!(flat[layout.h0 + 1], net.h0[1]);
        assert_eq!(unflatten(&net, &flat), net);
    }
}
