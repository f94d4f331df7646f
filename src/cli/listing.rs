//! `mips tasks` and `mips passes`.

use clap::Args;
use mips_core::tasks;
use mips_core::tasks::families;

use super::Globals;
use super::output::emit;

#[derive(Args, Debug)]
pub struct TasksArgs {
    /// List the task families instead: name pattern, parameter range, the benchmark's members,
    /// rule.
    #[arg(long)]
    pub families: bool,
}

/// One line per built-in task (name, then inputs and outputs), or per family.
pub fn tasks(args: &TasksArgs) -> anyhow::Result<()> {
    if args.families {
        return emit(&family_lines());
    }
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

/// One line per task family: pattern, parameter range, the benchmark's members, rule.
fn family_lines() -> String {
    let mut text = String::new();
    for family in families::all() {
        let members: Vec<String> = family.benchmark_members().iter().map(i64::to_string).collect();
        text += &format!(
            "{}\t{}\tbenchmark {}={}\t{}\n",
            family.pattern(),
            family.range_text(),
            family.symbol(),
            members.join(","),
            family.rule_text()
        );
    }
    text
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
