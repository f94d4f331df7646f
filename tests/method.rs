//! End-to-end tests that guard the method: a built-in task goes from training to a program that
//! is solved (test split and 10× longer sequences); the program follows the network rather than
//! the labels; the same seed gives the same bytes at any thread count.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mips_core::ir::network::{Activation, Shape};
use mips_core::ir::{Network, versioned};

fn mips(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mips"))
        .args(args)
        .output()
        .expect("the mips binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-method-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A one-unit network computing `not x` on bits: `h = x`, `y = 1 - h`.
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

/// `synth` trains Bitwise_Not from scratch to a program verified on the whole test split and on
/// 10× longer fresh sequences (exit 0); `--threads 1` and `--threads 2` write the same bytes.
#[test]
fn a_task_is_solved_from_scratch_with_the_same_bytes_at_any_thread_count() {
    let dir = scratch("solved");
    let mut written = Vec::new();
    for threads in ["1", "2"] {
        let out_dir = dir.join(threads);
        let out = mips(&[
            "synth",
            "Bitwise_Not",
            "--threads",
            threads,
            "--out",
            path(&out_dir),
            "--quiet",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
        assert!(report.contains("PASSED"), "{report}");
        assert!(report.contains("fresh sequences of length 100"), "{report}");
        let verified = mips(&["verify", path(&out_dir.join("program.ron")), "Bitwise_Not", "--quiet"]);
        assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
        let files: Vec<Vec<u8>> = ["model.ron", "machine.ron", "program.ron", "program.py"]
            .iter()
            .map(|f| std::fs::read(out_dir.join(f)).unwrap())
            .collect();
        written.push(files);
    }
    assert!(
        written[0] == written[1],
        "--threads 1 and --threads 2 wrote different files"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The method's promise: the program is read off the network, not fitted to the labels. A
/// network computing `not x`, given the labels of another rule (parity), yields `not x`,
/// which fails verification against those labels (exit 1) and passes against its own rule.
#[test]
fn the_program_follows_the_network_not_the_labels() {
    let dir = scratch("follows");
    let model = dir.join("not.ron");
    std::fs::write(&model, versioned::to_ron(&not_network()).unwrap()).unwrap();
    let out_dir = dir.join("out");
    let out = mips(&[
        "synth",
        "Parity_All",
        "--model",
        path(&model),
        "--out",
        path(&out_dir),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(report.contains("FAILED"), "{report}");
    let program = out_dir.join("program.ron");
    let against_parity = mips(&["verify", path(&program), "Parity_All", "--quiet"]);
    assert_eq!(against_parity.status.code(), Some(1), "{}", stderr(&against_parity));
    let against_not = mips(&["verify", path(&program), "Bitwise_Not", "--quiet"]);
    assert_eq!(against_not.status.code(), Some(0), "{}", stderr(&against_not));
    std::fs::remove_dir_all(dir).unwrap();
}
