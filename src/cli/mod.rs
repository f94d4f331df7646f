//! Command-line definitions and dispatch; one module per verb.

mod bench;
mod data;
pub mod exit;
mod listing;
mod model_file;
pub mod output;
mod pass_table;
mod pipeline;
mod report;

pub use data::to_csv;
pub use pipeline::resolve_pipeline;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use mips_core::pass::Registry;

/// mips: turns a trained recurrent network into a readable, verified program.
#[derive(Parser, Debug)]
#[command(name = "mips", version, about, long_about = None)]
pub struct Cli {
    /// Seed for every random choice (same seed, same result, at any thread count).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,
    /// No progress output.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Load a dynamic plugin library (repeatable); also read from MIPS_PLUGIN_PATH.
    #[arg(long = "plugin", global = true, value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the built-in tasks: name, then inputs and outputs (or, with --families, the task
    /// families).
    Tasks(listing::TasksArgs),
    /// List the registered passes: name, kind, origin, description, options.
    Passes,
    /// Print sample sequences of a task or data file, in the CSV data-file format.
    Data(data::DataArgs),
    /// Train the smallest accurate network for a task (architecture minimization).
    Train(pipeline::TrainArgs),
    /// Simplify a trained model with representation and parameter passes.
    Simplify(pipeline::SimplifyArgs),
    /// Extract a state machine from a trained model.
    Extract(pipeline::ExtractArgs),
    /// Run the whole pipeline on a task: train, simplify, extract, regress, emit the program.
    Synth(pipeline::SynthArgs),
    /// Verify a program against a task's test split, longer sequences, and a network.
    Verify(pipeline::VerifyArgs),
    /// Run the benchmark over many tasks and write the results table.
    Bench(bench::BenchArgs),
    /// Convert a model between RON and safetensors (PyTorch's tensor names and layout).
    Export(model_file::ExportArgs),
    /// Rebuild report.html (pictures of the run) from a `synth --out` folder.
    Report(report::ReportArgs),
}

/// Which pipeline to run: a RON file, an inline list, or the built-in default.
#[derive(Args, Debug, Clone)]
pub struct PipelineChoice {
    /// Pipeline file (RON: `(passes: ["pass", "pass{key=value}", ...])`).
    #[arg(long, conflicts_with = "passes")]
    pub pipeline: Option<PathBuf>,
    /// Inline pipeline, e.g. `whiten,jordan,snap{tol=0.01}`.
    #[arg(long)]
    pub passes: Option<String>,
}

/// The most worker threads `--threads` accepts: results do not depend on the thread count, and
/// more threads than this only cost memory and start-up time.
const MAX_THREADS: i64 = 1024;

/// Runs the parsed command line with the passes of `registry` (plus the plugins it names).
pub fn run(cli: Cli, registry: Registry) -> anyhow::Result<()> {
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
            .map_err(|e| anyhow::anyhow!("cannot start {threads} threads: {e}"))?;
    }
    let globals = Globals {
        seed: cli.seed,
        quiet: cli.quiet,
        registry: load_plugins(registry, &cli.plugins)?,
    };
    match cli.command {
        Command::Tasks(args) => listing::tasks(&args),
        Command::Passes => listing::passes(&globals),
        Command::Data(args) => data::run(args, &globals),
        Command::Train(args) => pipeline::train(args, &globals),
        Command::Simplify(args) => pipeline::simplify(args, &globals),
        Command::Extract(args) => pipeline::extract(args, &globals),
        Command::Synth(args) => pipeline::synth(args, &globals),
        Command::Verify(args) => pipeline::verify(args, &globals),
        Command::Bench(args) => bench::run(args, &globals),
        Command::Export(args) => model_file::export(args),
        Command::Report(args) => report::run(args),
    }
}

/// Flags every verb sees, and the pass registry they give.
pub struct Globals {
    pub seed: u64,
    pub quiet: bool,
    /// The built-in passes and the plugins' passes.
    pub registry: Registry,
}

/// `registry` plus the plugins named on the command line (each must load, or the command
/// fails) and in MIPS_PLUGIN_PATH (one that fails to load is a warning).
fn load_plugins(mut registry: Registry, named: &[PathBuf]) -> anyhow::Result<Registry> {
    let errors = mips_core::pass::load_plugins(named, &mut registry);
    for e in errors {
        if named.contains(&e.path) {
            return Err(e.into());
        }
        output::note(&format!(
            "warning: {e} (from {})",
            mips_core::pass::plugin_loader::PLUGIN_PATH_VAR
        ));
    }
    Ok(registry)
}
