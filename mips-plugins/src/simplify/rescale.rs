//! Function-preserving per-unit rescaling, chosen so that parameters become small integers
//! (the "rescale" step of `snap`).
//!
//! Two kinds of units can be rescaled by a factor `s > 0` without changing the function:
//! - a hidden coordinate (any activation, `h_i → h_i / s`): f's last-layer row `i`, its bias
//!   and `h0_i` are divided by `s`; the hidden column `i` of f's first layer and column `i` of
//!   g's first layer are multiplied by `s`;
//! - an internal unit of f or g (between layers) when the activation is ReLU
//!   (`relu(s·z) = s·relu(z)`) or the identity: its incoming row and bias are multiplied by
//!   `s`, its outgoing column is divided by `s`.
//!
//! For each unit the candidate factors (between 1/64 and 64) make one of its parameters `±k`
//! (`k = 1..=4`); the factor that brings the most parameters within `tol` of a non-zero integer
//! of magnitude at most 16 is kept when it beats `s = 1`. Ties prefer smaller integers, then
//! the factor closest to 1. Values that would snap to 0 do not count: a small weight that
//! carries signal must not look as good as a real zero. Two sweeps over all units, since units
//! share parameters.

use mips_core::ir::{Activation, Network};

use super::params::Layout;

/// Largest multiple a candidate factor aims a parameter at.
const MAX_MULTIPLE: u32 = 4;

/// Largest factor (and inverse of the smallest) a unit is scaled by.
const MAX_FACTOR: f64 = 64.0;

/// A rescalable unit: parameter indices with the power of `s` each is multiplied by.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub terms: Vec<(usize, i32)>,
}

impl Unit {
    /// Builds a unit, merging repeated indices (an entry both read and written cancels).
    fn new(raw: impl IntoIterator<Item = (usize, i32)>) -> Unit {
        let mut terms: Vec<(usize, i32)> = Vec::new();
        for (index, power) in raw {
            match terms.iter_mut().find(|(i, _)| *i == index) {
                Some(term) => term.1 += power,
                None => terms.push((index, power)),
            }
        }
        terms.retain(|(_, p)| *p != 0);
        Unit { terms }
    }
}

/// Every rescalable unit of `net`: hidden coordinates first, then internal units.
pub fn units(net: &Network, layout: &Layout) -> Vec<Unit> {
    let h = net.hidden_dim;
    let f_first_inputs = net.f.layers[0].inputs;
    let f_last = net.f.layers.len() - 1;
    let f_last_inputs = net.f.layers[f_last].inputs;
    let mut out: Vec<Unit> = (0..h)
        .map(|i| {
            let reads_f = (0..net.f.layers[0].outputs).map(|o| (layout.weight(0, 0, f_first_inputs, o, i), 1));
            let reads_g = (0..net.g.layers[0].outputs).map(|o| (layout.weight(1, 0, h, o, i), 1));
            let writes = (0..f_last_inputs).map(|c| (layout.weight(0, f_last, f_last_inputs, i, c), -1));
            let fixed = [(layout.bias(0, f_last, i), -1), (layout.h0 + i, -1)];
            Unit::new(reads_f.chain(reads_g).chain(writes).chain(fixed))
        })
        .collect();
    for (m, mlp) in [&net.f, &net.g].into_iter().enumerate() {
        if !matches!(mlp.activation, Activation::Relu | Activation::Identity) {
            continue;
        }
        for k in 0..mlp.layers.len() - 1 {
            let (layer, next) = (&mlp.layers[k], &mlp.layers[k + 1]);
            for u in 0..layer.outputs {
                let incoming = (0..layer.inputs).map(|c| (layout.weight(m, k, layer.inputs, u, c), 1));
                let outgoing = (0..next.outputs).map(|o| (layout.weight(m, k + 1, next.inputs, o, u), -1));
                out.push(Unit::new(incoming.chain([(layout.bias(m, k, u), 1)]).chain(outgoing)));
            }
        }
    }
    out
}

/// How good scaling `unit` by `s` is, larger first: the number of its parameters within `tol`
/// of a non-zero integer `|k| ≤ 16`, then the smaller sum of those `|k|`.
fn score(values: &[f64], unit: &Unit, s: f64, tol: f64) -> (usize, i64) {
    let mut hits = 0;
    let mut size = 0;
    for &(i, p) in &unit.terms {
        let v = values[i] * s.powi(p);
        let k = v.round();
        if k != 0.0 && k.abs() <= 16.0 && (v - k).abs() <= tol {
            hits += 1;
            size -= k.abs() as i64;
        }
    }
    (hits, size)
}

/// True when scaling by `s` keeps every `fixed` parameter of `unit` an integer (to 1e-9).
fn keeps_fixed(values: &[f64], unit: &Unit, s: f64, fixed: &[bool]) -> bool {
    unit.terms
        .iter()
        .filter(|(i, _)| fixed.get(*i).copied().unwrap_or(false))
        .all(|&(i, p)| {
            let v = values[i] * s.powi(p);
            (v - v.round()).abs() <= 1e-9
        })
}

/// Rescales the units of `values` (a flat parameter vector) to make parameters integers.
/// Parameters marked in `fixed` must stay integers: a factor that breaks one is not used, and
/// they are rounded after scaling (so they stay exact).
pub fn rescale(values: &mut [f64], units: &[Unit], tol: f64, fixed: &[bool]) {
    for _ in 0..2 {
        for unit in units {
            let mut best = (score(values, unit, 1.0, tol), 0.0f64, 1.0);
            for &(i, p) in &unit.terms {
                let v = values[i].abs();
                if v < 1e-9 {
                    continue;
                }
                for k in 1..=MAX_MULTIPLE {
                    let s = (k as f64 / v).powi(p.signum());
                    if !(1.0 / MAX_FACTOR..=MAX_FACTOR).contains(&s) || !keeps_fixed(values, unit, s, fixed) {
                        continue;
                    }
                    let candidate = (score(values, unit, s, tol), s.ln().abs(), s);
                    if candidate.0 > best.0 || (candidate.0 == best.0 && candidate.1 < best.1) {
                        best = candidate;
                    }
                }
            }
            let s = best.2;
            if s != 1.0 {
                for &(i, p) in &unit.terms {
                    values[i] *= s.powi(p);
                    if fixed.get(i).copied().unwrap_or(false) {
                        values[i] = values[i].round();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::params::{flatten, unflatten};
    use crate::simplify::testing::{assert_same_function, random_network};

    #[test]
    fn rescaling_makes_proportional_weights_integer() {
        let mut net = random_network(1, 2, 1, &[2], &[2], 3);
        // Internal unit 0 of f reads (0.25, 0.5, -0.75) with bias 0.25: a 0.25 multiple.
        net.f.layers[0].weight[..3].copy_from_slice(&[0.25, 0.5, -0.75]);
        net.f.layers[0].bias[0] = 0.25;
        let layout = Layout::of(&net);
        let mut values = flatten(&net);
        // Only the internal units (the hidden unit would rescale column 0 as well).
        rescale(&mut values, &units(&net, &layout)[1..], 0.01, &[]);
        let out = unflatten(&net, &values);
        assert_same_function(&net, &out, 1);
        let mut row: Vec<f64> = out.f.layers[0].weight[..3].to_vec();
        row.push(out.f.layers[0].bias[0]);
        assert!(row.iter().all(|v| (v - v.round()).abs() < 1e-9), "{row:?}");
    }

    #[test]
    fn affine_f_diagonal_entries_do_not_scale() {
        let net = random_network(2, 1, 1, &[], &[], 3);
        let layout = Layout::of(&net);
        let hidden = &units(&net, &layout)[0];
        assert!(!hidden.terms.iter().any(|(i, _)| *i == layout.weight(0, 0, 3, 0, 0)));
        assert_eq!(units(&net, &layout).len(), 2);
    }
}
