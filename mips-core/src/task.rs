//! What a task is to the rest of mips: a source of training batches, a held-out test split,
//! and (for built-in tasks) fresh sequences of any length.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::{MipsError, Result};

/// Training loss for regressed outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// `0.5 · ln(1 + (ŷ − y)²)`, the catalog's default.
    #[default]
    Log,
    /// `0.5 · (ŷ − y)²`.
    Mse,
    /// Softmax cross-entropy over the output's value range.
    CrossEntropy,
}

impl Loss {
    /// Parses "log", "mse" or "cross_entropy"/"cross-entropy".
    pub fn parse(name: &str) -> Result<Loss> {
        match name {
            "log" => Ok(Loss::Log),
            "mse" => Ok(Loss::Mse),
            "cross_entropy" | "cross-entropy" => Ok(Loss::CrossEntropy),
            _ => Err(MipsError::unknown("loss", name, ["log", "mse", "cross_entropy"])),
        }
    }
}

/// Static facts about a task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub name: String,
    pub input_dim: usize,
    pub output_dim: usize,
    /// Inclusive value range of each input component.
    pub input_ranges: Vec<(i64, i64)>,
    /// Inclusive value range of each output component.
    pub output_ranges: Vec<(i64, i64)>,
    /// Sequence length used for training.
    pub seq_len: usize,
    pub loss: Loss,
    /// Training steps the reference used (a budget hint).
    pub train_steps: usize,
    /// The rule in words or as a formula (for reports only; never read by passes).
    pub rule: String,
    /// Outcome of the published method on this task, when known.
    pub paper_solved: Option<bool>,
    /// Outcome of the GPT-4 baseline on this task, when known.
    pub gpt4_solved: Option<bool>,
}

impl TaskInfo {
    /// Every input vector of a finite input alphabet, when the product of the ranges is at most
    /// `limit` vectors (lexicographic order), else `None`.
    pub fn input_alphabet(&self, limit: usize) -> Option<Vec<Vec<i64>>> {
        let mut size: usize = 1;
        for &(lo, hi) in &self.input_ranges {
            size = size.checked_mul(usize::try_from(hi - lo + 1).ok()?)?;
            if size > limit {
                return None;
            }
        }
        let mut all = vec![vec![]];
        for &(lo, hi) in &self.input_ranges {
            all = all
                .into_iter()
                .flat_map(|prefix: Vec<i64>| {
                    (lo..=hi).map(move |v| {
                        let mut next = prefix.clone();
                        next.push(v);
                        next
                    })
                })
                .collect();
        }
        Some(all)
    }
}

/// A task: a built-in generator or a user's data file.
pub trait Task: Send + Sync {
    /// Static facts about the task.
    fn info(&self) -> &TaskInfo;
    /// `n` training sequences for the given seed: fresh from the generator, or drawn from the
    /// training split of a data file.
    fn train_batch(&self, seed: u64, n: usize) -> Dataset;
    /// The whole held-out test split (disjoint seed from any training batch).
    fn test_split(&self) -> &Dataset;
    /// `n` fresh sequences of length `len`, when the task can generate them (built-in tasks).
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(ranges: Vec<(i64, i64)>) -> TaskInfo {
        TaskInfo {
            name: "t".into(),
            input_dim: ranges.len(),
            output_dim: 1,
            input_ranges: ranges,
            output_ranges: vec![(0, 1)],
            seq_len: 10,
            loss: Loss::Log,
            train_steps: 1,
            rule: String::new(),
            paper_solved: None,
            gpt4_solved: None,
        }
    }

    #[test]
    fn alphabet_enumerates_products() {
        let a = info(vec![(0, 1), (-1, 0)]).input_alphabet(10).unwrap();
        assert_eq!(a, vec![vec![0, -1], vec![0, 0], vec![1, -1], vec![1, 0]]);
        assert!(info(vec![(0, 99), (0, 99)]).input_alphabet(1000).is_none());
    }

    #[test]
    fn loss_names_parse() {
        assert_eq!(Loss::parse("log").unwrap(), Loss::Log);
        assert!(Loss::parse("l2").unwrap_err().to_string().contains("mse"));
    }
}
