//! Saving and loading IR files as RON with a format kind and version. A file whose kind or
//! version this build does not know is rejected with a message naming the file, and so is a
//! file whose content does not hold together (dimensions, variable indices: see
//! [`Versioned::check`]), so a loaded value is safe to run.

use std::path::Path;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::atomic::{read_text, write_atomic};
use crate::error::{QUOTE_LIMIT, clip, excerpt, shorten_quoted};
use crate::ir::{Network, Program, StateMachine};
use crate::{MipsError, Result};

/// The deepest nesting of RON structures read or written. Expressions are saved flat (see
/// [`crate::ir::program_serde`]), so this only stops hostile input; it is kept low enough that
/// the recursive parser stays well within a 2 MiB thread stack.
pub const RECURSION_LIMIT: usize = 256;

/// A type saved in a versioned file.
pub trait Versioned: Serialize + DeserializeOwned {
    /// The file kind written into the header (e.g. "network").
    const KIND: &'static str;
    /// The current format version (the one written).
    const VERSION: u32;
    /// The oldest format version still read.
    const OLDEST: u32 = Self::VERSION;

    /// Checks that a value read from a file holds together, so that using it cannot fail on
    /// mismatched dimensions or indices.
    fn check(&self) -> Result<()>;
}

impl Versioned for Network {
    const KIND: &'static str = "network";
    const VERSION: u32 = 1;

    fn check(&self) -> Result<()> {
        self.validate()
    }
}

impl Versioned for StateMachine {
    const KIND: &'static str = "state-machine";
    const VERSION: u32 = 1;

    fn check(&self) -> Result<()> {
        self.validate()?;
        match &self.coding {
            Some(coding) => coding.validate(self.state_dim, self.input_dim, self.output_dim),
            None => Ok(()),
        }
    }
}

/// Version 2 writes long operator chains and else-if chains flat; version 1 files (nested
/// only) read unchanged.
impl Versioned for Program {
    const KIND: &'static str = "program";
    const VERSION: u32 = 2;
    const OLDEST: u32 = 1;

    fn check(&self) -> Result<()> {
        self.validate()
    }
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

/// RON options with [`RECURSION_LIMIT`].
fn options() -> ron::Options {
    ron::Options::default().with_recursion_limit(RECURSION_LIMIT)
}

/// Serializes `value` with its header as pretty RON.
pub fn to_ron<T: Versioned>(value: &T) -> Result<String> {
    let envelope = EnvelopeOut {
        kind: T::KIND,
        version: T::VERSION,
        content: value,
    };
    options()
        .to_string_pretty(&envelope, ron::ser::PrettyConfig::default())
        .map_err(|e| MipsError::invalid(T::KIND, e.to_string()))
}

/// Parses RON text written by [`to_ron`] and checks the value; `path` is only used in messages.
pub fn from_ron<T: Versioned>(text: &str, path: &Path) -> Result<T> {
    let parse_error = |e: ron::error::SpannedError| MipsError::Parse {
        path: path.to_path_buf(),
        line: e.span.start.line,
        message: shorten_quoted(&e.code.to_string()),
    };
    let header: Header = options().from_str(text).map_err(parse_error)?;
    if header.kind != T::KIND {
        return Err(MipsError::invalid(
            "file kind",
            format!(
                "{} holds a {}, expected a {}",
                path.display(),
                excerpt(&header.kind),
                T::KIND
            ),
        ));
    }
    if !(T::OLDEST..=T::VERSION).contains(&header.version) {
        return Err(MipsError::FormatVersion {
            path: path.to_path_buf(),
            kind: T::KIND.into(),
            found: header.version,
            oldest: T::OLDEST,
            newest: T::VERSION,
        });
    }
    let envelope: EnvelopeIn<T> = options().from_str(text).map_err(parse_error)?;
    envelope.content.check().map_err(|e| match e {
        MipsError::Invalid { what, message } => MipsError::Invalid {
            what,
            message: format!(
                "{}: {}",
                path.display(),
                clip(&shorten_quoted(&message), 6 * QUOTE_LIMIT)
            ),
        },
        other => other,
    })?;
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
    fn program_versions_1_and_2_are_read() {
        let p = Program {
            state_names: vec![],
            init: vec![],
            input_names: vec!["x".into()],
            updates: vec![],
            outputs: vec![crate::ir::Expr::input(0)],
            method: String::new(),
            symbolic: true,
        };
        let text = to_ron(&p).unwrap();
        assert!(text.contains("version: 2"), "{text}");
        let v1 = text.replace("version: 2", "version: 1");
        assert_eq!(from_ron::<Program>(&v1, Path::new("p.ron")).unwrap(), p);
        let v3 = text.replace("version: 2", "version: 3");
        let msg = from_ron::<Program>(&v3, Path::new("p.ron")).unwrap_err().to_string();
        assert!(msg.contains("version 3") && msg.contains("versions 1 to 2"), "{msg}");
    }

    #[test]
    fn inconsistent_files_are_errors_naming_the_file() {
        let mut bad = net();
        bad.f.layers[0].weight.pop();
        let msg = from_ron::<Network>(&to_ron(&bad).unwrap(), Path::new("model.ron"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("model.ron") && msg.contains("wrong length"), "{msg}");
        let mut p = Program {
            state_names: vec![],
            init: vec![],
            input_names: vec![],
            updates: vec![],
            outputs: vec![crate::ir::Expr::input(3)],
            method: String::new(),
            symbolic: true,
        };
        let msg = from_ron::<Program>(&to_ron(&p).unwrap(), Path::new("p.ron"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("p.ron") && msg.contains("reads input 3"), "{msg}");
        p.outputs.clear();
        p.init.push(1);
        assert!(from_ron::<Program>(&to_ron(&p).unwrap(), Path::new("p.ron")).is_err());
    }

    /// A lattice machine whose coding has an empty rule row made `run` panic after loading.
    #[test]
    fn state_machine_codings_are_checked() {
        use crate::ir::{LatticeCoding, Reading};
        let coding = LatticeCoding {
            origin: vec![0.0; 3],
            basis: vec![vec![1.0, 0.0, 0.0]],
            reading: Reading::Rule { rule: vec![vec![]] },
            subspace: vec![],
            tolerance: 0.5,
            relative_tolerance: 0.0,
            network: net(),
        };
        let sm = StateMachine {
            state_dim: 1,
            input_dim: 2,
            output_dim: 1,
            initial: vec![0],
            coding: Some(Box::new(coding)),
            ..Default::default()
        };
        let text = to_ron(&sm).unwrap();
        let msg = from_ron::<StateMachine>(&text, Path::new("sm.ron"))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("sm.ron") && msg.contains("rule must have 1 rows of 4 integers"),
            "{msg}"
        );
        let mut fixed = sm.clone();
        if let Some(c) = fixed.coding.as_mut() {
            c.reading = Reading::Rule {
                rule: vec![vec![1, 0, 0, 0]],
            };
        }
        let back = from_ron::<StateMachine>(&to_ron(&fixed).unwrap(), Path::new("sm.ron")).unwrap();
        // The zero network keeps state 0 and outputs 0.
        assert_eq!(back.run(&[1, 1, 0, 1]), Ok(vec![0, 0]));
    }

    #[test]
    fn wrong_kind_is_rejected() {
        let text = to_ron(&net()).unwrap();
        let err = from_ron::<Program>(&text, Path::new("p.ron")).unwrap_err();
        assert!(err.to_string().contains("expected a program"), "{err}");
    }
}
