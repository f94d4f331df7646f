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
    /// The program reproduces fresh sequences 10× longer than training.
    pub verified_long: Option<bool>,
    /// Seconds per stage (train, simplify, extract, regress, verify).
    pub seconds: BTreeMap<String, f64>,
    pub paper_solved: Option<bool>,
    pub gpt4_solved: Option<bool>,
    /// Why the task stopped short, or the verification summary.
    pub note: String,
}

impl TaskRecord {
    /// Solved: a program that matches the whole test split and the longer sequences.
    pub fn solved(&self) -> bool {
        self.verified_test && self.verified_long != Some(false)
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

/// Loads a task's record if the folder has one.
pub fn load(dir: &Path, task: &str) -> anyhow::Result<Option<TaskRecord>> {
    let path = record_path(dir, task);
    if !path.exists() {
        return Ok(None);
    }
    let text = read_text(&path)?;
    let record = ron::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(Some(record))
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
