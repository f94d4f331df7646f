//! `prune-hidden`: removes what nothing uses.
//!
//! - Hidden directions that neither f nor g reads (the null space of f's hidden columns stacked
//!   on g's first layer, singular values up to `tol` times the largest): the null vectors are
//!   brought into column-echelon form with pivot rows `p`, the basis vectors `e_p` are replaced
//!   by them (other axes stay put, so the reading weights keep their values) and those
//!   coordinates are dropped. This shrinks `hidden_dim`.
//! - Internal units of f and g (between layers) whose outgoing weights all vanish, whose
//!   incoming weights all vanish (their constant activation is folded into the next layer's
//!   bias), or — with `data=true` and ReLU — whose pre-activation never exceeds 0 on the
//!   verification sequences and the task's whole test split (exact on that data; that pass over
//!   the data is made only when f or g has an internal ReLU layer).
//!
//! At least one hidden coordinate and one unit per internal layer are kept.

use mips_core::Result;
use mips_core::data::Dataset;
use mips_core::ir::{Activation, Mlp, Network};
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use nalgebra::DMatrix;

use super::basis::{Basis, hidden_reads, readout_reads, remove_hidden, set_weight, weight_matrix};
use super::fail;
use super::linalg::null_space;
use super::record::{UnitStats, unit_stats};

/// The `prune-hidden` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct PruneHidden;

const NAME: &str = "prune-hidden";

/// Column-echelon form of a null-space basis `n` (`H × k`): returns the pivot rows and the
/// basis, with `n[pivot_j, i] = δ_ij`.
fn echelon(mut n: DMatrix<f64>) -> (Vec<usize>, DMatrix<f64>) {
    let mut pivots = Vec::new();
    for j in 0..n.ncols() {
        let row = (0..n.nrows())
            .filter(|r| !pivots.contains(r))
            .max_by(|&a, &b| n[(a, j)].abs().total_cmp(&n[(b, j)].abs()).then(b.cmp(&a)))
            .expect("a null space has no more vectors than rows");
        let scale = n[(row, j)];
        n.column_mut(j).scale_mut(1.0 / scale);
        for other in (0..n.ncols()).filter(|&o| o != j) {
            let factor = n[(row, other)];
            let pivot_column = n.column(j).into_owned();
            n.column_mut(other).axpy(-factor, &pivot_column, 1.0);
        }
        pivots.push(row);
    }
    (pivots, n)
}

/// Drops the hidden directions nothing reads.
fn prune_directions(net: &Network, tol: f64) -> std::result::Result<Network, String> {
    let (a, g) = (hidden_reads(net), readout_reads(net));
    let mut reads = DMatrix::zeros(a.nrows() + g.nrows(), net.hidden_dim);
    reads.rows_mut(0, a.nrows()).copy_from(&a);
    reads.rows_mut(a.nrows(), g.nrows()).copy_from(&g);
    let unread = null_space(&reads, tol)?;
    let k = unread.ncols().min(net.hidden_dim.saturating_sub(1));
    if k == 0 {
        return Ok(net.clone());
    }
    let (pivots, vectors) = echelon(unread.columns(0, k).into_owned());
    let mut t = DMatrix::identity(net.hidden_dim, net.hidden_dim);
    for (j, &p) in pivots.iter().enumerate() {
        t.set_column(p, &vectors.column(j));
    }
    let moved = Basis::new(t, 1e12)?.apply(net);
    Ok(remove_hidden(&moved, &pivots))
}

/// True when some internal ReLU unit could be found dead on the data, i.e. when the unit
/// statistics (a pass over the verification sequences and the whole test split) are worth
/// gathering: a network without internal layers, or not ReLU, has no unit they could drop.
fn reads_unit_stats(net: &Network) -> bool {
    [&net.f, &net.g]
        .iter()
        .any(|m| m.activation == Activation::Relu && m.layers.len() > 1)
}

/// Removes unused internal units of `mlp` (see the module docs).
fn prune_units(mlp: &Mlp, stats: Option<&UnitStats>, tol: f64) -> Mlp {
    let mut out = mlp.clone();
    for k in 0..out.layers.len() - 1 {
        let incoming = weight_matrix(&out.layers[k]);
        let mut outgoing = weight_matrix(&out.layers[k + 1]);
        let mut bias = out.layers[k + 1].bias.clone();
        let mut drop = Vec::new();
        for u in 0..incoming.nrows() {
            let silent = outgoing.column(u).amax() <= tol;
            let dead = stats.is_some_and(|s| out.activation == Activation::Relu && s.max_pre[k][u] <= 0.0);
            let constant = incoming.row(u).amax() <= tol;
            if constant && !silent && !dead {
                let value = out.activation.apply(out.layers[k].bias[u]);
                bias.iter_mut()
                    .enumerate()
                    .for_each(|(o, b)| *b += outgoing[(o, u)] * value);
            }
            if silent || dead || constant {
                drop.push(u);
            }
        }
        if drop.len() == incoming.nrows() {
            // Keep one unit, contributing nothing.
            let kept = drop.remove(0);
            outgoing.column_mut(kept).fill(0.0);
        }
        let keep: Vec<usize> = (0..incoming.nrows()).filter(|u| !drop.contains(u)).collect();
        let layer = &mut out.layers[k];
        layer.bias = keep.iter().map(|&u| layer.bias[u]).collect();
        set_weight(layer, &incoming.select_rows(&keep));
        let next = &mut out.layers[k + 1];
        next.bias = bias;
        set_weight(next, &outgoing.select_columns(&keep));
    }
    out
}

mips_core::pass_settings! {
    /// The options of `prune-hidden`.
    pub struct PruneHiddenSettings {
        /// weights (and reading gains, relative to the largest) up to tol count as zero
        tol: f64 = 1e-9,
        /// also drop ReLU units never active on the verification sequences and the test split
        data: bool = true,
    }
}

impl TypedPass for PruneHidden {
    type Input = Network;
    type Output = Network;
    type Settings = PruneHiddenSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "drop hidden directions nothing reads and unused internal units of f and g"
    }

    fn run(&self, net: &Network, settings: &PruneHiddenSettings, ctx: &PassContext) -> Result<Network> {
        let tol = settings.tol;
        let mut out = prune_directions(net, tol).map_err(fail(NAME))?;
        let stats = if settings.data && reads_unit_stats(&out) {
            Some(unit_stats(&out, &observed(ctx)).map_err(fail(NAME))?)
        } else {
            None
        };
        out.f = prune_units(&out.f, stats.as_ref().map(|s| &s.0), tol);
        out.g = prune_units(&out.g, stats.as_ref().map(|s| &s.1), tol);
        Ok(out)
    }
}

/// The verifier's screen set, then its confirm set (the task's test split) when it has the
/// screen set's widths.
fn observed<'c>(ctx: &'c PassContext) -> Vec<&'c Dataset> {
    let (screen, test) = (ctx.verifier().screen(), ctx.verifier().confirm());
    let same_widths = (test.input_dim, test.output_dim) == (screen.input_dim, screen.output_dim);
    std::iter::once(screen).chain(same_widths.then_some(test)).collect()
}

mips_core::register_pass!(Typed(PruneHidden));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, assert_same_function, random_network, run_pass};

    #[test]
    fn unit_statistics_are_gathered_only_when_a_unit_could_be_dropped() {
        // Single-layer f and g (a random 300-hidden model's shape): no internal unit, so the
        // pass over the whole test split is skipped.
        let single = random_network(3, 1, 1, &[], &[], 0);
        assert!(!reads_unit_stats(&single));
        let mut hidden_layer = random_network(3, 1, 1, &[4], &[], 0);
        assert!(reads_unit_stats(&hidden_layer));
        hidden_layer.f.activation = Activation::Tanh;
        assert!(!reads_unit_stats(&hidden_layer));
    }

    #[test]
    fn drops_an_unread_oblique_direction() {
        let task = CountOnes::new(5);
        let net = CountOnes::solution();
        let out = run_pass(&Typed(PruneHidden), &net, &task, &[]).unwrap();
        assert_eq!(out.hidden_dim, 1);
        assert_same_function(&net, &out, 8);
    }

    #[test]
    fn drops_silent_constant_and_dead_units() {
        let task = CountOnes::new(30);
        let mut net = random_network(1, 1, 1, &[4], &[], 2);
        let f = &mut net.f.layers;
        // Unit 0: no outgoing weight. Unit 1: no incoming weight (constant 0.3).
        f[1].weight[0] = 0.0;
        f[0].weight[2] = 0.0;
        f[0].weight[3] = 0.0;
        f[0].bias[1] = 0.3;
        // Unit 2: never active (h ≥ 0 is not guaranteed, so read only the bit input).
        f[0].weight[4] = 0.0;
        f[0].weight[5] = -1.0;
        f[0].bias[2] = -0.1;
        let out = run_pass(&Typed(PruneHidden), &net, &task, &[]).unwrap();
        assert_eq!(out.f.hidden_widths(), vec![1]);
        let bits: Vec<f64> = (0..8).map(|i| (i % 3 == 0) as u8 as f64).collect();
        let (a, b) = (net.run(&bits).outputs, out.run(&bits).outputs);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12));
        let without_data = run_pass(&Typed(PruneHidden), &net, &task, &[("data", "false")]).unwrap();
        assert_eq!(without_data.f.hidden_widths(), vec![2]);
        assert_same_function(&net, &without_data, 3);
    }
}
