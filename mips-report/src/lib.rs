//! The report of a `mips synth` run as one self-contained HTML page with pictures: the hidden
//! states projected on their principal axes and coloured by extracted state, the state machine
//! as a graph, the complexity after each pass, the program and its verification.
//!
//! Pictures are SVG drawn by `plotters` (charts) and `layout-rs` (the graph), inlined in the
//! page: no network access, no JavaScript.

pub mod chart;
pub mod colouring;
pub mod data;
pub mod dot;
pub mod graph;
pub mod html;
pub mod page;
pub mod palette;
pub mod pca;
pub mod projection;
pub mod scatter;
pub mod table;
pub mod ticks;

pub use data::ReportData;
pub use dot::machine_dot;
pub use page::{Sources, render};
