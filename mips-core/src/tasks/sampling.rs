//! Drawing input sequences and labelling them with a rule, deterministically.
//!
//! Rows are drawn in fixed chunks of [`CHUNK`] rows; chunk `c` of a request for `(seed, stream)`
//! uses the generator `rng::seeded(rng::mix(seed, c), stream)`. The result depends only on
//! `(seed, stream, n, len)`, not on the thread count, and a request for fewer rows is a prefix of
//! a request for more. Distinct streams never share a ChaCha keystream.

use std::collections::HashSet;

use rand::RngExt;
use rayon::prelude::*;

use num_bigint::BigInt;

use super::catalog::Sampling;
use super::rules::Rule;
use crate::data::{Dataset, Sequence};
use crate::rng::{self, Rng};
use crate::task::FreshSequences;

/// A row's inputs with its labels when they fit in i64.
type LabelledRow = (Vec<i64>, Option<Vec<i64>>);

/// Rows per independently seeded chunk.
const CHUNK: usize = 1024;

/// What is needed to draw and label sequences of one task.
#[derive(Clone, Debug)]
pub(crate) struct Generator {
    pub rule: Rule,
    pub sampling: Sampling,
    pub input_ranges: Vec<(i64, i64)>,
    pub output_dim: usize,
}

impl Generator {
    /// `n` labelled sequences of length `len`; `None` when an output overflows `i64`.
    pub(crate) fn dataset(&self, seed: u64, stream: u64, n: usize, len: usize) -> Option<Dataset> {
        let chunks = n.div_ceil(CHUNK);
        let parts: Option<Vec<Vec<Sequence>>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let rows = CHUNK.min(n - c * CHUNK);
                self.chunk(seed, stream, c as u64, rows, len)
            })
            .collect();
        Some(self.wrap(parts?.into_iter().flatten().collect()))
    }

    /// `n` labelled sequences of length `len` with pairwise distinct inputs, drawn chunk by chunk
    /// and keeping first occurrences. Stops early (fewer rows) only when the input space is
    /// too small to hold `n` distinct rows.
    pub(crate) fn distinct_dataset(&self, seed: u64, stream: u64, n: usize, len: usize) -> Option<Dataset> {
        let mut seen = HashSet::with_capacity(n);
        let mut rows = Vec::with_capacity(n);
        let max_chunks = n.div_ceil(CHUNK).saturating_mul(4).max(4);
        for c in 0..max_chunks {
            if rows.len() >= n {
                break;
            }
            for row in self.chunk(seed, stream, c as u64, CHUNK, len)? {
                if rows.len() < n && seen.insert(row.inputs.clone()) {
                    rows.push(row);
                }
            }
        }
        Some(self.wrap(rows))
    }

    /// The inputs [`Generator::dataset`] draws, each with its labels when they fit in i64
    /// (`None` when a value outgrows it: [`Generator::exact_labels`] gives them).
    pub(crate) fn fresh(&self, seed: u64, stream: u64, n: usize, len: usize) -> FreshSequences {
        let chunks = n.div_ceil(CHUNK);
        let parts: Vec<Vec<LabelledRow>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let rows = CHUNK.min(n - c * CHUNK);
                self.labelled_chunk(seed, stream, c as u64, rows, len)
            })
            .collect();
        let (inputs, labels) = parts.into_iter().flatten().unzip();
        FreshSequences {
            input_dim: self.input_ranges.len(),
            output_dim: self.output_dim,
            inputs,
            labels,
        }
    }

    /// The exact labels of one input sequence (flat, `len × input_dim`); `None` only if the rule
    /// failed.
    pub(crate) fn exact_labels(&self, inputs: &[i64]) -> Option<Vec<BigInt>> {
        let steps = inputs.len() / self.input_ranges.len().max(1);
        let mut outputs = vec![BigInt::from(0); steps * self.output_dim];
        self.rule.apply_exact(inputs, &mut outputs)?;
        Some(outputs)
    }

    fn wrap(&self, sequences: Vec<Sequence>) -> Dataset {
        Dataset {
            input_dim: self.input_ranges.len(),
            output_dim: self.output_dim,
            sequences,
        }
    }

    /// Chunk `c` of the `(seed, stream)` request: its first `rows` rows; `None` when a label
    /// outgrows i64.
    fn chunk(&self, seed: u64, stream: u64, c: u64, rows: usize, len: usize) -> Option<Vec<Sequence>> {
        self.labelled_chunk(seed, stream, c, rows, len)
            .into_iter()
            .map(|(inputs, outputs)| {
                Some(Sequence {
                    inputs,
                    outputs: outputs?,
                })
            })
            .collect()
    }

    /// Chunk `c` with each row's labels when they fit in i64.
    fn labelled_chunk(&self, seed: u64, stream: u64, c: u64, rows: usize, len: usize) -> Vec<LabelledRow> {
        let mut rng = rng::seeded(rng::mix(seed, c), stream);
        (0..rows)
            .map(|_| {
                let inputs = self.draw_inputs(&mut rng, len);
                let mut outputs = vec![0; len * self.output_dim];
                let fits = self.rule.apply(&inputs, &mut outputs).is_some();
                (inputs, fits.then_some(outputs))
            })
            .collect()
    }

    fn draw_inputs(&self, rng: &mut Rng, len: usize) -> Vec<i64> {
        match self.sampling {
            Sampling::IidUniform | Sampling::IidUniformDedupShuffled => uniform(rng, &self.input_ranges, len),
            Sampling::PalindromePrefix => palindrome_prefix(rng, self.input_ranges[0], len),
        }
    }
}

/// Every component of every step uniform in its inclusive range.
fn uniform(rng: &mut Rng, ranges: &[(i64, i64)], len: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(len * ranges.len());
    for _ in 0..len {
        out.extend(ranges.iter().map(|&(lo, hi)| rng.random_range(lo..=hi)));
    }
    out
}

/// A palindrome of length L (uniform in 2..=len) built from ceil(L/2) uniform values, followed
/// by uniform values (1-D).
fn palindrome_prefix(rng: &mut Rng, (lo, hi): (i64, i64), len: usize) -> Vec<i64> {
    let total = rng.random_range(len.min(2)..=len);
    let mut out: Vec<i64> = (0..total.div_ceil(2)).map(|_| rng.random_range(lo..=hi)).collect();
    let mirrored: Vec<i64> = out[..total / 2].iter().rev().copied().collect();
    out.extend(mirrored);
    out.extend((total..len).map(|_| rng.random_range(lo..=hi)));
    out
}
