//! The stable C ABI for dynamic mips plugins. It has no dependency on mips-core.
