//! The `mips` command line as a library. The `mips` binary is [`main`]; a crate with its own
//! compiled-in passes builds its own `mips` with [`main_with`] and a `main` of a few lines
//! (see `examples/custom-pass`):
//!
//! ```ignore
//! fn main() -> std::process::ExitCode {
//!     mips::main_with(vec![std::sync::Arc::new(MyPass)])
//! }
//! ```
//!
//! The extra passes are added to the registry explicitly, so they do not depend on `inventory`
//! keeping registrations of a crate nothing references.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
pub use mips_core::pass::{Pass, Registry};
// Linking the plugin crate keeps its `inventory` registrations.
use mips_plugins as _;

pub mod cli;

/// The `mips` program: the built-in passes, the command line from `std::env::args`.
pub fn main() -> ExitCode {
    main_with(Vec::new())
}

/// The `mips` program with `extra` compiled-in passes besides the built-in ones (listed by
/// `mips passes` as built-in, usable in every pipeline). A name clash is an error naming both.
pub fn main_with(extra: Vec<Arc<dyn Pass>>) -> ExitCode {
    let args = cli::Cli::parse();
    let outcome = registry_with(extra).and_then(|registry| cli::run(args, registry));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli::output::note(&format!("error: {e:#}"));
            cli::exit::status(&e)
        }
    }
}

/// The built-in passes plus `extra`; a name already taken is an error.
pub fn registry_with(extra: Vec<Arc<dyn Pass>>) -> anyhow::Result<Registry> {
    let mut registry = Registry::builtin();
    for pass in extra {
        registry.register(pass)?;
    }
    Ok(registry)
}
