//! End-to-end tests of `mips bench --as-files N`: each task is written to a data file, trained
//! from that file alone and checked on its test split and the generator's longer sequences.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bench(args: &[&str], out: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mips"))
        .arg("bench")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-as-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fast_tasks_run_from_their_data_files_and_are_solved() {
    let dir = scratch("solve");
    let args = ["--as-files", "2000", "--tasks", "Bitwise_Not,Sum_All", "--quiet"];
    let out = bench(&args, &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = std::fs::read_to_string(dir.join("files/data/Sum_All.csv")).unwrap();
    assert_eq!(data.lines().next(), Some("inputs,outputs"), "the CSV data-file format");
    assert_eq!(data.lines().count(), 2001, "a header and 2000 sequences");
    for task in ["Bitwise_Not", "Sum_All"] {
        assert!(
            dir.join(format!("files/records/{task}.ron")).is_file(),
            "{task}'s record"
        );
        assert!(
            dir.join(format!("files/programs/{task}.py")).is_file(),
            "{task}'s program"
        );
    }
    assert!(
        !dir.join("records").exists(),
        "the generator regime's records are left alone"
    );
    let md = std::fs::read_to_string(dir.join("files.md")).unwrap();
    assert!(md.contains("Solved (program exact on the file's test split"), "{md}");
    assert!(md.contains("**2 of 2**"), "{md}");
    assert!(
        md.contains("`cargo run --release -- bench --as-files 2000 --out"),
        "{md}"
    );
    let row = md.lines().find(|l| l.starts_with("| Sum_All |")).unwrap();
    assert!(
        row.contains("| yes | yes | yes |"),
        "test split, 10x length, solved: {row}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_count_is_a_usage_error_naming_what_was_expected() {
    let dir = scratch("bad");
    for (n, expected) in [("1", "at least 2 sequences"), ("lots", "found 'lots'")] {
        let out = bench(&["--as-files", n, "--tasks", "Bitwise_Not"], &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("--as-files") && stderr.contains(expected), "{stderr}");
    }
    let out = bench(&["--as-files", "100", "--models", "models"], &dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "trained from scratch: no pre-trained models"
    );
    assert!(!dir.join("files").exists(), "nothing was run");
    std::fs::remove_dir_all(dir).unwrap();
}
