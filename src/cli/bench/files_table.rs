//! `files.md`: the data-file regime's results (`mips bench --as-files N`) per task, with the
//! generator regime's outcome of the same task beside it when its record is in `--out`.

use std::collections::BTreeMap;

use super::record::TaskRecord;
use super::table::{RunFacts, rows_markdown, timing, yes_no};

/// What a task in the data-file regime gets instead of what the generator gives a built-in task.
const REGIME: &str = "Each task runs from a data file of N sequences of its training length, written from \
its generator (its training batch for the run's seed, in the CSV format `mips data` prints) to \
`files/data/TASK.csv`, and opened as `mips synth FILE` opens one: the last 10% of the rows are the test \
split, the others the training split. The pipeline sees only the file; the final check adds what the \
pipeline never saw: 10x longer fresh sequences from the generator.\n\n\
What the generator regime gives a task, and what a file task gets instead:\n\n\
- training: fresh batches from the generator, and a pre-trained model (`--models`) / here: the \
architecture search from scratch on batches drawn from the training split; replay mining mines the \
training split;\n\
- the test split that confirms 100% accuracy and against which the simplification's checks run: \
100000-200000 generated sequences / here: the file's 10%;\n\
- extraction's fresh and held-out sequences: fresh from the generator / here: training rows (the \
network was fitted to them);\n\
- extraction's longer sequences (4x the training length, extending lattice tables): from the generator \
/ here: none (a file has no longer sequences): named as a cause where a lattice is at stake.\n\n";

/// The Markdown report: the regime, totals, failures by stage, one row per task.
pub fn markdown(records: &[TaskRecord], generator: &[TaskRecord], facts: &RunFacts) -> String {
    let by_task: BTreeMap<&str, &TaskRecord> = generator.iter().map(|r| (r.task.as_str(), r)).collect();
    let solved = records.iter().filter(|r| r.solved()).count();
    let mut out = format!(
        "# Data-file regime: the tasks trained and checked from data files\n\n\
         Regenerate with `{}`.\n\n{}",
        facts.command,
        timing(facts, records),
    );
    out += REGIME;
    out += &format!(
        "Solved (program exact on the file's test split and on the generator's fresh sequences 10x longer): \
         **{solved} of {}**.\n\n",
        records.len()
    );
    out += &comparison(records, &by_task);
    out += &failures_by_stage(records);
    out += "\n";
    out += &rows_markdown(
        &[
            "task",
            "hidden",
            "test accuracy",
            "stage",
            "extraction",
            "tokens",
            "test split",
            "10x length",
            "solved",
            "generator regime",
            "total s",
            "note",
        ],
        records.iter().map(|r| row(r, by_task.get(r.task.as_str()).copied())),
    );
    out
}

/// The generator regime's figure over the same tasks, and the tasks solved in one regime only.
fn comparison(records: &[TaskRecord], by_task: &BTreeMap<&str, &TaskRecord>) -> String {
    let both: Vec<(&TaskRecord, &TaskRecord)> = records
        .iter()
        .filter_map(|r| Some((r, *by_task.get(r.task.as_str())?)))
        .collect();
    if both.is_empty() {
        return "The generator regime's records are not in `--out`: no comparison.\n\n".into();
    }
    let generator_solved = both.iter().filter(|(_, g)| g.solved()).count();
    let only = |file: bool| -> Vec<String> {
        both.iter()
            .filter(|(f, g)| f.solved() == file && g.solved() != file)
            .map(|(f, _)| f.task.clone())
            .collect()
    };
    let list = |names: Vec<String>| {
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    };
    format!(
        "The generator regime (`benchmark.md`, the same tasks from pre-trained models and fresh sequences): \
         **{generator_solved} of {}**. Solved from files only: {}. Solved from the generator only: {}.\n\n",
        both.len(),
        list(only(true)),
        list(only(false)),
    )
}

/// Unsolved tasks counted by the last stage they reached.
fn failures_by_stage(records: &[TaskRecord]) -> String {
    let mut stages: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in records.iter().filter(|r| !r.solved()) {
        stages.entry(r.stage.as_str()).or_default().push(&r.task);
    }
    rows_markdown(
        &["last stage reached (unsolved)", "tasks", "which"],
        stages
            .iter()
            .map(|(stage, tasks)| vec![stage.to_string(), tasks.len().to_string(), tasks.join(", ")]),
    )
}

fn row(r: &TaskRecord, generator: Option<&TaskRecord>) -> Vec<String> {
    let trained = r.trained.as_ref();
    vec![
        r.task.clone(),
        trained.map_or("-".into(), |t| t.hidden.to_string()),
        trained.map_or("-".into(), |t| format!("{:.3}%", 100.0 * t.accuracy)),
        r.stage.clone(),
        r.extracted
            .as_ref()
            .map_or("-".into(), |e| format!("{} ({} states)", e.method, e.states)),
        r.program_tokens.map_or("-".into(), |t| t.to_string()),
        yes_no(Some(r.verified_test)).into(),
        yes_no(r.verified_long).into(),
        yes_no(Some(r.solved())).into(),
        yes_no(generator.map(TaskRecord::solved)).into(),
        format!("{:.1}", r.total_seconds()),
        r.note.chars().take(240).collect(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `task` that stopped at `stage`, solved or not.
    fn record(task: &str, stage: &str, solved: bool) -> TaskRecord {
        let text = format!(
            "(task: \"{task}\", trained: None, simplified: None, stage: \"{stage}\", extraction: None, \
             extracted: None, regression: None, program_tokens: None, symbolic: None, \
             verified_test: {solved}, verified_long: Some({solved}), seconds: {{\"train\": 2.0}}, \
             paper_solved: None, gpt4_solved: None, note: \"why\")"
        );
        ron::from_str(&text).unwrap()
    }

    #[test]
    fn the_table_compares_with_the_generator_regime_and_groups_failures_by_stage() {
        let files = [
            record("Sum_All", "regress", true),
            record("Bitwise_Not", "extract", false),
            record("Prev1", "train", false),
        ];
        let generator = [
            record("Sum_All", "regress", false),
            record("Bitwise_Not", "regress", true),
            record("Prev1", "regress", true),
        ];
        let facts = RunFacts {
            machine: "test machine".into(),
            wall_seconds: 6.0,
            kept: 0,
            command: "mips bench --as-files 100".into(),
        };
        let md = markdown(&files, &generator, &facts);
        assert!(md.contains("**1 of 3**"), "{md}");
        assert!(md.contains("**2 of 3**"), "{md}");
        assert!(md.contains("Solved from files only: Sum_All."), "{md}");
        assert!(
            md.contains("Solved from the generator only: Bitwise_Not, Prev1."),
            "{md}"
        );
        assert!(md.contains("| extract | 1 | Bitwise_Not |"), "{md}");
        assert!(md.contains("| Prev1 | - | - | train |"), "{md}");
        assert!(markdown(&files, &[], &facts).contains("no comparison"), "{md}");
    }
}
