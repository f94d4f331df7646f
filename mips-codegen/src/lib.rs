//! mips code generation: a Python emitter, a Cranelift JIT and the verification harness.

pub mod harness;
pub mod jit;
pub mod python;
#[cfg(test)]
mod testkit;

pub use harness::{Backend, VerifyOptions, VerifyReport, verify};
pub use jit::{Fault, JitError, JitProgram};
pub use python::{ProgramDoc, emit_python};
