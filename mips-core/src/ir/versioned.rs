//! Saving and loading IR files as RON with a format kind and version. A file whose kind or
//! version this build does not know is rejected with a message naming the file.

use std::path::Path;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::atomic::{read_text, write_atomic};
use crate::ir::{Network, Program, StateMachine};
use crate::{MipsError, Result};

/// A type saved in a versioned file.
pub trait Versioned: Serialize + DeserializeOwned {
    /// The file kind written into the header (e.g. "network").
    const KIND: &'static str;
    /// The current format version.
    const VERSION: u32;
}

impl Versioned for Network {
    const KIND: &'static str = "network";
    const VERSION: u32 = 1;
}

impl Versioned for StateMachine {
    const KIND: &'static str = "state-machine";
    const VERSION: u32 = 1;
}

impl Versioned for Program {
    const KIND: &'static str = "program";
    const VERSION: u32 = 1;
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    kind: &'a str,
    version: u32,
    content: &'a T,
}

#[derive(Deserialize)]
struct Header {
    kind: String,
    version: u32,
}

#[derive(Deserialize)]
struct EnvelopeIn<T> {
    content: T,
}

/// Serializes `value` with its header as pretty RON.
pub fn to_ron<T: Versioned>(value: &T) -> Result<String> {
    let envelope = EnvelopeOut {
        kind: T::KIND,
        version: T::VERSION,
        content: value,
    };
    ron::ser::to_string_pretty(&envelope, ron::ser::PrettyConfig::default())
        .map_err(|e| MipsError::invalid(T::KIND, e.to_string()))
}

/// Parses RON text written by [`to_ron`]; `path` is only used in messages.
pub fn from_ron<T: Versioned>(text: &str, path: &Path) -> Result<T> {
    let parse_error = |e: ron::error::SpannedError| MipsError::Parse {
        path: path.to_path_buf(),
        line: e.span.start.line,
        message: e.code.to_string(),
    };
    let header: Header = ron::from_str(text).map_err(parse_error)?;
    if header.kind != T::KIND {
        return Err(MipsError::invalid(
            "file kind",
            format!("{} holds a {}, expected a {}", path.display(), header.kind, T::KIND),
        ));
    }
    if header.version != T::VERSION {
        return Err(MipsError::FormatVersion {
            path: path.to_path_buf(),
            kind: T::KIND.into(),
            found: header.version,
            expected: T::VERSION,
        });
    }
    let envelope: EnvelopeIn<T> = ron::from_str(text).map_err(parse_error)?;
    Ok(envelope.content)
}

/// Saves `value` to `path` atomically.
pub fn save<T: Versioned>(value: &T, path: &Path) -> Result<()> {
    write_atomic(path, to_ron(value)?.as_bytes())
}

/// Loads a value saved by [`save`].
pub fn load<T: Versioned>(path: &Path) -> Result<T> {
    from_ron(&read_text(path)?, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::network::{Activation, Shape};

    fn net() -> Network {
        Network::zeros(&Shape {
            input_dim: 2,
            hidden_dim: 3,
            output_dim: 1,
            f_widths: vec![4],
            g_widths: vec![],
            activation: Activation::Tanh,
        })
    }

    #[test]
    fn network_round_trips() {
        let text = to_ron(&net()).unwrap();
        assert!(text.contains("kind: \"network\""));
        let back: Network = from_ron(&text, Path::new("x.ron")).unwrap();
        assert_eq!(back, net());
    }

    #[test]
    fn unknown_version_is_rejected_with_path() {
        let text = to_ron(&net()).unwrap().replace("version: 1", "version: 99");
        let err = from_ron::<Network>(&text, Path::new("model.ron")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("model.ron") && msg.contains("99"), "{msg}");
    }

    #[test]
    fn wrong_kind_is_rejected() {
        let text = to_ron(&net()).unwrap();
        let err = from_ron::<Program>(&text, Path::new("p.ron")).unwrap_err();
        assert!(err.to_string().contains("expected a program"), "{err}");
    }
}
