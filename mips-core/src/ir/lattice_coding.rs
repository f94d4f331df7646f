//! Where a lattice machine's integer states sit in the network's hidden space. State `z` is the
//! hidden state `origin + Σ z_i basis_i`. The next state after input `x` is read off the network's
//! step from that point (see [`Reading`]) and accepted when the step lands within the tolerance of
//! the next state's point (measured in the subspace the network reads). With the network, the
//! coding gives the transition and output of any lattice state, also of states no observed
//! sequence reached.

use serde::{Deserialize, Serialize};

use super::Network;
use crate::pass::verify::round_output;
use crate::{MipsError, Result};

/// A lattice's embedding in the hidden space, with the network that moves along it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatticeCoding {
    /// The hidden state of the zero state.
    pub origin: Vec<f64>,
    /// One hidden-space vector per state component.
    pub basis: Vec<Vec<f64>>,
    /// How the next state is read.
    pub reading: Reading,
    /// Orthonormal rows spanning the directions the network reads; distances are measured there.
    pub subspace: Vec<Vec<f64>>,
    /// Largest distance of a hidden state from its state's point ...
    pub tolerance: f64,
    /// ... plus this share of the distance of that point from the origin.
    pub relative_tolerance: f64,
    /// The network whose step and readout give the rows.
    pub network: Network,
}

/// How the state after a step is determined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reading {
    /// The nearest lattice point of the network's next hidden state `h`: `round(encoder · (h −
    /// origin))`, one encoder row per state component.
    Nearest { encoder: Vec<Vec<f64>> },
    /// An integer affine rule: `z' = rule · [z, x, 1]`, one row per state component.
    Rule { rule: Vec<Vec<i64>> },
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl LatticeCoding {
    /// Checks that the coding fits a machine of these widths: a valid network of those input
    /// and output widths, and vectors and rows of the hidden and state widths.
    pub fn validate(&self, state_dim: usize, input_dim: usize, output_dim: usize) -> Result<()> {
        let bad = |m: String| Err(MipsError::invalid("lattice coding", m));
        self.network.validate()?;
        let net = &self.network;
        let hidden = net.hidden_dim;
        if (net.input_dim, net.output_dim) != (input_dim, output_dim) {
            return bad(format!(
                "network maps {} inputs to {} outputs, expected {input_dim} to {output_dim}",
                net.input_dim, net.output_dim
            ));
        }
        let rows_of = |rows: &[Vec<f64>], count: Option<usize>, what: &str| -> Result<()> {
            if count.is_some_and(|n| rows.len() != n) || rows.iter().any(|r| r.len() != hidden) {
                return bad(format!("{what} must have rows of {hidden} values"));
            }
            Ok(())
        };
        rows_of(std::slice::from_ref(&self.origin), None, "origin")?;
        rows_of(&self.basis, Some(state_dim), "basis (one row per state component)")?;
        rows_of(&self.subspace, None, "subspace")?;
        match &self.reading {
            Reading::Nearest { encoder } => rows_of(encoder, Some(state_dim), "encoder (one row per state component)")?,
            Reading::Rule { rule } => {
                let width = state_dim + input_dim + 1;
                if rule.len() != state_dim || rule.iter().any(|r| r.len() != width) {
                    return bad(format!("rule must have {state_dim} rows of {width} integers"));
                }
            }
        }
        let reals = self
            .origin
            .iter()
            .chain(self.basis.iter().flatten())
            .chain(self.subspace.iter().flatten());
        let encoder = match &self.reading {
            Reading::Nearest { encoder } => encoder.as_slice(),
            Reading::Rule { .. } => &[],
        };
        let mut reals = reals.chain(encoder.iter().flatten());
        if reals.any(|v| !v.is_finite()) || !(self.tolerance.is_finite() && self.relative_tolerance.is_finite()) {
            return bad("every vector entry and tolerance must be finite".into());
        }
        Ok(())
    }

    /// The hidden state of lattice state `z`.
    pub fn decode(&self, z: &[i64]) -> Vec<f64> {
        let mut h = self.origin.clone();
        for (v, &zi) in self.basis.iter().zip(z) {
            for (hj, vj) in h.iter_mut().zip(v) {
                *hj += zi as f64 * vj;
            }
        }
        h
    }

    /// Distance of hidden state `h` from state `z`'s point, in the subspace the network reads,
    /// and the distance it may have.
    fn distance(&self, h: &[f64], z: &[i64]) -> (f64, f64) {
        let point = self.decode(z);
        let length = |v: Vec<f64>| self.subspace.iter().map(|row| dot(row, &v).powi(2)).sum::<f64>().sqrt();
        let off = length(h.iter().zip(&point).map(|(a, b)| a - b).collect());
        let from_origin = length(point.iter().zip(&self.origin).map(|(a, b)| a - b).collect());
        (off, self.tolerance + self.relative_tolerance * from_origin)
    }

    /// The state the network's step `h` (from `z` on input `x`) reads as, before the distance check.
    fn read(&self, z: &[i64], x: &[i64], h: &[f64]) -> Option<Vec<i64>> {
        match &self.reading {
            Reading::Nearest { encoder } => {
                let centered: Vec<f64> = h.iter().zip(&self.origin).map(|(a, b)| a - b).collect();
                let coords: Vec<f64> = encoder.iter().map(|row| dot(row, &centered)).collect();
                coords.iter().map(|c| super::exact_integer(*c)).collect()
            }
            Reading::Rule { rule } => rule
                .iter()
                .map(|row| {
                    let (weights, constant) = row.split_at(row.len() - 1);
                    z.iter()
                        .chain(x)
                        .zip(weights)
                        .try_fold(constant[0], |acc, (v, w)| acc.checked_add(v.checked_mul(*w)?))
                })
                .collect(),
        }
    }

    /// The state after input `x` from state `z`, if the network's step lands on that state.
    pub fn next(&self, z: &[i64], x: &[i64]) -> Option<Vec<i64>> {
        let xs: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let h = self.network.step(&self.decode(z), &xs);
        let next = self.read(z, x, &h)?;
        let (off, allowed) = self.distance(&h, &next);
        (off <= allowed).then_some(next)
    }

    /// The network's rounded output at state `z`'s point.
    pub fn output(&self, z: &[i64]) -> Vec<i64> {
        self.network
            .readout(&self.decode(z))
            .into_iter()
            .map(round_output)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::network::{Activation, Shape};

    /// A running sum in a 2-d hidden space: the state moves along (2, 0) per unit of input; the
    /// second component is noise the network does not read.
    fn coding() -> LatticeCoding {
        let mut net = Network::zeros(&Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        });
        // f: [h1, h2, x] -> (h1 + 2x, 0); g: h1 / 2.
        net.f.layers[0].weight = vec![1.0, 0.0, 2.0, 0.0, 0.0, 0.0];
        net.g.layers[0].weight = vec![0.5, 0.0];
        LatticeCoding {
            origin: vec![0.0, 0.0],
            basis: vec![vec![2.0, 0.0]],
            reading: Reading::Nearest {
                encoder: vec![vec![0.5, 0.0]],
            },
            subspace: vec![vec![1.0, 0.0]],
            tolerance: 0.1,
            relative_tolerance: 0.0,
            network: net,
        }
    }

    #[test]
    fn states_read_back_as_themselves() {
        let mut c = coding();
        for z in -5..5 {
            assert_eq!(c.read(&[0], &[0], &c.decode(&[z])), Some(vec![z]));
        }
        let (off, _) = c.distance(&[4.05, 7.0], &[2]);
        assert!((off - 0.05).abs() < 1e-12, "unread directions do not count: {off}");
        assert_eq!(c.next(&[0], &[1]), Some(vec![1]));
        c.network.f.layers[0].weight[2] = 2.2;
        assert_eq!(c.next(&[0], &[1]), None, "off the lattice");
        c.relative_tolerance = 0.1;
        assert_eq!(c.next(&[0], &[1]), Some(vec![1]), "within the relative tolerance");
    }

    #[test]
    fn a_rule_gives_the_next_state_and_the_network_must_follow() {
        let mut c = coding();
        c.reading = Reading::Rule {
            rule: vec![vec![1, 1, 0]],
        };
        assert_eq!(c.next(&[4], &[2]), Some(vec![6]));
        c.reading = Reading::Rule {
            rule: vec![vec![1, 2, 0]],
        };
        assert_eq!(c.next(&[4], &[2]), None, "the network adds x, not 2x");
    }

    #[test]
    fn rows_come_from_the_network() {
        let c = coding();
        assert_eq!(c.next(&[1000], &[3]), Some(vec![1003]));
        assert_eq!(c.output(&[-7]), vec![-7]);
    }
}
