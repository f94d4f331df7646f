//! The CSV data format: `inputs,outputs` per line, steps separated by spaces, components by `:`.

use super::{RowCollector, Steps, parse_int};
use crate::Result;

/// Parses every line of `text` into `rows`.
pub(super) fn parse(text: &str, rows: &mut RowCollector) -> Result<()> {
    let mut seen_content = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let first = !seen_content;
        seen_content = true;
        if first && is_header(content) {
            continue;
        }
        let fields: Vec<&str> = content.split(',').collect();
        if fields.len() != 2 {
            return Err(rows.error(
                line,
                format!(
                    "expected two comma-separated fields (inputs,outputs), found {}",
                    fields.len()
                ),
            ));
        }
        let inputs = steps(fields[0]).map_err(|m| rows.error(line, format!("inputs: {m}")))?;
        let outputs = steps(fields[1]).map_err(|m| rows.error(line, format!("outputs: {m}")))?;
        if inputs.is_empty() {
            return Err(rows.error(line, "missing inputs field (expected inputs,outputs)"));
        }
        if outputs.is_empty() {
            return Err(rows.error(line, "missing outputs field (expected inputs,outputs)"));
        }
        rows.push(line, inputs, outputs)?;
    }
    Ok(())
}

/// True for the optional `inputs,outputs` header.
fn is_header(content: &str) -> bool {
    let fields: Vec<String> = content.split(',').map(|f| f.trim().to_ascii_lowercase()).collect();
    fields == ["inputs", "outputs"]
}

/// The steps of one field: space-separated steps of `:`-separated integers.
fn steps(field: &str) -> std::result::Result<Steps, String> {
    field
        .split_whitespace()
        .enumerate()
        .map(|(t, step)| {
            step.split(':')
                .map(parse_int)
                .collect::<std::result::Result<Vec<i64>, String>>()
                .map_err(|m| format!("step {}: {m}", t + 1))
        })
        .collect()
}
