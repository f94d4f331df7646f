//! Datasets: integer input/output sequences, and readers for user data files.

pub mod file;

use serde::{Deserialize, Serialize};

/// One sequence: `len × input_dim` inputs and `len × output_dim` outputs, row-major by step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub inputs: Vec<i64>,
    pub outputs: Vec<i64>,
}

/// A set of sequences with common input and output widths (lengths may differ).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dataset {
    pub input_dim: usize,
    pub output_dim: usize,
    pub sequences: Vec<Sequence>,
}

impl Dataset {
    /// An empty dataset of the given widths.
    pub fn new(input_dim: usize, output_dim: usize) -> Self {
        Dataset {
            input_dim,
            output_dim,
            sequences: Vec::new(),
        }
    }

    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.sequences.len()
    }

    /// True when there are no sequences.
    pub fn is_empty(&self) -> bool {
        self.sequences.is_empty()
    }

    /// Length (steps) of sequence `i`.
    pub fn seq_len(&self, i: usize) -> usize {
        self.sequences[i].inputs.len() / self.input_dim.max(1)
    }

    /// Total number of steps over all sequences.
    pub fn total_steps(&self) -> usize {
        (0..self.len()).map(|i| self.seq_len(i)).sum()
    }

    /// The longest sequence length (0 when empty).
    pub fn max_len(&self) -> usize {
        (0..self.len()).map(|i| self.seq_len(i)).max().unwrap_or(0)
    }

    /// The first `n` sequences (or all, when fewer).
    pub fn head(&self, n: usize) -> Dataset {
        Dataset {
            input_dim: self.input_dim,
            output_dim: self.output_dim,
            sequences: self.sequences.iter().take(n).cloned().collect(),
        }
    }
}
