//! The `mips` command-line program: the library's [`mips::main`] with the built-in passes.

fn main() -> std::process::ExitCode {
    mips::main()
}
