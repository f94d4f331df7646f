//! The verification harness: runs a program on a backend against the labels of a task's whole
//! test split, against fresh longer sequences from the task's generator, and optionally against
//! a network's rounded outputs, reporting each check's first counterexample.
//!
//! Python's unbounded integers are the reference semantics on every backend: the JIT and the
//! interpreter run in 64 bits and re-run the sequences that overflow in the arbitrary-precision
//! interpreter ([`Program::run_exact`]); fresh labels that outgrow i64 come exactly from the
//! task ([`Task::exact_labels`]). Sequences are run in blocks, so memory stays bounded at any
//! length.

use std::fmt::{self, Display, Formatter};

use mips_core::ir::{Network, Program, Values};
use mips_core::pass::verify::rounded_outputs;
use mips_core::task::Task;
use mips_core::{MipsError, Result};
use rayon::prelude::*;

use crate::jit::{Fault, JitProgram};
use crate::python::run_python;

/// The engine that runs the program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// Native code from the Cranelift JIT (64 bits; overflowed sequences re-run exactly).
    #[default]
    Jit,
    /// The interpreter, `Program::run_any` (64 bits; overflowed sequences re-run exactly).
    Interp,
    /// The emitted Python program (unbounded integers), one `python3` process per block.
    Python,
}

impl Backend {
    /// Every backend.
    pub const ALL: [Backend; 3] = [Backend::Jit, Backend::Interp, Backend::Python];

    /// Lower-case name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Jit => "jit",
            Backend::Interp => "interp",
            Backend::Python => "python",
        }
    }

    /// Parses a name as given by [`Backend::name`].
    pub fn parse(name: &str) -> Result<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| MipsError::unknown("backend", name, Backend::ALL.map(Backend::name)))
    }
}

/// Seed of the fresh sequences unless [`VerifyOptions::seed`] says otherwise.
pub const DEFAULT_SEED: u64 = 0x7e57_5eed;

/// What to check and how.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// The engine that runs the program.
    pub backend: Backend,
    /// Length of the fresh sequences; default 10× the task's training length.
    pub length: Option<usize>,
    /// Number of fresh sequences (0 skips the check).
    pub n_long: usize,
    /// Seed for the fresh sequences.
    pub seed: u64,
    /// Also compare with this network's rounded outputs on the test split.
    pub network: Option<&'a Network>,
}

impl Default for VerifyOptions<'_> {
    fn default() -> Self {
        VerifyOptions {
            backend: Backend::Jit,
            length: None,
            n_long: 10_000,
            seed: DEFAULT_SEED,
            network: None,
        }
    }
}

/// The first sequence on which the program differs from what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// Index of the sequence in its check.
    pub sequence: usize,
    /// Flat inputs, `len × input_dim`.
    pub inputs: Vec<i64>,
    /// Flat expected outputs, `len × output_dim`, or why they could not be computed.
    pub expected: Outputs,
    /// The program's flat outputs, or its error.
    pub got: Outputs,
    input_dim: usize,
    output_dim: usize,
}

impl Counterexample {
    /// The first step whose outputs differ (`None` when the program failed).
    pub fn first_difference(&self) -> Option<usize> {
        let (got, expected) = (self.got.as_ref().ok()?, self.expected.as_ref().ok()?);
        let position = (0..got.len().max(expected.len())).find(|&i| got.text(i) != expected.text(i))?;
        Some(position / self.output_dim.max(1))
    }
}

/// Steps `from..to` of flat values, as `[a, b, …]` (tuples when `dim > 1`).
fn steps(values: &Values, dim: usize, from: usize, to: usize) -> String {
    let dim = dim.max(1);
    let count = values.len().div_ceil(dim);
    let shown: Vec<String> = (from..to.min(count))
        .map(|step| {
            let parts: Vec<String> = (step * dim..((step + 1) * dim).min(values.len()))
                .filter_map(|i| values.text(i))
                .collect();
            match parts.as_slice() {
                [v] => v.clone(),
                _ => format!("({})", parts.join(", ")),
            }
        })
        .collect();
    let more = count > to;
    format!(
        "[{}{}{}]",
        if from > 0 { "…, " } else { "" },
        shown.join(", "),
        if more { ", …" } else { "" }
    )
}

impl Display for Counterexample {
    /// The steps up to the first difference (at most 12 of them).
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 12;
        let len = self.inputs.len() / self.input_dim.max(1);
        let (from, to) = match self.first_difference() {
            Some(step) => (step.saturating_sub(SHOWN - 1), step + 1),
            None => (0, SHOWN.min(len)),
        };
        write!(out, "sequence {} (length {len})", self.sequence)?;
        if let Some(step) = self.first_difference() {
            write!(out, ", first difference at step {step}")?;
        }
        let inputs = Values::Small(self.inputs.clone());
        write!(out, ": inputs {}", steps(&inputs, self.input_dim, from, to))?;
        match &self.expected {
            Ok(expected) => write!(out, ", expected {}", steps(expected, self.output_dim, from, to))?,
            Err(e) => write!(out, ", expected no labels: {e}")?,
        }
        match &self.got {
            Ok(got) => write!(out, ", got {}", steps(got, self.output_dim, from, to)),
            Err(e) => write!(out, ", got error: {e}"),
        }
    }
}

/// The outcome of one comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What the program was compared with, on which sequences.
    pub name: String,
    /// Sequences compared.
    pub sequences: usize,
    /// Steps compared.
    pub steps: usize,
    /// Sequences on which the program's outputs differ (or it failed).
    pub mismatches: usize,
    /// The first of them.
    pub first: Option<Counterexample>,
    /// Sequences whose expected outputs outgrow i64 (given exactly).
    pub exact_labels: usize,
    /// Sequences the backend ran in 64 bits, overflowed, and re-ran in arbitrary precision.
    pub exact_reruns: usize,
}

/// Everything [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// The engine that ran the program.
    pub backend: Backend,
    /// One per comparison, in the order test split, fresh sequences, network.
    pub checks: Vec<Check>,
    /// Checks that were skipped and why.
    pub notes: Vec<String>,
    /// Sequences (over all checks, each counted once) re-run in arbitrary precision after a
    /// 64-bit overflow; always 0 on the Python backend, which computes exactly throughout.
    pub exact_reruns: usize,
}

impl VerifyReport {
    /// True when no check found a mismatch.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.mismatches == 0)
    }

    /// One line for a program's documentation, e.g. "test split (labels): 1000/1000 sequences
    /// (10000 steps) match; …".
    pub fn summary(&self) -> String {
        let checks: Vec<String> = self
            .checks
            .iter()
            .map(|c| {
                format!(
                    "{}: {}/{} sequences ({} steps) match",
                    c.name,
                    c.sequences - c.mismatches,
                    c.sequences,
                    c.steps
                )
            })
            .collect();
        let reruns = match self.exact_reruns {
            0 => String::new(),
            n => format!(", {n} sequences re-run in arbitrary precision"),
        };
        format!("{} ({} backend{reruns})", checks.join("; "), self.backend.name())
    }
}

impl Display for VerifyReport {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(out, "verification ({} backend): {verdict}", self.backend.name())?;
        for c in &self.checks {
            write!(out, "  {}: {} sequences, {} steps: ", c.name, c.sequences, c.steps)?;
            match c.mismatches {
                0 => writeln!(out, "all match")?,
                n => writeln!(out, "{n} mismatching sequences")?,
            }
            if c.exact_labels > 0 {
                writeln!(
                    out,
                    "    {} of {} sequences have labels beyond 64-bit integers (computed exactly)",
                    c.exact_labels, c.sequences
                )?;
            }
            if c.exact_reruns > 0 {
                writeln!(
                    out,
                    "    {} of {} sequences overflowed 64-bit integers and were re-run in arbitrary precision",
                    c.exact_reruns, c.sequences
                )?;
            }
            if let Some(first) = &c.first {
                writeln!(out, "    first: {first}")?;
            }
        }
        for note in &self.notes {
            writeln!(out, "  note: {note}")?;
        }
        Ok(())
    }
}

/// A sequence's exact outputs, or the error that stopped it.
pub type Outputs = std::result::Result<Values, String>;

/// Steps per block of sequences run and compared together (bounds memory at any length).
const BLOCK_STEPS: usize = 1 << 18;

/// One sequence's outputs, and whether they needed an arbitrary-precision re-run.
struct Run {
    got: Outputs,
    rerun: bool,
}

/// The program ready to run on its backend (compiled once).
enum Runner<'a> {
    Jit(&'a Program, Box<JitProgram>),
    Interp(&'a Program),
    Python(&'a Program),
}

impl<'a> Runner<'a> {
    fn new(program: &'a Program, backend: Backend) -> Result<Runner<'a>> {
        Ok(match backend {
            Backend::Jit => Runner::Jit(
                program,
                Box::new(JitProgram::compile(program).map_err(|e| MipsError::invalid("program", e.to_string()))?),
            ),
            Backend::Interp => Runner::Interp(program),
            Backend::Python => Runner::Python(program),
        })
    }

    /// The exact outputs of every sequence: 64-bit runs, with the overflowed sequences re-run in
    /// arbitrary precision (the Python backend is exact throughout).
    fn run(&self, sequences: &[&[i64]]) -> Result<Vec<Run>> {
        let exact = |program: &Program, inputs: &[i64]| Run {
            got: program.run_exact(inputs).map_err(|e| e.to_string()),
            rerun: true,
        };
        match self {
            Runner::Interp(program) => Ok(sequences
                .par_iter()
                .map(|s| {
                    let (got, rerun) = program.run_any(s);
                    Run {
                        got: got.map_err(|e| e.to_string()),
                        rerun,
                    }
                })
                .collect()),
            Runner::Jit(program, jit) => {
                let results = jit
                    .run_batch(sequences.iter().copied())
                    .map_err(|e| MipsError::invalid("dataset", e.to_string()))?;
                Ok(results
                    .into_par_iter()
                    .zip(sequences.par_iter())
                    .map(|(result, inputs)| match result {
                        Ok(values) => Run {
                            got: Ok(Values::Small(values)),
                            rerun: false,
                        },
                        Err(Fault::Overflow) => exact(program, inputs),
                        Err(fault) => Run {
                            got: Err(fault.to_string()),
                            rerun: false,
                        },
                    })
                    .collect())
            }
            Runner::Python(program) => Ok(run_python(program, sequences)?
                .into_iter()
                .map(|got| Run { got, rerun: false })
                .collect()),
        }
    }
}

/// Expected outputs of sequence `k` of a check.
type Expect<'e> = &'e (dyn Fn(usize) -> Outputs + Sync);

/// A check being filled block by block.
struct Pending<'e> {
    check: Check,
    expect: Expect<'e>,
}

/// Runs `inputs` block by block and compares every sequence with each check's expectation.
fn run_checks(runner: &Runner, program: &Program, inputs: &[&[i64]], checks: &mut [Pending]) -> Result<usize> {
    let dim = program.input_dim().max(1);
    let mut reruns = 0;
    let mut start = 0;
    while start < inputs.len() {
        let mut end = start;
        let mut steps = 0;
        while end < inputs.len() && (end == start || steps + inputs[end].len() / dim <= BLOCK_STEPS) {
            steps += inputs[end].len() / dim;
            end += 1;
        }
        let block = &inputs[start..end];
        let runs = runner.run(block)?;
        let block_reruns = runs.iter().filter(|r| r.rerun).count();
        reruns += block_reruns;
        for pending in checks.iter_mut() {
            let expect = pending.expect;
            // Per sequence: (mismatch, expected labels outgrow i64).
            let verdicts: Vec<(bool, bool)> = runs
                .par_iter()
                .enumerate()
                .map(|(i, run)| {
                    let want = expect(start + i);
                    let big = matches!(want, Ok(Values::Big(_)));
                    (want.is_err() || run.got != want, big)
                })
                .collect();
            let check = &mut pending.check;
            check.sequences += block.len();
            check.steps += steps;
            check.exact_reruns += block_reruns;
            check.exact_labels += verdicts.iter().filter(|v| v.1).count();
            check.mismatches += verdicts.iter().filter(|v| v.0).count();
            if check.first.is_none()
                && let Some(i) = verdicts.iter().position(|v| v.0)
            {
                check.first = Some(Counterexample {
                    sequence: start + i,
                    inputs: block[i].to_vec(),
                    expected: expect(start + i),
                    got: runs[i].got.clone(),
                    input_dim: program.input_dim(),
                    output_dim: program.output_dim(),
                });
            }
        }
        start = end;
    }
    Ok(reruns)
}

fn pending(name: String, expect: Expect<'_>) -> Pending<'_> {
    Pending {
        check: Check {
            name,
            sequences: 0,
            steps: 0,
            mismatches: 0,
            first: None,
            exact_labels: 0,
            exact_reruns: 0,
        },
        expect,
    }
}

/// Verifies `program` on `task`: against the labels of the whole test split, against
/// `opts.n_long` fresh sequences of `opts.length` steps (when the task can generate them),
/// and against `opts.network`'s rounded outputs on the test split (when given). Mismatches are
/// reported, not errors; errors are an invalid program, widths that disagree with the task,
/// or a backend that cannot run (python3 missing).
pub fn verify(program: &Program, task: &dyn Task, opts: &VerifyOptions) -> Result<VerifyReport> {
    program.validate()?;
    let info = task.info();
    let widths = |what: &str, (i, o): (usize, usize)| {
        if (i, o) == (info.input_dim, info.output_dim) {
            Ok(())
        } else {
            Err(MipsError::invalid(
                what,
                format!(
                    "{i} inputs and {o} outputs, but task '{}' has {} inputs and {} outputs",
                    info.name, info.input_dim, info.output_dim
                ),
            ))
        }
    };
    widths("program", (program.input_dim(), program.output_dim()))?;
    if let Some(net) = opts.network {
        net.validate()?;
        widths("network", (net.input_dim, net.output_dim))?;
    }

    let mut notes = Vec::new();
    let test = task.test_split();
    if test.is_empty() {
        notes.push(format!("task '{}' has an empty test split", info.name));
    }
    let length = opts.length.unwrap_or(10 * info.seq_len.max(1));
    let fresh = match opts.n_long {
        0 => None,
        n => match task.generate_fresh(opts.seed, n, length) {
            Ok(fresh) => Some(fresh),
            Err(e) => {
                notes.push(format!("{}: no check on longer sequences", error_text(&e)));
                None
            }
        },
    };

    let runner = Runner::new(program, opts.backend)?;
    let test_inputs: Vec<&[i64]> = test.sequences.iter().map(|s| s.inputs.as_slice()).collect();
    let labels = |k: usize| Ok(Values::Small(test.sequences[k].outputs.clone()));
    let test_inputs_ref = &test_inputs;
    let network = opts
        .network
        .map(|net| move |k: usize| Ok(Values::Small(rounded_outputs(net, test_inputs_ref[k]))));
    let mut test_checks = vec![pending("test split (labels)".into(), &labels)];
    if let Some(network) = &network {
        test_checks.push(pending("test split (network's rounded outputs)".into(), network));
    }
    let mut exact_reruns = run_checks(&runner, program, &test_inputs, &mut test_checks)?;
    let mut checks: Vec<Check> = test_checks.into_iter().map(|p| p.check).collect();

    if let Some(fresh) = &fresh {
        let inputs: Vec<&[i64]> = fresh.inputs.iter().map(Vec::as_slice).collect();
        let expect = |k: usize| fresh.exact(task, k);
        let mut fresh_check = [pending(format!("fresh sequences of length {length} (labels)"), &expect)];
        exact_reruns += run_checks(&runner, program, &inputs, &mut fresh_check)?;
        let [fresh_check] = fresh_check;
        checks.insert(1, fresh_check.check);
    }
    Ok(VerifyReport {
        backend: opts.backend,
        checks,
        notes,
        exact_reruns,
    })
}

/// An error's message without the "invalid task:" prefix of [`MipsError::Invalid`].
fn error_text(error: &MipsError) -> String {
    match error {
        MipsError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, TestTask, bin, c, s, x};
    use mips_core::ir::BinOp;
    use mips_core::ir::network::Shape;
    use mips_core::ir::{Activation, Network};

    fn opts(backend: Backend, n_long: usize) -> VerifyOptions<'static> {
        VerifyOptions {
            backend,
            n_long,
            ..VerifyOptions::default()
        }
    }

    /// Ones counted so far: `n = n + x`.
    fn count(cap: Option<i64>) -> mips_core::ir::Program {
        let sum = bin(BinOp::Add, s(0), x(0));
        let update = match cap {
            Some(cap) => bin(BinOp::Min, sum, c(cap)),
            None => sum,
        };
        testkit::program(vec![("n", 0, update)], &["x"], vec![s(0)])
    }

    /// The backends a test can use (Python only when python3 runs).
    fn backends(test: &str) -> Vec<Backend> {
        let mut all = vec![Backend::Jit, Backend::Interp];
        if testkit::python3_available(test) {
            all.push(Backend::Python);
        }
        all
    }

    #[test]
    fn a_correct_program_passes_every_check_on_every_backend() {
        let task = TestTask::new(testkit::adder(), (0, 1), 10, 200, true);
        for backend in backends("a_correct_program_passes_every_check_on_every_backend") {
            let report = verify(&testkit::adder(), &task, &opts(backend, 40)).unwrap();
            assert!(report.passed(), "{report}");
            assert_eq!(report.checks.len(), 2);
            assert_eq!((report.checks[0].sequences, report.checks[0].steps), (200, 2000));
            assert_eq!((report.checks[1].sequences, report.checks[1].steps), (40, 4000));
            assert!(report.notes.is_empty());
            let summary = report.summary();
            assert!(summary.contains("fresh sequences of length 100 (labels): 40/40 sequences (4000 steps) match"));
            assert!(report.to_string().contains("PASSED"), "{report}");
        }
    }

    #[test]
    fn long_sequences_catch_what_the_test_split_misses_on_every_backend() {
        // Capped at 12: exact on length-10 sequences, wrong on length-100 ones.
        let task = TestTask::new(count(None), (0, 1), 10, 100, true);
        let reports: Vec<VerifyReport> = backends("long_sequences_catch_what_the_test_split_misses")
            .into_iter()
            .map(|b| verify(&count(Some(12)), &task, &opts(b, 30)).unwrap())
            .collect();
        let first = &reports[0];
        assert!(!first.passed());
        assert_eq!(first.checks[0].mismatches, 0);
        assert!(first.checks[1].mismatches > 20, "{first}");
        let example = first.checks[1].first.as_ref().unwrap();
        let step = example.first_difference().unwrap();
        let ones = example.inputs[..=step].iter().sum::<i64>();
        let (expected, got) = (example.expected.as_ref().unwrap(), example.got.as_ref().unwrap());
        assert_eq!(
            (ones, expected.text(step), got.text(step)),
            (13, Some("13".into()), Some("12".into()))
        );
        let text = first.to_string();
        assert!(
            text.contains("FAILED") && text.contains(&format!("first difference at step {step}")),
            "{text}"
        );
        for other in &reports[1..] {
            assert_eq!(
                other.checks,
                first.checks,
                "{} vs {}",
                other.backend.name(),
                first.backend.name()
            );
        }
    }

    #[test]
    fn faults_are_mismatches_and_data_files_skip_long_sequences() {
        let task = TestTask::new(count(None), (0, 1), 6, 50, false);
        // 60 // (n - 3) divides by zero once three ones have been seen.
        let faulty = testkit::program(
            vec![("n", 0, bin(BinOp::Add, s(0), x(0)))],
            &["x"],
            vec![bin(BinOp::FloorDiv, c(60), bin(BinOp::Sub, s(0), c(3)))],
        );
        for backend in backends("faults_are_mismatches_and_data_files_skip_long_sequences") {
            let report = verify(&faulty, &task, &opts(backend, 10)).unwrap();
            assert_eq!(report.checks.len(), 1);
            assert!(report.notes[0].contains("cannot generate"), "{report}");
            assert_eq!(report.checks[0].mismatches, 50);
            let first = report.checks[0].first.as_ref().unwrap();
            match &first.got {
                Err(e) => assert!(e.to_lowercase().contains("zero"), "{e}"),
                Ok(got) => assert_ne!(Ok(got), first.expected.as_ref()),
            }
        }
    }

    #[test]
    fn network_outputs_are_compared_on_the_test_split() {
        let task = TestTask::new(count(None), (0, 1), 5, 30, true);
        let shape = Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        };
        let zero_net = Network::zeros(&shape);
        let options = VerifyOptions {
            network: Some(&zero_net),
            ..opts(Backend::Jit, 5)
        };
        let report = verify(&count(None), &task, &options).unwrap();
        assert_eq!(report.checks.len(), 3);
        let network = &report.checks[2];
        assert!(network.name.contains("network"));
        assert!(network.mismatches > 0 && network.mismatches < 30, "{report}");
        let zero = testkit::program(vec![], &["x"], vec![c(0)]);
        let report = verify(&zero, &task, &options).unwrap();
        assert_eq!(report.checks[2].mismatches, 0);
    }

    #[test]
    fn the_ripple_carry_adder_solves_binary_addition() {
        let task = mips_core::tasks::open("Binary_Addition").unwrap();
        let options = VerifyOptions {
            length: Some(64),
            ..opts(Backend::Jit, 500)
        };
        let report = verify(&testkit::adder(), task.as_ref(), &options).unwrap();
        assert!(report.passed(), "{report}");
        assert_eq!(report.checks[0].sequences, task.test_split().len());
        assert_eq!(report.checks[1].steps, 500 * 64);
        // Without the carry the program is right only until the first carry.
        let mut no_carry = testkit::adder();
        no_carry.updates[1] = c(0);
        let report = verify(&no_carry, task.as_ref(), &opts(Backend::Interp, 50)).unwrap();
        assert!(report.checks.iter().all(|c| c.mismatches > 0), "{report}");
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let task = TestTask::new(count(None), (0, 1), 5, 3, true);
        let err = verify(&testkit::adder(), &task, &VerifyOptions::default()).unwrap_err();
        assert!(err.to_string().contains("2 inputs and 1 outputs, but task"), "{err}");
        let mut invalid = count(None);
        invalid.init.clear();
        assert!(verify(&invalid, &task, &VerifyOptions::default()).is_err());
        assert_eq!(Backend::parse("python").unwrap(), Backend::Python);
        assert!(
            Backend::parse("gpu")
                .unwrap_err()
                .to_string()
                .contains("jit, interp, python")
        );
    }

    /// `s = (s + x + MAX) - MAX`: a running count whose intermediate values leave i64.
    fn detour() -> mips_core::ir::Program {
        let plus_max = bin(BinOp::Add, bin(BinOp::Add, s(0), x(0)), c(i64::MAX));
        testkit::program(
            vec![("n", 0, bin(BinOp::Sub, plus_max, c(i64::MAX)))],
            &["x"],
            vec![s(0)],
        )
    }

    #[test]
    fn the_verdict_does_not_depend_on_the_backend_beyond_i64() {
        let task = TestTask::new(count(None), (0, 1), 10, 100, true);
        let reports: Vec<VerifyReport> = backends("the_verdict_does_not_depend_on_the_backend_beyond_i64")
            .into_iter()
            .map(|b| verify(&detour(), &task, &opts(b, 30)).unwrap())
            .collect();
        for report in &reports {
            assert!(report.passed(), "{report}");
            assert_eq!(report.checks.len(), 2);
            // Every sequence with a 1 overflows i64 on the way (the test split's all-zero
            // sequences, if any, do not).
            let expected_reruns = match report.backend {
                Backend::Python => 0,
                _ => {
                    100 + 30
                        - task
                            .test_split()
                            .sequences
                            .iter()
                            .filter(|s| !s.inputs.contains(&1))
                            .count()
                }
            };
            assert_eq!(report.exact_reruns, expected_reruns, "{report}");
            if expected_reruns > 0 {
                let text = report.to_string();
                assert!(
                    text.contains("30 of 30 sequences overflowed 64-bit integers and were re-run"),
                    "{text}"
                );
                assert!(report.summary().contains("sequences re-run in arbitrary precision"));
            }
        }
        // A division by zero stays an error on every backend, also after an overflow.
        let faulty = testkit::program(
            vec![("n", 0, bin(BinOp::Add, s(0), x(0)))],
            &["x"],
            vec![bin(
                BinOp::FloorDiv,
                bin(BinOp::Sub, bin(BinOp::Add, s(0), c(i64::MAX)), c(i64::MAX)),
                bin(BinOp::Sub, s(0), c(3)),
            )],
        );
        for backend in backends("the_verdict_does_not_depend_on_the_backend_beyond_i64") {
            let report = verify(&faulty, &task, &opts(backend, 30)).unwrap();
            assert!(!report.passed());
            assert_eq!(report.checks[1].mismatches, 30, "{report}");
            let first = report.checks[1].first.as_ref().unwrap();
            assert!(
                first.got.as_ref().unwrap_err().to_lowercase().contains("zero"),
                "{report}"
            );
        }
    }

    /// The program `synth` wrote for Newton_Magnetic (results/programs/Newton_Magnetic.py):
    /// `c, total, d, e = total + d + e - 2a - b, total + e - a - b,
    /// 2 total + 3d + b - 2c - 2e - 2a, total + d - c - a`; outputs `(total - c, e - total)`.
    fn newton_magnetic() -> mips_core::ir::Program {
        let sum = |terms: Vec<(i64, Expr)>| {
            terms
                .into_iter()
                .map(|(k, e)| if k == 1 { e } else { bin(BinOp::Mul, c(k), e) })
                .reduce(|a, b| bin(BinOp::Add, a, b))
                .unwrap()
        };
        let (cc, total, d, e, a, b) = (s(0), s(1), s(2), s(3), x(0), x(1));
        testkit::program(
            vec![
                (
                    "c",
                    0,
                    sum(vec![
                        (1, total.clone()),
                        (1, d.clone()),
                        (1, e.clone()),
                        (-2, a.clone()),
                        (-1, b.clone()),
                    ]),
                ),
                (
                    "total",
                    0,
                    sum(vec![
                        (1, total.clone()),
                        (1, e.clone()),
                        (-1, a.clone()),
                        (-1, b.clone()),
                    ]),
                ),
                (
                    "d",
                    0,
                    sum(vec![
                        (2, total.clone()),
                        (3, d.clone()),
                        (1, b.clone()),
                        (-2, cc.clone()),
                        (-2, e.clone()),
                        (-2, a.clone()),
                    ]),
                ),
                ("e", 0, sum(vec![(1, total.clone()), (1, d), (-1, cc.clone()), (-1, a)])),
            ],
            &["a", "b"],
            vec![bin(BinOp::Sub, total.clone(), cc), bin(BinOp::Sub, e, total)],
        )
    }

    use mips_core::ir::Expr;

    /// Newton_Magnetic with the first 2000 rows of its test split (for the slow Python backend);
    /// fresh sequences and exact labels from the task itself.
    struct ShortTestSplit {
        task: mips_core::tasks::BuiltinTask,
        test: mips_core::data::Dataset,
    }

    impl Task for ShortTestSplit {
        fn info(&self) -> &mips_core::task::TaskInfo {
            self.task.info()
        }
        fn train_batch(&self, seed: u64, n: usize) -> mips_core::data::Dataset {
            self.task.train_batch(seed, n)
        }
        fn test_split(&self) -> &mips_core::data::Dataset {
            &self.test
        }
        fn generate(&self, seed: u64, n: usize, len: usize) -> Option<mips_core::data::Dataset> {
            self.task.generate(seed, n, len)
        }
        fn generate_fresh(&self, seed: u64, n: usize, len: usize) -> Result<mips_core::task::FreshSequences> {
            self.task.generate_fresh(seed, n, len)
        }
        fn exact_labels(&self, inputs: &[i64]) -> Option<Vec<mips_core::BigInt>> {
            self.task.exact_labels(inputs)
        }
    }

    /// `verify --length 1000` with 40 fresh sequences (the whole test split except on Python).
    fn long_report(program: &mips_core::ir::Program, backend: Backend) -> VerifyReport {
        let task = mips_core::tasks::builtin("Newton_Magnetic").unwrap();
        let options = VerifyOptions {
            length: Some(1000),
            ..opts(backend, 40)
        };
        if backend == Backend::Python {
            let test = task.test_split().head(2000);
            return verify(program, &ShortTestSplit { task, test }, &options).unwrap();
        }
        verify(program, &task, &options).unwrap()
    }

    #[test]
    fn newton_magnetic_is_verified_exactly_at_length_1000() {
        let python = testkit::python3_available("newton_magnetic_is_verified_exactly_at_length_1000");
        for backend in [Backend::Jit, Backend::Interp] {
            let report = long_report(&newton_magnetic(), backend);
            assert!(report.passed(), "{report}");
            assert!(report.notes.is_empty(), "{report}");
            let fresh = &report.checks[1];
            assert_eq!(
                (fresh.name.as_str(), fresh.sequences, fresh.steps),
                ("fresh sequences of length 1000 (labels)", 40, 40_000)
            );
            // Every 1000-step sequence outgrows i64: labels exact, runs re-run.
            assert_eq!((fresh.exact_labels, fresh.exact_reruns), (40, 40), "{report}");
            assert_eq!(report.exact_reruns, 40);
            assert!(
                report
                    .to_string()
                    .contains("40 of 40 sequences have labels beyond 64-bit integers")
            );
        }
        if python {
            let report = long_report(&newton_magnetic(), Backend::Python);
            assert!(report.passed(), "{report}");
            assert_eq!((report.checks[1].steps, report.checks[1].exact_labels), (40_000, 40));
        }
    }

    #[test]
    fn a_wrong_newton_magnetic_program_fails_at_length_1000() {
        // Clamped to ±2^62: exact while the positions are small (the test split), wrong later.
        let mut wrong = newton_magnetic();
        let clamp = |e: Expr| bin(BinOp::Max, bin(BinOp::Min, e, c(1 << 62)), c(-(1 << 62)));
        wrong.outputs = wrong.outputs.into_iter().map(clamp).collect();
        let mut backends = vec![Backend::Jit, Backend::Interp];
        if testkit::python3_available("a_wrong_newton_magnetic_program_fails_at_length_1000") {
            backends.push(Backend::Python);
        }
        for backend in backends {
            let report = long_report(&wrong, backend);
            assert!(!report.passed(), "{report}");
            assert_eq!(report.checks[0].mismatches, 0, "{report}");
            assert_eq!(report.checks[1].mismatches, 40, "{report}");
            let first = report.checks[1].first.as_ref().unwrap();
            assert!(first.first_difference().unwrap() > 60, "{report}");
            assert!(report.to_string().contains("FAILED"));
        }
    }
}
