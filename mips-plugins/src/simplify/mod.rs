//! Simplification passes.
//!
//! Representation passes change the hidden basis without changing the network's function
//! (`whiten`, `jordan`, `toeplitz`, `canonical-order`), or remove what the function does not use
//! (`debias`, `prune-hidden`). Parameter passes make parameter values simpler (`sparsify`,
//! `snap`, `retrain-frozen`) and keep a change only when the accuracy on the verification
//! sequences holds, so they never rely on the pass manager's rollback.

mod accuracy;
mod basis;
mod canonical_order;
mod debias;
mod finetune;
mod jordan;
mod jordan_form;
mod linalg;
mod params;
mod prune_hidden;
mod record;
pub mod report;
mod rescale;
mod retrain_frozen;
mod snap;
mod sparsify;
mod toeplitz;
mod whiten;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

pub use canonical_order::CanonicalOrder;
pub use debias::Debias;
pub use jordan::Jordan;
pub use prune_hidden::PruneHidden;
pub use retrain_frozen::RetrainFrozen;
pub use snap::Snap;
pub use sparsify::Sparsify;
pub use toeplitz::Toeplitz;
pub use whiten::Whiten;

use mips_core::ir::Network;
use mips_core::pass::Artifacts;
use mips_core::{MipsError, Result};

/// The input network of a pass, checked for consistency.
fn input_network<'a>(input: &'a Artifacts, pass: &str) -> Result<&'a Network> {
    let net = input
        .network
        .as_ref()
        .ok_or_else(|| MipsError::pass(pass, "no network to simplify"))?;
    net.validate().map_err(|e| MipsError::pass(pass, e.to_string()))?;
    Ok(net)
}

/// Wraps a plain error message as an error of `pass`.
fn fail(pass: &str) -> impl Fn(String) -> MipsError + '_ {
    move |message| MipsError::pass(pass, message)
}
