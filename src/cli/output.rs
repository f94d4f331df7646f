//! Standard output for the CLI: a closed pipe (`mips tasks | head`) ends the output quietly
//! instead of panicking.

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
