//! `mips tasks` and `mips passes`.

use mips_core::tasks;

use super::Globals;
use super::output::emit;

/// One line per built-in task: name, then inputs and outputs.
pub fn tasks() -> anyhow::Result<()> {
    let mut text = String::new();
    for name in tasks::names() {
        let task = tasks::builtin(name)?;
        let info = mips_core::task::Task::info(&task);
        let ranges = |r: &[(i64, i64)]| {
            r.iter()
                .map(|(lo, hi)| format!("{lo}..{hi}"))
                .collect::<Vec<_>>()
                .join(" x ")
        };
        text += &format!(
            "{name}\tinput {}-d {}\toutput {}-d {}\tlength {}\t{}\n",
            info.input_dim,
            ranges(&info.input_ranges),
            info.output_dim,
            ranges(&info.output_ranges),
            info.seq_len,
            info.rule
        );
    }
    emit(&text)
}

/// One block per registered pass: name, kind, origin, description, then its options.
pub fn passes(globals: &Globals) -> anyhow::Result<()> {
    let registry = &globals.registry;
    let mut text = String::new();
    for entry in registry.iter() {
        let pass = &entry.pass;
        text += &format!(
            "{}\t{}\t{}\t{}\n",
            pass.name(),
            pass.kind().name(),
            entry.origin,
            pass.description()
        );
        for spec in pass.options() {
            text += &format!("    {}={} ({:?}) {}\n", spec.name, spec.default, spec.kind, spec.help);
        }
    }
    emit(&text)
}
