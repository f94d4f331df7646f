//! The training engine: batched forward pass and backpropagation through time for the
//! [`Network`](crate::ir::Network) IR, written by hand over contiguous column buffers, with
//! AdamW, the catalog's losses, early stopping on test accuracy, and the architecture search
//! that finds the smallest network reaching 100% test accuracy.

pub mod batch;
pub mod bulk;
pub mod engine;
pub mod kernels;
pub mod layout;
pub mod loss;
pub mod optim;
pub mod real;
pub mod replay;
pub mod run;
pub mod scaling;
pub mod search;

#[cfg(test)]
mod gradcheck;
#[cfg(test)]
pub(crate) mod toy;

pub use batch::Batch;
pub use bulk::{AllReport, TaskOutcome, machine_description, render_markdown, train_all, train_task};
pub use engine::{LossSpec, Stats, Workspace, evaluate, train_step};
pub use layout::Layout;
pub use optim::AdamW;
pub use real::Real;
pub use run::{Prepared, RunReport, RunStop, TrainOptions, network_stats, train_network, train_run};
pub use scaling::Scaling;
pub use search::{SearchOptions, SearchReport, minimize};
