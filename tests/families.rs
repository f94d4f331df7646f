//! End-to-end tests of the task families on the command line: `mips tasks --families` and
//! `mips data` for a member outside the benchmark.

mod common;

use common::{mips, stderr};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tasks_families_lists_one_line_per_family() {
    let out = mips(&["tasks", "--families"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "{text}");
    assert_eq!(
        lines[0],
        "Add_Mod_{K}\tK in 2..=64\tbenchmark K=3,4,5,6,7,8\ty[t] = (x[0] + ... + x[t]) mod K"
    );
    for pattern in [
        "Base_{B}_Addition\tB in 2..=64",
        "Prev{K}\tK in 1..=32",
        "Majority_0_{K}\t",
    ] {
        assert!(text.contains(pattern), "{pattern} missing from\n{text}");
    }
    assert!(lines.iter().all(|l| l.split('\t').count() == 4), "{text}");
}

/// Parses one `inputs,outputs` CSV row of 1-D steps.
fn row(line: &str) -> (Vec<i64>, Vec<i64>) {
    let (x, y) = line.split_once(',').unwrap();
    let values = |s: &str| s.split(' ').map(|v| v.parse::<i64>().unwrap()).collect::<Vec<_>>();
    (values(x), values(y))
}

#[test]
fn data_generates_a_member_outside_the_benchmark() {
    let out = mips(&["data", "Add_Mod_13", "--n", "20", "--seed", "3", "--len", "25"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!((lines.len(), lines[0]), (21, "inputs,outputs"));
    let mut symbols = std::collections::BTreeSet::new();
    for line in &lines[1..] {
        let (x, y) = row(line);
        assert_eq!((x.len(), y.len()), (25, 25));
        let mut sum = 0;
        for (v, out) in x.iter().zip(&y) {
            assert!((0..13).contains(v), "{line}");
            sum = (sum + v) % 13;
            assert_eq!(*out, sum, "{line}");
        }
        symbols.extend(x);
    }
    assert_eq!(symbols.len(), 13, "every residue appears among 500 inputs");
    let again = mips(&["data", "Add_Mod_13", "--n", "20", "--seed", "3", "--len", "25"]);
    assert_eq!(stdout(&again), text);
}

#[test]
fn a_member_outside_the_range_is_a_clear_error() {
    let out = mips(&["data", "Add_Mod_65"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("'Add_Mod_65' is outside the family Add_Mod_{K}: K in 2..=64"),
        "{}",
        stderr(&out)
    );
    let out = mips(&["bench", "--tasks", "Prev40", "--out", "/nonexistent/never-written"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Prev{K}: K in 1..=32"), "{}", stderr(&out));
}

#[test]
fn the_suite_with_tasks_takes_only_its_members() {
    let out = mips(&[
        "bench",
        "--suite",
        "families",
        "--tasks",
        "Add_Mod_5",
        "--out",
        "/nonexistent/never-written",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("'Add_Mod_5' is not a member of the families suite"),
        "{}",
        stderr(&out)
    );
}
