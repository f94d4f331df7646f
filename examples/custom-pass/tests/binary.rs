//! The example's own `mips` binary (`mips-custom`) lists its compiled-in pass beside the
//! built-in ones and runs it in a verified pipeline; the pass merges equal state variables
//! under the pass manager's verification.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use custom_pass::MergeEqualState;
use mips_core::ir::network::{Activation, Shape};
use mips_core::ir::{BinOp, Expr, Network, Program, versioned};
use mips_core::pass::{Artifacts, PassContext, PassManager, Pipeline};

fn mips_custom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mips-custom"))
        .args(args)
        .output()
        .expect("the mips-custom binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-custom-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `h = x`, `y = 1 - h`: a one-unit network for Bitwise_Not.
fn not_network() -> Network {
    let mut net = Network::zeros(&Shape {
        input_dim: 1,
        hidden_dim: 1,
        output_dim: 1,
        f_widths: vec![],
        g_widths: vec![],
        activation: Activation::Relu,
    });
    net.f.layers[0].weight = vec![0.0, 1.0];
    net.g.layers[0].weight = vec![-1.0];
    net.g.layers[0].bias = vec![1.0];
    net
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn passes_lists_the_custom_pass_beside_the_built_in_ones() {
    let out = mips_custom(&["passes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let line = listing
        .lines()
        .find(|l| l.starts_with("merge-equal-state\t"))
        .unwrap_or_else(|| panic!("merge-equal-state not listed:\n{listing}"));
    assert!(line.contains("\tprogram\tbuilt-in\t"), "{line}");
    for builtin in ["extract\t", "regress\t", "remove-dead-state\t"] {
        assert!(
            listing.lines().any(|l| l.starts_with(builtin)),
            "{builtin} missing:\n{listing}"
        );
    }
}

#[test]
fn synth_runs_the_custom_pass_in_a_verified_pipeline() {
    let dir = scratch("synth");
    let model = dir.join("not.ron");
    versioned::save(&not_network(), &model).unwrap();
    let out_dir = dir.join("out");
    let out = mips_custom(&[
        "synth",
        "Bitwise_Not",
        "--model",
        arg(&model),
        "--passes",
        "extract,regress,merge-equal-state",
        "--out",
        arg(&out_dir),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    let row = report
        .lines()
        .find(|l| l.starts_with("merge-equal-state "))
        .unwrap_or_else(|| panic!("no merge-equal-state row:\n{report}"));
    assert!(row.contains(" program ") && row.ends_with("accepted"), "{row}");
    assert!(out_dir.join("program.py").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_pass_merges_equal_state_under_verification() {
    // a = x, b = x, y = 1 - a*b: a and b are always equal.
    let program = Program {
        state_names: vec!["a".into(), "b".into()],
        init: vec![0, 0],
        input_names: vec!["x".into()],
        updates: vec![Expr::input(0), Expr::input(0)],
        outputs: vec![Expr::bin(
            BinOp::Sub,
            Expr::Const(1),
            Expr::bin(BinOp::Mul, Expr::state(0), Expr::state(1)),
        )],
        method: "test".into(),
        symbolic: true,
    };
    let registry = mips::registry_with(vec![Arc::new(MergeEqualState)]).unwrap();
    let steps = Pipeline::parse_inline("merge-equal-state")
        .unwrap()
        .resolve(&registry)
        .unwrap();
    let task = mips_core::tasks::open("Bitwise_Not").unwrap();
    let ctx = PassContext::new(task.as_ref(), task.test_split(), 0, true);
    let start = Artifacts {
        program: Some(program),
        ..Artifacts::default()
    };
    let (artifacts, rows) = PassManager.run(&steps, start, &ctx, |_| {});
    assert!(rows[0].status.accepted(), "{}", rows[0].status);
    assert_eq!(rows[0].note("merged"), Some("1"));
    assert_eq!(artifacts.program.unwrap().state_names, ["a"]);
}

#[test]
fn a_name_clash_with_a_built_in_pass_is_an_error() {
    struct Impostor;
    impl mips::Pass for Impostor {
        fn name(&self) -> &str {
            "regress"
        }
        fn description(&self) -> &str {
            "clashes"
        }
        fn kind(&self) -> mips_core::pass::PassKind {
            mips_core::pass::PassKind::Regression
        }
        fn run(
            &self,
            _: &Artifacts,
            _: &mips_core::pass::Options,
            _: &PassContext,
        ) -> mips_core::Result<mips_core::pass::Artifact> {
            Err(mips_core::MipsError::pass("regress", "never runs"))
        }
    }
    let err = mips::registry_with(vec![Arc::new(Impostor)]).err().expect("a clash");
    assert!(err.to_string().contains("'regress'"), "{err}");
}
