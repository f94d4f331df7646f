//! Program → program passes: constant folding, equality saturation (the shortest equivalent
//! expressions), dead state removal, affine re-basing of state variables and readable names. Each keeps the program's outputs (the pass manager checks).

pub mod affine;
pub mod dead_state;
pub mod fold;
pub mod names;
pub mod rebase;
pub mod rewrite;
pub mod saturate;

#[cfg(test)]
mod properties;

use mips_core::ir::Program;
use mips_core::pass::{Artifact, Artifacts, Options, Pass, PassContext, PassKind};
use mips_core::{MipsError, Result};

/// A program pass defined by a function on programs.
struct ProgramPass {
    name: &'static str,
    description: &'static str,
    apply: fn(&Program) -> Program,
}

impl Pass for ProgramPass {
    fn name(&self) -> &str {
        self.name
    }

    fn description(&self) -> &str {
        self.description
    }

    fn kind(&self) -> PassKind {
        PassKind::Program
    }

    fn run(&self, input: &Artifacts, _options: &Options, _ctx: &PassContext) -> Result<Artifact> {
        let program = input
            .program
            .as_ref()
            .ok_or_else(|| MipsError::pass(self.name, "no program to transform"))?;
        program.validate()?;
        Ok(Artifact::Program((self.apply)(program)))
    }
}

mips_core::register_pass!(ProgramPass {
    name: "fold-constants",
    description: "constant folding and algebraic identities (x+0, x*1, x*0, not not b, if with a constant condition)",
    apply: fold::fold_program,
});

mips_core::register_pass!(ProgramPass {
    name: "saturate",
    description: "equality saturation (egg): each expression replaced by the shortest equivalent form found",
    apply: saturate::saturate_program,
});

mips_core::register_pass!(ProgramPass {
    name: "remove-dead-state",
    description: "drops state variables no output depends on (transitively)",
    apply: dead_state::remove_dead_state,
});

mips_core::register_pass!(ProgramPass {
    name: "rebase-affine",
    description: "re-bases states by unimodular affine maps (c - x, -x or x + c to x; shears s_i ± s_j) when the program gets shorter",
    apply: rebase::rebase_affine,
});

mips_core::register_pass!(ProgramPass {
    name: "name-variables",
    description: "readable input and state names derived from the program's structure",
    apply: names::name_variables,
});
