//! End-to-end tests across the mips crates live in `tests/tests/`.
