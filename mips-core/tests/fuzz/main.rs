//! Fuzzing as tests: every reader of user files gets random bytes and structured mutations of
//! valid files, and must answer with a short error or a usable value — never a panic, never a
//! hang. A plain `cargo test` runs a few hundred cases per reader; a large run:
//! `MIPS_FUZZ_CASES=100000 cargo test --release -p mips-core --test fuzz` (see docs/fuzzing.md).

mod data;
mod harness;
mod ir;
mod pipeline;
mod safetensors;
mod wire;
