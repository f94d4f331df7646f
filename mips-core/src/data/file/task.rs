//! [`FileTask`]: a data file as a task, split into training and test sequences.

use std::path::Path;

use rand::RngExt;

use super::read_dataset;
use crate::data::Dataset;
use crate::rng;
use crate::task::{Loss, Task, TaskInfo};
use crate::{MipsError, Result};

/// ChaCha stream of training draws from a data file.
const TRAIN_STREAM: u64 = 1;

/// A task read from a data file: the last rows are the test split, the others train.
#[derive(Debug)]
pub struct FileTask {
    info: TaskInfo,
    train: Dataset,
    test: Dataset,
}

impl FileTask {
    /// Reads `path` and holds out the last `ceil(n · test_fraction)` sequences as the test split
    /// (at least one when there are two or more; a single sequence serves as both splits).
    pub fn open(path: &Path, test_fraction: f64) -> Result<FileTask> {
        if !(0.0..1.0).contains(&test_fraction) {
            return Err(MipsError::invalid(
                "test fraction",
                format!("expected a number in [0, 1), found {test_fraction}"),
            ));
        }
        let data = read_dataset(path)?;
        let (train, test) = split(data, test_fraction);
        let info = describe(path, &train, &test);
        Ok(FileTask { info, train, test })
    }

    /// The training split.
    pub fn train_split(&self) -> &Dataset {
        &self.train
    }
}

/// Training rows first, the last `ceil(n · fraction)` rows (clamped to 1..n-1) as test.
fn split(data: Dataset, fraction: f64) -> (Dataset, Dataset) {
    let n = data.len();
    if n < 2 {
        return (data.clone(), data);
    }
    let n_test = ((n as f64 * fraction).ceil() as usize).clamp(1, n - 1);
    let mut train = data;
    let test_rows = train.sequences.split_off(n - n_test);
    let test = Dataset {
        input_dim: train.input_dim,
        output_dim: train.output_dim,
        sequences: test_rows,
    };
    (train, test)
}

/// Task facts observed from the data.
fn describe(path: &Path, train: &Dataset, test: &Dataset) -> TaskInfo {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let all = || train.sequences.iter().chain(&test.sequences);
    TaskInfo {
        name,
        input_dim: train.input_dim,
        output_dim: train.output_dim,
        input_ranges: ranges(all().map(|s| s.inputs.as_slice()), train.input_dim),
        output_ranges: ranges(all().map(|s| s.outputs.as_slice()), train.output_dim),
        seq_len: train.max_len(),
        loss: Loss::Log,
        train_steps: 10_000,
        rule: format!("data file {}", path.display()),
        paper_solved: None,
        gpt4_solved: None,
    }
}

/// Inclusive (min, max) of each of `width` components over row-major value lists.
fn ranges<'a>(rows: impl Iterator<Item = &'a [i64]>, width: usize) -> Vec<(i64, i64)> {
    let mut out = vec![(i64::MAX, i64::MIN); width];
    for row in rows {
        for step in row.chunks_exact(width.max(1)) {
            for (range, &v) in out.iter_mut().zip(step) {
                *range = (range.0.min(v), range.1.max(v));
            }
        }
    }
    out
}

impl Task for FileTask {
    fn info(&self) -> &TaskInfo {
        &self.info
    }

    /// `n` rows drawn with replacement from the training split.
    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        let mut batch = Dataset::new(self.train.input_dim, self.train.output_dim);
        if self.train.is_empty() {
            return batch;
        }
        let mut rng = rng::seeded(seed, TRAIN_STREAM);
        batch.sequences = (0..n)
            .map(|_| self.train.sequences[rng.random_range(0..self.train.len())].clone())
            .collect();
        batch
    }

    fn test_split(&self) -> &Dataset {
        &self.test
    }

    fn generate(&self, _seed: u64, _n: usize, _len: usize) -> Option<Dataset> {
        None
    }
}
