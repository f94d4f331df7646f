//! The built-in passes of mips, one module per pass family. Linking this crate registers them
//! (through `inventory`); the binary references it so the registrations are kept.

pub mod architecture;
pub mod extract;
pub mod program_passes;
pub mod regress;
pub mod simplify;

#[cfg(test)]
mod option_check_tests;
