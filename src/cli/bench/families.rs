//! `families.md`: the generality suite's results per task family (solved / tried, the stage
//! and reason of each failure, time).

use std::collections::BTreeMap;

use mips_core::tasks::families;

use super::record::TaskRecord;
use super::table::{RunFacts, rows_markdown, timing};

/// The family pattern of `task` (`Add_Mod_{K}`), or the task itself outside every family.
fn family_of(task: &str) -> String {
    match families::parse(task) {
        Ok(Some(member)) => member.family().pattern(),
        _ => task.to_string(),
    }
}

/// Why a task is not solved: its last stage and note, shortened to one table cell.
fn failure(r: &TaskRecord) -> String {
    let note: String = r.note.replace('|', "\\|").chars().take(240).collect();
    format!("{} ({}): {note}", r.task, r.stage)
}

/// The Markdown report: totals, one row per family, then every failure.
pub fn markdown(records: &[TaskRecord], facts: &RunFacts) -> String {
    let mut by_family: BTreeMap<String, Vec<&TaskRecord>> = BTreeMap::new();
    for r in records {
        by_family.entry(family_of(&r.task)).or_default().push(r);
    }
    let solved = records.iter().filter(|r| r.solved()).count();
    let mut out = format!(
        "# Generality suite: task-family members outside the 62\n\n\
         Regenerate with `{}`.\n\n{}\
         Solved (program exact on the test split and on fresh sequences 10x longer): \
         **{solved} of {}** ({:.0}%).\n\n",
        facts.command,
        timing(facts, records),
        records.len(),
        100.0 * solved as f64 / records.len().max(1) as f64,
    );
    let rows = by_family.iter().map(|(family, rs)| {
        let solved = rs.iter().filter(|r| r.solved()).count();
        let seconds: f64 = rs.iter().map(|r| r.total_seconds()).sum();
        let unsolved: Vec<String> = rs
            .iter()
            .filter(|r| !r.solved())
            .map(|r| format!("{} ({})", r.task, r.stage))
            .collect();
        vec![
            family.clone(),
            format!("{solved} / {}", rs.len()),
            format!("{seconds:.0}"),
            unsolved.join(", "),
        ]
    });
    out += &rows_markdown(
        &["family", "solved / tried", "task s", "not solved (last stage reached)"],
        rows,
    );
    let failures: Vec<String> = records
        .iter()
        .filter(|r| !r.solved())
        .map(|r| format!("- {}\n", failure(r)))
        .collect();
    if !failures.is_empty() {
        out += "\n## Failures\n\n";
        out += &failures.concat();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_group_by_family_and_others_stand_alone() {
        assert_eq!(family_of("Add_Mod_13"), "Add_Mod_{K}");
        assert_eq!(family_of("Binary_Addition"), "Base_{B}_Addition");
        assert_eq!(family_of("Evens_Counter"), "Evens_Counter");
    }

    /// A record of `task` that stopped at `stage`, solved or not.
    fn record(task: &str, stage: &str, solved: bool) -> TaskRecord {
        let text = format!(
            "(task: \"{task}\", trained: None, simplified: None, stage: \"{stage}\", extraction: None, \
             extracted: None, regression: None, program_tokens: None, symbolic: None, \
             verified_test: {solved}, verified_long: Some({solved}), seconds: {{\"train\": 2.0}}, \
             paper_solved: None, gpt4_solved: None, note: \"why | not\")"
        );
        ron::from_str(&text).unwrap()
    }

    #[test]
    fn the_table_counts_solved_per_family_and_lists_failures_with_their_stage() {
        let records = [
            record("Add_Mod_9", "regress", true),
            record("Add_Mod_10", "extract", false),
            record("Prev7", "train", false),
        ];
        let facts = RunFacts {
            machine: "test machine".into(),
            wall_seconds: 6.0,
            kept: 0,
            command: "mips bench --suite families".into(),
        };
        let md = markdown(&records, &facts);
        assert!(md.contains("**1 of 3** (33%)"), "{md}");
        assert!(
            md.contains("| Add_Mod_{K} | 1 / 2 | 4 | Add_Mod_10 (extract) |"),
            "{md}"
        );
        assert!(md.contains("| Prev{K} | 0 / 1 | 2 | Prev7 (train) |"), "{md}");
        assert!(md.contains("- Prev7 (train): why \\| not"), "{md}");
        assert!(md.contains("`mips bench --suite families`"), "{md}");
    }
}
