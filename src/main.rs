//! The `mips` command-line program: the composition root that links the core, the built-in
//! passes and the code generators.

use std::process::ExitCode;

use clap::Parser;

// Linking the plugin crate keeps its `inventory` registrations.
use mips_plugins as _;

mod bench;
mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli::output::note(&format!("error: {e:#}"));
            cli::exit::status(&e)
        }
    }
}
