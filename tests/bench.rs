//! End-to-end tests of `mips bench`: a killed run resumes without redoing finished tasks, and
//! shards merge into one table.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn mips() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mips"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file in the records folder (finished records and any temporary files).
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("records"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The finished records.
fn records(dir: &Path) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| !f.starts_with('.') && f.ends_with(".ron"))
        .collect()
}

/// Rows of benchmark.md's per-task table (lines starting with `| ` and a task name).
fn table_rows(dir: &Path) -> Vec<String> {
    let md = std::fs::read_to_string(dir.join("benchmark.md")).unwrap();
    md.lines()
        .filter(|l| l.starts_with("| ") && l.matches('|').count() > 10 && !l.starts_with("| task"))
        .map(String::from)
        .collect()
}

const TASKS: &str = "Bitwise_Not,Bitwise_Xor,Parity_Last2";

#[test]
fn a_killed_run_resumes_without_redoing_finished_tasks() {
    let dir = scratch("resume");
    let mut child = mips()
        .args([
            "bench",
            "--tasks",
            TASKS,
            "--resume",
            "--quiet",
            "--long-sequences",
            "200",
            "--out",
        ])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while records(&dir).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(600), "no task finished in time");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("bench ended before it was killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = records(&dir);
    assert!(
        !first.is_empty() && first.len() < 3,
        "killed after the first task: {first:?}"
    );
    let kept: Vec<String> = first
        .iter()
        .map(|f| std::fs::read_to_string(dir.join("records").join(f)).unwrap())
        .collect();

    let out = mips()
        .args([
            "bench",
            "--tasks",
            TASKS,
            "--resume",
            "--quiet",
            "--long-sequences",
            "200",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(records(&dir).len(), 3);
    assert_eq!(files(&dir).len(), 3, "no temporary file is left: {:?}", files(&dir));
    for (file, before) in first.iter().zip(&kept) {
        let after = std::fs::read_to_string(dir.join("records").join(file)).unwrap();
        assert_eq!(&after, before, "{file} was redone");
    }
    assert_eq!(table_rows(&dir).len(), 3);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shards_merge_into_one_table() {
    let root = scratch("shards");
    for shard in ["1/2", "2/2"] {
        let dir = root.join(shard.replace('/', "of"));
        let out = mips()
            .args([
                "bench",
                "--tasks",
                "Bitwise_Not,Bitwise_Xor",
                "--shard",
                shard,
                "--quiet",
            ])
            .args(["--long-sequences", "100", "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(records(&dir).len(), 1, "each shard runs one of the two tasks");
    }
    let merged = root.join("merged");
    let out = mips()
        .args(["bench", "--quiet", "--out"])
        .arg(&merged)
        .arg("--merge")
        .arg(root.join("1of2"))
        .arg(root.join("2of2"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = table_rows(&merged);
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with("| Bitwise_Not") && rows[1].starts_with("| Bitwise_Xor"),
        "{rows:?}"
    );
    let csv = std::fs::read_to_string(merged.join("benchmark.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn bad_shard_is_a_clear_error() {
    let out = mips().args(["bench", "--shard", "3/2"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("3/2"));
}

#[test]
fn bench_starts_from_trained_models_and_writes_the_stage_tables() {
    let dir = scratch("models");
    let models = dir.join("models");
    let out = mips()
        .args(["train", "Bitwise_Not", "--quiet", "--out"])
        .arg(models.join("Bitwise_Not.ron"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        models.join("Bitwise_Not.report.ron").exists(),
        "train writes its report"
    );
    let results = dir.join("results");
    let out = mips()
        .args(["bench", "--tasks", "Bitwise_Not,Bitwise_And", "--quiet"])
        .args(["--long-sequences", "100", "--models"])
        .arg(&models)
        .arg("--out")
        .arg(&results)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The record's training time is the report's (a new training run would take its own time).
    let report = std::fs::read_to_string(models.join("Bitwise_Not.report.ron")).unwrap();
    let seconds = report
        .lines()
        .find_map(|l| l.strip_prefix("    seconds: "))
        .expect("the report states its seconds");
    let record = std::fs::read_to_string(results.join("records").join("Bitwise_Not.ron")).unwrap();
    assert!(record.contains(&format!("seconds: {seconds}")), "{seconds} in {record}");
    assert!(
        results.join("records").join("Bitwise_And.ron").exists(),
        "a task without a model is trained"
    );
    for (file, heading) in [
        ("simplify.md", "# Simplification"),
        ("extract.md", "# Extraction"),
        ("regress.md", "# Regression"),
    ] {
        let text = std::fs::read_to_string(results.join(file)).unwrap();
        assert!(text.starts_with(heading), "{file}: {text}");
        assert!(
            text.contains("--models"),
            "{file} names the command that regenerates it"
        );
        assert!(text.contains("| Bitwise_Not |"), "{file} has a row per task: {text}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
