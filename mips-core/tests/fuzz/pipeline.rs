//! Pipeline strings and RON pipeline files.

use std::path::Path;
use std::sync::LazyLock;

use mips_core::pass::pipeline::Pipeline;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::harness::{bounded, fuzz, short_message};

static INLINE: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    [
        "whiten, jordan,snap{tol=0.01, rounds=2},debias",
        "extract{lookahead=3}",
        "a{}, b{x=}, c{=y}",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
});

static FILES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    [
        "(passes: [\"whiten\", \"snap{tol=0.1}\"])",
        "(\n  passes: [\n    \"whiten,jordan\",\n    \"sparsify{grid=0.5, rounds=3}\",\n  ],\n)\n",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
});

/// A parsed pipeline prints in the inline form and reads back as itself.
fn check(read: Result<Pipeline, String>) -> Result<(), TestCaseError> {
    match read {
        Err(message) => short_message(&message),
        Ok(p) => {
            let printed = p.to_string();
            let again = Pipeline::parse_inline(&printed).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(again, p, "printed as {}", printed);
            Ok(())
        }
    }
}

#[test]
fn pipeline_strings() {
    fuzz("pipeline strings", &INLINE, |bytes| {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check(bounded(move || {
            Pipeline::parse_inline(&text).map_err(|e| e.to_string())
        })?)
    });
}

#[test]
fn pipeline_files() {
    fuzz("pipeline files", &FILES, |bytes| {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check(bounded(move || {
            Pipeline::from_ron(&text, Path::new("fuzz.ron")).map_err(|e| e.to_string())
        })?)
    });
}
