//! A hand-built depth counter (balanced parentheses): extracted as a counter machine and
//! regressed to a program that is exact on sequences 100× longer than the data's.

use mips_core::ir::{Activation, Mlp, Network};
use mips_core::task::Task;

use crate::extract::testing::{TestTask, linear, run_pass};
use crate::regress::combined::{RegressOptions, regress_best};

/// Hidden `[depth, broken]`: `depth' = depth + 1 − 2x`, `broken' = min(1, broken + relu(−depth'))`;
/// output `relu(1 − |depth| − broken)` (1 exactly when the prefix is balanced).
fn depth_counter() -> Network {
    let f = Mlp {
        layers: vec![
            // [d, b, x] → a = d + 1 − 2x, n = −a, c = b.
            linear(
                &[vec![1.0, 0.0, -2.0], vec![-1.0, 0.0, 2.0], vec![0.0, 1.0, 0.0]],
                &[1.0, -1.0, 0.0],
            ),
            // → a, n, b + n, b + n − 1.
            linear(
                &[
                    vec![1.0, 0.0, 0.0],
                    vec![0.0, 1.0, 0.0],
                    vec![0.0, 1.0, 1.0],
                    vec![0.0, 1.0, 1.0],
                ],
                &[0.0, 0.0, 0.0, -1.0],
            ),
            // → depth' = a − n, broken' = min(1, b + n).
            linear(&[vec![1.0, -1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0, -1.0]], &[0.0, 0.0]),
        ],
        activation: Activation::Relu,
    };
    let g = Mlp {
        layers: vec![
            linear(&[vec![1.0, 0.0], vec![-1.0, 0.0], vec![0.0, 1.0]], &[0.0, 0.0, 0.0]),
            linear(&[vec![-1.0, -1.0, -1.0]], &[1.0]),
            linear(&[vec![1.0]], &[0.0]),
        ],
        activation: Activation::Relu,
    };
    let net = Network {
        input_dim: 1,
        hidden_dim: 2,
        output_dim: 1,
        f,
        g,
        h0: vec![0.0, 0.0],
    };
    net.validate().unwrap();
    net
}

/// The rule: 1 when the prefix is balanced (depth 0, never negative).
fn balanced(xs: &[i64]) -> Vec<i64> {
    let (mut depth, mut broken) = (0i64, false);
    xs.iter()
        .map(|&x| {
            depth += 1 - 2 * x;
            broken |= depth < 0;
            i64::from(depth == 0 && !broken)
        })
        .collect()
}

#[test]
fn the_network_is_a_depth_counter() {
    let net = depth_counter();
    let xs = [0, 0, 1, 1, 1, 0, 0, 1];
    assert_eq!(mips_core::pass::verify::rounded_outputs(&net, &xs), balanced(&xs));
}

#[test]
fn a_depth_counter_network_becomes_a_counter_program_exact_at_100x_length() {
    let net = depth_counter();
    let task = TestTask::new(vec![(0, 1)], 10, &net);
    let (row, machine) = run_pass("extract-counter", &net, &task, &[]);
    assert!(row.status.accepted(), "{}", row.status);
    let sm = machine.unwrap();
    assert!(
        sm.method
            .starts_with("counter 1 counter(s) [[1, -1]], 2 control state(s)"),
        "{}",
        sm.method
    );
    assert_eq!(sm.state_dim, 2);
    let program = regress_best(&sm, &RegressOptions::default(), task.test_split(), &|_, _| {}).unwrap();
    // Long sequences with long stretches near depth 0: random walks of 1000 steps.
    let long = task.generate(5, 200, 1000).unwrap();
    for s in &long.sequences {
        assert_eq!(program.run(&s.inputs).unwrap(), balanced(&s.inputs), "{program}");
    }
    assert!(program.tokens() <= 20, "{} tokens: {program}", program.tokens());
}
