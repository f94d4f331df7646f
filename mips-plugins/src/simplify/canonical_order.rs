//! `canonical-order`: orders and signs units so that equivalent networks look alike.
//!
//! Hidden units (a signed permutation of the hidden basis, exact for any network):
//! - sign: each unit is flipped so its mean on the verification sequences is positive; a unit
//!   with zero mean is flipped so the column of g's first layer reading it sums positive;
//! - order (`order`): by decreasing variance on the data (`variance`), by decreasing norm of
//!   g's reading column (`readout`), or kept (`none`); ties keep the current order.
//!
//! With `internal=true`, the internal units of f and g (between layers) are also ordered by
//! decreasing mean activation on the data (a permutation, exact for any activation).

use mips_core::ir::Mlp;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use mips_core::{MipsError, Result};
use nalgebra::DMatrix;

use super::basis::{Basis, readout_reads, set_weight, weight_matrix};
use super::fail;
use super::record::{UnitStats, hidden_moments, unit_stats};

/// The `canonical-order` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct CanonicalOrder;

const NAME: &str = "canonical-order";

const ORDERS: [&str; 3] = ["variance", "readout", "none"];

/// Indices sorted by decreasing `key`, ties in index order.
fn decreasing(key: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..key.len()).collect();
    order.sort_by(|&a, &b| key[b].total_cmp(&key[a]).then(a.cmp(&b)));
    order
}

/// Reorders the internal units of `mlp` by decreasing mean activation.
fn order_internal(mlp: &Mlp, stats: &UnitStats) -> Mlp {
    let mut out = mlp.clone();
    for (k, means) in stats.mean_post.iter().enumerate() {
        let order = decreasing(means);
        let layer = &mut out.layers[k];
        layer.bias = order.iter().map(|&u| layer.bias[u]).collect();
        set_weight(layer, &weight_matrix(layer).select_rows(&order));
        let next = &mut out.layers[k + 1];
        set_weight(next, &weight_matrix(next).select_columns(&order));
    }
    out
}

mips_core::pass_settings! {
    /// The options of `canonical-order`.
    pub struct CanonicalOrderSettings {
        /// hidden unit order: variance, readout or none
        order: String = "variance",
        /// flip hidden units to a positive mean (or readout sum)
        sign: bool = true,
        /// order internal units of f and g by mean activation
        internal: bool = true,
    }
}

impl TypedPass for CanonicalOrder {
    type Input = Network;
    type Output = Network;
    type Settings = CanonicalOrderSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "sign and order hidden units (and internal units) so that equivalent networks look alike"
    }

    fn check(&self, settings: &CanonicalOrderSettings) -> Result<()> {
        match settings.order.as_str() {
            order if ORDERS.contains(&order) => Ok(()),
            other => Err(MipsError::unknown("order of canonical-order", other, ORDERS)),
        }
    }

    fn run(&self, net: &Network, settings: &CanonicalOrderSettings, ctx: &PassContext) -> Result<Network> {
        self.check(settings)?;
        let order_by = settings.order.as_str();
        let moments = hidden_moments(net, ctx.verifier().screen()).map_err(fail(NAME))?;
        let readout = readout_reads(net);
        let tiny = 1e-12 * moments.mean.amax().max(1.0);
        let signs: Vec<f64> = (0..net.hidden_dim)
            .map(|i| {
                let mean = moments.mean[i];
                let lean = if mean.abs() > tiny {
                    mean
                } else {
                    readout.column(i).sum()
                };
                if settings.sign && lean < 0.0 { -1.0 } else { 1.0 }
            })
            .collect();
        let order = match order_by {
            "variance" => decreasing(&moments.variances()),
            "readout" => decreasing(&readout.column_iter().map(|c| c.norm()).collect::<Vec<_>>()),
            _ => (0..net.hidden_dim).collect(),
        };
        let mut t = DMatrix::zeros(net.hidden_dim, net.hidden_dim);
        for (new, &old) in order.iter().enumerate() {
            t[(old, new)] = signs[old];
        }
        let mut out = Basis::new(t, 2.0).map_err(fail(NAME))?.apply(net);
        if settings.internal {
            let (f, g) = unit_stats(&out, &[ctx.verifier().screen()]).map_err(fail(NAME))?;
            out.f = order_internal(&out.f, &f);
            out.g = order_internal(&out.g, &g);
        }
        Ok(out)
    }
}

mips_core::register_pass!(Typed(CanonicalOrder));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, assert_same_function, random_network, run_pass};

    #[test]
    fn signed_permutations_of_a_network_look_alike() {
        let task = CountOnes::new(40);
        let net = random_network(3, 1, 1, &[4], &[2], 12);
        let t = DMatrix::from_row_slice(3, 3, &[0.0, -1.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0]);
        let mut shuffled = Basis::new(t, 2.0).unwrap().apply(&net);
        // Reverse the internal units of f too.
        let layers = &mut shuffled.f.layers;
        let reversed: Vec<usize> = (0..4).rev().collect();
        layers[0].bias.reverse();
        let (first, second) = (weight_matrix(&layers[0]), weight_matrix(&layers[1]));
        set_weight(&mut layers[0], &first.select_rows(&reversed));
        set_weight(&mut layers[1], &second.select_columns(&reversed));
        assert_same_function(&net, &shuffled, 1);
        let a = run_pass(&Typed(CanonicalOrder), &net, &task, &[]).unwrap();
        let b = run_pass(&Typed(CanonicalOrder), &shuffled, &task, &[]).unwrap();
        assert_same_function(&net, &a, 1);
        let close = a.parameters().zip(b.parameters()).all(|(x, y)| (x - y).abs() < 1e-9);
        assert!(close, "{a:?}\n{b:?}");
    }

    #[test]
    fn unknown_order_is_an_error() {
        let task = CountOnes::new(5);
        let err = run_pass(
            &Typed(CanonicalOrder),
            &CountOnes::solution(),
            &task,
            &[("order", "size")],
        )
        .unwrap_err();
        assert!(err.to_string().contains("readout"), "{err}");
    }
}
