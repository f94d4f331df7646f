//! Extraction: from the simplified network to a state machine.
//!
//! Every method reads integer states off the hidden states the network visits on the
//! verification sequences and on fresh ones ([`collect`]), in the subspace the network actually
//! reads ([`subspace`]):
//!
//! - [`lattice`]: `h ≈ h0 + A z` with `z` integer (Krylov and LLL finders, any dimension), and
//!   [`tracked`] Krylov lattices for linear networks that are not snapped, and [`growth`]
//!   companions of growing recurrences read through the output;
//! - [`circle`]: states on a circle, read as a phase modulo k;
//! - [`clusters`]: any finite number of states, with a data-derived tolerance;
//! - [`behaviour`]: finite states told apart by the network's outputs over the next steps;
//! - [`oracle`]: the smallest Moore machine the network behaves as, learned L*-style with the
//!   network as the oracle (states told apart by learned experiments, not by geometry);
//! - [`counter`]: a finite control plus integer counters (symbol counts modulo the words the
//!   network forgets), with the control read over the counters' comparisons.
//!
//! [`machine`] turns a quantizer into tables (consistent on every core step, filled by querying
//! the network, checked on held-out sequences), [`minimize`] minimizes finite machines, and
//! [`passes`] registers `extract-lattice`, `extract-circle`, `extract-clusters`,
//! `extract-behaviour`, `extract-oracle` and the combined `extract`. [`report`] renders `results/extract.md`.
//!
//! Integer states, grid cells and outputs are read from floats through
//! [`mips_core::ir::exact_integer`]: a value too large to be an exact integer fails the
//! extraction (or leaves the point unplaced), never saturates to `i64::MAX`.

pub mod behaviour;
pub mod candidate;
pub mod circle;
pub mod clusters;
pub mod collect;
pub mod counter;
pub mod growth;
pub mod lattice;
pub mod linalg;
pub mod linear;
pub mod lll;
pub mod machine;
pub mod minimize;
pub mod occam;
pub mod options;
pub mod oracle;
pub mod passes;
pub mod points;
pub mod report;
pub mod subspace;
pub mod tracked;

#[cfg(test)]
mod experiments;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use minimize::minimize;
pub use options::ExtractOptions;
pub use passes::{Method, extract_machine};
