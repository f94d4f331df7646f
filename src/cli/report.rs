//! `report.html`: `synth` writes it into its `--out` folder, and `mips report DIR` rebuilds it
//! from the files `synth` left there (report.ron, model.ron, machine.ron, program.py).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use mips_core::atomic::write_atomic;
use mips_core::ir::{Network, StateMachine, versioned};
use mips_core::pass::{ReportRow, Verifier};
use mips_core::task::Task;
use mips_core::tasks;
use mips_report::{ReportData, Sources};

use super::output::emit_line;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A folder written by `mips synth --out DIR`.
    pub dir: PathBuf,
}

/// `mips report DIR`: rebuilds DIR/report.html.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let path = write(&args.dir)?;
    emit_line(&format!("wrote {}", path.display()))
}

/// The text of `report.ron` for a run of `task` (as given on the command line) checked on
/// `verify_size` test sequences; a data file's path is made absolute, so the folder can be
/// rebuilt from anywhere.
pub fn data_text(
    task: &str,
    verify_size: usize,
    rows: &[ReportRow],
    verification: Option<String>,
) -> anyhow::Result<String> {
    let path = Path::new(task);
    let task = match tasks::names().contains(&task) || !path.is_file() {
        true => task.to_string(),
        false => std::fs::canonicalize(path)
            .with_context(|| format!("{task}: cannot resolve the data file's path"))?
            .display()
            .to_string(),
    };
    let data = ReportData {
        format: mips_report::data::FORMAT,
        task,
        verify_size,
        rows: rows.to_vec(),
        verification,
    };
    data.to_ron()
        .map_err(|e| anyhow::anyhow!("cannot write the report data: {e}"))
}

/// Builds `dir/report.html` from the files in `dir`; returns its path.
pub fn write(dir: &Path) -> anyhow::Result<PathBuf> {
    let data_path = dir.join("report.ron");
    let data = ReportData::load(&data_path).map_err(anyhow::Error::msg)?;
    let task = tasks::open(&data.task).with_context(|| format!("{}: field `task`", data_path.display()))?;
    let verifier = Verifier::new(task.as_ref(), data.verify_size);
    let network = optional(&dir.join("model.ron"), |p| load_network(p, task.as_ref()))?;
    let machine = optional(&dir.join("machine.ron"), |p| load_machine(p, task.as_ref()))?;
    let python = optional(&dir.join("program.py"), |p| {
        std::fs::read_to_string(p).with_context(|| format!("{}: cannot read the program", p.display()))
    })?;
    let html = mips_report::render(&Sources {
        data: &data,
        network: network.as_ref(),
        machine: machine.as_ref(),
        python: python.as_deref(),
        verify: verifier.screen(),
    })
    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let path = dir.join("report.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// `load(path)` if the file exists, `None` if it does not.
fn optional<T>(path: &Path, load: impl Fn(&Path) -> anyhow::Result<T>) -> anyhow::Result<Option<T>> {
    match path.exists() {
        true => load(path).map(Some),
        false => Ok(None),
    }
}

fn load_network(path: &Path, task: &dyn Task) -> anyhow::Result<Network> {
    let net = versioned::load::<Network>(path)?;
    net.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let info = task.info();
    if (net.input_dim, net.output_dim) != (info.input_dim, info.output_dim) {
        anyhow::bail!(
            "{}: the network reads {} inputs and writes {} outputs, but task '{}' has {} and {}",
            path.display(),
            net.input_dim,
            net.output_dim,
            info.name,
            info.input_dim,
            info.output_dim
        );
    }
    Ok(net)
}

fn load_machine(path: &Path, task: &dyn Task) -> anyhow::Result<StateMachine> {
    let sm = versioned::load::<StateMachine>(path)?;
    sm.validate().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let info = task.info();
    if (sm.input_dim, sm.output_dim) != (info.input_dim, info.output_dim) {
        anyhow::bail!(
            "{}: the state machine reads {} inputs and writes {} outputs, but task '{}' has {} and {}",
            path.display(),
            sm.input_dim,
            sm.output_dim,
            info.name,
            info.input_dim,
            info.output_dim
        );
    }
    Ok(sm)
}
