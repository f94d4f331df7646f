//! The verbs that run pipelines: `train`, `simplify`, `extract`, `synth`, `verify`, `bench`.

use std::path::{Path, PathBuf};

use clap::Args;
use mips_codegen::{Backend, ProgramDoc, VerifyOptions, emit_python};
use mips_core::atomic::write_atomic;
use mips_core::interop::safetensors::Precision;
use mips_core::ir::versioned;
use mips_core::ir::{Network, Program, StateMachine};
use mips_core::pass::manager::format_report;
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::{Artifacts, PassKind, PassManager, Pipeline, Registry, ReportRow, Stage, Verifier};
use mips_core::task::Task;
use mips_core::tasks;
use mips_core::train::bulk::{TaskOutcome, machine_description, render_markdown, save_report, train_all, train_task};
use mips_core::train::search::SearchOptions;

use super::exit::unverified;
use super::output::{emit, emit_line, note};
use super::pass_table::PassTable;
use super::{Globals, PipelineChoice, model_file};

/// The pipeline used when none is given (also shipped as `pipelines/default.ron`).
const DEFAULT_PIPELINE: &str = include_str!("../../pipelines/default.ron");

/// Options shared by the verbs that run passes on a task.
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    #[command(flatten)]
    pub pipeline: PipelineChoice,
    /// Number of test-split sequences the verifier checks after each pass (0: the whole split).
    #[arg(long, default_value_t = 2000)]
    pub verify_size: usize,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A built-in task name or a data file (.csv, .jsonl).
    pub task: Option<String>,
    /// Where to write the trained model (RON, or .safetensors for PyTorch).
    #[arg(long, default_value = "model.ron")]
    pub out: PathBuf,
    /// Train every built-in task (parallel, resumable) into --out-dir.
    #[arg(long, conflicts_with = "task")]
    pub all: bool,
    /// Output folder for --all.
    #[arg(long, default_value = "models")]
    pub out_dir: PathBuf,
    /// The results table written by --all.
    #[arg(long, default_value = "results/train.md")]
    pub results: PathBuf,
}

#[derive(Args, Debug)]
pub struct SimplifyArgs {
    /// The trained model (RON or .safetensors).
    pub model: PathBuf,
    /// The task the model was trained on (name or data file).
    #[arg(long)]
    pub task: String,
    /// Where to write the simplified model.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// The trained (ideally simplified) model (RON or .safetensors).
    pub model: PathBuf,
    /// The task the model was trained on (name or data file).
    #[arg(long)]
    pub task: String,
    /// Where to write the state machine.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// A built-in task name or a data file (.csv, .jsonl).
    #[arg(default_value = "Binary_Addition")]
    pub task: String,
    /// Start from this trained model (RON or .safetensors) instead of training (skips architecture passes).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Stop after this stage: train (or architecture), simplify, extract, regress (or program).
    #[arg(long, value_parser = parse_stage, default_value = "program")]
    pub until: Stage,
    /// Output folder for program.py, program.ron, the model, the machine and the report.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The program (RON).
    pub program: PathBuf,
    /// A built-in task name or a data file.
    pub task: String,
    /// How to run the program: jit, interp or python.
    #[arg(long, default_value = "jit", value_parser = parse_backend)]
    pub backend: Backend,
    /// Length of the fresh sequences (default: 10× the task's training length).
    #[arg(long)]
    pub length: Option<usize>,
    /// Number of fresh sequences (0 skips that check).
    #[arg(long, default_value_t = 10_000)]
    pub long_sequences: usize,
    /// Also compare with this network's (RON or .safetensors) rounded outputs on the test split.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

fn parse_stage(name: &str) -> Result<Stage, String> {
    Stage::parse(name).map_err(|e| e.to_string())
}

fn parse_backend(name: &str) -> Result<Backend, String> {
    Backend::parse(name).map_err(|e| e.to_string())
}

/// The pipeline chosen on the command line, or the default one; an empty pipeline is an error.
fn choose_pipeline(choice: &PipelineChoice) -> anyhow::Result<Pipeline> {
    let pipeline = match (&choice.pipeline, &choice.passes) {
        (Some(path), _) => Pipeline::load(path)?,
        (None, Some(inline)) => Pipeline::parse_inline(inline)?,
        (None, None) => parse_default_pipeline()?,
    };
    if pipeline.steps.is_empty() {
        let source = match &choice.pipeline {
            Some(path) => path.display().to_string(),
            None => "--passes".into(),
        };
        anyhow::bail!("{source}: the pipeline names no pass (expected e.g. `whiten,snap,extract`)");
    }
    Ok(pipeline)
}

fn parse_default_pipeline() -> anyhow::Result<Pipeline> {
    Ok(Pipeline::from_ron(
        DEFAULT_PIPELINE,
        Path::new("pipelines/default.ron"),
    )?)
}

/// Resolves the chosen pipeline (or the default) against the registry.
pub fn resolve_pipeline(choice: &PipelineChoice, registry: &Registry) -> anyhow::Result<Vec<ResolvedStep>> {
    Ok(choose_pipeline(choice)?.resolve(registry)?)
}

/// Resolves the chosen pipeline and keeps the steps `keep` admits; `wanted` names those
/// steps in the error when none is left.
fn resolve_steps(
    choice: &PipelineChoice,
    registry: &Registry,
    wanted: &str,
    keep: impl Fn(PassKind) -> bool,
) -> anyhow::Result<Vec<ResolvedStep>> {
    let steps: Vec<ResolvedStep> = resolve_pipeline(choice, registry)?
        .into_iter()
        .filter(|s| keep(s.pass.kind()))
        .collect();
    if steps.is_empty() {
        anyhow::bail!("the pipeline has no {wanted} for this command");
    }
    Ok(steps)
}

/// Runs resolved steps on a task, printing the report table on standard output: the header,
/// then each row as its pass completes (one pass at a time, so a spinner can name it).
fn run_steps(
    task: &dyn Task,
    steps: &[ResolvedStep],
    start: Artifacts,
    verifier: &Verifier,
    globals: &Globals,
) -> anyhow::Result<(Artifacts, Vec<ReportRow>)> {
    let ctx = verifier.context(task, globals.seed, globals.quiet);
    let table = PassTable::new(steps, &start, !globals.quiet);
    emit_line(&table.header())?;
    let (mut artifacts, mut rows) = (start, Vec::new());
    for (index, step) in steps.iter().enumerate() {
        let spinner = table.spinner(index, steps.len(), step);
        let (next, done) = PassManager.run(std::slice::from_ref(step), artifacts, &ctx, |_| {});
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }
        for row in &done {
            emit_line(&table.row(row))?;
        }
        artifacts = next;
        rows.extend(done);
    }
    Ok((artifacts, rows))
}

/// Loads a network and checks it (finite parameters, consistent layers) and that its widths are
/// the task's; errors name the file.
fn load_network(path: &Path, task: &dyn Task) -> anyhow::Result<Network> {
    let network = model_file::load(path)?;
    let info = task.info();
    if (network.input_dim, network.output_dim) != (info.input_dim, info.output_dim) {
        anyhow::bail!(
            "{}: the network reads {} inputs and writes {} outputs, but task '{}' has {} inputs and {} outputs",
            path.display(),
            network.input_dim,
            network.output_dim,
            info.name,
            info.input_dim,
            info.output_dim
        );
    }
    Ok(network)
}

pub fn train(args: TrainArgs, globals: &Globals) -> anyhow::Result<()> {
    let opts = SearchOptions {
        seed: globals.seed,
        ..SearchOptions::default()
    };
    if args.all {
        let names: Vec<String> = tasks::names().into_iter().map(String::from).collect();
        let open = |name: &str| tasks::open(name);
        let quiet = globals.quiet;
        let progress = move |name: &str, outcome: &TaskOutcome| {
            if !quiet {
                let r = &outcome.report;
                let how = if outcome.resumed { "done before" } else { "trained" };
                eprintln!(
                    "{name:<24} {how:<11} {} accuracy {:.4}% in {:.1}s",
                    r.shape,
                    r.test_accuracy * 100.0,
                    r.seconds
                );
            }
        };
        let all = train_all(&names, &open, &args.out_dir, &opts, Some(&progress))?;
        let markdown = render_markdown(&all, &opts, &machine_description());
        write_atomic(&args.results, markdown.as_bytes())?;
        let solved = all.tasks.iter().filter(|t| t.report.solved()).count();
        emit_line(&format!(
            "{solved} of {} tasks at 100% test accuracy in {:.1}s; models in {}, table in {}",
            names.len(),
            all.seconds,
            args.out_dir.display(),
            args.results.display()
        ))?;
        for (name, error) in &all.errors {
            note(&format!("error: {name}: {error}"));
        }
        return Ok(());
    }
    let spec = args
        .task
        .ok_or_else(|| anyhow::anyhow!("name a task or data file, or pass --all"))?;
    let task = tasks::open(&spec)?;
    let (network, report) = train_task(task.as_ref(), &opts, None)?;
    model_file::save(&network, &args.out, Precision::F64)?;
    // Beside the model, as `train --all` names it (so `bench --models` can start from it).
    let report_path = args.out.with_extension("report.ron");
    save_report(&report, &report_path)?;
    emit_line(&format!(
        "{}: {} test accuracy {:.4}% after {} steps ({} runs, {:.1}s, stop: {:?}); wrote {} and {}",
        report.task,
        report.shape,
        report.test_accuracy * 100.0,
        report.steps,
        report.runs.len(),
        report.seconds,
        report.stop,
        args.out.display(),
        report_path.display()
    ))?;
    if !report.solved() {
        return Err(unverified(format!(
            "{}: the best network is {:.4}% accurate on the test split, not 100%",
            report.task,
            report.test_accuracy * 100.0
        )));
    }
    Ok(())
}

pub fn simplify(args: SimplifyArgs, globals: &Globals) -> anyhow::Result<()> {
    let task = tasks::open(&args.task)?;
    let steps = resolve_steps(
        &args.run.pipeline,
        &globals.registry,
        "representation or parameter pass",
        |k| matches!(k, PassKind::Representation | PassKind::Parameter),
    )?;
    let start = Artifacts::from_network(load_network(&args.model, task.as_ref())?);
    let verifier = Verifier::new(task.as_ref(), args.run.verify_size);
    let (artifacts, _) = run_steps(task.as_ref(), &steps, start, &verifier, globals)?;
    if let (Some(out), Some(net)) = (&args.out, &artifacts.network) {
        model_file::save(net, out, Precision::F64)?;
    }
    Ok(())
}

pub fn extract(args: ExtractArgs, globals: &Globals) -> anyhow::Result<()> {
    let task = tasks::open(&args.task)?;
    let steps = resolve_steps(&args.run.pipeline, &globals.registry, "extraction pass", |k| {
        Stage::Extract.admits(k) && k != PassKind::Architecture
    })?;
    let start = Artifacts::from_network(load_network(&args.model, task.as_ref())?);
    let verifier = Verifier::new(task.as_ref(), args.run.verify_size);
    let (artifacts, _) = run_steps(task.as_ref(), &steps, start, &verifier, globals)?;
    let machine = artifacts
        .machine
        .ok_or_else(|| unverified("no extraction pass produced a verified state machine"))?;
    emit(&describe_machine(&machine))?;
    if let Some(out) = &args.out {
        versioned::save(&machine, out)?;
    }
    Ok(())
}

fn describe_machine(sm: &StateMachine) -> String {
    let mut text = format!(
        "state machine: {} ({} states, {} transitions, {})\n",
        sm.method,
        sm.state_count(),
        sm.transitions.len(),
        if sm.complete { "complete" } else { "partial" }
    );
    text += &format!("initial state {:?}\n", sm.initial);
    for ((s, x), t) in sm.transitions.iter().take(64) {
        text += &format!(
            "  {s:?} --{x:?}--> {t:?}  output {:?}\n",
            sm.outputs.get(t).cloned().unwrap_or_default()
        );
    }
    if sm.transitions.len() > 64 {
        text += &format!("  ... {} more transitions\n", sm.transitions.len() - 64);
    }
    text
}

pub fn synth(args: SynthArgs, globals: &Globals) -> anyhow::Result<()> {
    let task = tasks::open(&args.task)?;
    let from_model = args.model.is_some();
    let steps = resolve_steps(
        &args.run.pipeline,
        &globals.registry,
        "pass up to the --until stage",
        |k| args.until.admits(k) && !(from_model && k == PassKind::Architecture),
    )?;
    let start = match &args.model {
        Some(path) => Artifacts::from_network(load_network(path, task.as_ref())?),
        None => Artifacts::default(),
    };
    let verifier = Verifier::new(task.as_ref(), args.run.verify_size);
    let (artifacts, rows) = run_steps(task.as_ref(), &steps, start, &verifier, globals)?;
    let mut report = format!(
        "{}\n\nThe verifier checked every pass on {} test sequences.",
        format_report(&rows),
        verifier.screen().len()
    );
    let (mut python, mut checked) = (None, None);
    let outcome = match &artifacts.program {
        Some(program) => {
            let opts = VerifyOptions {
                seed: globals.seed,
                network: artifacts.network.as_ref(),
                ..VerifyOptions::default()
            };
            let verification = mips_codegen::verify(program, task.as_ref(), &opts)?;
            report = format!("{report}\n\n{verification}");
            checked = Some(verification.to_string());
            let doc = ProgramDoc {
                task: task.info().name.clone(),
                method: program.method.clone(),
                verification: verification.summary(),
            };
            python = Some(emit_python(program, &doc));
            emit(&format!("\n{program}\n\n{verification}"))?;
            match verification.passed() {
                true => Ok(()),
                false => Err(unverified("the program failed verification: see the report")),
            }
        }
        None if args.until == Stage::Regress => Err(unverified(
            "no verified program: see the report for the stage that stopped",
        )),
        None => Ok(()),
    };
    let data = super::report::data_text(&args.task, args.run.verify_size, &rows, checked)?;
    write_outputs(&args.out, &artifacts, python.as_deref(), &report, &data)?;
    if let Err(e) = super::report::write(&args.out) {
        // The pictures are a view of the run, not its result: the run's outcome stands.
        note(&format!("warning: report.html not written: {e:#}"));
        remove_if_present(&args.out.join("report.html"))?;
    }
    emit_line(&format!("wrote {} (open report.html for pictures)", args.out.display()))?;
    outcome
}

/// Writes every artifact the pipeline produced, the report and its data (`report.ron`, read
/// by `mips report`) into `dir` (atomically), and removes the files of artifacts this run did
/// not produce, so that no earlier run's program is left beside this run's report.
fn write_outputs(
    dir: &Path,
    artifacts: &Artifacts,
    python: Option<&str>,
    report: &str,
    data: &str,
) -> anyhow::Result<()> {
    let files: [(&str, Option<String>); 5] = [
        (
            "model.ron",
            artifacts.network.as_ref().map(versioned::to_ron).transpose()?,
        ),
        (
            "machine.ron",
            artifacts.machine.as_ref().map(versioned::to_ron).transpose()?,
        ),
        (
            "program.ron",
            artifacts
                .program
                .as_ref()
                .map(versioned::to_ron::<Program>)
                .transpose()?,
        ),
        ("program.py", python.map(String::from)),
        ("machine.dot", artifacts.machine.as_ref().map(mips_report::machine_dot)),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        match text {
            Some(text) => write_atomic(&path, text.as_bytes())?,
            None => remove_if_present(&path)?,
        }
    }
    write_atomic(&dir.join("report.txt"), report.as_bytes())?;
    write_atomic(&dir.join("report.ron"), data.as_bytes())?;
    Ok(())
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::anyhow!("cannot remove the stale {}: {e}", path.display()))
        }
        _ => Ok(()),
    }
}

pub fn verify(args: VerifyArgs, globals: &Globals) -> anyhow::Result<()> {
    let task = tasks::open(&args.task)?;
    let program = versioned::load::<Program>(&args.program)?;
    let network = args
        .model
        .as_deref()
        .map(|path| load_network(path, task.as_ref()))
        .transpose()?;
    let opts = VerifyOptions {
        backend: args.backend,
        length: args.length,
        n_long: args.long_sequences,
        seed: globals.seed,
        network: network.as_ref(),
    };
    let report = mips_codegen::verify(&program, task.as_ref(), &opts)?;
    emit(&report.to_string())?;
    if !report.passed() {
        return Err(unverified(format!(
            "{} does not reproduce {}",
            args.program.display(),
            args.task
        )));
    }
    Ok(())
}
