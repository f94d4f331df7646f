//! An example of a compiled-in pass that lives outside the mips workspace's pass crate:
//! `merge-equal-state`, a program → program pass. `src/main.rs` builds a `mips` binary
//! (`mips-custom`) with it through [`mips::main_with`].
//!
//! Two state variables that start equal and whose updates are the same expression, once each
//! variable is read through its class, hold equal values at every step (by induction over the
//! steps). The pass finds the coarsest such partition of the state variables (partition
//! refinement: start from "same initial value", split by "same update" until stable), then
//! reads every variable through the first member of its class and drops the other members.

mod merge;

use mips_core::pass::{Artifact, Artifacts, Options, Pass, PassContext, PassKind};
use mips_core::{MipsError, Result};

pub use merge::{equal_classes, merge_equal_state};

/// The pass `merge-equal-state`.
pub struct MergeEqualState;

impl Pass for MergeEqualState {
    fn name(&self) -> &str {
        "merge-equal-state"
    }

    fn description(&self) -> &str {
        "merges state variables that provably always hold equal values (same start, same update)"
    }

    fn kind(&self) -> PassKind {
        PassKind::Program
    }

    fn run(&self, input: &Artifacts, _options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let program = input
            .program
            .as_ref()
            .ok_or_else(|| MipsError::pass(self.name(), "no program to transform"))?;
        program.validate()?;
        let merged = merge_equal_state(program);
        ctx.note("merged", program.init.len() - merged.init.len());
        Ok(Artifact::Program(merged))
    }
}
