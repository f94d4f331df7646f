//! What a task is to the rest of mips: a source of training batches, a held-out test split,
//! and (for built-in tasks) fresh sequences of any length, labelled exactly even where the
//! values outgrow i64.

use num_bigint::BigInt;
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Sequence};
use crate::ir::Values;
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
    /// `n` fresh sequences of length `len`, when the task can generate them (built-in tasks)
    /// and every label fits in i64 ([`Task::generate_fresh`] says which cause holds).
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset>;
    /// `n` fresh sequences of length `len` for checks at any length: the inputs
    /// [`Task::generate`] draws for `seed`, with labels in i64 where they fit and the others
    /// left to [`Task::exact_labels`]; an error saying why when the task cannot generate
    /// sequences (a data file). The default wraps [`Task::generate`].
    fn generate_fresh(&self, seed: u64, n: usize, len: usize) -> Result<FreshSequences> {
        let data = self.generate(seed, n, len).ok_or_else(|| {
            MipsError::invalid(
                "task",
                format!(
                    "task '{}' cannot generate sequences (a data file holds only its rows)",
                    self.info().name
                ),
            )
        })?;
        let (inputs, labels) = data.sequences.into_iter().map(|s| (s.inputs, Some(s.outputs))).unzip();
        Ok(FreshSequences {
            input_dim: data.input_dim,
            output_dim: data.output_dim,
            inputs,
            labels,
        })
    }
    /// The exact labels (flat, `len × output_dim`) of one input sequence by the task's rule, for
    /// the sequences whose labels outgrow i64; `None` when the task has no rule to compute them.
    fn exact_labels(&self, _inputs: &[i64]) -> Option<Vec<BigInt>> {
        None
    }
}

/// Fresh sequences for checks at any length (see [`Task::generate_fresh`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreshSequences {
    pub input_dim: usize,
    pub output_dim: usize,
    /// Flat inputs (`len × input_dim`) of each sequence.
    pub inputs: Vec<Vec<i64>>,
    /// Each sequence's flat labels when every one fits in i64, else `None` (exact labels from
    /// [`Task::exact_labels`]).
    pub labels: Vec<Option<Vec<i64>>>,
}

impl FreshSequences {
    /// Number of sequences whose labels outgrow i64.
    pub fn outgrown(&self) -> usize {
        self.labels.iter().filter(|l| l.is_none()).count()
    }

    /// The exact labels of sequence `k`, or why they cannot be given.
    pub fn exact(&self, task: &dyn Task, k: usize) -> std::result::Result<Values, String> {
        match &self.labels[k] {
            Some(labels) => Ok(Values::Small(labels.clone())),
            None => task
                .exact_labels(&self.inputs[k])
                .map(Values::from_big)
                .ok_or_else(|| format!("task '{}' cannot label sequence {k} exactly", task.info().name)),
        }
    }

    /// The sequences as an i64 dataset, or an error naming the step where a label first
    /// leaves the i64 range, with its value (data files hold 64-bit integers).
    pub fn into_dataset(self, task: &dyn Task) -> Result<Dataset> {
        if self.outgrown() > 0 {
            let name = &task.info().name;
            let dim = self.output_dim.max(1);
            // The earliest step (over all sequences) with a value outside i64.
            let mut first: Option<(usize, usize, BigInt)> = None;
            for k in (0..self.labels.len()).filter(|&k| self.labels[k].is_none()) {
                let values = self.exact(task, k).map_err(|e| MipsError::invalid("task", e))?;
                if let Some((i, value)) = values.first_big()
                    && first.as_ref().is_none_or(|(_, step, _)| i / dim < *step)
                {
                    first = Some((k, i / dim, value.clone()));
                }
            }
            let len = self.inputs[0].len() / self.input_dim.max(1);
            let message = match first {
                Some((k, step, value)) => format!(
                    "the labels of task '{name}' outgrow 64-bit integers at length {len}: step {} (counting \
                     from 1) of sequence {k} is {value}, outside {}..={}; data files hold 64-bit integers: \
                     ask for shorter sequences (at most {step} steps for this one)",
                    step + 1,
                    i64::MIN,
                    i64::MAX,
                ),
                None => format!("task '{name}' could not label its sequences in 64-bit integers"),
            };
            return Err(MipsError::invalid("sequence length", message));
        }
        Ok(Dataset {
            input_dim: self.input_dim,
            output_dim: self.output_dim,
            sequences: self
                .inputs
                .into_iter()
                .zip(self.labels)
                .map(|(inputs, outputs)| Sequence {
                    inputs,
                    outputs: outputs.unwrap_or_default(),
                })
                .collect(),
        })
    }
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
