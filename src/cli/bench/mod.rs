//! `mips bench`: every task through train → simplify → extract → regress → verify, one record
//! per task written atomically (a killed run resumes where it stopped), shards for spreading a
//! run over machines, and the merged results table.

mod as_files;
mod families;
mod files_table;
mod record;
mod runner;
mod stages;
mod table;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mips_core::atomic::write_atomic;
use mips_core::tasks;
use rayon::prelude::*;

use super::output::{emit, note};
use super::{Globals, PipelineChoice};
use record::TaskRecord;
use runner::RunSettings;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Comma-separated task names (default: all built-in tasks).
    #[arg(long, conflicts_with = "quick")]
    pub tasks: Option<String>,
    /// A handful of fast tasks (for CI).
    #[arg(long)]
    pub quick: bool,
    /// A named task list instead of the 62: `families` is the generality suite, a fixed sweep
    /// of task-family members outside the benchmark (`mips tasks --families`). With `--tasks`,
    /// only those members run (the table still covers every record of the suite).
    #[arg(long, value_enum, conflicts_with = "quick")]
    pub suite: Option<Suite>,
    /// Tasks run at the same time.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Keep the records already in --out (finished tasks are not redone). Without it a task's
    /// old record is replaced.
    #[arg(long)]
    pub resume: bool,
    /// Output folder: records/, programs/, benchmark.md, benchmark.csv.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Run only the I-th of N disjoint slices of the task list (1-based), e.g. `2/4`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Merge the records of these benchmark folders (shards) into --out and write the table.
    #[arg(long, num_args = 1..)]
    pub merge: Vec<PathBuf>,
    /// Fresh sequences, 10× the training length, checked per task.
    #[arg(long, default_value_t = DEFAULT_LONG_SEQUENCES)]
    pub long_sequences: usize,
    /// Start each task from its model in this folder (written by `mips train --all`) instead of
    /// training it again; tasks without a model there are trained.
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Test-split sequences the verifier checks after each pass (0: the whole split).
    #[arg(long, default_value_t = 2000)]
    pub verify_size: usize,
    /// The data-file regime: each task runs from a data file of N sequences written from its
    /// generator, trained from scratch on the file's training split only and checked on its
    /// test split (and on the generator's fresh 10× sequences). Records, programs and data
    /// files go to `--out`/files/, the table to `--out`/files.md.
    #[arg(long, value_name = "N", value_parser = as_files::parse_count, conflicts_with_all = ["models", "suite", "merge"])]
    pub as_files: Option<usize>,
    #[command(flatten)]
    pub pipeline: PipelineChoice,
}

/// Fresh 10× sequences checked per task unless `--long-sequences` says otherwise.
const DEFAULT_LONG_SEQUENCES: usize = 10_000;

/// Named task lists for `--suite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    /// The generality suite: `mips_core::tasks::families::generality_suite`.
    Families,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text.split_once('/').ok_or("expected I/N, e.g. 2/4")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| format!("'{i}' is not a number"))?,
        n.trim().parse().map_err(|_| format!("'{n}' is not a number"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 <= I <= N"));
    }
    Ok((i, n))
}

/// The tasks this invocation runs, in catalog order (family members after the catalog's, in the
/// order given).
fn select_tasks(args: &BenchArgs) -> anyhow::Result<Vec<String>> {
    let all = tasks::names();
    let mut chosen: Vec<String> = match (&args.tasks, args.quick) {
        (Some(list), _) => {
            let suite = args.suite.map(|_| tasks::families::generality_suite());
            let mut names = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                tasks::builtin(name)?;
                if suite.as_ref().is_some_and(|members| !members.iter().any(|m| m == name)) {
                    anyhow::bail!("--tasks: '{name}' is not a member of the families suite (`mips tasks --families`)");
                }
                names.push(name.to_string());
            }
            names
        }
        (None, true) => tasks::quick_benchmark().into_iter().map(String::from).collect(),
        (None, false) if args.suite == Some(Suite::Families) => tasks::families::generality_suite(),
        (None, false) => all.iter().map(|s| s.to_string()).collect(),
    };
    chosen.sort_by_key(|n| all.iter().position(|a| a == n));
    chosen.dedup();
    if let Some((i, n)) = args.shard {
        chosen = chosen
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, name)| name)
            .collect();
    }
    Ok(chosen)
}

fn progress(total: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Runs the benchmark (or merges shards) and writes the tables.
pub fn run(args: BenchArgs, globals: &Globals) -> anyhow::Result<()> {
    let started = Instant::now();
    if !args.merge.is_empty() {
        let mut records = Vec::new();
        for dir in &args.merge {
            records.extend(record::load_all(dir)?);
        }
        for r in &records {
            record::save(&args.out, r)?;
        }
        return write_tables(&args, &[], records, None);
    }
    let names = select_tasks(&args)?;
    let dir = records_folder(&args);
    record::remove_stale_temporaries(&dir)?;
    let steps = super::resolve_pipeline(&args.pipeline, &globals.registry)?;
    let settings = RunSettings {
        steps: &steps,
        models: args.models.as_deref(),
        seed: globals.seed,
        verify_size: args.verify_size,
        long_sequences: args.long_sequences,
        out: &dir,
        as_files: args.as_files,
    };
    let bar = progress(names.len(), globals.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.max(1))
        .build()
        .context("starting the benchmark's worker threads")?;
    let kept = AtomicUsize::new(0);
    let outcomes: Vec<anyhow::Result<()>> = pool.install(|| {
        names
            .par_iter()
            .map(|name| {
                let warn = |text: &str| bar.suspend(|| note(&format!("warning: {text}")));
                if args.resume && record::load(&dir, name, warn)?.is_some() {
                    kept.fetch_add(1, Ordering::Relaxed);
                    bar.inc(1);
                    return Ok(());
                }
                bar.set_message(name.clone());
                let record = runner::run_task(name, &settings).with_context(|| format!("task {name}"))?;
                if !globals.quiet {
                    bar.suspend(|| note(&summary_line(&record)));
                }
                record::save(&dir, &record)?;
                bar.inc(1);
                Ok(())
            })
            .collect()
    });
    bar.finish_and_clear();
    for outcome in outcomes {
        outcome?;
    }
    let records = record::load_all(&dir)?;
    let ran = names.len() - kept.into_inner();
    let wall = (started.elapsed().as_secs_f64(), ran);
    write_tables(&args, &names, records, Some(wall))
}

/// Where this run's records, programs (and data files) go: `--out`, or its `files/` folder in
/// the data-file regime.
fn records_folder(args: &BenchArgs) -> PathBuf {
    match args.as_files {
        Some(_) => as_files::folder(&args.out),
        None => args.out.clone(),
    }
}

/// The records a table of this run covers: the generality suite's for `--suite families`;
/// otherwise all but the suite's members this run did not select (the suite's records may
/// share the folder with the benchmark's).
fn table_records(args: &BenchArgs, selected: &[String], records: Vec<TaskRecord>) -> Vec<TaskRecord> {
    let suite = tasks::families::generality_suite();
    let families = args.suite == Some(Suite::Families);
    records
        .into_iter()
        .filter(|r| suite.contains(&r.task) == families || selected.contains(&r.task))
        .collect()
}

fn summary_line(r: &TaskRecord) -> String {
    format!(
        "{:<24} {:<8} {:<7} {:>6.1}s {}",
        r.task,
        r.stage,
        if r.solved() { "solved" } else { "-" },
        r.total_seconds(),
        r.note
    )
}

/// Writes benchmark.md, benchmark.csv and the stage tables for `records` (sorted into catalog
/// order), or families.md and families.csv for the generality suite; `selected` are the tasks
/// selected (none when merging); `wall` is the invocation's wall time and how many tasks it ran
/// (none when merging: the task times stand for it); the table's other records were kept.
fn write_tables(
    args: &BenchArgs,
    selected: &[String],
    records: Vec<TaskRecord>,
    wall: Option<(f64, usize)>,
) -> anyhow::Result<()> {
    let mut records = table_records(args, selected, records);
    let order: Vec<String> = tasks::names()
        .into_iter()
        .map(String::from)
        .chain(tasks::families::generality_suite())
        .collect();
    records.sort_by_key(|r| order.iter().position(|a| *a == r.task));
    let task_seconds: f64 = records.iter().map(TaskRecord::total_seconds).sum();
    let facts = table::RunFacts {
        machine: table::machine(),
        wall_seconds: wall.map_or(task_seconds, |w| w.0),
        kept: wall.map_or(0, |w| records.len().saturating_sub(w.1)),
        command: {
            let mut command = String::from("cargo run --release -- bench");
            if let Some(models) = &args.models {
                command += &format!(" --models {}", models.display());
            }
            if args.suite == Some(Suite::Families) {
                command += " --suite families";
            }
            if let Some(n) = args.as_files {
                command += &format!(" --as-files {n}");
            }
            if args.jobs > 1 {
                command += &format!(" --jobs {}", args.jobs);
            }
            if args.long_sequences != DEFAULT_LONG_SEQUENCES {
                command += &format!(" --long-sequences {}", args.long_sequences);
            }
            if let (Some((i, n)), true) = (args.shard, args.merge.is_empty()) {
                command += &format!(" --shard {i}/{n}");
            }
            command + &format!(" --out {}", args.out.display())
        },
    };
    let table = if args.as_files.is_some() {
        let generator = record::load_all(&args.out).unwrap_or_default();
        let folder = as_files::folder(&args.out);
        write_atomic(&folder.join("files.csv"), table::csv(&records).as_bytes())?;
        ("files.md", files_table::markdown(&records, &generator, &facts))
    } else if args.suite == Some(Suite::Families) {
        write_atomic(&args.out.join("families.csv"), table::csv(&records).as_bytes())?;
        ("families.md", families::markdown(&records, &facts))
    } else {
        write_atomic(&args.out.join("benchmark.csv"), table::csv(&records).as_bytes())?;
        for (file, text) in [
            ("simplify.md", stages::simplify_md(&records, &facts)),
            ("extract.md", stages::extract_md(&records, &facts)),
            ("regress.md", stages::regress_md(&records, &facts)),
        ] {
            write_atomic(&args.out.join(file), text.as_bytes())?;
        }
        ("benchmark.md", table::markdown(&records, &facts))
    };
    write_atomic(&args.out.join(table.0), table.1.as_bytes())?;
    let solved = records.iter().filter(|r| r.solved()).count();
    emit(&format!(
        "{solved} of {} tasks solved; tables in {}\n",
        records.len(),
        args.out.join(table.0).display()
    ))
}
