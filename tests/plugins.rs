//! Dynamic plugins end to end: the example `regress-polynomial` plugin is loaded and run in a
//! verified pipeline, and every way a plugin can be broken is reported as a clear error (load
//! failures) or a failed pass (run failures) while the pipeline goes on.
//!
//! The plugin libraries are workspace crates (`examples/plugin-polyfit`, `tests/fixtures/*`),
//! built on first use by `common::plugins::plugin_library`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::plugins::plugin_library as library;
use mips_core::data::{Dataset, Sequence};
use mips_core::ir::StateMachine;
use mips_core::pass::{
    Artifacts, Origin, PassContext, PassKind, PassManager, Pipeline, PluginProblem, Registry, ReportRow, Status,
    load_plugin,
};
use mips_core::task::{Loss, Task, TaskInfo};
use mips_plugin_sdk::abi::ABI_VERSION;

/// A task that only serves fixed data.
struct FixedTask {
    info: TaskInfo,
    data: Dataset,
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

/// The rule: state (s, q) with s += x and q += x*x; output q - s = Σ x(x-1).
fn step(state: [i64; 2], x: i64) -> [i64; 2] {
    [state[0] + x, state[1] + x * x]
}

fn output(state: [i64; 2]) -> i64 {
    state[1] - state[0]
}

/// Every sequence of length `len` over inputs 0..=3.
fn all_sequences(len: u32) -> Vec<Vec<i64>> {
    (0..4i64.pow(len))
        .map(|n| (0..len).map(|k| n / 4i64.pow(k) % 4).collect())
        .collect()
}

/// The machine observed on every sequence of length 4, and those sequences as verify data.
fn quadratic_task() -> (StateMachine, FixedTask) {
    let mut machine = StateMachine {
        state_dim: 2,
        input_dim: 1,
        output_dim: 1,
        initial: vec![0, 0],
        method: "test".into(),
        ..StateMachine::default()
    };
    let mut data = Dataset::new(1, 1);
    for inputs in all_sequences(4) {
        let mut state = [0, 0];
        let mut outputs = Vec::new();
        for &x in &inputs {
            let next = step(state, x);
            machine.transitions.insert((state.to_vec(), vec![x]), next.to_vec());
            machine.outputs.insert(next.to_vec(), vec![output(next)]);
            outputs.push(output(next));
            state = next;
        }
        data.sequences.push(Sequence { inputs, outputs });
    }
    let info = TaskInfo {
        name: "sum-of-x-times-x-minus-one".into(),
        input_dim: 1,
        output_dim: 1,
        input_ranges: vec![(0, 3)],
        output_ranges: vec![(0, 24)],
        seq_len: 4,
        loss: Loss::Mse,
        train_steps: 0,
        rule: "y = sum of x(x-1)".into(),
        paper_solved: None,
        gpt4_solved: None,
    };
    (machine, FixedTask { info, data })
}

/// Runs `pipeline` on the quadratic machine with `registry`; returns the artifacts and rows.
fn run_pipeline(registry: &Registry, pipeline: &str) -> (Artifacts, Vec<ReportRow>) {
    let (machine, task) = quadratic_task();
    let steps = Pipeline::parse_inline(pipeline).unwrap().resolve(registry).unwrap();
    let ctx = PassContext::new(&task, &task.data, 7, true);
    let start = Artifacts {
        machine: Some(machine),
        ..Artifacts::default()
    };
    PassManager.run(&steps, start, &ctx, |_| {})
}

fn failure(status: &Status) -> &str {
    match status {
        Status::Failed(why) => why,
        other => panic!("expected a failed pass, got {other:?}"),
    }
}

#[test]
fn example_plugin_is_listed_with_its_origin_and_options() {
    let path = library("plugin_polyfit");
    let mut registry = Registry::builtin();
    assert_eq!(load_plugin(&path, &mut registry).unwrap(), ["regress-polynomial"]);
    let entry = registry.get("regress-polynomial").unwrap();
    assert_eq!(entry.origin, Origin::Plugin(path.clone()));
    assert!(entry.origin.to_string().contains(&*path.to_string_lossy()));
    assert_eq!(entry.pass.kind(), PassKind::Regression);
    assert!(entry.pass.description().contains("polynomial"));
    let options = entry.pass.options();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].name, "degree");
}

#[test]
fn mips_passes_lists_the_plugin_given_on_the_command_line() {
    let path = library("plugin_polyfit");
    let mips = path.with_file_name(format!("mips{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new(&mips)
        .arg("passes")
        .arg("--plugin")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8_lossy(&out.stdout);
    let line = listing
        .lines()
        .find(|l| l.starts_with("regress-polynomial\t"))
        .unwrap_or_else(|| panic!("regress-polynomial not listed:\n{listing}"));
    assert!(
        line.contains("regression") && line.contains(&path.display().to_string()),
        "{line}"
    );
    let named = Command::new(&mips)
        .args(["passes", "--plugin", "/no/such/plugin.so"])
        .output()
        .unwrap();
    assert_eq!(
        named.status.code(),
        Some(2),
        "a plugin named on the command line must load"
    );
    assert!(String::from_utf8_lossy(&named.stderr).contains("/no/such/plugin.so"));
    let from_path = Command::new(&mips)
        .arg("passes")
        .env("MIPS_PLUGIN_PATH", "/no/such/plugin.so")
        .output()
        .unwrap();
    assert!(
        from_path.status.success(),
        "a missing plugin from MIPS_PLUGIN_PATH is a warning, the listing goes on"
    );
    assert!(String::from_utf8_lossy(&from_path.stderr).contains("/no/such/plugin.so"));
}

#[test]
fn example_plugin_regresses_quadratic_updates_in_a_verified_pipeline() {
    let mut registry = Registry::builtin();
    load_plugin(&library("plugin_polyfit"), &mut registry).unwrap();
    let (artifacts, rows) = run_pipeline(&registry, "regress-polynomial{degree=2}");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].status.accepted(), "{}", rows[0].status);
    let program = artifacts.program.expect("an accepted regression installs a program");
    assert_eq!(program.method, "polynomial");
    // The program generalises beyond the observed (length-4) sequences.
    for inputs in all_sequences(6) {
        let mut state = [0, 0];
        let expected: Vec<i64> = inputs
            .iter()
            .map(|&x| {
                state = step(state, x);
                output(state)
            })
            .collect();
        assert_eq!(program.run(&inputs).unwrap(), expected, "inputs {inputs:?}");
    }
}

#[test]
fn too_low_a_degree_fails_the_pass_with_the_plugins_message() {
    let mut registry = Registry::default();
    load_plugin(&library("plugin_polyfit"), &mut registry).unwrap();
    let (artifacts, rows) = run_pipeline(&registry, "regress-polynomial{degree=1}");
    let why = failure(&rows[0].status);
    assert!(why.contains("no polynomial of degree <= 1"), "{why}");
    assert!(artifacts.program.is_none());
}

#[test]
fn with_plugins_reports_bad_libraries_and_keeps_the_good_ones() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-plugin.so");
    let (registry, errors) = Registry::with_plugins(&[missing.clone(), library("plugin_polyfit")]);
    let error = errors
        .iter()
        .find(|e| e.path == missing)
        .expect("an error for the missing file");
    assert_eq!(error.problem, PluginProblem::NotFound);
    assert!(registry.get("regress-polynomial").is_ok());
}

#[test]
fn loading_the_same_pass_twice_is_a_name_clash() {
    let path = library("plugin_polyfit");
    let mut registry = Registry::default();
    load_plugin(&path, &mut registry).unwrap();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert!(matches!(err.problem, PluginProblem::NameClash(_)), "{err}");
    assert!(err.to_string().contains("regress-polynomial"), "{err}");
}

#[test]
fn missing_file_is_reported() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("missing/libnothing.so");
    let mut registry = Registry::default();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert_eq!(err.problem, PluginProblem::NotFound);
    assert_eq!(err.to_string(), format!("plugin {}: file not found", path.display()));
}

#[test]
fn text_file_is_not_a_library() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("not-a-plugin.so");
    std::fs::write(&path, "just some text, not a shared library\n").unwrap();
    let mut registry = Registry::default();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert!(matches!(err.problem, PluginProblem::NotALibrary(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&*path.to_string_lossy()) && message.contains("not a loadable library"),
        "{message}"
    );
}

#[test]
fn library_without_entry_is_a_missing_symbol() {
    let path = library("fixture_plugin_no_entry");
    let mut registry = Registry::default();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert!(
        matches!(
            err.problem,
            PluginProblem::MissingSymbol {
                symbol: "mips_plugin_entry",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("mips_plugin_entry"), "{err}");
    assert_eq!(registry.iter().count(), 0);
}

#[test]
fn other_abi_version_is_refused() {
    let path = library("fixture_plugin_wrong_abi");
    let mut registry = Registry::default();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert_eq!(
        err.problem,
        PluginProblem::AbiMismatch {
            found: ABI_VERSION + 1,
            expected: ABI_VERSION
        }
    );
    assert!(
        err.to_string().contains(&format!("expects version {ABI_VERSION}")),
        "{err}"
    );
}

#[test]
fn plugin_of_the_previous_abi_is_refused_naming_both_versions() {
    // The fixture's entry function aborts the process: the host must not call it.
    let path = library("fixture_plugin_old_abi");
    let mut registry = Registry::default();
    let err = load_plugin(&path, &mut registry).unwrap_err();
    assert_eq!(
        err.problem,
        PluginProblem::AbiMismatch {
            found: ABI_VERSION - 1,
            expected: ABI_VERSION
        }
    );
    let message = err.to_string();
    for part in [
        format!("plugin ABI version {}", ABI_VERSION - 1),
        format!("expects version {ABI_VERSION}"),
        "an older mips-plugin-sdk".to_string(),
        path.display().to_string(),
    ] {
        assert!(message.contains(&part), "{part:?} missing: {message}");
    }
    assert_eq!(registry.iter().count(), 0);
}

#[test]
fn panic_inside_a_plugin_fails_the_pass_and_the_pipeline_goes_on() {
    let mut registry = Registry::default();
    load_plugin(&library("fixture_plugin_panics"), &mut registry).unwrap();
    load_plugin(&library("plugin_polyfit"), &mut registry).unwrap();
    let (artifacts, rows) = run_pipeline(&registry, "regress-panics,regress-polynomial");
    let why = failure(&rows[0].status);
    assert!(
        why.contains("regress-panics") && why.contains("fixture_plugin_panics"),
        "{why}"
    );
    assert!(
        why.contains("panicked inside the plugin: deliberate panic in the test fixture"),
        "{why}"
    );
    assert!(rows[1].status.accepted(), "{}", rows[1].status);
    assert!(artifacts.program.is_some());
}

#[test]
fn malformed_output_fails_the_pass() {
    let mut registry = Registry::default();
    load_plugin(&library("fixture_plugin_malformed"), &mut registry).unwrap();
    let (artifacts, rows) = run_pipeline(&registry, "regress-malformed");
    let why = failure(&rows[0].status);
    assert!(why.contains("malformed output (expected an encoded program)"), "{why}");
    assert!(why.contains("not a mips message"), "{why}");
    assert!(artifacts.program.is_none());
}
