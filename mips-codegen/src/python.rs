//! The Python emitter: a [`Program`] as one readable function `def f(xs):` with the
//! interpreter's semantics, and a runner that executes it with `python3` over many sequences
//! in one process.

use std::io::Write;
use std::process::{Command, Stdio};

use mips_core::ir::program_fmt::Dialect;
use mips_core::ir::{Program, Values};
use mips_core::{BigInt, MipsError, Result};

/// What the docstring of an emitted program says about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramDoc {
    /// The task the program solves.
    pub task: String,
    /// How the program was found (falls back to the program's own `method` when empty).
    pub method: String,
    /// What the program was verified on, e.g. [`crate::VerifyReport::summary`].
    pub verification: String,
}

/// The program as a Python function `f(xs)` returning the list of per-step outputs. Each
/// element of `xs` is an int (one input) or a tuple (several); each output is an int (one
/// output) or a tuple. Integers are unbounded, as in [`Program::run_exact`].
pub fn emit_python(program: &Program, doc: &ProgramDoc) -> String {
    emit(program, doc)
}

/// Python keywords and the names the emitted code itself uses.
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "type", "f", "xs", "ys",
    "int", "abs", "min", "max", "bool", "_",
];

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Python-safe, distinct names: the program's own where possible, else `s{k}` / `x{k}`.
fn python_names(program: &Program) -> (Vec<String>, Vec<String>) {
    let mut taken: Vec<String> = Vec::new();
    let mut pick = |wanted: Option<&String>, prefix: &str, k: usize| {
        let usable = |n: &str| is_identifier(n) && !RESERVED.contains(&n) && !taken.iter().any(|t| t == n);
        let mut name = match wanted {
            Some(w) if usable(w) => w.clone(),
            _ => format!("{prefix}{k}"),
        };
        while !usable(&name) {
            name.push('_');
        }
        taken.push(name.clone());
        name
    };
    let states = (0..program.init.len().max(program.updates.len()))
        .map(|k| pick(program.state_names.get(k), "s", k))
        .collect();
    let inputs = (0..program.input_names.len())
        .map(|k| pick(program.input_names.get(k), "x", k))
        .collect();
    (states, inputs)
}

/// A docstring body line: backslashes and triple quotes escaped.
fn doc_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// Emits `f`.
fn emit(program: &Program, doc: &ProgramDoc) -> String {
    let (states, inputs) = python_names(program);
    let named = Program {
        state_names: states.clone(),
        input_names: inputs.clone(),
        ..program.clone()
    };
    let tuple = |names: &[String]| match names.len() {
        0 => "_".to_string(),
        _ => names.join(", "),
    };
    let method = if doc.method.is_empty() {
        &program.method
    } else {
        &doc.method
    };
    let mut out = String::from("def f(xs):\n    \"\"\"");
    let mut lines = Vec::new();
    if !doc.task.is_empty() {
        lines.push(format!("Task: {}.", doc.task));
    }
    if !method.is_empty() {
        lines.push(format!("Method: {method}."));
    }
    if !doc.verification.is_empty() {
        lines.push(format!("Verified: {}", doc.verification));
    }
    let each = match inputs.len() {
        0 | 1 => format!("one value of {} per step", tuple(&inputs)),
        _ => format!("one tuple ({}) per step", inputs.join(", ")),
    };
    let outs = match program.outputs.len() {
        1 => "one output".to_string(),
        n => format!("a tuple of {n} outputs"),
    };
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(format!("xs: {each}; returns {outs} per step."));
    let body = lines.join("\n");
    for (i, line) in doc_text(&body).lines().enumerate() {
        if i > 0 && !line.is_empty() {
            out.push_str("    ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("    \"\"\"\n");
    if !states.is_empty() {
        let init: Vec<String> = program.init.iter().map(i64::to_string).collect();
        out.push_str(&format!("    {} = {}\n", states.join(", "), init.join(", ")));
    }
    out.push_str("    ys = []\n");
    out.push_str(&format!("    for {} in xs:\n", tuple(&inputs)));
    if !states.is_empty() {
        let updates = named.fmt_tuple(&program.updates, Dialect::Python);
        out.push_str(&format!("        {} = {updates}\n", states.join(", ")));
    }
    let outputs = named.fmt_tuple(&program.outputs, Dialect::Python);
    match program.outputs.len() {
        1 => out.push_str(&format!("        ys.append({outputs})\n")),
        0 => out.push_str("        ys.append(())\n"),
        _ => out.push_str(&format!("        ys.append(({outputs}))\n")),
    }
    out.push_str("    return ys\n");
    out
}

/// Python source defining `def f(xs):`, with its input and output widths.
struct PyFunction {
    source: String,
    input_dim: usize,
    output_dim: usize,
}

/// A script running the functions: each stdin line is a function index then a sequence's flat
/// inputs; each stdout line is that sequence's flat outputs, or `E <error>`.
fn runner(functions: &[PyFunction]) -> String {
    let mut script = String::from(
        r#"import sys

# Outputs of any size are printed in full.
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

"#,
    );
    let mut table = Vec::new();
    for (k, f) in functions.iter().enumerate() {
        script.push_str(&f.source.replacen("def f(xs):", &format!("def f_{k}(xs):"), 1));
        script.push('\n');
        table.push(format!("(f_{k}, {}, {})", f.input_dim, f.output_dim));
    }
    script.push_str(&format!("FUNCTIONS = [{}]\n", table.join(", ")));
    script.push_str(
        r#"
def _main():
    write = sys.stdout.write
    for line in sys.stdin:
        values = [int(v) for v in line.split()]
        f, d, od = FUNCTIONS[values[0]]
        flat = values[1:]
        xs = flat if d <= 1 else list(zip(*[iter(flat)] * d))
        try:
            ys = f(xs)
            if od != 1:
                ys = [v for y in ys for v in y]
            text = " ".join(map(str, ys))
        except Exception as e:
            text = "E " + type(e).__name__ + ": " + str(e).replace("\n", " ")
        write(text + "\n")

_main()
"#,
    );
    script
}

/// A temporary script file, removed on drop.
struct TempScript(std::path::PathBuf);

impl Drop for TempScript {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn io_error(path: &std::path::Path, source: std::io::Error) -> MipsError {
    MipsError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

/// Runs the emitted program with `python3` over every sequence (flat `len × input_dim` inputs)
/// in one process. Per sequence: the exact flat outputs, or the Python error. Fails when
/// `python3` cannot be run or does not answer one line per sequence.
pub(crate) fn run_python(program: &Program, sequences: &[&[i64]]) -> Result<Vec<Result<Values, String>>> {
    let f = PyFunction {
        source: emit(program, &ProgramDoc::default()),
        input_dim: program.input_dim(),
        output_dim: program.output_dim(),
    };
    let jobs: Vec<(usize, &[i64])> = sequences.iter().map(|s| (0, *s)).collect();
    run_script(&[f], &jobs)
}

/// Runs `functions` with `python3` in one process, each job being a function index and the flat
/// inputs of one sequence.
fn run_script(functions: &[PyFunction], jobs: &[(usize, &[i64])]) -> Result<Vec<Result<Values, String>>> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let script = TempScript(std::env::temp_dir().join(format!("mips-verify-{}-{n}.py", std::process::id())));
    std::fs::write(&script.0, runner(functions)).map_err(|e| io_error(&script.0, e))?;
    let python = std::path::Path::new("python3");
    let mut child = Command::new(python)
        .arg(&script.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io_error(python, e))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| MipsError::invalid("python3", "no stdin"))?;
    let mut text = String::new();
    for (k, inputs) in jobs {
        text.push_str(&k.to_string());
        for v in *inputs {
            text.push(' ');
            text.push_str(&v.to_string());
        }
        text.push('\n');
    }
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().map_err(|e| io_error(python, e))?;
    let written = writer
        .join()
        .map_err(|_| MipsError::invalid("python3", "the input writer panicked"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(MipsError::invalid(
            "python3",
            format!("{}: {}", output.status, stderr.trim()),
        ));
    }
    written.map_err(|e| io_error(python, e))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results: Vec<Result<Values, String>> = stdout.lines().map(parse_line).collect();
    if results.len() != jobs.len() {
        return Err(MipsError::invalid(
            "python3",
            format!("answered {} lines for {} sequences", results.len(), jobs.len()),
        ));
    }
    Ok(results)
}

/// One answer line: integers of any size, or `E <error>`.
fn parse_line(line: &str) -> Result<Values, String> {
    if let Some(error) = line.strip_prefix("E ") {
        return Err(error.to_string());
    }
    let small: Option<Vec<i64>> = line.split_whitespace().map(|v| v.parse().ok()).collect();
    if let Some(small) = small {
        return Ok(Values::Small(small));
    }
    let big: Result<Vec<BigInt>, String> = line
        .split_whitespace()
        .map(|v| v.parse().map_err(|_| format!("python3 answered '{v}', not an integer")))
        .collect();
    big.map(Values::from_big)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, c, s, x};
    use mips_core::ir::BinOp;
    use mips_core::ir::program::{floor_div, floor_mod};

    /// Requires the arbitrary-precision interpreter's outputs, or an error where it has one.
    fn agree(name: &str, program: &Program, sequences: &[Vec<i64>], got: Vec<Result<Values, String>>) {
        assert_eq!(sequences.len(), got.len());
        for (seq, got) in sequences.iter().zip(got) {
            match (program.run_exact(seq), got) {
                (Ok(want), Ok(got)) => assert_eq!(want, got, "{name}: inputs {seq:?}"),
                (Err(_), Err(py)) => assert!(py.starts_with("ZeroDivisionError"), "{name}: {py}"),
                (want, got) => panic!("{name}: inputs {seq:?}: interpreter {want:?}, python {got:?}"),
            }
        }
    }

    fn function(program: &Program, source: String) -> PyFunction {
        PyFunction {
            source,
            input_dim: program.input_dim(),
            output_dim: program.output_dim(),
        }
    }

    /// The emitted function of every program of the suite, in one python3 process.
    #[test]
    fn emitted_python_matches_the_exact_interpreter() {
        if !testkit::python3_available("emitted_python_matches_the_exact_interpreter") {
            return;
        }
        let suite = testkit::suite();
        let mut functions = Vec::new();
        let mut jobs = Vec::new();
        for case in &suite {
            let source = emit(&case.program, &ProgramDoc::default());
            jobs.extend(case.sequences.iter().map(|s| (functions.len(), s.as_slice())));
            functions.push(function(&case.program, source));
        }
        let mut got = run_script(&functions, &jobs).unwrap().into_iter();
        let mut beyond = 0;
        for case in &suite {
            let results: Vec<_> = got.by_ref().take(case.sequences.len()).collect();
            beyond += results.iter().filter(|r| matches!(r, Ok(Values::Big(_)))).count();
            agree(case.name, &case.program, &case.sequences, results);
        }
        assert!(beyond > 5, "the suite reaches values beyond i64: {beyond}");
    }

    #[test]
    fn floor_div_and_mod_match_python() {
        if !testkit::python3_available("floor_div_and_mod_match_python") {
            return;
        }
        let mut operands: Vec<i64> = (-9..=9).collect();
        operands.extend([i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1, 1 << 40, -(1 << 40)]);
        // One "sequence" per pair; the script answers "a // b a % b" or an error.
        let pairs: Vec<Vec<i64>> = operands
            .iter()
            .flat_map(|&a| operands.iter().map(move |&b| vec![a, b]))
            .collect();
        let f = PyFunction {
            source: "def f(xs):\n    a, b = xs\n    return [a // b, a % b]\n".into(),
            input_dim: 1,
            output_dim: 1,
        };
        let jobs: Vec<(usize, &[i64])> = pairs.iter().map(|p| (0, p.as_slice())).collect();
        let got = run_script(&[f], &jobs).unwrap();
        for (pair, got) in pairs.iter().zip(got) {
            let (a, b) = (pair[0], pair[1]);
            match (floor_div(a, b), floor_mod(a, b), got) {
                (Ok(q), Ok(r), Ok(py)) => assert_eq!(Values::Small(vec![q, r]), py, "{a} // {b}, {a} % {b}"),
                (Err(_), Ok(r), Ok(py)) if a == i64::MIN && b == -1 => {
                    assert_eq!(py, Values::from_big(vec![BigInt::from(1u64 << 63), BigInt::from(r)]))
                }
                (Err(_), _, Err(py)) => assert!(b == 0 || (a == i64::MIN && b == -1), "{a}, {b}: {py}"),
                (q, r, py) => panic!("{a}, {b}: rust {q:?} {r:?}, python {py:?}"),
            }
        }
    }

    #[test]
    fn emitted_program_is_readable() {
        let doc = ProgramDoc {
            task: "binary_addition".into(),
            method: "boolean regression".into(),
            verification: "1000 test sequences".into(),
        };
        let expected = r#"def f(xs):
    """Task: binary_addition.
    Method: boolean regression.
    Verified: 1000 test sequences

    xs: one tuple (c, d) per step; returns one output per step.
    """
    a, carry = 0, 0
    ys = []
    for c, d in xs:
        a, carry = carry ^ c ^ d, int(carry + c + d > 1)
        ys.append(a)
    return ys
"#;
        assert_eq!(emit_python(&testkit::adder(), &doc), expected);
        let two = testkit::program(
            vec![("s", 0, testkit::ite(x(0), s(0), c(1)))],
            &["x"],
            vec![s(0), testkit::bin(BinOp::And, x(0), s(0))],
        );
        let text = emit_python(&two, &ProgramDoc::default());
        assert!(text.contains("    for x in xs:\n        s = s if x else 1\n"), "{text}");
        assert!(text.contains("ys.append((s, int(x != 0) & int(s != 0)))"), "{text}");
    }

    #[test]
    fn unusable_names_are_replaced() {
        let p = testkit::program(
            vec![
                ("for", 0, testkit::bin(BinOp::Add, s(0), x(0))),
                ("x0", 0, s(1)),
                ("ys", 5, s(2)),
            ],
            &["xs", "a-b"],
            vec![testkit::bin(BinOp::Add, testkit::bin(BinOp::Add, s(0), s(1)), s(2))],
        );
        let text = emit_python(&p, &ProgramDoc::default());
        assert!(text.contains("    s0, x0, s2 = 0, 0, 5\n"), "{text}");
        assert!(text.contains("    for x0_, x1 in xs:\n"), "{text}");
        assert!(
            !emit_python(
                &p,
                &ProgramDoc {
                    task: "a \"\"\" b\\".into(),
                    ..ProgramDoc::default()
                }
            )
            .contains("a \"\"\"")
        );
        if testkit::python3_available("unusable_names_are_replaced") {
            let sequences = vec![vec![1, 2, 3, 4], vec![]];
            let jobs: Vec<(usize, &[i64])> = sequences.iter().map(|s| (0, s.as_slice())).collect();
            let got = run_script(&[function(&p, text)], &jobs).unwrap();
            agree("names", &p, &sequences, got);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

        /// The arbitrary-precision interpreter agrees with python3 on random programs whose
        /// values leave i64 (extreme constants and inputs, products of them).
        #[test]
        fn the_exact_interpreter_agrees_with_python(
            programs in proptest::collection::vec(
                (
                    proptest::collection::vec(testkit::expr(), 2),
                    proptest::collection::vec(testkit::expr(), 1..3),
                    proptest::collection::vec(-3i64..4, 2),
                ),
                8,
            ),
            sequences in proptest::collection::vec(proptest::collection::vec(testkit::value(), 0..12), 1..6),
        ) {
            if !testkit::python3_available("the_exact_interpreter_agrees_with_python") {
                return Ok(());
            }
            let programs: Vec<Program> = programs
                .into_iter()
                .map(|(updates, outputs, init)| {
                    testkit::program(
                        vec![("p", init[0], updates[0].clone()), ("q", init[1], updates[1].clone())],
                        &["a", "b"],
                        outputs,
                    )
                })
                .collect();
            let sequences: Vec<Vec<i64>> =
                sequences.into_iter().map(|mut s| { s.truncate(s.len() / 2 * 2); s }).collect();
            let functions: Vec<PyFunction> =
                programs.iter().map(|p| function(p, emit(p, &ProgramDoc::default()))).collect();
            let jobs: Vec<(usize, &[i64])> = (0..programs.len())
                .flat_map(|k| sequences.iter().map(move |s| (k, s.as_slice())))
                .collect();
            let mut got = run_script(&functions, &jobs).unwrap().into_iter();
            for program in &programs {
                let results = got.by_ref().take(sequences.len()).collect();
                agree("random", program, &sequences, results);
            }
        }
    }
}
