//! The 62 built-in tasks of the catalog, and opening a task by name or data file.

mod builtin;
mod catalog;
mod rules;
mod sampling;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use builtin::BuiltinTask;

use crate::data::file::FileTask;
use crate::task::Task;
use crate::{MipsError, Result};

/// Fraction of a data file's rows held out as its test split by [`open`].
pub const DEFAULT_TEST_FRACTION: f64 = 0.1;

/// The names of the 62 built-in tasks, in catalog order.
pub fn names() -> Vec<&'static str> {
    catalog::entries().iter().map(|e| e.name.as_str()).collect()
}

/// A handful of quick tasks for `mips bench --quick` (CI): a memoryless Boolean task, a
/// shift register, a running sum and an adder with carry.
pub fn quick_benchmark() -> Vec<&'static str> {
    vec!["Bitwise_Xor", "Bit_Shift_Right", "Sum_All", "Binary_Addition"]
}

/// The built-in task called `name`; unknown names give an error listing the valid ones.
pub fn builtin(name: &str) -> Result<BuiltinTask> {
    BuiltinTask::new(name)
}

/// A built-in task by name, else a data file (`.csv`, `.jsonl` or `.json`) by path, holding out
/// the last [`DEFAULT_TEST_FRACTION`] of its rows as the test split.
pub fn open(spec: &str) -> Result<Box<dyn Task>> {
    if catalog::entry(spec).is_some() {
        return Ok(Box::new(builtin(spec)?));
    }
    let path = Path::new(spec);
    if path.is_file() {
        return Ok(Box::new(FileTask::open(path, DEFAULT_TEST_FRACTION)?));
    }
    Err(MipsError::invalid(
        "task",
        format!(
            "'{spec}' is neither a built-in task nor an existing data file; give one of the built-in \
             names ({}) or the path of a .csv, .jsonl or .json file",
            names().join(", ")
        ),
    ))
}
