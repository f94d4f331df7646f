//! The three levels of the intermediate representation: a recurrent [`network`], a
//! [`state_machine`] read off its hidden states, and a symbolic [`program`].
//! Every level is saved as a versioned RON file ([`versioned`]).

pub mod exact;
pub mod lattice_coding;
pub mod network;
pub mod program;
pub mod program_fmt;
pub mod program_serde;
pub mod state_machine;
pub mod versioned;

pub use exact::Values;
pub use lattice_coding::{LatticeCoding, Reading};
pub use network::{Activation, Linear, Mlp, Network, Trace};
pub use program::{BinOp, Expr, Program, UnOp, Var};
pub use state_machine::{StateMachine, exact_integer};
