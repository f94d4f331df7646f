//! End-to-end tests that guard the method: a built-in task goes from training to a program that
//! is solved (test split and 10× longer sequences); the program follows the network rather than
//! the labels; the same seed gives the same bytes at any thread count.

mod common;

use common::*;

use mips_core::ir::versioned;

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
        let files: Vec<Vec<u8>> = [
            "model.ron",
            "machine.ron",
            "program.ron",
            "program.py",
            "machine.dot",
            "report.html",
        ]
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
