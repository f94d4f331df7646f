//! The error type shared by all mips crates.

use std::path::PathBuf;

/// Everything that can go wrong in mips, phrased for the user.
#[derive(Debug, thiserror::Error)]
pub enum MipsError {
    /// A file could not be read or written. The OS error is part of the message and is not
    /// also reported as the error's source, so printing the chain (`{:#}`) shows it once.
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    /// A file was read but its content is not what was expected.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A saved IR file has a format version this build does not know.
    #[error("{path}: unsupported format version {found} for {kind} (this build reads {})", versions(*oldest, *newest))]
    FormatVersion {
        path: PathBuf,
        kind: String,
        found: u32,
        oldest: u32,
        newest: u32,
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
    /// Shorthand for [`MipsError::Io`].
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        MipsError::Io {
            path: path.into(),
            error,
        }
    }

    /// Shorthand for [`MipsError::Invalid`].
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        MipsError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`MipsError::Unknown`], listing the valid names (`name` is quoted
    /// shortened, see [`excerpt`]).
    pub fn unknown<S: AsRef<str>>(what: &str, name: &str, valid: impl IntoIterator<Item = S>) -> Self {
        let valid: Vec<String> = valid.into_iter().map(|s| s.as_ref().to_string()).collect();
        MipsError::Unknown {
            what: what.into(),
            name: excerpt(name).into(),
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

/// "version 2" or "versions 1 to 2".
fn versions(oldest: u32, newest: u32) -> String {
    if oldest == newest {
        format!("version {newest}")
    } else {
        format!("versions {oldest} to {newest}")
    }
}

/// The longest piece of user input an error message quotes, in characters.
pub const QUOTE_LIMIT: usize = 60;

/// `text` for quoting in a message: the first [`QUOTE_LIMIT`] characters, then `…` when there
/// were more, so a huge token never floods the terminal.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    clip(text, QUOTE_LIMIT)
}

/// The first `limit` characters of `text`, then `…` when there were more.
pub fn clip(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

/// A library's error message (e.g. RON's) with every quoted part (between `"`, `'` or
/// backquotes) cut to [`QUOTE_LIMIT`] characters and `…`: such messages quote the input they
/// stumbled on, which may be a huge token.
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * QUOTE_LIMIT));
    let mut open: Option<(char, usize)> = None; // the opening quote and characters kept inside
    let mut escaped = false;
    for c in message.chars() {
        match open {
            None => {
                out.push(c);
                if matches!(c, '"' | '\'' | '`') {
                    open = Some((c, 0));
                }
            }
            Some((quote, kept)) => {
                let closes = c == quote && !escaped;
                escaped = !escaped && c == '\\';
                if closes {
                    if kept > QUOTE_LIMIT {
                        out.push('…');
                    }
                    out.push(c);
                    open = None;
                } else {
                    if kept < QUOTE_LIMIT {
                        out.push(c);
                    }
                    open = Some((quote, kept + 1));
                }
            }
        }
    }
    if open.is_some_and(|(_, kept)| kept > QUOTE_LIMIT) {
        out.push('…');
    }
    out
}

/// Result with [`MipsError`].
pub type Result<T, E = MipsError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn os_error_is_printed_once_in_the_chain() {
        let missing = std::fs::read("/nonexistent/mips/file").unwrap_err();
        let os_message = missing.to_string();
        let err = MipsError::io("/nonexistent/mips/file", missing);
        assert!(err.source().is_none(), "the OS error must not be a source too");
        // What `{:#}` of an anyhow error prints: the message, then each source after ": ".
        let mut printed = err.to_string();
        let mut source = err.source();
        while let Some(inner) = source {
            printed += &format!(": {inner}");
            source = inner.source();
        }
        assert_eq!(printed.matches(&os_message).count(), 1, "{printed}");
        assert!(printed.starts_with("/nonexistent/mips/file: "), "{printed}");
    }

    #[test]
    fn quoted_parts_of_messages_are_shortened() {
        let long = "y".repeat(10_000);
        let message = format!("invalid type: string \"{long}\", expected `usize` near 'x'");
        let short = shorten_quoted(&message);
        let kept = "y".repeat(QUOTE_LIMIT);
        assert_eq!(
            short,
            format!("invalid type: string \"{kept}…\", expected `usize` near 'x'")
        );
        assert_eq!(shorten_quoted("no quotes at all"), "no quotes at all");
        assert_eq!(
            shorten_quoted(&format!("unclosed \"{long}")),
            format!("unclosed \"{kept}…")
        );
        let escaped = format!("string \"a\\\"{long}\" end");
        assert!(
            shorten_quoted(&escaped).ends_with("…\" end"),
            "{}",
            shorten_quoted(&escaped)
        );
    }

    #[test]
    fn excerpt_truncates_long_input_on_a_char_boundary() {
        assert_eq!(excerpt("short"), "short");
        let exact = "x".repeat(QUOTE_LIMIT);
        assert_eq!(excerpt(&exact), exact);
        let long = "é".repeat(1_000_000);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), QUOTE_LIMIT + 1);
        assert!(cut.ends_with('…'));
    }
}
