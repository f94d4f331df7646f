//! Regression on machines observed on built-in tasks' data, with the state a network would
//! plausibly hold written by hand in the test (extraction is another module's job). Each
//! program must reproduce the labels of fresh sequences, not only the machine.

use std::collections::BTreeSet;

use mips_core::data::Dataset;
use mips_core::ir::{Program, StateMachine};
use mips_core::pass::{Artifacts, PassContext, PassManager, Pipeline, Registry};
use mips_core::task::Task;
use mips_core::tasks;

use super::report::exact_sequences;
use super::testing::observed;

type Step = fn(&[i64], &[i64]) -> Vec<i64>;
type Output = fn(&[i64]) -> Vec<i64>;

/// The machine of `task` under the hand-written state, observed on training and verification
/// sequences; complete when the input alphabet is small and every reached state saw it all.
fn machine(task: &dyn Task, initial: Vec<i64>, step: Step, output: Output, verify: &Dataset) -> StateMachine {
    let train = task.train_batch(0, 1000);
    let inputs: Vec<Vec<i64>> = train
        .sequences
        .iter()
        .chain(&verify.sequences)
        .map(|s| s.inputs.clone())
        .collect();
    let mut sm = observed(initial, task.info().input_dim, &inputs, step, output);
    for s in train.sequences.iter().chain(&verify.sequences) {
        assert_eq!(
            sm.run(&s.inputs).unwrap(),
            s.outputs,
            "{}: the test's state is wrong",
            task.info().name
        );
    }
    if let Some(alphabet) = task.info().input_alphabet(64) {
        let mut states: BTreeSet<&Vec<i64>> = sm.transitions.values().collect();
        states.insert(&sm.initial);
        sm.complete = states.iter().all(|s| {
            alphabet
                .iter()
                .all(|x| sm.transitions.contains_key(&((*s).clone(), x.clone())))
        });
        sm.alphabet = Some(alphabet);
    }
    sm
}

/// Runs `regress` on the task's machine; returns the program and whether it reproduces the
/// labels of 2000 fresh sequences.
fn regress(name: &str, initial: Vec<i64>, step: Step, output: Output) -> (Program, bool) {
    let task = tasks::builtin(name).unwrap();
    let len = task.info().seq_len;
    let verify = task.generate(1, 300, len).unwrap();
    let sm = machine(&task, initial, step, output, &verify);
    let steps = Pipeline::parse_inline("regress")
        .unwrap()
        .resolve(&Registry::builtin())
        .unwrap();
    let ctx = PassContext::new(&task, &verify, 0, true);
    let start = Artifacts {
        machine: Some(sm),
        ..Default::default()
    };
    let (artifacts, rows) = PassManager.run(&steps, start, &ctx, |_| {});
    assert!(rows[0].status.accepted(), "{name}: {}", rows[0].status);
    let program = artifacts.program.unwrap();
    let fresh = task.generate(2, 2000, len).unwrap();
    let exact = exact_sequences(&program, &fresh) == fresh.len();
    (program, exact)
}

fn bit(b: bool) -> i64 {
    b as i64
}

/// (task, initial state, update, output, largest expected size in tokens, symbolic).
type Case = (&'static str, Vec<i64>, Step, Output, usize, bool);

#[test]
fn catalog_tasks_regress_to_small_exact_programs() {
    let cases: Vec<Case> = vec![
        ("Sum_All", vec![0], |s, x| vec![s[0] + x[0]], |s| vec![s[0]], 4, true),
        (
            "Add_Mod_5",
            vec![0],
            |s, x| vec![(s[0] + x[0]) % 5],
            |s| vec![s[0]],
            6,
            true,
        ),
        (
            "Prev3",
            vec![0, 0, 0, 0],
            |s, x| vec![x[0], s[0], s[1], s[2]],
            |s| vec![s[3]],
            5,
            true,
        ),
        (
            "Sum_Last3",
            vec![0, 0, 0],
            |s, x| vec![x[0], s[0], x[0] + s[0] + s[1]],
            |s| vec![s[2]],
            8,
            true,
        ),
        (
            "Abs_Diff",
            vec![0, 0],
            |s, x| vec![x[0], (x[0] - s[0]).abs()],
            |s| vec![s[1]],
            6,
            true,
        ),
        (
            "Max_Seen",
            vec![0],
            |s, x| vec![s[0].max(x[0])],
            |s| vec![s[0]],
            4,
            true,
        ),
        (
            "Binary_Addition",
            vec![0, 0],
            |s, x| {
                let v = s[1] + x[0] + x[1];
                vec![v % 2, v / 2]
            },
            |s| vec![s[0]],
            13,
            true,
        ),
        (
            "Base_3_Addition",
            vec![0, 0],
            |s, x| {
                let v = s[1] + x[0] + x[1];
                vec![v % 3, v / 3]
            },
            |s| vec![s[0]],
            15,
            true,
        ),
        (
            "Div_3",
            vec![0, 0],
            |s, x| {
                let v = 2 * s[0] + x[0];
                vec![v % 3, v / 3]
            },
            |s| vec![s[1]],
            15,
            true,
        ),
        (
            "Newton_Spring",
            vec![0, 0],
            |s, x| {
                let v = s[0] + x[0] - s[1];
                vec![v, s[1] + v]
            },
            |s| vec![s[1]],
            9,
            true,
        ),
        (
            "Evens_Counter",
            vec![0],
            |s, x| vec![s[0] + bit(x[0] % 2 == 0)],
            |s| vec![s[0]],
            7,
            true,
        ),
        (
            "Parity_Last3",
            vec![0, 0, 0],
            |s, x| vec![x[0], s[0], x[0] ^ s[0] ^ s[1]],
            |s| vec![s[2]],
            8,
            true,
        ),
        (
            "Previous_Equals_Current",
            vec![0, 0],
            |s, x| vec![x[0], bit(x[0] == s[0])],
            |s| vec![s[1]],
            5,
            true,
        ),
        (
            "Dithering",
            vec![0, 0],
            |s, x| vec![(s[0] + x[0]) % 15, (s[0] + x[0]) / 15],
            |s| vec![s[1]],
            11,
            true,
        ),
        (
            "Alternating_Last3",
            vec![0, 0, 0],
            |s, x| vec![x[0], s[0], bit(x[0] != s[0] && s[0] != s[1])],
            |s| vec![s[2]],
            13,
            true,
        ),
        (
            "Sum_Last7",
            vec![0; 7],
            |s, x| vec![x[0], s[0], s[1], s[2], s[3], s[4], x[0] + s[..6].iter().sum::<i64>()],
            |s| vec![s[6]],
            25,
            true,
        ),
        (
            "Newton_Magnetic",
            vec![0; 4],
            |s, x| {
                let (vx, vy) = (s[0] + x[0] - s[1], s[1] + x[1] + s[0]);
                vec![vx, vy, s[2] + vx, s[3] + vy]
            },
            |s| vec![s[2], s[3]],
            40,
            true,
        ),
        // The digit sum under labels a minimization would give (scrambled): recoded by
        // transition class and output, the carry form.
        (
            "Base_6_Addition",
            vec![3],
            |s, x| {
                let sum = (0..12).find(|v| (v * 5 + 3) % 12 == s[0]).unwrap();
                vec![((x[0] + x[1] + (sum >= 6) as i64) * 5 + 3) % 12]
            },
            |s| vec![(0..12).find(|v| (v * 5 + 3) % 12 == s[0]).unwrap() % 6],
            10,
            true,
        ),
        // A lookup function of the input: membership in the set of its values, shorter than
        // the table of thresholds (36 tokens).
        (
            "Perfect_Square_Detector",
            vec![0],
            |_, x| vec![bit([0, 1, 4, 9, 16].contains(&x[0]))],
            |s| vec![s[0]],
            20,
            true,
        ),
    ];
    for (name, initial, step, output, tokens, symbolic) in cases {
        let (p, exact) = regress(name, initial, step, output);
        assert!(exact, "{name}: {p:?}");
        assert!(p.tokens() <= tokens, "{name}: {} tokens: {p:?}", p.tokens());
        assert_eq!(p.symbolic, symbolic, "{name}: {p:?}");
    }
}
