//! The error type shared by all mips crates.

use std::path::PathBuf;

/// Everything that can go wrong in mips, phrased for the user.
#[derive(Debug, thiserror::Error)]
pub enum MipsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A file was read but its content is not what was expected.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A saved IR file has a format version this build does not know.
    #[error("{path}: unsupported format version {found} for {kind} (this build reads version {expected})")]
    FormatVersion {
        path: PathBuf,
        kind: String,
        found: u32,
        expected: u32,
    },
    /// A name (task, pass, option) that does not exist; lists the valid ones.
    #[error("unknown {what} '{name}'; valid: {valid}")]
    Unknown { what: String, name: String, valid: String },
    /// A value outside what is allowed.
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
    /// A pass failed while running (as opposed to failing verification).
    #[error("pass '{pass}' failed: {message}")]
    Pass { pass: String, message: String },
    /// Arithmetic error while evaluating a program (Python semantics).
    #[error("evaluation error: {0}")]
    Eval(String),
}

impl MipsError {
    /// Shorthand for [`MipsError::Invalid`].
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        MipsError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`MipsError::Unknown`], listing the valid names.
    pub fn unknown<S: AsRef<str>>(what: &str, name: &str, valid: impl IntoIterator<Item = S>) -> Self {
        let valid: Vec<String> = valid.into_iter().map(|s| s.as_ref().to_string()).collect();
        MipsError::Unknown {
            what: what.into(),
            name: name.into(),
            valid: valid.join(", "),
        }
    }

    /// Shorthand for [`MipsError::Pass`].
    pub fn pass(pass: impl Into<String>, message: impl Into<String>) -> Self {
        MipsError::Pass {
            pass: pass.into(),
            message: message.into(),
        }
    }
}

/// Result with [`MipsError`].
pub type Result<T, E = MipsError> = std::result::Result<T, E>;
