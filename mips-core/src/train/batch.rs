//! Sequences converted to the engine's column layout: for each time step, each input (or
//! output) component is one row of `n` columns, one column per sequence (padded to a multiple
//! of [`TILE`](super::kernels::TILE)); a mask marks the valid (step, sequence) positions, so
//! sequences of different lengths and padding columns take no part in loss or accuracy.
//!
//! A batch is cut into column blocks of at most [`BLOCK`] sequences: the engine runs forward and
//! backward block by block, so a step's buffers stay in cache whatever the batch size.

use std::ops::Range;

use super::kernels::padded;
use super::real::Real;
use crate::data::Dataset;
use crate::{MipsError, Result};

/// Most sequences per column block.
pub const BLOCK: usize = 128;

/// Sequences in column layout, cut into blocks of at most [`BLOCK`] columns.
#[derive(Clone, Debug, Default)]
pub struct Batch<R> {
    /// The column blocks, in sequence order.
    pub blocks: Vec<Block<R>>,
    /// Number of valid (step, sequence) positions over all blocks.
    pub positions: usize,
    /// Sequences held.
    pub count: usize,
}

impl<R: Real> Batch<R> {
    /// A batch holding the sequences `range` of `data`.
    pub fn from_dataset(data: &Dataset, range: Range<usize>) -> Result<Self> {
        let mut batch = Batch::default();
        batch.fill(data, range)?;
        Ok(batch)
    }

    /// Refills this batch with the sequences `range` of `data`, reusing its buffers.
    pub fn fill(&mut self, data: &Dataset, range: Range<usize>) -> Result<()> {
        if range.end > data.len() || range.start > range.end {
            return Err(MipsError::invalid(
                "dataset",
                format!("sequences {range:?} requested from a dataset of {}", data.len()),
            ));
        }
        let starts: Vec<usize> = range.clone().step_by(BLOCK).collect();
        let starts = if starts.is_empty() { vec![range.start] } else { starts };
        self.blocks.resize_with(starts.len(), Block::default);
        self.positions = 0;
        self.count = range.len();
        for (block, &start) in self.blocks.iter_mut().zip(&starts) {
            block.fill(data, start..(start + BLOCK).min(range.end))?;
            self.positions += block.positions;
        }
        Ok(())
    }

    /// Maps every input component `i` to `(x − shift[i]) / scale[i]` (see
    /// [`Scaling`](super::scaling::Scaling)).
    pub fn scale_inputs(&mut self, shift: &[f64], scale: &[f64]) {
        for block in &mut self.blocks {
            let (ni, n) = (block.input_dim, block.n);
            for t in 0..block.steps {
                for i in 0..ni {
                    let (m, s) = (R::from_f64(shift[i]), R::from_f64(1.0 / scale[i]));
                    let row = &mut block.x[(t * ni + i) * n..(t * ni + i + 1) * n];
                    row.iter_mut().for_each(|v| *v = (*v - m) * s);
                }
            }
        }
    }

    /// The longest sequence's length.
    pub fn steps(&self) -> usize {
        self.blocks.iter().map(|b| b.steps).max().unwrap_or(0)
    }
}

/// A block of sequences in column layout.
#[derive(Clone, Debug, Default)]
pub struct Block<R> {
    /// Time steps (the longest sequence's length).
    pub steps: usize,
    /// Columns (sequences plus padding).
    pub n: usize,
    /// Sequences held.
    pub count: usize,
    pub input_dim: usize,
    pub output_dim: usize,
    /// `steps × input_dim × n`.
    pub x: Vec<R>,
    /// `steps × output_dim × n` targets.
    pub y: Vec<R>,
    /// `steps × n`: one at valid positions, zero elsewhere.
    pub mask: Vec<R>,
    /// Number of valid (step, sequence) positions.
    pub positions: usize,
}

impl<R: Real> Block<R> {
    /// Refills this block with the sequences `range` of `data`, reusing its buffers.
    pub fn fill(&mut self, data: &Dataset, range: Range<usize>) -> Result<()> {
        let (ni, no) = (data.input_dim, data.output_dim);
        if ni == 0 || no == 0 {
            return Err(MipsError::invalid(
                "dataset",
                "input and output widths must be positive",
            ));
        }
        if range.end > data.len() || range.start > range.end {
            return Err(MipsError::invalid(
                "dataset",
                format!("sequences {range:?} requested from a dataset of {}", data.len()),
            ));
        }
        let mut steps = 0;
        for (k, s) in data.sequences[range.clone()].iter().enumerate() {
            let len = s.inputs.len() / ni;
            if s.inputs.len() != len * ni || s.outputs.len() != len * no {
                return Err(MipsError::invalid(
                    "dataset",
                    format!(
                        "sequence {}: {} inputs and {} outputs do not form whole steps of {ni} inputs and {no} outputs",
                        range.start + k,
                        s.inputs.len(),
                        s.outputs.len()
                    ),
                ));
            }
            steps = steps.max(len);
        }
        let count = range.len();
        let n = padded(count);
        *self = Block {
            steps,
            n,
            count,
            input_dim: ni,
            output_dim: no,
            x: std::mem::take(&mut self.x),
            y: std::mem::take(&mut self.y),
            mask: std::mem::take(&mut self.mask),
            positions: 0,
        };
        for (buf, len) in [
            (&mut self.x, steps * ni * n),
            (&mut self.y, steps * no * n),
            (&mut self.mask, steps * n),
        ] {
            buf.clear();
            buf.resize(len, R::ZERO);
        }
        for (c, s) in data.sequences[range].iter().enumerate() {
            let len = s.inputs.len() / ni;
            self.positions += len;
            for t in 0..len {
                for i in 0..ni {
                    self.x[(t * ni + i) * n + c] = R::from_f64(s.inputs[t * ni + i] as f64);
                }
                for o in 0..no {
                    self.y[(t * no + o) * n + c] = R::from_f64(s.outputs[t * no + o] as f64);
                }
                self.mask[t * n + c] = R::ONE;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Sequence;

    #[test]
    fn ragged_sequences_are_masked() {
        let data = Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences: vec![
                Sequence {
                    inputs: vec![1, 2, 3],
                    outputs: vec![1, 3, 6],
                },
                Sequence {
                    inputs: vec![4],
                    outputs: vec![4],
                },
            ],
        };
        let b: Batch<f32> = Batch::from_dataset(&data, 0..2).unwrap();
        assert_eq!((b.steps(), b.count, b.positions, b.blocks.len()), (3, 2, 4, 1));
        let b = &b.blocks[0];
        assert_eq!(b.x[b.n], 2.0);
        assert_eq!(b.mask[b.n + 1], 0.0);
        assert_eq!(b.mask[1], 1.0);
    }

    #[test]
    fn large_batches_are_cut_into_blocks() {
        let data = Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences: vec![
                Sequence {
                    inputs: vec![1],
                    outputs: vec![1],
                };
                BLOCK + 3
            ],
        };
        let b: Batch<f32> = Batch::from_dataset(&data, 0..BLOCK + 3).unwrap();
        assert_eq!(b.blocks.len(), 2);
        assert_eq!(
            (b.blocks[0].count, b.blocks[1].count, b.positions),
            (BLOCK, 3, BLOCK + 3)
        );
    }

    #[test]
    fn malformed_sequences_are_errors() {
        let data = Dataset {
            input_dim: 2,
            output_dim: 1,
            sequences: vec![Sequence {
                inputs: vec![1, 2, 3],
                outputs: vec![1],
            }],
        };
        let err = Batch::<f32>::from_dataset(&data, 0..1).unwrap_err().to_string();
        assert!(err.contains("sequence 0"), "{err}");
        assert!(Batch::<f32>::from_dataset(&data, 0..2).is_err());
    }
}
