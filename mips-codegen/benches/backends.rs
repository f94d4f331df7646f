//! Times the JIT, the interpreter, CPython running the emitted program, and the same program
//! written by hand in Rust, on 10,000 sequences × 100 steps (1e6 sequence-steps) each, and
//! prints ns/step and the ratios. Run with `cargo bench -p mips-codegen --bench backends`.

use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mips_codegen::{JitProgram, ProgramDoc, emit_python};
use mips_core::ir::{BinOp, Expr, Program};
use mips_core::rng::mix;

const SEQUENCES: usize = 10_000;
const STEPS: usize = 100;
const REPEATS: usize = 5;
const LAYOUTS: usize = 5;

/// A benchmarked program, its inputs and its hand-written Rust twin.
struct Bench {
    name: &'static str,
    program: Program,
    inputs: Vec<Vec<i64>>,
    by_hand: fn(&[i64]) -> Vec<i64>,
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::bin(op, a, b)
}

/// `a, carry = carry ^ c ^ d, (carry + c + d > 1)`, output `a`.
fn adder() -> Program {
    let (carry, c, d) = (Expr::state(1), Expr::input(0), Expr::input(1));
    let sum = bin(BinOp::Add, bin(BinOp::Add, carry.clone(), c.clone()), d.clone());
    Program {
        state_names: vec!["a".into(), "carry".into()],
        init: vec![0, 0],
        input_names: vec!["c".into(), "d".into()],
        updates: vec![
            bin(BinOp::Xor, bin(BinOp::Xor, carry, c), d),
            bin(BinOp::Gt, sum, Expr::Const(1)),
        ],
        outputs: vec![Expr::state(0)],
        method: "bench".into(),
        symbolic: true,
    }
}

fn adder_by_hand(inputs: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(inputs.len() / 2);
    let mut carry = 0i64;
    for x in inputs.chunks_exact(2) {
        let a = carry ^ x[0] ^ x[1];
        carry = (carry + x[0] + x[1] > 1) as i64;
        out.push(a);
    }
    out
}

/// `s = (s + x) % 7`, output `s`.
fn sum_mod() -> Program {
    let update = bin(
        BinOp::Mod,
        bin(BinOp::Add, Expr::state(0), Expr::input(0)),
        Expr::Const(7),
    );
    Program {
        state_names: vec!["s".into()],
        init: vec![0],
        input_names: vec!["x".into()],
        updates: vec![update],
        outputs: vec![Expr::state(0)],
        method: "bench".into(),
        symbolic: true,
    }
}

fn sum_mod_by_hand(inputs: &[i64]) -> Vec<i64> {
    let mut s = 0i64;
    inputs
        .iter()
        .map(|x| {
            s = (s + x).rem_euclid(7);
            s
        })
        .collect()
}

fn random_inputs(seed: u64, dim: usize, hi: u64) -> Vec<Vec<i64>> {
    (0..SEQUENCES as u64)
        .map(|i| {
            (0..(STEPS * dim) as u64)
                .map(|k| (mix(mix(seed, i), k) % (hi + 1)) as i64)
                .collect()
        })
        .collect()
}

/// Times one run of `run`, keeping the fastest in `fastest`.
fn time<T>(fastest: &mut Duration, run: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = black_box(run());
    *fastest = (*fastest).min(start.elapsed());
    out
}

/// Runs the emitted program in CPython over the inputs; returns the time spent in `f` (the
/// fastest of `REPEATS` passes, measured inside Python) and the outputs.
fn cpython(program: &Program, inputs: &[Vec<i64>]) -> Option<(Duration, Vec<Vec<i64>>)> {
    let f = emit_python(program, &ProgramDoc::default());
    let d = program.input_dim();
    let script = format!(
        r#"import sys, time
{f}
seqs = []
for line in sys.stdin:
    flat = [int(v) for v in line.split()]
    seqs.append(flat if {d} == 1 else list(zip(*[iter(flat)] * {d})))
best = None
for _ in range({REPEATS}):
    start = time.perf_counter_ns()
    outs = [f(xs) for xs in seqs]
    took = time.perf_counter_ns() - start
    best = took if best is None else min(best, took)
print(best)
for ys in outs:
    print(" ".join(map(str, ys)))
"#
    );
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let text: String = inputs
        .iter()
        .map(|s| s.iter().map(i64::to_string).collect::<Vec<_>>().join(" ") + "\n")
        .collect();
    let mut stdin = child.stdin.take()?;
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    let stdout = String::from_utf8(output.stdout).ok()?;
    let mut lines = stdout.lines();
    let ns: u64 = lines.next()?.trim().parse().ok()?;
    let outs = lines
        .map(|l| {
            l.split_whitespace()
                .map(|v| v.parse().expect("python prints integers"))
                .collect()
        })
        .collect();
    Some((Duration::from_nanos(ns), outs))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn per_step(d: Duration) -> f64 {
    d.as_nanos() as f64 / (SEQUENCES * STEPS) as f64
}

fn main() {
    let benches = [
        Bench {
            name: "ripple-carry adder (2 states, 2 inputs)",
            program: adder(),
            inputs: random_inputs(1, 2, 1),
            by_hand: adder_by_hand,
        },
        Bench {
            name: "running sum mod 7 (1 state, 1 input)",
            program: sum_mod(),
            inputs: random_inputs(2, 1, 9),
            by_hand: sum_mod_by_hand,
        },
    ];
    println!(
        "{SEQUENCES} sequences × {STEPS} steps; median over {LAYOUTS} heap layouts of the best of \
         {REPEATS} runs (CPython: best of {REPEATS}); {} threads available",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for bench in &benches {
        let jit = JitProgram::compile(&bench.program).expect("the program compiles");
        // The same inputs at LAYOUTS different heap offsets: on some CPUs the relative
        // placement of input and output buffers alone changes a loop's speed by 2× (for the
        // JIT and the hand-written loop alike), so each backend's figure is its median over the
        // layouts of its best of REPEATS runs.
        let mut padding = Vec::new();
        let layouts: Vec<Vec<Vec<i64>>> = (0..LAYOUTS)
            .map(|k| {
                padding.push(vec![0u8; 40 * k + 8]);
                bench.inputs.clone()
            })
            .collect();
        let (mut hand, mut jit_time, mut interp) = (Vec::new(), Vec::new(), Vec::new());
        let mut expected = Vec::new();
        for inputs in &layouts {
            let slices: Vec<&[i64]> = inputs.iter().map(Vec::as_slice).collect();
            let (mut h, mut j, mut i) = (Duration::MAX, Duration::MAX, Duration::MAX);
            // Interleaved, so that load from other processes hits every backend alike.
            for _ in 0..REPEATS {
                expected = time(&mut h, || slices.iter().map(|s| (bench.by_hand)(s)).collect::<Vec<_>>());
                let out = time(&mut j, || jit.run_batch(slices.iter().copied()).expect("valid lengths"));
                let out: Vec<Vec<i64>> = out.into_iter().map(|r| r.expect("no fault")).collect();
                assert_eq!(out, expected, "JIT outputs");
                let out = time(&mut i, || {
                    slices
                        .iter()
                        .map(|s| bench.program.run(s).expect("no error"))
                        .collect::<Vec<_>>()
                });
                assert_eq!(out, expected, "interpreter outputs");
            }
            hand.push(h);
            jit_time.push(j);
            interp.push(i);
        }
        let (hand, jit_time, interp) = (median(hand), median(jit_time), median(interp));

        println!("\n{}", bench.name);
        println!("  hand-written Rust {:>9.2} ns/step", per_step(hand));
        println!("  JIT               {:>9.2} ns/step", per_step(jit_time));
        println!("  interpreter       {:>9.2} ns/step", per_step(interp));
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        match cpython(&bench.program, &bench.inputs) {
            Some((py, py_out)) => {
                assert_eq!(py_out, expected, "CPython outputs");
                println!("  CPython           {:>9.2} ns/step", per_step(py));
                println!("  CPython / JIT     {:>9.1}×", ratio(py, jit_time));
            }
            None => println!("  CPython           skipped (python3 not available)"),
        }
        println!("  interpreter / JIT {:>9.1}×", ratio(interp, jit_time));
        println!("  JIT / hand-written{:>9.2}×", ratio(jit_time, hand));
    }
}
