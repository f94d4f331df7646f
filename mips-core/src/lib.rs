//! mips-core: the intermediate representations (network, state machine, program), the pass
//! trait with its registry and pass manager, the training engine, the built-in tasks and the
//! dataset readers.

pub mod atomic;
pub mod budget;
pub mod data;
pub mod error;
pub mod interop;
pub mod ir;
pub mod pass;
pub mod rng;
pub mod task;
pub mod tasks;
pub mod train;

pub use error::{MipsError, Result};
pub use inventory;
/// The arbitrary-precision integers of exact evaluation (`ir::exact`, `Task::exact_labels`).
pub use num_bigint::BigInt;
