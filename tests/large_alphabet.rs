//! End-to-end test of extraction over a large alphabet: a network reading pairs of digits
//! `(a, b)` in `0..5` (25 input symbols) and keeping a sum mod 5 at two hidden points per
//! residue is extracted, from a model file and a data file of its task, to exactly the 5 states
//! of the abstract machine, which run sequences 10× longer than the data's.

mod common;

use common::networks::{Xorshift, data_file, extract_machine, one_hot_network, sequences};
use common::scratch;

use mips_core::ir::Network;

/// Digits per input component.
const BASE: usize = 5;
/// Concrete states: every residue at two hidden points.
const STATES: usize = 2 * BASE;

/// The abstract machine: the running sum mod 5 of both digits.
fn sum(c: usize, a: usize, b: usize) -> usize {
    (c + a + b) % BASE
}

/// Concrete state `2c + copy`: the copy flips with the digits and the sum, so sequences visit
/// both points of every residue.
fn delta(s: usize, a: usize, b: usize) -> usize {
    let c = sum(s / 2, a, b);
    2 * c + (s % 2 + a + 2 * b + c) % 2
}

/// The sum over the concrete states and both digits; the readout is the residue.
fn redundant_sum() -> Network {
    one_hot_network(STATES, 2, BASE, |s, d| delta(s, d[0], d[1]), |s| (s / 2) as f64)
}

/// Seeded digit pairs (xorshift), `n` sequences of `len` steps.
fn inputs(n: usize, len: usize) -> Vec<Vec<(usize, usize)>> {
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let base = BASE as u64;
    sequences(n, len, || (rng.below(base) as usize, rng.below(base) as usize))
}

fn sums(xs: &[(usize, usize)]) -> Vec<i64> {
    xs.iter()
        .scan(0, |c, &(a, b)| {
            *c = sum(*c, a, b);
            Some(*c as i64)
        })
        .collect()
}

#[test]
fn a_sum_mod_5_over_25_symbols_kept_at_two_points_per_state_has_five_states() {
    let dir = scratch("large-alphabet");
    // The data file of the task: `a:b` per step, and the sums.
    let data = data_file(inputs(400, 10).iter().map(|xs| {
        (
            xs.iter().map(|(a, b)| format!("{a}:{b}")).collect(),
            sums(xs).iter().map(i64::to_string).collect(),
        )
    }));
    let sm = extract_machine(&dir, &redundant_sum(), &data);
    assert_eq!(sm.state_count(), BASE, "{}", sm.method);
    assert!(
        sm.complete,
        "every transition of the 25 symbols is known: {}",
        sm.method
    );
    for xs in inputs(20, 100) {
        let seq: Vec<i64> = xs.iter().flat_map(|&(a, b)| [a as i64, b as i64]).collect();
        assert_eq!(sm.run(&seq).unwrap(), sums(&xs), "{}", sm.method);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
