//! The Slurm scripts of docs/cluster.md, run locally: every array task's command (with the
//! variables Slurm would set), then the merge job; the merged table equals an unsharded run's.

use std::path::{Path, PathBuf};
use std::process::Command;

const TASKS: &str = "Bitwise_Not,Bitwise_Xor,Parity_Last2";
const SHARDS: usize = 3;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm").join(name)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `bash SCRIPT ARGS` with the mips binary and output root set as docs/cluster.md says.
fn run_script(name: &str, out: &Path, env: &[(&str, String)], args: &[&str]) {
    let output = Command::new("bash")
        .arg(script(name))
        .args(args)
        .env("MIPS", env!("CARGO_BIN_EXE_mips"))
        .env("MIPS_BENCH_OUT", out)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Splits one CSV line into cells (quoted cells may hold commas).
fn cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => cell.push(chars.next().unwrap()),
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// benchmark.csv without its timing columns (they differ between any two runs).
fn table_without_times(dir: &Path) -> Vec<Vec<String>> {
    let csv = std::fs::read_to_string(dir.join("benchmark.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv.lines().map(cells).collect();
    let timing: Vec<usize> = (0..rows[0].len()).filter(|&i| rows[0][i].ends_with(" s")).collect();
    assert_eq!(timing.len(), 2, "train s and total s: {:?}", rows[0]);
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .filter(|(i, _)| !timing.contains(i))
                .map(|(_, c)| c)
                .collect()
        })
        .collect()
}

#[test]
fn slurm_array_then_merge_equals_an_unsharded_run() {
    let root = scratch();
    let bench_args = ["--tasks", TASKS, "--long-sequences", "100", "--quiet"];
    let shards_out = root.join("shards");
    for id in 1..=SHARDS {
        let env = [
            ("SLURM_ARRAY_TASK_ID", id.to_string()),
            ("SLURM_ARRAY_TASK_COUNT", SHARDS.to_string()),
            ("SLURM_CPUS_PER_TASK", "1".to_string()),
        ];
        run_script("bench-array.sh", &shards_out, &env, &bench_args);
    }
    run_script("bench-merge.sh", &shards_out, &[], &[]);

    let whole = root.join("whole");
    let output = Command::new(env!("CARGO_BIN_EXE_mips"))
        .arg("bench")
        .args(bench_args)
        .arg("--out")
        .arg(&whole)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let merged = table_without_times(&shards_out.join("merged"));
    assert_eq!(merged.len(), 1 + TASKS.split(',').count(), "{merged:?}");
    assert_eq!(merged, table_without_times(&whole));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn the_array_script_refuses_to_run_outside_an_array_job() {
    let output = Command::new("bash")
        .arg(script("bench-array.sh"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env("MIPS", env!("CARGO_BIN_EXE_mips"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("sbatch --array"));
}

#[test]
fn submit_refuses_a_bad_shard_count() {
    let output = Command::new("bash").arg(script("submit.sh")).arg("0").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
}
