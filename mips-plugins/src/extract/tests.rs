//! End-to-end tests of the extraction passes on hand-built networks with known state sets,
//! run through the pass manager (which verifies every machine against the network).

use std::collections::BTreeMap;

use mips_core::ir::{Network, StateMachine};
use mips_core::pass::Status;
use mips_core::pass::verify::rounded_outputs;
use mips_core::task::Task;
use nalgebra::DMatrix;

use super::candidate::method_name;
use super::testing::{Detector, TestTask, automaton, linear_rnn, run_pass, symbol_counter};

/// Runs `name`, expects acceptance, and checks the machine against the network on the test
/// split (no wrong output; gaps allowed unless `complete`).
fn accepted(name: &str, net: &Network, task: &TestTask, extra: &[(&str, &str)]) -> StateMachine {
    let (row, machine) = run_pass(name, net, task, extra);
    assert!(row.status.accepted(), "{name}: {}", row.status);
    let sm = machine.expect("accepted extraction installs a machine");
    for s in &task.test_split().sequences {
        match sm.run(&s.inputs) {
            Ok(out) => assert_eq!(out, rounded_outputs(net, &s.inputs), "{name} on {:?}", s.inputs),
            Err(gap) => assert!(!sm.complete, "complete machine has a gap: {gap:?}"),
        }
    }
    sm
}

/// Step vector `t − s` of every transition, by input; panics if a step depends on the state.
fn steps(sm: &StateMachine) -> BTreeMap<Vec<i64>, Vec<i64>> {
    let mut out: BTreeMap<Vec<i64>, Vec<i64>> = BTreeMap::new();
    for ((s, x), t) in &sm.transitions {
        let step: Vec<i64> = t.iter().zip(s).map(|(a, b)| a - b).collect();
        let old = out.entry(x.clone()).or_insert_with(|| step.clone());
        assert_eq!(*old, step, "step on input {x:?} depends on the state");
    }
    out
}

fn abs_det(rows: &[Vec<i64>]) -> f64 {
    let n = rows.len();
    DMatrix::from_fn(n, n, |i, j| rows[i][j] as f64).determinant().abs()
}

#[test]
fn running_sum_is_a_one_dimensional_lattice() {
    let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 9)], 10, &net);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert_eq!(
        (method_name(&sm), sm.state_dim, sm.initial.clone()),
        ("lattice", 1, vec![0])
    );
    for ((s, x), t) in &sm.transitions {
        assert_eq!(t[0], s[0] + x[0]);
    }
    assert!(!sm.complete);
    assert!(sm.method.starts_with("lattice dim 1"), "{}", sm.method);
}

#[test]
fn unsnapped_running_sum_is_tracked() {
    // h_t = 1.001 h_{t-1} + x_t drifts up to about 0.4 of a unit off the integers in 10 steps.
    let net = linear_rnn(&[vec![1.001]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 9)], 10, &net);
    let (row, _) = run_pass("extract-lattice", &net, &task, &[("lenient-tol", "0")]);
    assert!(matches!(row.status, Status::Failed(_)), "{}", row.status);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert!(sm.method.contains("tracked"), "{}", sm.method);
    for ((s, x), t) in &sm.transitions {
        assert_eq!(t[0], s[0] + x[0]);
    }
}

#[test]
fn trained_running_sum_is_tracked_despite_its_step_counting_bias() {
    // Parameters of a trained Sum_All network: the bias adds -0.0637 per step along the sum's
    // axis and W_h is not exactly 1, so no fixed lattice fits; the sum alone is tracked.
    let mut net = linear_rnn(
        &[vec![0.9999665]],
        &[vec![-1.0458294]],
        &[-0.0636599],
        &[vec![-0.9555648]],
        vec![0.0],
    );
    net.g.layers[0].bias = vec![-0.0615418];
    let task = TestTask::new(vec![(0, 99)], 10, &net);
    let sm = accepted("extract-lattice", &net, &task, &[("max-transitions", "5000")]);
    assert!(sm.method.starts_with("lattice dim 1 (tracked krylov)"), "{}", sm.method);
    assert!(
        sm.coding.is_none() && sm.method.contains("lattice coding dropped"),
        "the step count the state leaves out moves the outputs: {}",
        sm.method
    );
    for ((s, x), t) in &sm.transitions {
        assert_eq!(t[0], s[0] + x[0], "{s:?} {x:?} {t:?}");
    }
}

#[test]
fn lattice_coding_runs_states_no_table_holds() {
    // A running sum: states beyond those seen come from the network at the lattice point.
    let net = linear_rnn(&[vec![1.0]], &[vec![2.0]], &[0.0], &[vec![0.5]], vec![0.0]);
    let task = TestTask::new(vec![(0, 9)], 10, &net);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert!(sm.coding.is_some(), "{}", sm.method);
    let long: Vec<i64> = (0..1000).map(|t| t % 10).collect();
    assert!(
        sm.states(&long).unwrap().last().unwrap()[0].abs() > 4000,
        "far outside the tables"
    );
    assert_eq!(sm.run(&long).unwrap(), rounded_outputs(&net, &long));
}

#[test]
fn sheared_two_dimensional_lattice() {
    // z = (Σx, t) stored as h = B z with a shear basis B; y = Σx.
    let b = [[1.0, 0.5], [0.3, 1.7]];
    let det = b[0][0] * b[1][1] - b[0][1] * b[1][0];
    let net = linear_rnn(
        &[vec![1.0, 0.0], vec![0.0, 1.0]],
        &[vec![b[0][0]], vec![b[1][0]]],
        &[b[0][1], b[1][1]],
        &[vec![b[1][1] / det, -b[0][1] / det]],
        vec![0.0, 0.0],
    );
    let task = TestTask::new(vec![(0, 3)], 10, &net);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert_eq!(sm.state_dim, 2);
    let steps = steps(&sm);
    let (s0, s1) = (&steps[&vec![0]], &steps[&vec![1]]);
    let per_input: Vec<i64> = s1.iter().zip(s0).map(|(a, b)| a - b).collect();
    assert_eq!(abs_det(&[per_input, s0.clone()]), 1.0, "{steps:?}");
}

#[test]
fn five_dimensional_shift_register() {
    // h = M (x_t, …, x_{t-4}) for an invertible M with fractional entries; y = Σ of the window.
    let n = 5;
    let m = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            2.0
        } else {
            (((i * 3 + j * 5) % 7) as f64 - 3.0) * 0.25
        }
    });
    let inv = m.clone().try_inverse().unwrap();
    let shift = DMatrix::from_fn(n, n, |i, j| f64::from(u8::from(i == j + 1)));
    let w = &m * shift * &inv;
    let rows = |a: &DMatrix<f64>| {
        (0..a.nrows())
            .map(|i| a.row(i).iter().copied().collect())
            .collect::<Vec<Vec<f64>>>()
    };
    let w_x: Vec<Vec<f64>> = (0..n).map(|i| vec![m[(i, 0)]]).collect();
    let g = DMatrix::from_element(1, n, 1.0) * &inv;
    let net = linear_rnn(&rows(&w), &w_x, &[0.0; 5], &rows(&g), vec![0.0; 5]);
    let task = TestTask::new(vec![(0, 3)], 8, &net);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert_eq!(sm.state_dim, 5);
    assert!(sm.method.contains("krylov"), "{}", sm.method);
}

#[test]
fn four_symbol_counts_need_the_reduction_finder() {
    // z_m = how often symbol m occurred, stored along skewed directions; the recurrence is not
    // linear in x, so only the reduction finder sees the 4-D lattice.
    let steps_m = vec![
        vec![1.0, 0.2, 0.0, 0.3],
        vec![0.4, 1.0, 0.1, 0.0],
        vec![0.0, 0.5, 1.0, 0.2],
        vec![0.3, 0.0, 0.6, 1.0],
    ];
    let inv = DMatrix::from_fn(4, 4, |i, j| steps_m[j][i]).try_inverse().unwrap();
    let g: Vec<f64> = (0..4).map(|d| inv[(0, d)]).collect();
    let net = symbol_counter(&steps_m, &g);
    let task = TestTask::new(vec![(0, 3)], 8, &net);
    let sm = accepted("extract-lattice", &net, &task, &[]);
    assert_eq!(sm.state_dim, 4);
    assert!(sm.method.contains("reduction"), "{}", sm.method);
    let steps = steps(&sm);
    let rows: Vec<Vec<i64>> = steps.values().cloned().collect();
    assert_eq!(abs_det(&rows), 1.0, "{steps:?}");
}

fn mod3_reference(seq: &[i64]) -> Vec<i64> {
    seq.iter()
        .scan(0, |s, x| {
            *s = (*s + x) % 3;
            Some(*s)
        })
        .collect()
}

#[test]
fn clusters_find_a_three_state_automaton_with_a_redundant_state() {
    // States 0..3 one-hot; state 3 behaves exactly like state 0 (sum ≡ 0 mod 3).
    let delta = |s: usize, x: usize| {
        let v = (s % 3 + x) % 3;
        if v == 0 && s == 2 { 3 } else { v }
    };
    let codes: Vec<Vec<f64>> = (0..4)
        .map(|s| (0..4).map(|d| f64::from(u8::from(s == d)) * 0.8).collect())
        .collect();
    let detector = Detector {
        decode: (0..4)
            .map(|s| (0..4).map(|d| f64::from(u8::from(s == d)) / 0.8).collect())
            .collect(),
        bias: vec![0.0; 4],
    };
    let net = automaton(
        &codes,
        &detector,
        &delta,
        3,
        &[0.0, 1.0, 2.0, 0.0],
        codes[0].clone(),
        0.01,
    );
    let task = TestTask::new(vec![(0, 2)], 10, &net);
    let sm = accepted("extract-clusters", &net, &task, &[]);
    assert_eq!(
        (method_name(&sm), sm.state_count(), sm.initial.clone()),
        ("clusters", 3, vec![0])
    );
    assert!(sm.complete);
    for seq in [vec![1, 2, 2, 0, 1], vec![2, 2, 2, 2], vec![0]] {
        assert_eq!(sm.run(&seq).unwrap(), mod3_reference(&seq));
    }
}

#[test]
fn clusters_find_a_five_state_divisibility_automaton() {
    // Reading bits most significant first: s' = (2s + x) mod 5, output [s' == 0].
    let delta = |s: usize, x: usize| (2 * s + x) % 5;
    let codes: Vec<Vec<f64>> = (0..5)
        .map(|s| (0..5).map(|d| f64::from(u8::from(s == d))).collect())
        .collect();
    let net = automaton(
        &codes,
        &Detector::one_hot(5),
        &delta,
        2,
        &[1.0, 0.0, 0.0, 0.0, 0.0],
        codes[0].clone(),
        0.02,
    );
    let task = TestTask::new(vec![(0, 1)], 10, &net);
    let sm = accepted("extract-clusters", &net, &task, &[]);
    assert_eq!(sm.state_count(), 5);
    assert!(sm.complete && sm.method.contains("complete yes"), "{}", sm.method);
}

fn circle_net(k: usize, h0_scale: f64, jitter: f64) -> Network {
    let (codes, detector) = Detector::circle(k);
    let outputs: Vec<f64> = (0..k).map(|s| s as f64).collect();
    let h0 = codes[0].iter().map(|v| v * h0_scale).collect();
    automaton(&codes, &detector, &|s, x| (s + x) % k, k, &outputs, h0, jitter)
}

#[test]
fn rotations_are_read_as_phases() {
    // Jitter only for k = 5: for larger k the test network's own state error grows.
    for (k, h0_scale, jitter) in [(5, 1.0, 0.01), (7, 1.0, 0.0), (6, 1.3, 0.0)] {
        let net = circle_net(k, h0_scale, jitter);
        let task = TestTask::new(vec![(0, k as i64 - 1)], 10, &net);
        let sm = accepted("extract-circle", &net, &task, &[]);
        assert_eq!(
            (method_name(&sm), sm.state_names.clone(), sm.initial.clone()),
            ("circle", vec![format!("phase_mod{k}")], vec![0])
        );
        assert!(sm.complete, "k = {k}: {}", sm.method);
        for ((s, x), t) in &sm.transitions {
            assert_eq!(t[0], (s[0] + x[0]) % k as i64, "k = {k}");
        }
    }
}

#[test]
fn combined_pass_prefers_the_circle_for_a_rotation() {
    let net = circle_net(5, 1.0, 0.0);
    let task = TestTask::new(vec![(0, 4)], 10, &net);
    let sm = accepted("extract", &net, &task, &[]);
    assert_eq!(method_name(&sm), "circle", "{}", sm.method);
    assert!(sm.method.contains("also:"), "{}", sm.method);
}

#[test]
fn combined_pass_prefers_the_lattice_for_a_running_sum() {
    let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 9)], 10, &net);
    let sm = accepted("extract", &net, &task, &[]);
    assert_eq!(method_name(&sm), "lattice", "{}", sm.method);
}

#[test]
fn continuous_states_are_an_error_not_a_machine() {
    // h_t = 0.7 h_{t-1} + x_t: every history gives a new state and the output reads it.
    // With 6 steps, every state is a multiple of 1e-5: a lattice, but one that only encodes
    // whole histories (it must be refused as memorization, not returned).
    let net = linear_rnn(&[vec![0.7]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    for len in [10, 6] {
        let task = TestTask::new(vec![(0, 9)], len, &net);
        for pass in ["extract", "extract-lattice", "extract-circle", "extract-clusters"] {
            let (row, machine) = run_pass(pass, &net, &task, &[]);
            assert!(
                matches!(row.status, Status::Failed(_)),
                "{pass} at length {len}: {}",
                row.status
            );
            assert!(machine.is_none());
        }
    }
}

#[test]
fn network_that_ignores_its_state_has_one_state() {
    let net = linear_rnn(&[vec![0.0]], &[vec![0.0]], &[0.0], &[vec![0.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 3)], 6, &net);
    let sm = accepted("extract", &net, &task, &[]);
    assert_eq!((method_name(&sm), sm.state_count()), ("clusters", 1));
    assert!(sm.complete);
}

#[test]
fn bad_options_are_errors() {
    let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 1)], 4, &net);
    for (key, value) in [
        ("coord-tol", "2"),
        ("max-states", "0"),
        ("methods", "spline"),
        ("fresh", "-1"),
    ] {
        let (row, _) = run_pass("extract", &net, &task, &[(key, value)]);
        assert!(matches!(row.status, Status::Failed(_)), "{key}={value}: {}", row.status);
    }
}

/// A trained Parity_All network (hidden 1, f with 8 ReLU units): its states relax along a
/// continuum with no gap wider than their spread, yet it behaves like a 2-state machine.
fn trained_parity() -> Network {
    use super::testing::linear;
    use mips_core::ir::{Activation, Mlp};
    let w1 = [
        0.47899255,
        -0.47555295,
        0.43599111,
        -0.21939768,
        -0.25100732,
        0.01975961,
        -0.08081035,
        -0.4356642,
        1.59780133,
        0.12836938,
        -1.76651311,
        1.01493311,
        -1.66155016,
        0.76624751,
        0.69660884,
        0.4799501,
    ];
    let rows1: Vec<Vec<f64>> = w1.chunks(2).map(<[f64]>::to_vec).collect();
    let b1 = [
        -0.64575672,
        0.34813744,
        -0.46423253,
        -0.49053648,
        -0.11078998,
        -0.1066073,
        0.79597163,
        -0.90910971,
    ];
    let w2 = vec![
        -0.1401236,
        0.16912867,
        -0.31689119,
        0.16377245,
        0.4569965,
        -1.45554209,
        1.02869976,
        -1.68943608,
    ];
    let net = Network {
        input_dim: 1,
        hidden_dim: 1,
        output_dim: 1,
        f: Mlp {
            layers: vec![linear(&rows1, &b1), linear(&[w2], &[0.16370113])],
            activation: Activation::Relu,
        },
        g: Mlp {
            layers: vec![linear(&[vec![-1.26023126]], &[1.55358112])],
            activation: Activation::Relu,
        },
        h0: vec![0.0],
    };
    net.validate().unwrap();
    net
}

#[test]
fn behaviour_reads_a_trained_parity_network_without_gaps_between_states() {
    let net = trained_parity();
    let task = TestTask::new(vec![(0, 1)], 10, &net);
    let sm = accepted("extract-behaviour", &net, &task, &[]);
    assert_eq!((method_name(&sm), sm.state_count()), ("behaviour", 2), "{}", sm.method);
    assert!(sm.complete);
    assert_eq!(accepted("extract", &net, &task, &[]).state_count(), 2);
    let parity = |seq: &[i64]| -> Vec<i64> {
        seq.iter()
            .scan(0, |s, x| {
                *s ^= x;
                Some(*s)
            })
            .collect()
    };
    for seq in [vec![1, 0, 1, 1, 0, 1, 1, 1, 0, 1], vec![0, 0, 0, 1]] {
        assert_eq!(sm.run(&seq).unwrap(), parity(&seq));
    }
}

#[test]
fn automatic_lookahead_keeps_the_continuations_few() {
    use super::behaviour::lookahead;
    assert_eq!(lookahead(0, 2), 3, "binary inputs: 8 continuations of 3 steps");
    assert_eq!(lookahead(0, 3), 1, "9 continuations of two steps are too many");
    assert_eq!(lookahead(0, 4), 1, "pairs of bits: one step");
    assert_eq!(lookahead(0, 10), 1, "digits: one step");
    assert_eq!(lookahead(0, 1000), 1, "never below one step");
    assert_eq!(lookahead(2, 10), 2, "an explicit depth wins");
}

/// Runs `name` and returns the reason it failed (panics when it did not fail).
fn failure(name: &str, net: &Network, task: &TestTask, extra: &[(&str, &str)]) -> String {
    match run_pass(name, net, task, extra).0.status {
        Status::Failed(why) => why,
        other => panic!("{name} with {extra:?} should fail, got {other}"),
    }
}

#[test]
fn a_huge_lookahead_is_refused_before_any_signature() {
    // Before: `lookahead=100` over binary inputs asked for 2^101 continuations per state and
    // grew without bound. Now it fails at once, naming the option.
    let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
    let task = TestTask::new(vec![(0, 1)], 10, &net);
    let why = failure("extract-behaviour", &net, &task, &[("lookahead", "100")]);
    assert!(
        why.contains("lookahead 100 is longer than the longest sequence"),
        "{why}"
    );
    // Within the sequence length, the signature budget bounds the work.
    let why = failure(
        "extract-behaviour",
        &net,
        &task,
        &[("lookahead", "10"), ("signature-budget", "20000")],
    );
    assert!(
        why.contains("overruns the signature budget of 20000 steps") && why.contains("raise 'signature-budget'"),
        "{why}"
    );
    let why = failure(
        "extract-behaviour",
        &net,
        &task,
        &[("lookahead", "10"), ("signature-budget", "1000")],
    );
    assert!(why.contains("too small for lookahead 10 over 2 inputs"), "{why}");
}

#[test]
fn outputs_too_large_for_an_integer_fail_the_extraction() {
    // Before: outputs of 1e30 were saturated to i64::MAX and the machine was accepted.
    let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1e30]], vec![0.0]);
    let task = TestTask::new(vec![(0, 1)], 6, &net);
    for name in ["extract", "extract-lattice", "extract-behaviour"] {
        let (row, machine) = run_pass(name, &net, &task, &[]);
        let Status::Failed(why) = row.status else {
            panic!("{name}: {}", row.status)
        };
        assert!(why.contains("does not round to an exact integer"), "{name}: {why}");
        assert!(machine.is_none());
    }
}
