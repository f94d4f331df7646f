//! The task catalog: metadata of the 62 built-in tasks, parsed once from the embedded
//! `catalog.ron` (a copy of the benchmark's machine-readable catalog).

use std::sync::OnceLock;

use serde::Deserialize;

use super::builtin::Spec;
use super::rules::Rule;
use crate::task::{Loss, TaskInfo};

/// How a task's input sequences are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) enum Sampling {
    /// Every component of every step uniform in its range.
    IidUniform,
    /// Uniform, but the test split has no duplicate input rows.
    IidUniformDedupShuffled,
    /// A palindromic prefix of random length ≥ 2, then uniform values.
    PalindromePrefix,
}

impl TryFrom<String> for Sampling {
    type Error = String;

    fn try_from(name: String) -> Result<Sampling, String> {
        match name.as_str() {
            "iid_uniform" => Ok(Sampling::IidUniform),
            "iid_uniform_dedup_shuffled" => Ok(Sampling::IidUniformDedupShuffled),
            "palindrome_prefix" => Ok(Sampling::PalindromePrefix),
            _ => Err(format!("unknown sampling '{name}'")),
        }
    }
}

/// One task of `catalog.ron`, field for field.
#[derive(Clone, Debug, Deserialize)]
#[allow(dead_code)] // every field is parsed so the schema stays checked; some are informational
pub(crate) struct CatalogEntry {
    pub name: String,
    pub old_name: String,
    pub input_dim: usize,
    pub input_range: Vec<(i64, i64)>,
    pub seq_len: usize,
    pub output_dim: usize,
    pub output_range: Vec<(i64, i64)>,
    pub loss: String,
    pub vectorize_input: bool,
    pub train_steps: usize,
    pub rule: String,
    pub n_samples: usize,
    pub test_fraction: f64,
    pub n_train: usize,
    pub n_test: usize,
    pub seed: u64,
    pub sampling: Sampling,
    pub gpt4_solved: bool,
}

/// The tasks solved by the published method (reference `method.md`, section 8).
const PAPER_SOLVED: [&str; 32] = [
    "Binary_Addition",
    "Bitwise_Xor",
    "Bitwise_Or",
    "Bitwise_And",
    "Bitwise_Not",
    "Parity_Last2",
    "Parity_Last3",
    "Parity_All",
    "Parity_Zeros",
    "Sum_All",
    "Sum_Last2",
    "Sum_Last3",
    "Sum_Last4",
    "Sum_Last5",
    "Sum_Last6",
    "Sum_Last7",
    "Current_Number",
    "Prev1",
    "Prev2",
    "Prev3",
    "Prev4",
    "Prev5",
    "Previous_Equals_Current",
    "Diff_Last2",
    "Abs_Diff",
    "Abs_Current",
    "Bit_Shift_Right",
    "Bit_Dot_Prod_Mod2",
    "Add_Mod_3",
    "Newton_Freebody",
    "Newton_Gravity",
    "Newton_Spring",
];

const CATALOG_RON: &str = include_str!("catalog.ron");

/// All catalog entries, in catalog order.
pub(crate) fn entries() -> &'static [CatalogEntry] {
    static CATALOG: OnceLock<Vec<CatalogEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The catalog is compiled into the binary; a unit test guarantees that it parses.
        ron::from_str(CATALOG_RON).unwrap_or_else(|e| panic!("embedded tasks/catalog.ron is malformed: {e}"))
    })
}

/// The catalog entry called `name`.
pub(crate) fn entry(name: &str) -> Option<&'static CatalogEntry> {
    entries().iter().find(|e| e.name == name)
}

impl CatalogEntry {
    /// The built-in task of this entry, labelled by `rule`.
    pub(crate) fn spec(&self, rule: Rule) -> Spec {
        Spec {
            info: self.info(),
            rule,
            sampling: self.sampling,
            test_seed: self.seed,
            n_test: self.n_test,
        }
    }

    /// The task's static facts.
    pub(crate) fn info(&self) -> TaskInfo {
        TaskInfo {
            name: self.name.clone(),
            input_dim: self.input_dim,
            output_dim: self.output_dim,
            input_ranges: self.input_range.clone(),
            output_ranges: self.output_range.clone(),
            seq_len: self.seq_len,
            loss: Loss::parse(&self.loss).unwrap_or_default(),
            train_steps: self.train_steps,
            rule: self.rule.clone(),
            paper_solved: Some(PAPER_SOLVED.contains(&self.name.as_str())),
            gpt4_solved: Some(self.gpt4_solved),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_with_consistent_shapes() {
        let all = entries();
        assert_eq!(all.len(), 62);
        for e in all {
            assert_eq!(e.input_range.len(), e.input_dim, "{}", e.name);
            assert_eq!(e.output_range.len(), e.output_dim, "{}", e.name);
            assert_eq!(e.n_train + e.n_test, e.n_samples, "{}", e.name);
            assert!(Loss::parse(&e.loss).is_ok(), "{}", e.name);
        }
    }

    #[test]
    fn solved_counts_match_the_reference() {
        let infos: Vec<TaskInfo> = entries().iter().map(CatalogEntry::info).collect();
        assert_eq!(infos.iter().filter(|i| i.paper_solved == Some(true)).count(), 32);
        assert_eq!(infos.iter().filter(|i| i.gpt4_solved == Some(true)).count(), 30);
        for name in PAPER_SOLVED {
            assert!(entry(name).is_some(), "{name} is not in the catalog");
        }
    }
}
