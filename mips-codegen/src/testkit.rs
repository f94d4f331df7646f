//! Test fixtures: a suite of programs with the sequences to run them on, a small task, and a
//! check for `python3`.

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{BinOp, Expr, Program, UnOp};
use mips_core::rng::mix;
use mips_core::task::{Loss, Task, TaskInfo};
use proptest::prelude::*;

pub fn s(k: usize) -> Expr {
    Expr::state(k)
}
pub fn x(k: usize) -> Expr {
    Expr::input(k)
}
pub fn c(v: i64) -> Expr {
    Expr::Const(v)
}
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::bin(op, a, b)
}
pub fn un(op: UnOp, a: Expr) -> Expr {
    Expr::un(op, a)
}
pub fn ite(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
    Expr::ite(cond, then, otherwise)
}

/// A program from `(name, initial value, update)` per state variable.
pub fn program(states: Vec<(&str, i64, Expr)>, inputs: &[&str], outputs: Vec<Expr>) -> Program {
    Program {
        state_names: states.iter().map(|s| s.0.to_string()).collect(),
        init: states.iter().map(|s| s.1).collect(),
        input_names: inputs.iter().map(|s| s.to_string()).collect(),
        updates: states.into_iter().map(|s| s.2).collect(),
        outputs,
        method: "test".into(),
        symbolic: true,
    }
}

/// The 2-state ripple-carry adder over two bit inputs: `a, b = b ^ c ^ d, (b + c + d > 1)`.
pub fn adder() -> Program {
    let sum = bin(BinOp::Add, bin(BinOp::Add, s(1), x(0)), x(1));
    program(
        vec![
            ("a", 0, bin(BinOp::Xor, bin(BinOp::Xor, s(1), x(0)), x(1))),
            ("carry", 0, bin(BinOp::Gt, sum, c(1))),
        ],
        &["c", "d"],
        vec![s(0)],
    )
}

/// A running sum modulo 7: `s = (s + x) % 7`.
pub fn sum_mod() -> Program {
    program(
        vec![("s", 0, bin(BinOp::Mod, bin(BinOp::Add, s(0), x(0)), c(7)))],
        &["x"],
        vec![s(0)],
    )
}

/// Deterministic pseudo-random values in `lo..=hi`.
pub fn values(seed: u64, n: usize, lo: i64, hi: i64) -> Vec<i64> {
    let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
    (0..n as u64)
        .map(|i| (i128::from(lo) + (u128::from(mix(seed, i)) % span) as i128) as i64)
        .collect()
}

/// `n` sequences of lengths `0..max_len` with `dim` components in `lo..=hi`.
pub fn sequences(seed: u64, n: usize, max_len: usize, dim: usize, lo: i64, hi: i64) -> Vec<Vec<i64>> {
    (0..n as u64)
        .map(|i| {
            let len = (mix(seed ^ 0xABCD, i) % (max_len as u64 + 1)) as usize;
            values(mix(seed, i), len * dim, lo, hi)
        })
        .collect()
}

/// A named program with the sequences to run it on.
pub struct Case {
    pub name: &'static str,
    pub program: Program,
    pub sequences: Vec<Vec<i64>>,
}

/// Programs covering every operator, negative `//` and `%`, overflow, division by zero, nested
/// and guarded conditionals, multi-dimensional inputs and outputs, and zero-length sequences.
pub fn suite() -> Vec<Case> {
    const MIN: i64 = i64::MIN;
    const MAX: i64 = i64::MAX;
    let floor_ops = program(
        vec![("t", 0, bin(BinOp::Add, s(0), c(1)))],
        &["a", "b"],
        vec![
            bin(BinOp::FloorDiv, x(0), x(1)),
            bin(BinOp::Mod, x(0), x(1)),
            bin(BinOp::FloorDiv, bin(BinOp::Sub, x(0), s(0)), c(3)),
            bin(BinOp::Mod, bin(BinOp::Sub, x(0), s(0)), c(-4)),
        ],
    );
    let mut floor_seqs = sequences(3, 40, 6, 2, -9, 9);
    floor_seqs.extend([vec![], vec![-7, 2, 7, -2, -7, -2, 7, 2], vec![5, 0], vec![-1, 3, 0, 0]]);
    let limits = program(
        vec![],
        &["a", "b"],
        vec![bin(BinOp::FloorDiv, x(0), x(1)), bin(BinOp::Mod, x(0), x(1))],
    );
    let limit_seqs = vec![
        vec![MIN, -1],
        vec![MIN, 1],
        vec![MIN, 2],
        vec![MIN, MAX],
        vec![MAX, -1],
        vec![MAX, MIN],
        vec![-1, MIN],
        vec![MIN, MIN],
    ];
    let mod_minus_one = program(
        vec![],
        &["a"],
        vec![bin(BinOp::Mod, x(0), c(-1)), bin(BinOp::Mod, x(0), c(MIN))],
    );
    let const_div = program(
        vec![("q", 1, bin(BinOp::FloorDiv, bin(BinOp::Mul, s(0), c(10)), c(-3)))],
        &["a"],
        vec![s(0), bin(BinOp::FloorDiv, x(0), c(-1))],
    );
    let div_by_const_zero = program(vec![], &["a"], vec![bin(BinOp::FloorDiv, x(0), c(0))]);
    let mod_by_const_zero = program(vec![], &["a"], vec![bin(BinOp::Mod, x(0), c(0))]);
    let unary = program(
        vec![],
        &["a"],
        vec![un(UnOp::Abs, x(0)), un(UnOp::Neg, x(0)), un(UnOp::Not, x(0))],
    );
    let add_sub_mul = program(
        vec![],
        &["a", "b"],
        vec![
            bin(BinOp::Add, x(0), x(1)),
            bin(BinOp::Sub, x(0), x(1)),
            bin(BinOp::Mul, x(0), x(1)),
        ],
    );
    let limit_pairs = vec![
        vec![MAX, 1],
        vec![MAX, -1],
        vec![MIN, 1],
        vec![MIN, -1],
        vec![MIN, 0],
        vec![1 << 32, 1 << 31],
        vec![1 << 32, 1 << 32],
        vec![-(1 << 32), 1 << 31],
        vec![3, -4, 5, 6],
    ];
    let growth = program(
        vec![("s", 1, bin(BinOp::Add, bin(BinOp::Mul, s(0), c(3)), x(0)))],
        &["x"],
        vec![s(0)],
    );
    let mut growth_seqs = sequences(5, 10, 60, 1, -5, 5);
    growth_seqs.push(vec![-7; 50]);
    let counter = ite(
        bin(BinOp::Eq, x(0), c(1)),
        bin(BinOp::Add, s(0), c(1)),
        ite(bin(BinOp::Eq, x(0), c(2)), c(0), bin(BinOp::Sub, s(0), c(1))),
    );
    let nested_if = program(
        vec![("n", 0, counter)],
        &["x"],
        vec![
            ite(bin(BinOp::Ne, s(0), c(0)), bin(BinOp::FloorDiv, c(100), s(0)), c(-1)),
            ite(bin(BinOp::Gt, s(0), c(2)), bin(BinOp::Mul, s(0), s(0)), s(0)),
            ite(x(0), ite(s(0), c(1), c(2)), ite(bin(BinOp::Lt, s(0), c(0)), c(3), c(4))),
        ],
    );
    let guarded = program(
        vec![],
        &["a", "b"],
        vec![
            ite(x(0), bin(BinOp::FloorDiv, x(1), x(0)), c(0)),
            ite(bin(BinOp::Eq, x(0), c(0)), c(7), bin(BinOp::Mod, x(1), x(0))),
            ite(bin(BinOp::Eq, x(0), c(0)), bin(BinOp::FloorDiv, x(1), x(0)), c(5)),
        ],
    );
    let logic = program(
        vec![
            ("m", MIN, bin(BinOp::Max, s(0), x(2))),
            ("z", 0, bin(BinOp::Xor, s(1), x(0))),
        ],
        &["a", "b", "c"],
        [
            BinOp::And,
            BinOp::Or,
            BinOp::Xor,
            BinOp::Min,
            BinOp::Max,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
        ]
        .into_iter()
        .map(|op| bin(op, x(0), x(1)))
        .chain([
            s(0),
            s(1),
            bin(BinOp::Or, bin(BinOp::And, s(1), x(2)), un(UnOp::Not, x(0))),
        ])
        .collect(),
    );
    let stateless = program(vec![], &["x"], vec![bin(BinOp::Mul, x(0), c(2))]);
    vec![
        Case {
            name: "adder",
            program: adder(),
            sequences: sequences(1, 30, 20, 2, 0, 1),
        },
        Case {
            name: "sum_mod",
            program: sum_mod(),
            sequences: sequences(2, 30, 20, 1, -20, 20),
        },
        Case {
            name: "floor_ops",
            program: floor_ops,
            sequences: floor_seqs,
        },
        Case {
            name: "limits",
            program: limits,
            sequences: limit_seqs,
        },
        Case {
            name: "mod_minus_one",
            program: mod_minus_one,
            sequences: vec![vec![MIN], vec![MAX], vec![-5], vec![0]],
        },
        Case {
            name: "const_div",
            program: const_div,
            sequences: vec![vec![1; 30], vec![MIN], vec![MAX, 4, -4], vec![]],
        },
        Case {
            name: "div_by_const_zero",
            program: div_by_const_zero,
            sequences: vec![vec![], vec![3]],
        },
        Case {
            name: "mod_by_const_zero",
            program: mod_by_const_zero,
            sequences: vec![vec![], vec![3]],
        },
        Case {
            name: "unary",
            program: unary,
            sequences: vec![vec![MIN], vec![MAX], vec![-5, 0, 5], vec![MIN + 1]],
        },
        Case {
            name: "add_sub_mul",
            program: add_sub_mul,
            sequences: limit_pairs,
        },
        Case {
            name: "growth",
            program: growth,
            sequences: growth_seqs,
        },
        Case {
            name: "nested_if",
            program: nested_if,
            sequences: sequences(7, 30, 25, 1, 0, 3),
        },
        Case {
            name: "guarded",
            program: guarded,
            sequences: sequences(8, 30, 8, 2, -3, 3),
        },
        Case {
            name: "logic",
            program: logic,
            sequences: sequences(9, 30, 10, 3, -2, 2),
        },
        Case {
            name: "stateless",
            program: stateless,
            sequences: vec![vec![], vec![], vec![4, -4]],
        },
    ]
}

/// True when `python3` runs; otherwise prints why the calling test is skipped.
pub fn python3_available(test: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .arg("-c")
        .arg("pass")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("{test}: skipped, python3 is not available");
    }
    ok
}

/// A task whose labels are a reference program's outputs on random inputs.
pub struct TestTask {
    info: TaskInfo,
    reference: Program,
    test: Dataset,
    can_generate: bool,
}

impl TestTask {
    /// `tests` test sequences of the training length; `can_generate: false` acts like a data file.
    pub fn new(reference: Program, range: (i64, i64), seq_len: usize, tests: usize, can_generate: bool) -> TestTask {
        let info = TaskInfo {
            name: "test_task".into(),
            input_dim: reference.input_dim(),
            output_dim: reference.output_dim(),
            input_ranges: vec![range; reference.input_dim()],
            output_ranges: vec![(i64::MIN, i64::MAX); reference.output_dim()],
            seq_len,
            loss: Loss::Log,
            train_steps: 1,
            rule: String::new(),
            paper_solved: None,
            gpt4_solved: None,
        };
        let mut task = TestTask {
            info,
            reference,
            test: Dataset::default(),
            can_generate,
        };
        task.test = task.make(1_000, tests, seq_len);
        task
    }

    fn make(&self, seed: u64, n: usize, len: usize) -> Dataset {
        let (lo, hi) = self.info.input_ranges.first().copied().unwrap_or((0, 1));
        let dim = self.info.input_dim;
        let sequences = (0..n as u64)
            .map(|i| {
                let inputs = values(mix(seed, i), len * dim, lo, hi);
                let outputs = self.reference.run(&inputs).expect("the reference program runs");
                Sequence { inputs, outputs }
            })
            .collect();
        Dataset {
            input_dim: dim,
            output_dim: self.info.output_dim,
            sequences,
        }
    }
}

impl Task for TestTask {
    fn info(&self) -> &TaskInfo {
        &self.info
    }
    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        self.make(seed, n, self.info.seq_len)
    }
    fn test_split(&self) -> &Dataset {
        &self.test
    }
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        self.can_generate.then(|| self.make(seed, n, len))
    }
}

/// Leaves: small and extreme constants, two states, two inputs.
fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (-4i64..5).prop_map(Expr::Const),
        prop::sample::select(vec![i64::MIN, i64::MAX, -1, 1 << 40, 7, -10, 12345]).prop_map(Expr::Const),
        (0usize..2).prop_map(Expr::state),
        (0usize..2).prop_map(Expr::input),
    ]
}

/// Random expressions over two states and two inputs, with every operator.
pub fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec![UnOp::Neg, UnOp::Not, UnOp::Abs]),
                inner.clone()
            )
                .prop_map(|(op, a)| Expr::un(op, a)),
            (prop::sample::select(BinOp::ALL.to_vec()), inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| Expr::bin(op, a, b)),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, t, e)| Expr::ite(c, t, e)),
        ]
    })
}

/// Input values: mostly small, sometimes extreme.
pub fn value() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -6i64..7, 1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1, 0, 1 << 33])]
}
