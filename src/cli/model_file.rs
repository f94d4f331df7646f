//! Network files in either format, chosen by extension: `.safetensors` (the PyTorch reference's
//! tensor names and `out × in` layout; see `mips_core::interop::safetensors`) or RON (anything
//! else); and `mips export`, which converts between them.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use mips_core::interop::safetensors::{self, Precision};
use mips_core::ir::{Network, versioned};

use super::output::emit_line;

/// True when `path` names a safetensors file.
fn is_safetensors(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("safetensors"))
}

/// Loads a network from a `.safetensors` or RON file, checking that it is well formed.
pub fn load(path: &Path) -> anyhow::Result<Network> {
    let network = if is_safetensors(path) {
        safetensors::load(path)?
    } else {
        versioned::load::<Network>(path)?
    };
    network
        .validate()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(network)
}

/// Saves a network as `.safetensors` (in `precision`) or RON, by the extension of `path`.
pub fn save(network: &Network, path: &Path, precision: Precision) -> anyhow::Result<()> {
    if is_safetensors(path) {
        safetensors::save(network, path, precision)?;
    } else {
        versioned::save(network, path)?;
    }
    Ok(())
}

/// Floating-point width of an exported safetensors file.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Width {
    /// 32-bit floats, as PyTorch saves by default (rounds non-integer weights).
    F32,
    /// 64-bit floats: exact for every mips network.
    F64,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The model to convert (`.safetensors` or RON).
    pub model: PathBuf,
    /// Where to write it: `.safetensors` for PyTorch, anything else for RON.
    #[arg(long)]
    pub out: PathBuf,
    /// Floating-point width of a safetensors file.
    #[arg(long, value_enum, default_value_t = Width::F64)]
    pub precision: Width,
}

/// `mips export`: converts a model between RON and safetensors.
pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let network = load(&args.model)?;
    let precision = match args.precision {
        Width::F32 => Precision::F32,
        Width::F64 => Precision::F64,
    };
    save(&network, &args.out, precision)?;
    emit_line(&format!("wrote {}", args.out.display()))
}
