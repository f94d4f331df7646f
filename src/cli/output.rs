//! Standard output and standard error for the CLI: a closed pipe (`mips tasks | head`,
//! `mips verify … 2>&1 | head -1`) ends the output quietly instead of panicking.

use std::io::Write;

/// Writes `text` to standard output; a broken pipe is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes `text` and a newline to standard output.
pub fn emit_line(text: &str) -> anyhow::Result<()> {
    emit(&format!("{text}\n"))
}

/// Writes `text` and a newline to standard error, ignoring a closed or failing stream
/// (`eprintln!` panics there).
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|()| err.flush());
}
