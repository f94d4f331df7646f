//! User data files: integer input/output sequences in CSV or JSON lines.
//!
//! The format is chosen by the file extension: `.csv`, or `.jsonl` / `.json` for JSON lines.
//!
//! **CSV** (`.csv`): one sequence per line, two fields separated by a comma: the inputs, then
//! the outputs. Steps are separated by spaces; the components of a multi-dimensional step are
//! separated by `:`. For example `1:0 0:1 1:1,1 1 0` is a 3-step sequence with 2-D inputs
//! and 1-D outputs. An optional header line `inputs,outputs` may come first; blank lines and
//! lines starting with `#` are skipped.
//!
//! ```text
//! inputs,outputs
//! # two 2-D input steps, one output per step
//! 1:0 0:1,1 1
//! 1:1 1:1,0 1
//! ```
//!
//! **JSON lines** (`.jsonl` or `.json`): one object per line,
//! `{"inputs": [...], "outputs": [...]}`; each step is a number (1-D) or an array of numbers
//! (multi-dimensional). Blank lines are skipped.
//!
//! ```text
//! {"inputs": [[1, 0], [0, 1]], "outputs": [1, 1]}
//! {"inputs": [[1, 1], [1, 1]], "outputs": [0, 1]}
//! ```
//!
//! **Rules for both**: every value is an integer (no decimal point); a sequence has at least one
//! step and as many output steps as input steps; every input step has the same number of
//! components as the first sequence's input steps (likewise for outputs); sequences may have
//! different lengths. Any violation is reported with the file name and line number. A UTF-8
//! byte order mark at the start of the file is ignored.
//!
//! As a task ([`FileTask`]), the last `ceil(n · test_fraction)` sequences are the test split
//! (at least one when there are two or more sequences; a single sequence serves as both
//! splits) and the others are the training split.

mod csv;
mod jsonl;
mod task;

use std::path::{Path, PathBuf};

pub use task::FileTask;

use super::{Dataset, Sequence};
use crate::error::excerpt;
use crate::{MipsError, Result};

/// Reads a data file (`.csv`, `.jsonl` or `.json`, by extension) into a dataset.
pub fn read_dataset(path: &Path) -> Result<Dataset> {
    Format::of(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| MipsError::io(path.to_path_buf(), source))?;
    parse_dataset(&text, path)
}

/// Parses the text of a data file; the extension of `path` picks the format and `path` names
/// the file in messages. A leading UTF-8 byte order mark is skipped.
pub fn parse_dataset(text: &str, path: &Path) -> Result<Dataset> {
    let format = Format::of(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = RowCollector::new(path);
    match format {
        Format::Csv => csv::parse(text, &mut rows)?,
        Format::JsonLines => jsonl::parse(text, &mut rows)?,
    }
    rows.finish(text.lines().count())
}

/// The supported file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

impl Format {
    fn of(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("jsonl" | "json") => Ok(Format::JsonLines),
            _ => Err(MipsError::invalid(
                "data file",
                format!(
                    "{}: unsupported extension; expected .csv, .jsonl or .json",
                    path.display()
                ),
            )),
        }
    }
}

/// One side of a sequence as parsed: a list of steps, each a list of components.
type Steps = Vec<Vec<i64>>;

/// Collects parsed sequences, checking widths and lengths, into a [`Dataset`].
struct RowCollector {
    path: PathBuf,
    dims: Option<(usize, usize)>,
    sequences: Vec<Sequence>,
}

impl RowCollector {
    fn new(path: &Path) -> Self {
        RowCollector {
            path: path.to_path_buf(),
            dims: None,
            sequences: Vec::new(),
        }
    }

    /// A parse error at `line` of this file.
    fn error(&self, line: usize, message: impl Into<String>) -> MipsError {
        MipsError::Parse {
            path: self.path.clone(),
            line,
            message: message.into(),
        }
    }

    /// Adds the sequence read from `line`.
    fn push(&mut self, line: usize, inputs: Steps, outputs: Steps) -> Result<()> {
        if inputs.is_empty() {
            return Err(self.error(line, "expected at least one input step, found none"));
        }
        if outputs.is_empty() {
            return Err(self.error(line, "expected at least one output step, found none"));
        }
        if inputs.len() != outputs.len() {
            return Err(self.error(
                line,
                format!(
                    "expected as many output steps as input steps, found {} input and {} output steps",
                    inputs.len(),
                    outputs.len()
                ),
            ));
        }
        let first = (inputs[0].len(), outputs[0].len());
        let (input_dim, output_dim) = *self.dims.get_or_insert(first);
        let inputs = self.flatten(line, "input", inputs, input_dim)?;
        let outputs = self.flatten(line, "output", outputs, output_dim)?;
        self.sequences.push(Sequence { inputs, outputs });
        Ok(())
    }

    /// Row-major values of `steps`, each of which must have `width` components.
    fn flatten(&self, line: usize, side: &str, steps: Steps, width: usize) -> Result<Vec<i64>> {
        if let Some((t, step)) = steps.iter().enumerate().find(|(_, s)| s.len() != width) {
            let origin = if self.sequences.is_empty() {
                "the first step"
            } else {
                "the first sequence's steps"
            };
            return Err(self.error(
                line,
                format!(
                    "ragged {side}s: {side} step {} has {} component(s), expected {width} like {origin}",
                    t + 1,
                    step.len()
                ),
            ));
        }
        Ok(steps.into_iter().flatten().collect())
    }

    /// The dataset; an error when no sequence was read (`lines` = lines in the file).
    fn finish(self, lines: usize) -> Result<Dataset> {
        let Some((input_dim, output_dim)) = self.dims else {
            return Err(self.error(lines.max(1), "expected at least one sequence, found none (empty file)"));
        };
        Ok(Dataset {
            input_dim,
            output_dim,
            sequences: self.sequences,
        })
    }
}

/// Parses one integer value, naming what was expected on failure.
fn parse_int(text: &str) -> std::result::Result<i64, String> {
    use std::num::IntErrorKind;
    text.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            format!("expected a 64-bit integer, found '{}' (out of range)", excerpt(text))
        }
        _ => format!("expected an integer, found '{}'", excerpt(text)),
    })
}

#[cfg(test)]
mod tests;
