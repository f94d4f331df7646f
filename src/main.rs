//! The `mips` command-line program.
use mips_plugins as _;
fn main() {}
