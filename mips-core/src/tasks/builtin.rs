//! [`BuiltinTask`]: a catalog task or family member with its generator and cached test split.

use std::sync::OnceLock;

use super::catalog::Sampling;
use super::sampling::Generator;
use super::{families, rules};
use crate::data::Dataset;
use crate::task::{FreshSequences, Task, TaskInfo};
use crate::{MipsError, Result};

/// ChaCha stream of training batches.
const TRAIN_STREAM: u64 = 1;
/// ChaCha stream of the test split (seeded with the catalog seed).
const TEST_STREAM: u64 = 2;
/// ChaCha stream of [`Task::generate`].
const GENERATE_STREAM: u64 = 3;

/// Everything a built-in task is made from: its facts, rule, input sampling and test split.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spec {
    pub info: TaskInfo,
    pub rule: rules::Rule,
    pub sampling: Sampling,
    /// Seed of the test split.
    pub test_seed: u64,
    /// Sequences in the test split.
    pub n_test: usize,
}

/// A built-in task (one of the 62 catalog tasks or a member of a task family): fresh
/// sequences of any length from its rule.
#[derive(Debug)]
pub struct BuiltinTask {
    info: TaskInfo,
    generator: Generator,
    test_seed: u64,
    n_test: usize,
    test: OnceLock<Dataset>,
}

impl BuiltinTask {
    /// The catalog task or family member called `name`; an error naming the family's range for
    /// a member outside it, or listing the valid names for any other name.
    pub fn new(name: &str) -> Result<BuiltinTask> {
        let unknown = || MipsError::unknown("task", name, super::valid_names());
        if let Some(entry) = super::catalog::entry(name) {
            let rule = rules::for_task(name).ok_or_else(unknown)?;
            return Ok(BuiltinTask::from_spec(entry.spec(rule)));
        }
        match families::parse(name)? {
            Some(member) => Ok(BuiltinTask::from_spec(member.spec())),
            None => Err(unknown()),
        }
    }

    pub(crate) fn from_spec(spec: Spec) -> BuiltinTask {
        BuiltinTask {
            generator: Generator {
                rule: spec.rule,
                sampling: spec.sampling,
                input_ranges: spec.info.input_ranges.clone(),
                output_dim: spec.info.output_dim,
            },
            info: spec.info,
            test_seed: spec.test_seed,
            n_test: spec.n_test,
            test: OnceLock::new(),
        }
    }

    fn build_test_split(&self) -> Dataset {
        let g = &self.generator;
        let len = self.info.seq_len;
        let data = match g.sampling {
            Sampling::IidUniformDedupShuffled => g.distinct_dataset(self.test_seed, TEST_STREAM, self.n_test, len),
            _ => g.dataset(self.test_seed, TEST_STREAM, self.n_test, len),
        };
        // Catalog lengths never overflow; an empty split would only hide a broken rule.
        data.unwrap_or_else(|| Dataset::new(self.info.input_dim, self.info.output_dim))
    }
}

impl Task for BuiltinTask {
    fn info(&self) -> &TaskInfo {
        &self.info
    }

    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        self.generator
            .dataset(seed, TRAIN_STREAM, n, self.info.seq_len)
            .unwrap_or_else(|| Dataset::new(self.info.input_dim, self.info.output_dim))
    }

    fn test_split(&self) -> &Dataset {
        self.test.get_or_init(|| self.build_test_split())
    }

    /// `None` only when an output would overflow `i64` (Newton_Magnetic's velocity grows like
    /// √2^t, so lengths beyond about 115 steps cannot be represented): see
    /// [`Task::generate_fresh`].
    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        self.generator.dataset(seed, GENERATE_STREAM, n, len)
    }

    /// Never an error: labels that outgrow i64 are left to [`Task::exact_labels`].
    fn generate_fresh(&self, seed: u64, n: usize, len: usize) -> Result<FreshSequences> {
        Ok(self.generator.fresh(seed, GENERATE_STREAM, n, len))
    }

    fn exact_labels(&self, inputs: &[i64]) -> Option<Vec<num_bigint::BigInt>> {
        self.generator.exact_labels(inputs)
    }
}
