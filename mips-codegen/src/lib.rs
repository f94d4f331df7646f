//! mips code generation: a Python emitter, a Cranelift JIT and the verification harness.
