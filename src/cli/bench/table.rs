//! The benchmark tables: `benchmark.md` (with totals, machine and command) and `benchmark.csv`.

use super::record::TaskRecord;

/// "yes", "no" or "-" (unknown).
pub fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

const COLUMNS: [&str; 16] = [
    "task",
    "hidden",
    "shape",
    "train steps",
    "train s",
    "stage",
    "extraction",
    "tokens",
    "symbolic",
    "test split",
    "10x length",
    "solved",
    "paper",
    "gpt-4",
    "total s",
    "note",
];

fn cells(r: &TaskRecord) -> [String; 16] {
    let trained = r.trained.as_ref();
    [
        r.task.clone(),
        trained.map_or("-".into(), |t| t.hidden.to_string()),
        trained.map_or("-".into(), |t| t.shape.clone()),
        trained.and_then(|t| t.steps).map_or("-".into(), |s| s.to_string()),
        trained.map_or("-".into(), |t| format!("{:.1}", t.seconds)),
        r.stage.clone(),
        r.extracted
            .as_ref()
            .map_or("-".into(), |e| format!("{} ({} states)", e.method, e.states)),
        r.program_tokens.map_or("-".into(), |t| t.to_string()),
        yes_no(r.symbolic).into(),
        yes_no(Some(r.verified_test)).into(),
        match (r.verified_long, r.test_split_only) {
            (None, true) => "n/a (data file)".into(),
            (long, _) => yes_no(long).into(),
        },
        yes_no(Some(r.solved())).into(),
        yes_no(r.paper_solved).into(),
        yes_no(r.gpt4_solved).into(),
        format!("{:.1}", r.total_seconds()),
        r.note.clone(),
    ]
}

/// The CSV table (one row per task, the columns of the Markdown table).
pub fn csv(records: &[TaskRecord]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = COLUMNS.join(",") + "\n";
    for r in records {
        out += &cells(r).iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
        out += "\n";
    }
    out
}

/// Facts about the run that the Markdown table states.
pub struct RunFacts {
    pub machine: String,
    pub wall_seconds: f64,
    pub command: String,
    /// Records of the table this invocation did not run (kept by `--resume`, or not selected).
    pub kept: usize,
}

/// The machine and the times: this invocation's wall time, the sum of the tasks' own times, and
/// how many records an earlier run wrote (their times count in the sum, not in the wall time).
pub fn timing(facts: &RunFacts, records: &[TaskRecord]) -> String {
    let task_seconds: f64 = records.iter().map(TaskRecord::total_seconds).sum();
    let mut out = format!(
        "Machine: {}. Wall time of this invocation: {:.1} s ({:.1} min); sum of task times: {:.0} s.",
        facts.machine,
        facts.wall_seconds,
        facts.wall_seconds / 60.0,
        task_seconds
    );
    if facts.kept > 0 {
        out += &format!(
            " {} of the {} records are from earlier runs (kept by `--resume`, or not selected by `--tasks`): the wall time covers only the others.",
            facts.kept,
            records.len()
        );
    }
    out + "\n\n"
}

/// The Markdown report: totals, then one row per task.
pub fn markdown(records: &[TaskRecord], facts: &RunFacts) -> String {
    let count = |f: &dyn Fn(&TaskRecord) -> bool| records.iter().filter(|r| f(r)).count();
    let n = records.len();
    let solved = count(&|r| r.solved());
    let test_split_only = count(&|r| r.solved_test_split_only());
    let symbolic = count(&|r| r.solved() && r.symbolic == Some(true));
    let trained = count(&|r| r.trained.as_ref().is_some_and(|t| t.accuracy >= 1.0));
    let paper = count(&|r| r.paper_solved == Some(true));
    let gpt4 = count(&|r| r.gpt4_solved == Some(true));
    let only_us = count(&|r| r.solved() && r.paper_solved != Some(true) && r.gpt4_solved != Some(true));
    let lost = count(&|r| !r.solved() && r.paper_solved == Some(true));
    let mut out = String::new();
    out += "# Benchmark: the 62 tasks through the whole pipeline\n\n";
    out += &format!("Regenerate with `{}`.\n\n", facts.command);
    out += &timing(facts, records);
    out += "A task is **solved** when the program reproduces the labels of the whole test split and of fresh \
            sequences 10× longer than training, with every pipeline stage verified; a task whose longer \
            sequences were not checked is not solved. A data file cannot give longer sequences: its \
            program is counted apart, as matching the test split only.\n\n";
    out += "| | count |\n|---|---|\n";
    out += &format!("| tasks | {n} |\n");
    out += &format!("| network trained to 100% test accuracy | {trained} |\n");
    out += &format!("| **solved (mips)** | **{solved}** |\n");
    if test_split_only > 0 {
        out += &format!("| data files whose program matches the test split (no 10× check) | {test_split_only} |\n");
    }
    out += &format!("| solved with a symbolic program (not a table) | {symbolic} |\n");
    out += &format!("| solved by the published method | {paper} |\n");
    out += &format!("| solved by the GPT-4 baseline | {gpt4} |\n");
    out += &format!("| solved by mips but by neither baseline | {only_us} |\n");
    out += &format!("| solved by the published method but not by mips | {lost} |\n\n");
    out += &rows_markdown(&COLUMNS, records.iter().map(|r| cells(r).to_vec()));
    out
}

/// A Markdown table: the header, then one line per row (`|` in cells escaped).
pub fn rows_markdown(columns: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = format!("| {} |\n|{}\n", columns.join(" | "), "---|".repeat(columns.len()));
    for row in rows {
        let row: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        out += &format!("| {} |\n", row.join(" | "));
    }
    out
}

/// A one-line description of this machine (CPU model, cores, memory).
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0));
    format!("{cpu}, {cores} cores{memory}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task: &str, verified: bool) -> TaskRecord {
        TaskRecord {
            task: task.into(),
            trained: None,
            simplified: None,
            stage: "regress".into(),
            extraction: Some("clusters".into()),
            extracted: Some(super::super::record::Extracted {
                method: "clusters, circles".into(),
                states: 2,
                state_dim: 1,
                complete: true,
                lattice_coding: false,
                matches_network: true,
            }),
            regression: Some("boolean".into()),
            program_tokens: Some(5),
            symbolic: Some(true),
            verified_test: verified,
            verified_long: Some(verified),
            test_split_only: false,
            seconds: [("train".to_string(), 1.5)].into(),
            paper_solved: Some(false),
            gpt4_solved: None,
            note: "a, b".into(),
        }
    }

    #[test]
    fn a_task_without_the_longer_check_is_not_solved() {
        let mut unchecked = record("A", true);
        unchecked.verified_long = None;
        assert!(!unchecked.solved());
        assert!(!unchecked.solved_test_split_only());
        unchecked.test_split_only = true;
        assert!(!unchecked.solved());
        assert!(unchecked.solved_test_split_only());
        let facts = RunFacts {
            machine: "test".into(),
            wall_seconds: 3.0,
            kept: 0,
            command: "mips bench".into(),
        };
        let md = markdown(&[unchecked, record("B", true)], &facts);
        assert!(md.contains("| **solved (mips)** | **1** |"), "{md}");
        assert!(md.contains("matches the test split (no 10× check) | 1 |"), "{md}");
        assert!(md.contains("n/a (data file)"), "{md}");
    }

    #[test]
    fn kept_records_are_named_beside_the_wall_time() {
        let mut facts = RunFacts {
            machine: "test".into(),
            wall_seconds: 3.0,
            kept: 0,
            command: "mips bench".into(),
        };
        let records = [record("A", true), record("B", false)];
        assert!(!timing(&facts, &records).contains("earlier run"));
        facts.kept = 1;
        let line = timing(&facts, &records);
        assert!(line.contains("1 of the 2 records are from earlier runs"), "{line}");
        assert!(line.contains("sum of task times: 3 s"), "{line}");
    }

    #[test]
    fn totals_count_solved_tasks() {
        let facts = RunFacts {
            machine: "test".into(),
            wall_seconds: 3.0,
            kept: 0,
            command: "mips bench".into(),
        };
        let md = markdown(&[record("A", true), record("B", false)], &facts);
        assert!(md.contains("| **solved (mips)** | **1** |"), "{md}");
        assert!(md.contains("| solved by mips but by neither baseline | 1 |"), "{md}");
        assert!(md.contains("`mips bench`"));
    }

    #[test]
    fn csv_quotes_fields_with_commas() {
        let text = csv(&[record("A", true)]);
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("\"clusters, circles (2 states)\""));
    }
}
