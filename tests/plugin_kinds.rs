//! The extraction and program kinds of dynamic plugins, end to end: the fixture plugins
//! `extract-integer-hidden` (network → state machine) and `name-states-by-hidden` (program →
//! program) both ask for the verification data, and run in verified pipelines, in process and
//! through `mips synth --plugin`.

mod common;

use std::process::Command;

use common::plugins::plugin_library;
use mips_core::data::Dataset;
use mips_core::ir::network::{Activation, Shape};
use mips_core::ir::{Network, Program, versioned};
use mips_core::pass::{Artifacts, PassContext, PassKind, PassManager, Pipeline, Registry, ReportRow, Status};
use mips_core::tasks;
// Linking the plugin crate keeps its `inventory` registrations (for `Registry::builtin`).
use mips_plugins as _;

/// Prev1 (`y_t = x_{t-1}`) as a linear network on integer hidden states: `h = (x, h0)`, `y = h1`.
fn prev1_network() -> Network {
    let mut net = Network::zeros(&Shape {
        input_dim: 1,
        hidden_dim: 2,
        output_dim: 1,
        f_widths: vec![],
        g_widths: vec![],
        activation: Activation::Relu,
    });
    // f reads [h0, h1, x].
    net.f.layers[0].weight = vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    net.g.layers[0].weight = vec![0.0, 1.0];
    net
}

fn registry_with_fixtures() -> Registry {
    let mut registry = Registry::builtin();
    for name in ["fixture_plugin_extract", "fixture_plugin_program"] {
        mips_core::pass::load_plugin(&plugin_library(name), &mut registry).unwrap();
    }
    registry
}

fn run(registry: &Registry, pipeline: &str, start: Artifacts, verify: &Dataset) -> (Artifacts, Vec<ReportRow>) {
    let task = tasks::open("Prev1").unwrap();
    let steps = Pipeline::parse_inline(pipeline).unwrap().resolve(registry).unwrap();
    let ctx = PassContext::new(task.as_ref(), verify, 0, true);
    PassManager.run(&steps, start, &ctx, |_| {})
}

fn verify_set() -> Dataset {
    tasks::open("Prev1").unwrap().test_split().head(300)
}

#[test]
fn new_kinds_are_listed_with_their_kinds() {
    let registry = registry_with_fixtures();
    let kind = |name| registry.get(name).unwrap().pass.kind();
    assert_eq!(kind("extract-integer-hidden"), PassKind::Extraction);
    assert_eq!(kind("name-states-by-hidden"), PassKind::Program);
}

#[test]
fn extraction_and_program_plugins_run_in_a_verified_pipeline() {
    let registry = registry_with_fixtures();
    let start = Artifacts::from_network(prev1_network());
    let pipeline = "extract-integer-hidden,regress-linear,name-states-by-hidden";
    let (artifacts, rows) = run(&registry, pipeline, start, &verify_set());
    for row in &rows {
        assert!(row.status.accepted(), "{}: {}", row.pass, row.status);
    }
    let machine = artifacts.machine.expect("the plugin's machine was installed");
    assert_eq!(machine.method, "integer-hidden");
    assert_eq!(machine.initial, [0, 0]);
    let program = artifacts.program.expect("a program");
    // Each state variable is tied to the hidden unit holding its value: one holds the current
    // input (unit 0), the other the previous one (unit 1).
    let mut units: Vec<&str> = program
        .state_names
        .iter()
        .map(|n| n.rsplit_once('_').map_or("", |(_, unit)| unit))
        .collect();
    units.sort();
    assert_eq!(units, ["h0", "h1"], "{:?}", program.state_names);
    assert_eq!(program.run(&[5, 7, 9]).unwrap(), [0, 5, 7]);
}

#[test]
fn hidden_states_off_the_integers_fail_the_extraction_with_the_plugins_message() {
    // The same function with the hidden state scaled by 1.5: an odd input puts a hidden value
    // half-way between two integers, farther than tol = 0.3.
    let mut net = prev1_network();
    net.f.layers[0].weight = vec![0.0, 0.0, 1.5, 1.0, 0.0, 0.0];
    net.g.layers[0].weight = vec![0.0, 1.0 / 1.5];
    let (artifacts, rows) = run(
        &registry_with_fixtures(),
        "extract-integer-hidden{tol=0.3}",
        Artifacts::from_network(net),
        &verify_set(),
    );
    match &rows[0].status {
        Status::Failed(why) => assert!(why.contains("is not within 0.3 of an integer"), "{why}"),
        other => panic!("expected a failed pass, got {other:?}"),
    }
    assert!(artifacts.machine.is_none());
}

#[test]
fn a_pass_that_needs_data_fails_clearly_without_a_network() {
    let program = Program {
        state_names: vec!["s".into()],
        init: vec![0],
        input_names: vec!["x".into()],
        updates: vec![mips_core::ir::Expr::input(0)],
        outputs: vec![mips_core::ir::Expr::state(0)],
        method: "test".into(),
        symbolic: true,
    };
    let start = Artifacts {
        program: Some(program),
        ..Artifacts::default()
    };
    let (_, rows) = run(&registry_with_fixtures(), "name-states-by-hidden", start, &verify_set());
    match &rows[0].status {
        Status::Failed(why) => assert!(why.contains("the pipeline has no network"), "{why}"),
        other => panic!("expected a failed pass, got {other:?}"),
    }
}

#[test]
fn synth_runs_both_plugins_from_the_command_line() {
    let extract = plugin_library("fixture_plugin_extract");
    let program = plugin_library("fixture_plugin_program");
    let mips = extract.with_file_name(format!("mips{}", std::env::consts::EXE_SUFFIX));
    let dir = std::env::temp_dir().join(format!("mips-plugin-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("prev1.ron");
    versioned::save(&prev1_network(), &model).unwrap();
    let out = Command::new(&mips)
        .args(["synth", "Prev1", "--quiet", "--verify-size", "300"])
        .arg("--model")
        .arg(&model)
        .arg("--plugin")
        .arg(&extract)
        .arg("--plugin")
        .arg(&program)
        .args([
            "--passes",
            "extract-integer-hidden,regress-linear,name-states-by-hidden",
        ])
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let python = std::fs::read_to_string(dir.join("out/program.py")).unwrap();
    assert!(python.contains("_h0") && python.contains("_h1"), "{python}");
    std::fs::remove_dir_all(dir).unwrap();
}
