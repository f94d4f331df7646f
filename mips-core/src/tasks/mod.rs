//! The built-in tasks: the 62 of the catalog and the members of the task [`families`], and
//! opening a task by name or data file.

mod builtin;
mod catalog;
pub mod families;
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

/// The built-in task called `name` (a catalog task or a family member); an unknown name gives
/// an error listing the valid ones, a family member outside its family's range one naming it.
pub fn builtin(name: &str) -> Result<BuiltinTask> {
    BuiltinTask::new(name)
}

/// The valid built-in names: the 62, then each family's pattern and range.
fn valid_names() -> Vec<String> {
    let families = families::all()
        .iter()
        .map(|f| format!("{} for {}", f.pattern(), f.range_text()));
    names().into_iter().map(String::from).chain(families).collect()
}

/// A built-in task by name, else a data file (`.csv`, `.jsonl` or `.json`) by path, holding out
/// the last [`DEFAULT_TEST_FRACTION`] of its rows as the test split. A name of a family's pattern
/// outside its range is an error naming the range unless a file has that name.
pub fn open(spec: &str) -> Result<Box<dyn Task>> {
    let member = families::parse(spec);
    if catalog::entry(spec).is_some() || matches!(member, Ok(Some(_))) {
        return Ok(Box::new(builtin(spec)?));
    }
    let path = Path::new(spec);
    if path.is_file() {
        return Ok(Box::new(FileTask::open(path, DEFAULT_TEST_FRACTION)?));
    }
    member?;
    Err(MipsError::invalid(
        "task",
        format!(
            "'{spec}' is neither a built-in task nor an existing data file; give one of the built-in \
             names ({}) or the path of a .csv, .jsonl or .json file",
            valid_names().join(", ")
        ),
    ))
}
