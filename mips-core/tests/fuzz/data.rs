//! CSV and JSON-lines data files.

use std::path::Path;
use std::sync::LazyLock;

use mips_core::data::file::parse_dataset;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::harness::{bounded, fuzz, short_message};

static CSV: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    [
        "inputs,outputs\n# a comment\n\n1 2 3,1 3 6\n  4 -5 , 4 -1\n",
        "1:0 0:1 1:1,1 1 0\n0:0 1:1,0 1\n",
        "\u{feff}inputs,outputs\n7,7\n-9223372036854775808,9223372036854775807\n",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
});

static JSONL: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    [
        "{\"inputs\": [[1, 0], [0, 1]], \"outputs\": [1, 1]}\n{\"inputs\": [[1, 1], [1, 1]], \"outputs\": [0, 1]}\n",
        "{\"inputs\": [1, 2, 3], \"outputs\": [[1], [3], [6]]}\n\n{\"outputs\": [5], \"inputs\": [-5]}\n",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
});

/// Reads `bytes` as a data file named `name`: an error must be short; a dataset must be
/// consistent (at least one sequence, every sequence non-empty with whole steps on both sides).
fn check(bytes: Vec<u8>, name: &'static str) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let read = bounded(move || parse_dataset(&text, Path::new(name)).map_err(|e| e.to_string()))?;
    match read {
        Err(message) => short_message(&message),
        Ok(data) => {
            prop_assert!(!data.is_empty() && data.input_dim > 0 && data.output_dim > 0);
            for s in &data.sequences {
                let steps = s.inputs.len() / data.input_dim;
                prop_assert!(steps > 0 && s.inputs.len() == steps * data.input_dim);
                prop_assert_eq!(s.outputs.len(), steps * data.output_dim);
            }
            Ok(())
        }
    }
}

#[test]
fn csv_data_files() {
    fuzz("csv data files", &CSV, |bytes| check(bytes, "fuzz.csv"));
}

#[test]
fn jsonl_data_files() {
    fuzz("jsonl data files", &JSONL, |bytes| check(bytes, "fuzz.jsonl"));
}
