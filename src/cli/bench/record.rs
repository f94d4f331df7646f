//! One task's benchmark result, saved atomically as RON so a killed run resumes where it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mips_core::atomic::{read_text, write_atomic};
use serde::{Deserialize, Serialize};

/// What training found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trained {
    pub hidden: usize,
    /// The network's shape, e.g. `hidden 2 f[16] g[linear] relu`.
    pub shape: String,
    pub steps: Option<u64>,
    pub seconds: f64,
    /// Test accuracy of the trained network (share of output positions).
    pub accuracy: f64,
}

/// What simplification did to the trained network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Simplified {
    pub hidden_before: usize,
    pub hidden_after: usize,
    pub params_before: usize,
    pub params_after: usize,
    /// Share of parameters that are 0 or small integers, before and after.
    pub simple_before: f64,
    pub simple_after: f64,
    /// Accuracy of the simplified network on the whole test split.
    pub accuracy_after: f64,
}

/// The extracted state machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    /// The extraction method (lattice, circle, clusters, behaviour ...).
    pub method: String,
    pub states: usize,
    /// Integer variables per state (the lattice dimension for lattice states).
    pub state_dim: usize,
    /// Every (state, input) pair has a transition.
    pub complete: bool,
    /// States outside the tables get their rows from the network at their lattice point.
    #[serde(default)]
    pub lattice_coding: bool,
    /// The machine reproduces the network's rounded outputs on the whole test split.
    pub matches_network: bool,
}

/// The benchmark's record of one task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task: String,
    pub trained: Option<Trained>,
    pub simplified: Option<Simplified>,
    /// The last stage that produced a verified artifact: none, train, simplify, extract, regress.
    pub stage: String,
    /// The extraction pass's description of the machine.
    pub extraction: Option<String>,
    pub extracted: Option<Extracted>,
    /// The regression method that produced the program.
    pub regression: Option<String>,
    /// Tokens of the program.
    pub program_tokens: Option<usize>,
    /// True for a formula, false for a lookup table.
    pub symbolic: Option<bool>,
    /// The program reproduces the labels of the whole test split.
    pub verified_test: bool,
    /// The program reproduces fresh sequences 10× longer than training (`None`: not checked).
    pub verified_long: Option<bool>,
    /// The task cannot generate longer sequences (a data file): only its test split is checked.
    #[serde(default)]
    pub test_split_only: bool,
    /// Seconds per stage (train, simplify, extract, regress, verify).
    pub seconds: BTreeMap<String, f64>,
    pub paper_solved: Option<bool>,
    pub gpt4_solved: Option<bool>,
    /// Why the task stopped short, or the verification summary.
    pub note: String,
}

impl TaskRecord {
    /// Solved: a program that matches the whole test split and the longer sequences. A task
    /// whose longer sequences were not checked is not solved (see [`Self::solved_test_split_only`]).
    pub fn solved(&self) -> bool {
        self.verified_test && self.verified_long == Some(true)
    }

    /// A data-file task (no longer sequences to check) whose program matches its whole test
    /// split: counted apart from [`Self::solved`].
    pub fn solved_test_split_only(&self) -> bool {
        self.verified_test && self.test_split_only && self.verified_long.is_none()
    }

    /// Total seconds over all stages.
    pub fn total_seconds(&self) -> f64 {
        self.seconds.values().sum()
    }
}

/// Where a task's record lives inside a benchmark folder.
pub fn record_path(dir: &Path, task: &str) -> PathBuf {
    dir.join("records").join(format!("{task}.ron"))
}

/// Saves a record atomically.
pub fn save(dir: &Path, record: &TaskRecord) -> anyhow::Result<()> {
    let text = ron::ser::to_string_pretty(record, ron::ser::PrettyConfig::default())?;
    write_atomic(&record_path(dir, &record.task), text.as_bytes())?;
    Ok(())
}

/// Loads a task's record if the folder has a readable one; an unreadable record (truncated or
/// corrupt) is reported through `warn` and counts as absent, so that the task is run again.
pub fn load(dir: &Path, task: &str, warn: impl Fn(&str)) -> anyhow::Result<Option<TaskRecord>> {
    let path = record_path(dir, task);
    if !path.exists() {
        return Ok(None);
    }
    let text = read_text(&path)?;
    match ron::from_str::<TaskRecord>(&text) {
        Ok(record) if record.task == task => Ok(Some(record)),
        Ok(record) => {
            warn(&format!(
                "{}: a record of task '{}', not '{task}': running the task again",
                path.display(),
                record.task
            ));
            Ok(None)
        }
        Err(e) => {
            warn(&format!(
                "{}: unreadable record ({e}): running the task again",
                path.display()
            ));
            Ok(None)
        }
    }
}

/// Removes temporary files a killed run left in the records folder.
pub fn remove_stale_temporaries(dir: &Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir.join("records")) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') && name.ends_with(".tmp") {
            std::fs::remove_file(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Every record in a folder, sorted by task name.
pub fn load_all(dir: &Path) -> anyhow::Result<Vec<TaskRecord>> {
    let records_dir = dir.join("records");
    let entries = std::fs::read_dir(&records_dir)
        .map_err(|e| anyhow::anyhow!("{}: {e} (expected a benchmark folder)", records_dir.display()))?;
    let mut records = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ron") {
            let text = read_text(&path)?;
            records.push(ron::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?);
        }
    }
    records.sort_by(|a: &TaskRecord, b| a.task.cmp(&b.task));
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(task: &str) -> TaskRecord {
        TaskRecord {
            task: task.into(),
            trained: None,
            simplified: None,
            stage: "train".into(),
            extraction: None,
            extracted: None,
            regression: None,
            program_tokens: None,
            symbolic: None,
            verified_test: false,
            verified_long: None,
            test_split_only: false,
            seconds: BTreeMap::new(),
            paper_solved: None,
            gpt4_solved: None,
            note: String::new(),
        }
    }

    #[test]
    fn a_truncated_record_is_absent_and_reported() {
        let dir = std::env::temp_dir().join(format!("mips-record-{}", std::process::id()));
        save(&dir, &record("T")).unwrap();
        let warnings = std::cell::RefCell::new(Vec::new());
        let warn = |w: &str| warnings.borrow_mut().push(w.to_string());
        assert_eq!(load(&dir, "T", warn).unwrap(), Some(record("T")));
        let path = record_path(&dir, "T");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert_eq!(load(&dir, "T", warn).unwrap(), None);
        assert_eq!(warnings.borrow().len(), 1);
        assert!(warnings.borrow()[0].contains("T.ron"), "{:?}", warnings.borrow());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
