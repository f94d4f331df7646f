//! Regression: from a state machine to a symbolic program. Each regressor fits the machine's
//! update components and outputs exactly on every observed row, or fails with the reason; the
//! pass manager then checks the program against the machine on the verification sequences.
//!
//! - [`linear`] / [`modular`]: exact integer linear formulas, plain, `% k` or `// k`;
//! - [`boolean`]: formulas over state and input bits;
//! - [`membership`]: a 0/1 function of one variable as a constant-set test;
//! - [`enumerate`]: bottom-up enumerative search per component;
//! - [`indicators`]: linear formulas over the input's symbols (`(x == a)` columns);
//! - [`comparisons`]: decision lists over comparisons of counters with 0 and each other;
//! - [`table`]: decision-tree lookup tables (non-symbolic);
//! - [`combined`]: all of them, keeping the smallest verified program;
//! - [`driver`]: the component-wise assembly with the initial-state correction;
//! - [`recode`]: states renamed by what identifies them (outputs, entry inputs) before fitting;
//! - [`report`]: the `results/regress.md` table.

pub mod boolean;
pub mod combined;
pub mod comparisons;
pub mod driver;
pub mod enumerate;
pub mod indicators;
pub mod linear;
pub mod membership;
pub mod modular;
mod passes;
pub mod recode;
pub mod report;
pub mod rows;
pub mod table;

#[cfg(test)]
mod task_tests;

#[cfg(test)]
pub(crate) mod testing;
