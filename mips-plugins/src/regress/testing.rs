//! Test helpers: state machines built by exploring a step function over an alphabet, and a
//! minimal task to run passes through the pass manager.

use std::collections::{BTreeMap, VecDeque};

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::StateMachine;
use mips_core::task::{Loss, Task, TaskInfo};

/// The complete machine reachable from `initial` under `step` over `alphabet`, with `output`
/// per state.
pub fn explore(
    initial: Vec<i64>,
    alphabet: &[Vec<i64>],
    step: impl Fn(&[i64], &[i64]) -> Vec<i64>,
    output: impl Fn(&[i64]) -> Vec<i64>,
) -> StateMachine {
    let mut transitions = BTreeMap::new();
    let mut outputs = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::from([initial.clone()]);
    let mut queue = VecDeque::from([initial.clone()]);
    while let Some(s) = queue.pop_front() {
        for x in alphabet {
            let t = step(&s, x);
            outputs.insert(t.clone(), output(&t));
            if seen.insert(t.clone()) {
                queue.push_back(t.clone());
            }
            transitions.insert((s.clone(), x.clone()), t);
        }
    }
    StateMachine {
        state_dim: initial.len(),
        input_dim: alphabet[0].len(),
        output_dim: outputs.values().next().map_or(0, Vec::len),
        initial,
        transitions,
        outputs,
        alphabet: Some(alphabet.to_vec()),
        complete: true,
        method: "test".into(),
        ..Default::default()
    }
}

/// The one-component inputs `lo..=hi`.
pub fn range(lo: i64, hi: i64) -> Vec<Vec<i64>> {
    (lo..=hi).map(|v| vec![v]).collect()
}

/// A counter mod `k` over inputs `0..k`; the output is the count.
pub fn counter_mod(k: i64) -> StateMachine {
    explore(
        vec![0],
        &range(0, k - 1),
        |s, x| vec![(s[0] + x[0]) % k],
        |s| s.to_vec(),
    )
}

/// A task whose test split is the given dataset.
pub struct FixedTask {
    info: TaskInfo,
    data: Dataset,
}

impl FixedTask {
    /// A task whose labels come from `machine` on every sequence of `inputs`.
    pub fn from_machine(machine: &StateMachine, inputs: &[Vec<i64>]) -> FixedTask {
        let sequences = inputs
            .iter()
            .map(|x| Sequence {
                inputs: x.clone(),
                outputs: machine.run(x).expect("test inputs stay inside the machine"),
            })
            .collect();
        let data = Dataset {
            input_dim: machine.input_dim,
            output_dim: machine.output_dim,
            sequences,
        };
        FixedTask {
            info: TaskInfo {
                name: "fixed".into(),
                input_dim: machine.input_dim,
                output_dim: machine.output_dim,
                input_ranges: vec![(0, 1); machine.input_dim],
                output_ranges: vec![(0, 1); machine.output_dim],
                seq_len: inputs.first().map_or(0, Vec::len),
                loss: Loss::Log,
                train_steps: 0,
                rule: String::new(),
                paper_solved: None,
                gpt4_solved: None,
            },
            data,
        }
    }
}

impl Task for FixedTask {
    fn info(&self) -> &TaskInfo {
        &self.info
    }

    fn train_batch(&self, _seed: u64, _n: usize) -> Dataset {
        self.data.clone()
    }

    fn test_split(&self) -> &Dataset {
        &self.data
    }

    fn generate(&self, _seed: u64, _n: usize, _len: usize) -> Option<Dataset> {
        None
    }
}

/// `n` input sequences of length `len` drawn from `alphabet` by a fixed xorshift generator.
pub fn sequences(alphabet: &[Vec<i64>], len: usize, n: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            (0..len)
                .flat_map(|_| alphabet[(next() % alphabet.len() as u64) as usize].clone())
                .collect()
        })
        .collect()
}

/// Asserts that `program` reproduces `machine` on many sequences over `alphabet`.
pub fn assert_same(machine: &StateMachine, program: &mips_core::ir::Program, alphabet: &[Vec<i64>]) {
    for x in sequences(alphabet, 12, 200, 7) {
        if let Ok(expected) = machine.run(&x) {
            assert_eq!(
                program.run(&x).ok(),
                Some(expected),
                "inputs {x:?}, program {program:?}"
            );
        }
    }
}

/// The machine observed on `inputs` sequences (not complete): the states visited under
/// `step` from `initial` and their outputs.
pub fn observed(
    initial: Vec<i64>,
    input_dim: usize,
    inputs: &[Vec<i64>],
    step: impl Fn(&[i64], &[i64]) -> Vec<i64>,
    output: impl Fn(&[i64]) -> Vec<i64>,
) -> StateMachine {
    let mut transitions = BTreeMap::new();
    let mut outputs = BTreeMap::new();
    for seq in inputs {
        let mut s = initial.clone();
        for x in seq.chunks(input_dim) {
            let t = step(&s, x);
            outputs.insert(t.clone(), output(&t));
            transitions.insert((s, x.to_vec()), t.clone());
            s = t;
        }
    }
    StateMachine {
        state_dim: initial.len(),
        input_dim,
        output_dim: outputs.values().next().map_or(0, Vec::len),
        initial,
        transitions,
        outputs,
        alphabet: None,
        complete: false,
        method: "test".into(),
        ..Default::default()
    }
}
