//! The JSON lines data format: one `{"inputs": [...], "outputs": [...]}` object per line.

use serde_json::Value;

use super::{RowCollector, Steps, parse_int};
use crate::Result;
use crate::error::excerpt;

/// What every line must hold.
const ONE_OBJECT_PER_LINE: &str = "one {\"inputs\": [...], \"outputs\": [...]} object per line";

/// Parses every non-blank line of `text` into `rows`.
pub(super) fn parse(text: &str, rows: &mut RowCollector) -> Result<()> {
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(content)
            .map_err(|e| rows.error(line, format!("invalid JSON, expected {ONE_OBJECT_PER_LINE}: {e}")))?;
        let Value::Object(object) = value else {
            return Err(rows.error(line, format!("expected {ONE_OBJECT_PER_LINE}")));
        };
        let field = |name: &str| -> Result<Steps> {
            let value = object
                .get(name)
                .ok_or_else(|| rows.error(line, format!("missing field \"{name}\"")))?;
            steps(value).map_err(|m| rows.error(line, format!("{name}: {m}")))
        };
        let inputs = field("inputs")?;
        let outputs = field("outputs")?;
        rows.push(line, inputs, outputs)?;
    }
    Ok(())
}

/// The steps of one field: an array whose items are numbers or arrays of numbers.
fn steps(value: &Value) -> std::result::Result<Steps, String> {
    let Value::Array(items) = value else {
        return Err(format!("expected an array of steps, found {}", kind(value)));
    };
    items
        .iter()
        .enumerate()
        .map(|(t, item)| step(item).map_err(|m| format!("step {}: {m}", t + 1)))
        .collect()
}

/// One step: a number, or a non-empty array of numbers.
fn step(value: &Value) -> std::result::Result<Vec<i64>, String> {
    match value {
        Value::Array(components) if components.is_empty() => {
            Err("expected a number or a non-empty array of numbers, found []".into())
        }
        Value::Array(components) => components.iter().map(integer).collect(),
        other => Ok(vec![integer(other)?]),
    }
}

/// One integer component.
fn integer(value: &Value) -> std::result::Result<i64, String> {
    match value {
        Value::Number(n) => parse_int(&n.to_string()),
        other => Err(format!("expected an integer, found {}", kind(other))),
    }
}

/// A short description of a JSON value for messages.
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string \"{}\"", excerpt(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}
