//! `mips-custom`: the whole `mips` command line, plus the pass `merge-equal-state`.

fn main() -> std::process::ExitCode {
    mips::main_with(vec![std::sync::Arc::new(custom_pass::MergeEqualState)])
}
