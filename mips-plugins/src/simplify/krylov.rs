//! `krylov`: for a linear network (affine f and g), changes the hidden basis to Krylov
//! coordinates (see [`super::krylov_form`]) when that brings its weights nearer to integers.
//!
//! A network trained on a task with integer dynamics computes a slightly perturbed integer
//! system in an arbitrary basis. The Jordan basis recovers it only when the spectrum is well
//! separated: a repeated eigenvalue (say 1, for a position and a velocity that both integrate)
//! splits under the perturbation, and its Jordan basis is ill-conditioned and arbitrary. Krylov
//! coordinates need no eigenvalues: in them, an integer system has integer parameters.
//!
//! Chains are selected in whitened coordinates (lengths relative to the hidden states the
//! verification sequences visit; see [`super::whiten::whitening`]). A trained network may carry
//! a direction its inputs (nearly) never reach, or its outputs (nearly) never see: the chains
//! then stop short and other coordinates complete the basis. These matter only through their
//! couplings (reachable form: how the chain coordinates and the bias feed them; observable form:
//! how they feed the chain coordinates); when those vanish (to 1e-9), the coordinates are dropped.
//!
//! The pass counts the recurrence, input and readout weights farther than `integer-tol` from an
//! integer (for a form with extra coordinates, the weights that only matter through their
//! couplings are not counted; biases are left to `debias`) and keeps the input network unless a
//! form has strictly fewer.

use mips_core::Result;
use mips_core::data::Dataset;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use nalgebra::{DMatrix, DVector};

use super::basis::{Basis, input_map, readout_reads, recurrence, remove_hidden};
use super::fail;
use super::krylov_form::{Form, krylov_basis};
use super::whiten::whitening;

/// The `krylov` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Krylov;

const NAME: &str = "krylov";

/// Second moments below this fraction of the largest keep their scale when whitening.
const WHITEN_TOL: f64 = 1e-6;

/// Couplings up to this fraction of the largest parameter (at least 1) count as vanishing.
const DECOUPLED: f64 = 1e-9;

mips_core::pass_settings! {
    /// The options of `krylov`.
    pub struct KrylovSettings {
        /// a chain vector is kept when its part outside the span of those before is more than tol of its length
        tol: f64 = 0.05,
        /// weights within integer-tol of an integer count as integers when comparing bases
        integer_tol: f64 = 0.1,
        /// skip a basis with a larger condition number
        max_condition: f64 = 1e6,
    }
}

impl TypedPass for Krylov {
    type Input = Network;
    type Output = Network;
    type Settings = KrylovSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "change the hidden basis of a linear network to Krylov coordinates when that brings its weights nearer to integers"
    }

    fn run(&self, net: &Network, settings: &KrylovSettings, ctx: &PassContext) -> Result<Network> {
        if net.f.layers.len() != 1 || net.g.layers.len() != 1 || net.hidden_dim == 0 {
            ctx.note("basis", "kept: not a linear network");
            return Ok(net.clone());
        }
        let integer_tol = settings.integer_tol;
        let before = off_integers(net, net.hidden_dim, None, integer_tol);
        let found =
            candidates(net, ctx.verifier().screen(), settings.tol, settings.max_condition).map_err(fail(NAME))?;
        let best = found
            .into_iter()
            .map(|c| (off_integers(&c.net, c.dim, Some(c.form), integer_tol), c))
            .filter(|(off, _)| *off < before)
            .min_by_key(|(off, _)| *off);
        let Some((after, chosen)) = best else {
            ctx.note(
                "basis",
                format!("kept: {before} weights off integers, no form has fewer"),
            );
            return Ok(net.clone());
        };
        let chains: Vec<String> = chosen.chains.iter().map(usize::to_string).collect();
        ctx.note(
            "basis",
            format!(
                "{} form, chains {}, {} other coordinates; weights off integers {before} → {after}",
                chosen.form.name(),
                chains.join("+"),
                chosen.net.hidden_dim - chosen.dim
            ),
        );
        Ok(chosen.net)
    }
}

mips_core::register_pass!(Typed(Krylov));

/// A network rewritten into Krylov coordinates: its first `dim` coordinates are the chains.
struct Candidate {
    form: Form,
    chains: Vec<usize>,
    dim: usize,
    net: Network,
}

/// `net` (affine f and g) in each Krylov form whose basis exists and is conditioned within
/// `max_condition`, chains selected with `tol` in the whitening basis of `data`.
fn candidates(
    net: &Network,
    data: &Dataset,
    tol: f64,
    max_condition: f64,
) -> std::result::Result<Vec<Candidate>, String> {
    let white = Basis::new(whitening(net, data, WHITEN_TOL)?, max_condition)?;
    let whitened = white.apply(net);
    let (w, b, c) = (recurrence(&whitened), input_map(&whitened), readout_reads(&whitened));
    let mut out = Vec::new();
    for form in [Form::Reachable, Form::Observable] {
        let Ok(Some(krylov)) = krylov_basis(&w, &b, &c, form, tol, max_condition) else {
            continue;
        };
        let dim = krylov.dim();
        let mut rewritten = white.then(&krylov.basis).apply(net);
        if dim < net.hidden_dim && decoupled(&rewritten, dim, form) {
            rewritten = remove_hidden(&rewritten, &(dim..net.hidden_dim).collect::<Vec<_>>());
        }
        out.push(Candidate {
            form,
            chains: krylov.chains,
            dim,
            net: rewritten,
        });
    }
    Ok(out)
}

/// The maps of a linear network: recurrence, input map, bias and readout.
fn maps(net: &Network) -> (DMatrix<f64>, DMatrix<f64>, DVector<f64>, DMatrix<f64>) {
    let bias = DVector::from_column_slice(&net.f.layers[0].bias);
    (recurrence(net), input_map(net), bias, readout_reads(net))
}

/// The state rows and columns of the maps that matter once the couplings of the coordinates
/// from `dim` on vanish (all of them without a form).
fn relevant(n: usize, dim: usize, form: Option<Form>) -> (usize, usize) {
    match form {
        Some(Form::Reachable) => (n, dim),
        Some(Form::Observable) => (dim, n),
        None => (n, n),
    }
}

/// Number of relevant weights farther than `tol` from an integer.
fn off_integers(net: &Network, dim: usize, form: Option<Form>, tol: f64) -> usize {
    let (w, b, _, r) = maps(net);
    let (rows, cols) = relevant(net.hidden_dim, dim, form);
    let off = |values: &[f64]| values.iter().filter(|v| (*v - v.round()).abs() > tol).count();
    off(w.view((0, 0), (rows, cols)).clone_owned().as_slice())
        + off(b.rows(0, rows).clone_owned().as_slice())
        + off(r.columns(0, cols).clone_owned().as_slice())
}

/// True when the coordinates from `dim` on neither influence the outputs nor are influenced:
/// reachable form: the chain coordinates, inputs, bias and `h0` do not feed them; observable
/// form: they feed neither the chain coordinates nor the readout.
fn decoupled(net: &Network, dim: usize, form: Form) -> bool {
    let (w, b, c, r) = maps(net);
    let n = net.hidden_dim;
    let h0 = DVector::from_column_slice(&net.h0);
    let scale = [w.amax(), b.amax(), c.amax(), r.amax(), h0.amax(), 1.0]
        .into_iter()
        .fold(0.0, f64::max);
    let small = |v: f64| v <= DECOUPLED * scale;
    match form {
        Form::Reachable => {
            let rest = n - dim;
            small(w.view((dim, 0), (rest, dim)).amax())
                && small(b.rows(dim, rest).amax())
                && small(c.rows(dim, rest).amax())
                && small(h0.rows(dim, rest).amax())
        }
        Form::Observable => small(w.view((0, dim), (dim, n - dim)).amax()) && small(r.columns(dim, n - dim).amax()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::basis::{set_weight, weight_matrix};
    use crate::simplify::testing::{Noise, assert_same_function, random_network, run_pass, uniform};
    use mips_core::task::Task;
    use proptest::prelude::*;

    /// A linear network with the given maps (g affine, zero biases and `h0`).
    fn linear(w: &DMatrix<f64>, b: &DMatrix<f64>, r: &DMatrix<f64>) -> Network {
        let (n, i, o) = (w.nrows(), b.ncols(), r.nrows());
        let mut net = random_network(n, i, o, &[], &[], 1);
        let mut f = DMatrix::zeros(n, n + i);
        f.columns_mut(0, n).copy_from(w);
        f.columns_mut(n, i).copy_from(b);
        set_weight(&mut net.f.layers[0], &f);
        set_weight(&mut net.g.layers[0], r);
        net.f.layers[0].bias.fill(0.0);
        net.g.layers[0].bias.fill(0.0);
        net.h0.fill(0.0);
        net
    }

    /// Position and velocity in 2-D under a force and a rotation: `v ← M v + x`, `p ← p + v`,
    /// `y = p`, with `M = [[1, −1], [1, 1]]` (eigenvalues 1, 1, 1 ± i).
    fn magnetic() -> Network {
        let w = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.0, 1.0, -1.0, //
                0.0, 1.0, 1.0, 1.0, //
                0.0, 0.0, 1.0, -1.0, //
                0.0, 0.0, 1.0, 1.0,
            ],
        );
        let b = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let r = DMatrix::from_row_slice(2, 4, &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        linear(&w, &b, &r)
    }

    /// `net` in a scrambled basis (condition number about 10).
    fn scrambled(net: &Network, seed: u64) -> Network {
        let n = net.hidden_dim;
        let t = DMatrix::from_fn(n, n, |r, c| {
            (r == c) as u8 as f64 + 0.5 * uniform(seed, (r * n + c) as u64)
        });
        Basis::new(t, 1e3).unwrap().apply(net)
    }

    fn integer(net: &Network, tol: f64) -> bool {
        net.parameters().all(|p| (p - p.round()).abs() <= tol)
    }

    #[test]
    fn scrambled_integer_dynamics_come_out_integer() {
        let net = magnetic();
        let task = Noise::new(2, 2, 40);
        for seed in 0..4 {
            let input = scrambled(&net, seed);
            assert!(!integer(&input, 0.05));
            let out = run_pass(&Typed(Krylov), &input, &task, &[]).unwrap();
            assert_eq!(out.hidden_dim, 4);
            assert!(integer(&out, 1e-6), "{out:?}");
            assert_same_function(&input, &out, seed);
        }
    }

    #[test]
    fn a_weakly_observable_extra_mode_is_set_apart() {
        // The magnetic system plus a fifth coordinate (eigenvalue −0.2) that the inputs reach
        // and the outputs barely see, scrambled: the observable form has integer chains and
        // couples the extra coordinate only weakly.
        let base = magnetic();
        let mut w = DMatrix::zeros(5, 5);
        w.view_mut((0, 0), (4, 4)).copy_from(&recurrence(&base));
        w[(4, 4)] = -0.2;
        let mut b = DMatrix::zeros(5, 2);
        b.view_mut((0, 0), (4, 2)).copy_from(&input_map(&base));
        b[(4, 0)] = 0.7;
        let mut r = DMatrix::zeros(2, 5);
        r.view_mut((0, 0), (2, 4)).copy_from(&readout_reads(&base));
        r[(1, 4)] = 0.003;
        let input = scrambled(&linear(&w, &b, &r), 7);
        let task = Noise::new(2, 2, 40);
        let out = run_pass(&Typed(Krylov), &input, &task, &[]).unwrap();
        assert_same_function(&input, &out, 3);
        let (wk, bk, _, rk) = maps(&out);
        let near = |m: nalgebra::DMatrixView<f64>| m.iter().all(|v| (v - v.round()).abs() < 0.05);
        assert!(
            near(wk.rows(0, 4)) && near(bk.rows(0, 4)) && near(rk.as_view()),
            "{wk}{bk}{rk}"
        );
    }

    #[test]
    fn exactly_unreachable_coordinates_are_dropped() {
        // A counter of the first input plus a coordinate nothing feeds (it only decays).
        let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.4, 0.0, 0.5]);
        let b = DMatrix::from_row_slice(2, 1, &[1.0, 0.0]);
        let r = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
        let input = scrambled(&linear(&w, &b, &r), 2);
        let task = Noise::new(1, 1, 40);
        let out = run_pass(&Typed(Krylov), &input, &task, &[]).unwrap();
        assert_eq!(out.hidden_dim, 1);
        assert!(integer(&out, 1e-9), "{out:?}");
        assert_same_function(&input, &out, 5);
    }

    #[test]
    fn keeps_networks_it_cannot_improve() {
        let task = Noise::new(2, 2, 20);
        let net = magnetic();
        let out = run_pass(&Typed(Krylov), &net, &task, &[]).unwrap();
        assert_eq!(out, net);
        let task = Noise::new(1, 1, 20);
        for mlp in [
            random_network(3, 1, 1, &[4], &[], 3),
            random_network(3, 1, 1, &[], &[4], 3),
        ] {
            assert_eq!(run_pass(&Typed(Krylov), &mlp, &task, &[]).unwrap(), mlp);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Every Krylov form of a linear network computes the same function, including forms
        /// that may drop unreachable or unobservable coordinates.
        #[test]
        fn krylov_forms_keep_the_function(
            hidden in 1usize..6,
            inputs in 1usize..3,
            outputs in 1usize..3,
            g_width in 0usize..4,
            cut in proptest::option::of((0usize..6, any::<bool>())),
            seed in any::<u64>(),
        ) {
            let g: Vec<usize> = (g_width > 0).then_some(g_width).into_iter().collect();
            let mut net = random_network(hidden, inputs, outputs, &[], &g, seed);
            // Scale the recurrence to spectral radius about 1, as trained networks have.
            let mut f = weight_matrix(&net.f.layers[0]);
            let w = f.columns(0, hidden) * (1.0 / (hidden as f64).sqrt());
            f.columns_mut(0, hidden).copy_from(&w);
            if let Some((unit, unreachable)) = cut.filter(|_| hidden > 1) {
                // Make one coordinate unreachable (nothing feeds it) or unobservable (it feeds
                // nothing but itself).
                let u = unit % hidden;
                for k in (0..hidden).filter(|&k| k != u) {
                    if unreachable { f[(u, k)] = 0.0 } else { f[(k, u)] = 0.0 }
                }
                if unreachable {
                    f.row_mut(u).columns_mut(hidden, inputs).fill(0.0);
                    net.f.layers[0].bias[u] = 0.0;
                    net.h0[u] = 0.0;
                } else {
                    let mut r = weight_matrix(&net.g.layers[0]);
                    r.column_mut(u).fill(0.0);
                    set_weight(&mut net.g.layers[0], &r);
                }
            }
            set_weight(&mut net.f.layers[0], &f);
            let task = Noise::new(inputs, outputs, 20);
            let found = candidates(&net, task.test_split(), 0.05, 1e6).unwrap();
            for candidate in &found {
                prop_assert!(candidate.net.validate().is_ok());
                assert_same_function(&net, &candidate.net, seed);
            }
        }
    }
}
