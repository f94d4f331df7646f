//! Property tests: every representation pass leaves the function unchanged on random networks,
//! including recurrences with complex eigenvalues, repeated eigenvalues and Jordan chains.

use mips_core::ir::Network;
use mips_core::pass::{Pass, Typed};
use nalgebra::{Complex, DMatrix};
use proptest::prelude::*;

use super::basis::{Basis, set_weight, weight_matrix};
use super::jordan_form::{Block, jordan_matrix};
use super::testing::{Noise, assert_same_function, random_network, run_pass, uniform};
use super::{CanonicalOrder, Debias, Jordan, Krylov, PruneHidden, Toeplitz, Whiten};

/// Eigenvalues the structured recurrences draw from (complex ones stand for a pair).
const EIGENVALUES: [(f64, f64); 6] = [(1.0, 0.0), (0.0, 0.0), (-0.5, 0.0), (0.5, 0.0), (0.6, 0.6), (0.0, 1.0)];

/// Jordan blocks from `(eigenvalue index, chain length)` pairs, at most `max_dim` coordinates.
fn blocks(spec: &[(usize, usize)], max_dim: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut dim = 0;
    for &(e, len) in spec {
        let (re, im) = EIGENVALUES[e];
        let block = Block {
            eigenvalue: Complex::new(re, im),
            len,
        };
        if dim + block.width() * len <= max_dim {
            dim += block.width() * len;
            out.push(block);
        }
    }
    out
}

/// An affine-f network whose recurrence is the Jordan matrix of `blocks` in a random basis
/// with condition number at most 100 (`None` for a worse basis: numerically, a Jordan chain in
/// an ill-conditioned basis is indistinguishable from nearby distinct eigenvalues).
fn structured(blocks: &[Block], inputs: usize, seed: u64) -> Option<Network> {
    let j = jordan_matrix(blocks);
    let n = j.nrows();
    let mut net = random_network(n, inputs, 1, &[], &[3], seed);
    let mut w = weight_matrix(&net.f.layers[0]);
    w.columns_mut(0, n).copy_from(&j);
    set_weight(&mut net.f.layers[0], &w);
    let t = DMatrix::from_fn(n, n, |r, c| {
        (r == c) as u8 as f64 + 0.4 * uniform(seed, (100 + r * n + c) as u64)
    });
    Some(Basis::new(t, 100.0).ok()?.apply(&net))
}

/// Zeroes the reads of hidden unit `unit` (so debias and prune-hidden have work to do).
fn unread(mut net: Network, unit: usize) -> Network {
    let unit = unit % net.hidden_dim;
    for o in 0..net.f.layers[0].outputs {
        *net.f.layers[0].w_mut(o, unit) = 0.0;
    }
    for o in 0..net.g.layers[0].outputs {
        *net.g.layers[0].w_mut(o, unit) = 0.0;
    }
    net
}

/// A pass with the options it runs with.
type Configured = (Box<dyn Pass>, Vec<(&'static str, &'static str)>);

fn passes() -> Vec<Configured> {
    vec![
        (Box::new(Typed(Whiten)), vec![]),
        (Box::new(Typed(Jordan)), vec![]),
        (Box::new(Typed(Toeplitz)), vec![]),
        (Box::new(Typed(Krylov)), vec![]),
        (Box::new(Typed(Debias)), vec![]),
        (Box::new(Typed(PruneHidden)), vec![("data", "false")]),
        (Box::new(Typed(CanonicalOrder)), vec![]),
    ]
}

/// Runs every representation pass in pipeline order (each on the previous result), checking
/// that each one that succeeds keeps the function; returns the names of those that failed.
fn check_pipeline(net: &Network, seed: u64) -> Vec<String> {
    let task = Noise::new(net.input_dim, net.output_dim, 30);
    let mut current = net.clone();
    let mut failed = Vec::new();
    for (pass, options) in passes() {
        match run_pass(pass.as_ref(), &current, &task, &options) {
            Ok(next) => {
                assert!(next.validate().is_ok(), "{} made an invalid network", pass.name());
                assert_same_function(net, &next, seed);
                current = next;
            }
            Err(e) => failed.push(format!("{}: {e}", pass.name())),
        }
    }
    failed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn representation_passes_keep_random_networks(
        hidden in 1usize..5,
        inputs in 1usize..3,
        outputs in 1usize..3,
        f_width in 0usize..4,
        g_width in 0usize..4,
        drop in proptest::option::of(0usize..5),
        seed in any::<u64>(),
    ) {
        let f: Vec<usize> = (f_width > 0).then_some(f_width).into_iter().collect();
        let g: Vec<usize> = (g_width > 0).then_some(g_width).into_iter().collect();
        let mut net = random_network(hidden, inputs, outputs, &f, &g, seed);
        if let Some(unit) = drop {
            net = unread(net, unit);
        }
        // Failures (an ill-conditioned Jordan basis, a recurrence Toeplitz cannot read) are
        // allowed on random networks, a changed function never (checked inside); the passes
        // that only drop unused biases or reorder units apply to every network.
        let failed = check_pipeline(&net, seed);
        prop_assert!(
            !failed.iter().any(|f| f.starts_with("debias:") || f.starts_with("canonical-order:")),
            "{failed:?}"
        );
    }

    #[test]
    fn jordan_and_toeplitz_succeed_on_structured_recurrences(
        spec in proptest::collection::vec((0usize..EIGENVALUES.len(), 1usize..4), 1..4),
        inputs in 1usize..3,
        seed in any::<u64>(),
    ) {
        let blocks = blocks(&spec, 5);
        prop_assume!(!blocks.is_empty());
        let net = structured(&blocks, inputs, seed);
        prop_assume!(net.is_some());
        let net = net.expect("assumed");
        let failed = check_pipeline(&net, seed);
        prop_assert!(failed.is_empty(), "{failed:?} for {blocks:?}");
    }
}
