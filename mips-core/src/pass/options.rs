//! Typed pass options: each pass declares its options (name, type, default, help); values
//! given in a pipeline are checked against the declaration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{MipsError, Result};

/// The type of an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptionType {
    Int,
    Float,
    Bool,
    Text,
}

/// A typed option value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OptionValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl std::fmt::Display for OptionValue {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionValue::Int(v) => write!(out, "{v}"),
            OptionValue::Float(v) => write!(out, "{v}"),
            OptionValue::Bool(v) => write!(out, "{v}"),
            OptionValue::Text(v) => write!(out, "{v}"),
        }
    }
}

/// The declaration of one option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionSpec {
    pub name: String,
    pub kind: OptionType,
    pub default: OptionValue,
    pub help: String,
}

impl OptionSpec {
    /// An integer option.
    pub fn int(name: &str, default: i64, help: &str) -> Self {
        Self::new(name, OptionType::Int, OptionValue::Int(default), help)
    }

    /// A floating-point option.
    pub fn float(name: &str, default: f64, help: &str) -> Self {
        Self::new(name, OptionType::Float, OptionValue::Float(default), help)
    }

    /// A Boolean option.
    pub fn bool(name: &str, default: bool, help: &str) -> Self {
        Self::new(name, OptionType::Bool, OptionValue::Bool(default), help)
    }

    /// A text option.
    pub fn text(name: &str, default: &str, help: &str) -> Self {
        Self::new(name, OptionType::Text, OptionValue::Text(default.into()), help)
    }

    fn new(name: &str, kind: OptionType, default: OptionValue, help: &str) -> Self {
        OptionSpec {
            name: name.into(),
            kind,
            default,
            help: help.into(),
        }
    }

    /// Parses a textual value as this option's type.
    pub fn parse(&self, pass: &str, text: &str) -> Result<OptionValue> {
        let wrong = |expected: &str| {
            MipsError::invalid(
                format!("option '{}' of pass '{pass}'", self.name),
                format!("expected {expected}, got '{text}'"),
            )
        };
        Ok(match self.kind {
            OptionType::Int => OptionValue::Int(text.parse().map_err(|_| wrong("an integer"))?),
            OptionType::Float => OptionValue::Float(
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| wrong("a finite number"))?,
            ),
            OptionType::Bool => OptionValue::Bool(text.parse().map_err(|_| wrong("true or false"))?),
            OptionType::Text => OptionValue::Text(text.to_string()),
        })
    }
}

/// Resolved option values of one pass invocation (defaults filled in).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Options {
    values: BTreeMap<String, OptionValue>,
}

impl Options {
    /// Resolves `given` (name, text) pairs against `specs`; unknown names and malformed values
    /// are errors naming the pass, the option and the valid options.
    pub fn resolve(pass: &str, specs: &[OptionSpec], given: &[(String, String)]) -> Result<Options> {
        let mut values: BTreeMap<String, OptionValue> =
            specs.iter().map(|s| (s.name.clone(), s.default.clone())).collect();
        for (name, text) in given {
            let spec = specs.iter().find(|s| &s.name == name).ok_or_else(|| {
                let valid: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                let valid = if valid.is_empty() { vec!["(none)"] } else { valid };
                MipsError::unknown(&format!("option of pass '{pass}'"), name, valid)
            })?;
            values.insert(name.clone(), spec.parse(pass, text)?);
        }
        Ok(Options { values })
    }

    /// The value of `name`, if the pass declared it.
    pub fn value(&self, name: &str) -> Option<&OptionValue> {
        self.values.get(name)
    }

    /// The value of `name` (panics if the pass did not declare it: a programming error).
    fn get(&self, name: &str) -> &OptionValue {
        self.values
            .get(name)
            .unwrap_or_else(|| panic!("option '{name}' was not declared by the pass"))
    }

    /// An integer option.
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            OptionValue::Int(v) => *v,
            other => panic!("option '{name}' is {other:?}, not an integer"),
        }
    }

    /// A non-negative integer option as usize (negative values become 0).
    pub fn usize(&self, name: &str) -> usize {
        self.int(name).max(0) as usize
    }

    /// A float option (integer options convert).
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            OptionValue::Float(v) => *v,
            OptionValue::Int(v) => *v as f64,
            other => panic!("option '{name}' is {other:?}, not a number"),
        }
    }

    /// A Boolean option.
    pub fn bool(&self, name: &str) -> bool {
        match self.get(name) {
            OptionValue::Bool(v) => *v,
            other => panic!("option '{name}' is {other:?}, not a Boolean"),
        }
    }

    /// A text option.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            OptionValue::Text(v) => v,
            other => panic!("option '{name}' is {other:?}, not text"),
        }
    }

    /// The (name, value) pairs, for reports.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OptionValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<OptionSpec> {
        vec![
            OptionSpec::float("tol", 0.01, "tolerance"),
            OptionSpec::int("rounds", 3, "rounds"),
        ]
    }

    #[test]
    fn defaults_and_given_values() {
        let o = Options::resolve("snap", &specs(), &[("tol".into(), "0.5".into())]).unwrap();
        assert_eq!(o.float("tol"), 0.5);
        assert_eq!(o.int("rounds"), 3);
    }

    #[test]
    fn unknown_option_names_it_and_lists_valid() {
        let err = Options::resolve("snap", &specs(), &[("tolerance".into(), "1".into())]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("tolerance") && msg.contains("tol, rounds") && msg.contains("snap"),
            "{msg}"
        );
    }

    #[test]
    fn malformed_value_is_rejected() {
        let err = Options::resolve("snap", &specs(), &[("rounds".into(), "x".into())]).unwrap_err();
        assert!(err.to_string().contains("expected an integer"), "{err}");
        assert!(Options::resolve("snap", &specs(), &[("tol".into(), "nan".into())]).is_err());
    }
}
