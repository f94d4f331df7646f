//! End-to-end test of minimization that does not depend on luck: a network keeping each state of
//! a 4-state counter with reset at two hidden points, given as a model file with a data file of
//! its task, is extracted to exactly 4 states that run sequences 10× longer than the data's.

mod common;

use common::networks::{Xorshift, data_file, extract_machine, one_hot_network, sequences};
use common::scratch;

use mips_core::ir::Network;

/// The count mod 4 of ones, reset to 0 by a two.
fn count(c: usize, x: usize) -> usize {
    match x {
        1 => (c + 1) % 4,
        2 => 0,
        _ => c,
    }
}

/// Concrete state `2c + copy`: the count `c` at one of two hidden points; the copy flips with
/// the input and the count, so sequences visit both points of every count.
fn delta(s: usize, x: usize) -> usize {
    let c = count(s / 2, x);
    2 * c + (s % 2 + x + c) % 2
}

/// The counter over 8 concrete states and inputs 0, 1, 2; the readout is the count.
fn redundant_counter() -> Network {
    one_hot_network(8, 1, 3, |s, x| delta(s, x[0]), |s| (s / 2) as f64)
}

/// Seeded inputs in 0..3 (xorshift), `n` sequences of `len` steps.
fn inputs(n: usize, len: usize) -> Vec<Vec<usize>> {
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    sequences(n, len, || rng.below(3) as usize)
}

fn counts(xs: &[usize]) -> Vec<i64> {
    xs.iter()
        .scan(0, |c, &x| {
            *c = count(*c, x);
            Some(*c as i64)
        })
        .collect()
}

#[test]
fn a_counter_kept_at_two_hidden_points_per_state_has_four_states() {
    let dir = scratch("minimization");
    let data = data_file(inputs(400, 10).iter().map(|xs| {
        (
            xs.iter().map(usize::to_string).collect(),
            counts(xs).iter().map(i64::to_string).collect(),
        )
    }));
    let sm = extract_machine(&dir, &redundant_counter(), &data);
    assert_eq!(sm.state_count(), 4, "{}", sm.method);
    for xs in inputs(20, 100) {
        let seq: Vec<i64> = xs.iter().map(|x| *x as i64).collect();
        assert_eq!(sm.run(&seq).unwrap(), counts(&xs), "{}", sm.method);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
