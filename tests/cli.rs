//! End-to-end tests of the `mips` command line.

use std::path::PathBuf;

// Linking the plugin crate keeps its `inventory` registrations (for `Registry::builtin`).
use mips_plugins as _;
use std::process::{Command, Output};

fn mips(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mips"))
        .args(args)
        .output()
        .expect("the mips binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Task names as the catalog (copied into the repo) lists them.
fn catalog_names() -> Vec<String> {
    let catalog = include_str!("../mips-core/src/tasks/catalog.ron");
    catalog
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name: \""))
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn tasks_prints_exactly_the_catalog_names() {
    let out = mips(&["tasks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 62);
    assert_eq!(names, catalog_names());
}

#[test]
fn unknown_pass_is_named_and_exits_nonzero() {
    let out = mips(&["synth", "Parity_All", "--passes", "nosuchpass", "--quiet"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("nosuchpass"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_task_is_a_clear_error() {
    let out = mips(&["data", "No_Such_Task"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("No_Such_Task"), "{}", stderr(&out));
}

#[test]
fn data_prints_a_readable_data_file_that_reads_back() {
    let out = mips(&["data", "Binary_Addition", "--n", "4", "--seed", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 5, "header and 4 rows: {text}");
    let dir = scratch("roundtrip");
    let file = dir.join("sample.csv");
    std::fs::write(&file, &text).unwrap();
    let again = mips(&["data", file.to_str().unwrap(), "--test", "--n", "10"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(text.contains(stdout(&again).lines().nth(1).unwrap()));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn data_is_deterministic_for_a_seed() {
    let a = stdout(&mips(&["data", "Sum_All", "--n", "3", "--seed", "7", "--len", "30"]));
    let b = stdout(&mips(&["data", "Sum_All", "--n", "3", "--seed", "7", "--len", "30"]));
    let c = stdout(&mips(&["data", "Sum_All", "--n", "3", "--seed", "8", "--len", "30"]));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        a.lines().nth(1).unwrap().split(',').next().unwrap().split(' ').count(),
        30
    );
}

#[test]
fn malformed_data_file_is_rejected_with_its_line() {
    let dir = scratch("malformed");
    let file = dir.join("bad.csv");
    std::fs::write(&file, "inputs,outputs\n1 2 3,1 3 6\n1 2 x,1 3 6\n").unwrap();
    let out = mips(&["data", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bad.csv:3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn pipeline_file_errors_name_the_file() {
    let dir = scratch("pipeline");
    let file = dir.join("p.ron");
    std::fs::write(&file, "(passes: [nonsense").unwrap();
    let out = mips(&["synth", "Parity_All", "--pipeline", file.to_str().unwrap(), "--quiet"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("p.ron"), "{}", stderr(&out));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn passes_lists_every_registered_pass_with_its_kind_and_options() {
    let out = mips(&["passes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let listed: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| {
            let mut fields = l.split('\t');
            (fields.next().unwrap(), fields.next().unwrap_or_default())
        })
        .collect();
    let registry = mips_core::pass::Registry::builtin();
    let expected: Vec<(String, &str)> = registry
        .iter()
        .map(|e| (e.pass.name().to_string(), e.pass.kind().name()))
        .collect();
    assert!(expected.len() >= 20, "{} built-in passes", expected.len());
    let listed: Vec<(String, &str)> = listed.into_iter().map(|(n, k)| (n.to_string(), k)).collect();
    assert_eq!(listed, expected);
    assert!(
        text.contains("\n    check=test (Text)"),
        "snap's options are listed: {text}"
    );
}

/// Parity through `h' = |h - x|` (`relu(h - x) + relu(x - h)`), read out as `y = h`.
fn parity_network() -> mips_core::ir::Network {
    use mips_core::ir::network::{Activation, Shape};
    let mut net = mips_core::ir::Network::zeros(&Shape {
        input_dim: 1,
        hidden_dim: 1,
        output_dim: 1,
        f_widths: vec![2],
        g_widths: vec![],
        activation: Activation::Relu,
    });
    net.f.layers[0].weight = vec![1.0, -1.0, -1.0, 1.0];
    net.f.layers[1].weight = vec![1.0, 1.0];
    net.g.layers[0].weight = vec![1.0];
    net
}

#[test]
fn verify_size_zero_checks_the_whole_test_split_in_synth() {
    let dir = scratch("verify-size-zero");
    let model = dir.join("parity.ron");
    mips_core::ir::versioned::save(&parity_network(), &model).unwrap();
    let whole = mips_core::tasks::builtin("Parity_All").unwrap();
    let whole = mips_core::task::Task::test_split(&whole).len();
    for (size, checked) in [("0", whole), ("10", 10)] {
        let out_dir = dir.join(size);
        let out = mips(&[
            "synth",
            "Parity_All",
            "--model",
            model.to_str().unwrap(),
            "--passes",
            "extract,regress",
            "--verify-size",
            size,
            "--out",
            out_dir.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
        let line = format!("The verifier checked every pass on {checked} test sequences.");
        assert!(report.contains(&line), "--verify-size {size}: {report}");
    }
}
