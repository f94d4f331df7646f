//! The verification harness: runs a program on a backend against the labels of a task's whole
//! test split, against fresh longer sequences from the task's generator, and optionally against
//! a network's rounded outputs, reporting each check's first counterexample.

use std::fmt::{self, Display, Formatter};

use mips_core::data::Dataset;
use mips_core::ir::{Network, Program};
use mips_core::pass::verify::rounded_outputs;
use mips_core::task::Task;
use mips_core::{MipsError, Result};
use rayon::prelude::*;

use crate::jit::JitProgram;
use crate::python::run_python;

/// The engine that runs the program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// Native code from the Cranelift JIT.
    #[default]
    Jit,
    /// The reference interpreter, `Program::run`.
    Interp,
    /// The emitted Python program, in one `python3` process.
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
    /// Flat expected outputs, `len × output_dim`.
    pub expected: Vec<i64>,
    /// The program's flat outputs, or its error.
    pub got: std::result::Result<Vec<i64>, String>,
    input_dim: usize,
    output_dim: usize,
}

impl Counterexample {
    /// The first step whose outputs differ (`None` when the program failed).
    pub fn first_difference(&self) -> Option<usize> {
        let got = self.got.as_ref().ok()?;
        let position = (0..got.len().max(self.expected.len())).find(|&i| got.get(i) != self.expected.get(i))?;
        Some(position / self.output_dim.max(1))
    }
}

/// Steps `from..to` of flat values, as `[a, b, …]` (tuples when `dim > 1`).
fn steps(values: &[i64], dim: usize, from: usize, to: usize) -> String {
    let dim = dim.max(1);
    let shown: Vec<String> = values
        .chunks(dim)
        .skip(from)
        .take(to.saturating_sub(from))
        .map(|c| match c {
            [v] => v.to_string(),
            _ => format!("({})", c.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        })
        .collect();
    let more = values.len().div_ceil(dim) > to;
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
        write!(out, ": inputs {}", steps(&self.inputs, self.input_dim, from, to))?;
        write!(out, ", expected {}", steps(&self.expected, self.output_dim, from, to))?;
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
        format!("{} ({} backend)", checks.join("; "), self.backend.name())
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

type Outputs = std::result::Result<Vec<i64>, String>;

/// Runs `program` on every sequence with `backend` (one compilation, one Python process).
fn run_all(program: &Program, backend: Backend, sequences: &[&[i64]]) -> Result<Vec<Outputs>> {
    match backend {
        Backend::Interp => Ok(sequences
            .par_iter()
            .map(|s| program.run(s).map_err(|e| e.to_string()))
            .collect()),
        Backend::Jit => {
            let jit = JitProgram::compile(program).map_err(|e| MipsError::invalid("program", e.to_string()))?;
            let results = jit
                .run_batch(sequences.iter().copied())
                .map_err(|e| MipsError::invalid("dataset", e.to_string()))?;
            Ok(results.into_iter().map(|r| r.map_err(|f| f.to_string())).collect())
        }
        Backend::Python => run_python(program, sequences),
    }
}

/// The label sequences of a dataset.
fn labels(data: &Dataset) -> Vec<&[i64]> {
    data.sequences.iter().map(|s| s.outputs.as_slice()).collect()
}

/// Compares outputs with expectations, sequence by sequence.
fn compare(name: String, program: &Program, inputs: &[&[i64]], expected: &[&[i64]], got: &[Outputs]) -> Check {
    let mut check = Check {
        name,
        sequences: inputs.len(),
        steps: inputs.iter().map(|s| s.len() / program.input_dim().max(1)).sum(),
        mismatches: 0,
        first: None,
    };
    for (index, ((inputs, expected), got)) in inputs.iter().zip(expected).zip(got).enumerate() {
        if got.as_deref().ok() == Some(*expected) {
            continue;
        }
        check.mismatches += 1;
        if check.first.is_none() {
            check.first = Some(Counterexample {
                sequence: index,
                inputs: inputs.to_vec(),
                expected: expected.to_vec(),
                got: got.clone(),
                input_dim: program.input_dim(),
                output_dim: program.output_dim(),
            });
        }
    }
    check
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
        n => {
            let fresh = task.generate(opts.seed, n, length);
            if fresh.is_none() {
                notes.push(format!(
                    "task '{}' cannot generate sequences (a data file): no check on longer sequences",
                    info.name
                ));
            }
            fresh
        }
    };

    let test_inputs: Vec<&[i64]> = test.sequences.iter().map(|s| s.inputs.as_slice()).collect();
    let fresh_inputs: Vec<&[i64]> = fresh
        .iter()
        .flat_map(|d| d.sequences.iter().map(|s| s.inputs.as_slice()))
        .collect();
    let all: Vec<&[i64]> = test_inputs.iter().chain(&fresh_inputs).copied().collect();
    let results = run_all(program, opts.backend, &all)?;
    let (test_results, fresh_results) = results.split_at(test_inputs.len());

    let mut checks = vec![compare(
        "test split (labels)".into(),
        program,
        &test_inputs,
        &labels(test),
        test_results,
    )];
    if let Some(fresh) = &fresh {
        checks.push(compare(
            format!("fresh sequences of length {length} (labels)"),
            program,
            &fresh_inputs,
            &labels(fresh),
            fresh_results,
        ));
    }
    if let Some(net) = opts.network {
        let expected: Vec<Vec<i64>> = test_inputs.par_iter().map(|s| rounded_outputs(net, s)).collect();
        let expected: Vec<&[i64]> = expected.iter().map(Vec::as_slice).collect();
        checks.push(compare(
            "test split (network's rounded outputs)".into(),
            program,
            &test_inputs,
            &expected,
            test_results,
        ));
    }
    Ok(VerifyReport {
        backend: opts.backend,
        checks,
        notes,
    })
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
        assert_eq!(
            (ones, example.expected[step], example.got.as_ref().unwrap()[step]),
            (13, 13, 12)
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
                Ok(got) => assert_ne!(got, &first.expected),
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
}
