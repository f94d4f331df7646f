//! The pass registry: compiled-in passes collected by `inventory`, plus passes added at run
//! time (dynamic plugins), each with its origin.

use std::path::PathBuf;
use std::sync::Arc;

use super::Pass;
use crate::{MipsError, Result};

/// A compiled-in pass constructor, submitted with [`crate::register_pass!`].
pub struct PassFactory {
    pub create: fn() -> Box<dyn Pass>,
}

inventory::collect!(PassFactory);

/// Where a registered pass comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into this binary.
    BuiltIn,
    /// Loaded from a dynamic plugin library.
    Plugin(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn => write!(out, "built-in"),
            Origin::Plugin(path) => write!(out, "plugin {}", path.display()),
        }
    }
}

/// A pass with its origin.
#[derive(Clone)]
pub struct RegisteredPass {
    pub pass: Arc<dyn Pass>,
    pub origin: Origin,
}

/// All passes available to pipelines, sorted by name.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<RegisteredPass>,
}

impl Registry {
    /// The compiled-in passes (those of every linked crate that submitted one).
    pub fn builtin() -> Self {
        let mut registry = Registry::default();
        for factory in inventory::iter::<PassFactory> {
            let pass: Arc<dyn Pass> = Arc::from((factory.create)());
            registry
                .add(pass, Origin::BuiltIn)
                .unwrap_or_else(|e| panic!("two built-in passes share a name: {e}"));
        }
        registry
    }

    /// Adds a pass; a name already taken is an error.
    pub fn add(&mut self, pass: Arc<dyn Pass>, origin: Origin) -> Result<()> {
        if let Some(existing) = self.entries.iter().find(|e| e.pass.name() == pass.name()) {
            return Err(MipsError::invalid(
                "pass registration",
                format!(
                    "'{}' from {origin} clashes with the pass of that name from {}",
                    pass.name(),
                    existing.origin
                ),
            ));
        }
        let at = self.entries.partition_point(|e| e.pass.name() < pass.name());
        self.entries.insert(at, RegisteredPass { pass, origin });
        Ok(())
    }

    /// Adds a compiled-in pass (origin [`Origin::BuiltIn`]), e.g. one of a crate that builds its
    /// own `mips` binary; a name already taken is an error naming both origins.
    pub fn register(&mut self, pass: Arc<dyn Pass>) -> Result<()> {
        self.add(pass, Origin::BuiltIn)
    }

    /// Looks a pass up by name; an unknown name is an error listing the valid ones.
    pub fn get(&self, name: &str) -> Result<&RegisteredPass> {
        self.entries
            .iter()
            .find(|e| e.pass.name() == name)
            .ok_or_else(|| MipsError::unknown("pass", name, self.names()))
    }

    /// Names of all passes.
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.pass.name().to_string()).collect()
    }

    /// All passes, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &RegisteredPass> {
        self.entries.iter()
    }
}
