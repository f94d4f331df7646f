//! Regression: from a state machine to a symbolic program.

pub mod boolean;
pub mod driver;
pub mod enumerate;
pub mod linear;
pub mod modular;
pub mod rows;

#[cfg(test)]
pub(crate) mod testing;
