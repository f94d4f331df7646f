//! Training many tasks: [`train_task`] for one, [`train_all`] for a list (in parallel over
//! tasks, resumable: a task whose report file exists is not trained again), and
//! [`render_markdown`] for the `results/train.md` table.
//!
//! For each task `T`, `train_all` writes `<out_dir>/T.ron` (the network, a versioned IR file)
//! and then `<out_dir>/T.report.ron` (the [`SearchReport`]), both atomically; the report is
//! written last, so its presence means the task is done.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::search::{Progress, SearchOptions, SearchReport, minimize};
use crate::atomic::{read_text, write_atomic};
use crate::ir::{Network, versioned};
use crate::task::Task;
use crate::{MipsError, Result};

/// The command that regenerates `results/train.md`.
pub const REGENERATE: &str = "cargo run --release -- train --all --out-dir models";

/// Trains the smallest accurate network for one task (the architecture search).
pub fn train_task(
    task: &dyn Task,
    opts: &SearchOptions,
    progress: Option<Progress>,
) -> Result<(Network, SearchReport)> {
    minimize(task, opts, progress)
}

/// Called by [`train_all`] after each task with its name and outcome.
pub type TaskProgress<'a> = &'a (dyn Fn(&str, &TaskOutcome) + Sync);

/// One task's entry in a [`train_all`] run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskOutcome {
    pub report: SearchReport,
    /// True when the result was loaded from an earlier run instead of trained now.
    pub resumed: bool,
    pub model: PathBuf,
}

/// What a [`train_all`] run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllReport {
    /// One entry per task, in the order given.
    pub tasks: Vec<TaskOutcome>,
    /// Wall time of this invocation.
    pub seconds: f64,
    /// Tasks that failed with an error (name, message); they have no files.
    pub errors: Vec<(String, String)>,
}

/// A file-name-safe form of a task name.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() { "task".into() } else { stem }
}

/// Paths of a task's model and report inside `out_dir`.
pub fn result_paths(out_dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let stem = file_stem(name);
    (
        out_dir.join(format!("{stem}.ron")),
        out_dir.join(format!("{stem}.report.ron")),
    )
}

/// Loads a report written by [`train_all`].
pub fn load_report(path: &Path) -> Result<SearchReport> {
    let text = read_text(path)?;
    ron::from_str(&text).map_err(|e| MipsError::Parse {
        path: path.to_path_buf(),
        line: e.span.start.line,
        message: e.code.to_string(),
    })
}

/// Saves a report atomically (read back with [`load_report`]).
pub fn save_report(report: &SearchReport, path: &Path) -> Result<()> {
    let text = ron::ser::to_string_pretty(report, ron::ser::PrettyConfig::default())
        .map_err(|e| MipsError::invalid("report", e.to_string()))?;
    write_atomic(path, text.as_bytes())
}

/// Trains every task in `names` (opened with `open`) into `out_dir`, in parallel over tasks;
/// tasks with an existing report are loaded, not retrained. `progress` is called with the task
/// name after each task (trained or resumed). Errors of one task do not stop the others; they
/// are listed in the result.
pub fn train_all(
    names: &[String],
    open: &(dyn Fn(&str) -> Result<Box<dyn Task>> + Sync),
    out_dir: &Path,
    opts: &SearchOptions,
    progress: Option<TaskProgress>,
) -> Result<AllReport> {
    opts.validate()?;
    std::fs::create_dir_all(out_dir).map_err(|source| MipsError::Io {
        path: out_dir.to_path_buf(),
        error: source,
    })?;
    let start = Instant::now();
    let results: Vec<(String, Result<TaskOutcome>)> = names
        .par_iter()
        .map(|name| {
            let outcome = one_task(name, open, out_dir, opts);
            if let (Ok(o), Some(p)) = (&outcome, progress) {
                p(name, o);
            }
            (name.clone(), outcome)
        })
        .collect();
    let mut report = AllReport {
        tasks: Vec::new(),
        seconds: 0.0,
        errors: Vec::new(),
    };
    for (name, r) in results {
        match r {
            Ok(o) => report.tasks.push(o),
            Err(e) => report.errors.push((name, e.to_string())),
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

fn one_task(
    name: &str,
    open: &(dyn Fn(&str) -> Result<Box<dyn Task>> + Sync),
    out_dir: &Path,
    opts: &SearchOptions,
) -> Result<TaskOutcome> {
    let (model, report_path) = result_paths(out_dir, name);
    if report_path.is_file() && model.is_file() {
        let report = load_report(&report_path)?;
        versioned::load::<Network>(&model)?;
        return Ok(TaskOutcome {
            report,
            resumed: true,
            model,
        });
    }
    let task = open(name)?;
    let (net, report) = train_task(task.as_ref(), opts, None)?;
    versioned::save(&net, &model)?;
    save_report(&report, &report_path)?;
    Ok(TaskOutcome {
        report,
        resumed: false,
        model,
    })
}

/// A one-line description of this machine (CPU model and logical cores).
pub fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} logical cores, {}", std::env::consts::OS)
}

fn widths(w: &[usize]) -> String {
    if w.is_empty() {
        "linear".into()
    } else {
        w.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("×")
    }
}

/// The search's settings as the bullet list under the summary of `train.md`.
fn search_description(opts: &SearchOptions) -> String {
    let mut out = String::new();
    let run = |t: &super::run::TrainOptions| {
        format!(
            "≤ {} steps (patience {}), batch {}, AdamW lr {} ({})",
            t.max_steps,
            t.patience,
            t.batch_size,
            t.lr,
            match t.schedule {
                super::run::Schedule::Constant => "constant".to_string(),
                super::run::Schedule::Cosine { floor } => format!("cosine to {floor}×"),
                super::run::Schedule::Plateau { factor, after, .. } => format!("×{factor} after {after} flat steps"),
            }
        )
    };
    let generous: Vec<String> = opts
        .generous
        .iter()
        .map(|(f, g)| format!("f[{}] g[{}]", widths(f), widths(g)))
        .collect();
    let _ = writeln!(
        out,
        "- Search: linear RNNs at hidden 1..{max}, then {} at hidden 1..{mlp} (or below the linear solution), \
         then bisection over smaller MLPs (widths {:?}, depth ≤ {}); {} seeds per shape, {} activation; \
         when this first round (≤ {round} steps) and its polishing fail, growth rounds double both largest hidden sizes \
         (linear RNNs up to the training length × (inputs + 1), MLP shapes until their accuracy plateaus) \
         until the total budget is spent, then polish their best network with the steps left",
        generous.join(", then "),
        opts.widths,
        opts.max_depth,
        opts.seeds,
        opts.activation.name(),
        max = opts.max_hidden,
        mlp = opts.max_hidden_mlp.min(opts.max_hidden),
        round = opts.round_steps,
    );
    let _ = writeln!(
        out,
        "- Runs of shapes with an affine f: {}; runs of shapes with an MLP f: {}",
        run(&opts.linear),
        run(&opts.train)
    );
    if opts.polish_steps > 0 {
        let _ = writeln!(
            out,
            "- Near misses (no shape at 100%, best ≥ {}%): the best network trains {} more steps per seed, \
             learning rate decayed to 0 (cosine), half of every batch replaying training sequences it got wrong",
            100.0 * opts.polish_from,
            opts.polish_steps
        );
    }
    let _ = writeln!(out, "- Test accuracy is measured on the whole test split of each task");
    let _ = writeln!(
        out,
        "- Budgets per task: {} total steps, {} s wall time\n",
        if opts.max_total_steps > 0 {
            opts.max_total_steps.to_string()
        } else {
            "unlimited".into()
        },
        if opts.max_seconds > 0.0 {
            format!("{}", opts.max_seconds)
        } else {
            "unlimited".into()
        }
    );
    out
}

/// The per-task table of `train.md`.
fn task_table(all: &AllReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| task | test accuracy | hidden | f | g | parameters | steps | seed | runs | total steps | seconds | search stop |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for t in &all.tasks {
        let r = &t.report;
        let params = Network::zeros(&r.shape).parameter_count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {} |",
            r.task,
            if r.solved() {
                "100%".to_string()
            } else {
                format!("{:.3}%", 100.0 * r.test_accuracy)
            },
            r.shape.hidden_dim,
            widths(&r.shape.f_widths),
            widths(&r.shape.g_widths),
            params,
            r.steps,
            r.seed,
            r.runs.len(),
            r.total_steps,
            r.seconds,
            r.stop.name()
        );
    }
    for (name, err) in &all.errors {
        let _ = writeln!(out, "| {name} | error: {} | | | | | | | | | | |", err.replace('|', "/"));
    }
    out
}

/// The `results/train.md` document for a [`train_all`] run.
pub fn render_markdown(all: &AllReport, opts: &SearchOptions, machine: &str) -> String {
    let mut out = String::new();
    let solved = all.tasks.iter().filter(|t| t.report.solved()).count();
    let total = all.tasks.len() + all.errors.len();
    let task_seconds: f64 = all.tasks.iter().map(|t| t.report.seconds).sum();
    let resumed = all.tasks.iter().filter(|t| t.resumed).count();
    let _ = writeln!(out, "# Training results: smallest accurate RNN per task\n");
    let _ = writeln!(
        out,
        "Regenerate with `{REGENERATE}` (resumable: delete `models/` to retrain from scratch).\n"
    );
    let _ = writeln!(out, "- Tasks at 100% test accuracy: **{solved} / {total}**");
    let _ = writeln!(
        out,
        "- Wall time of the run: {:.1} s{}; sum of per-task search times: {:.1} s",
        all.seconds,
        if resumed > 0 {
            format!(" ({resumed} tasks loaded from an earlier run)")
        } else {
            String::new()
        },
        task_seconds
    );
    let _ = writeln!(out, "- Machine: {machine}");
    out += &search_description(opts);
    out += &task_table(all);
    let _ = writeln!(
        out,
        "\n`steps` and `seed` are those of the run that produced the kept network; `runs` counts every \
         (shape, seed) run of the search; `seconds` is the task's search wall time (tasks run in parallel)."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::run::TrainOptions;
    use crate::train::toy::Toy;

    fn opts() -> SearchOptions {
        let train = TrainOptions {
            batch_size: 32,
            lr: 1e-2,
            max_steps: 1500,
            patience: 600,
            eval_every: 50,
            screen_size: 64,
            ..TrainOptions::default()
        };
        SearchOptions {
            linear: train.clone(),
            train,
            max_hidden: 1,
            widths: vec![2],
            max_depth: 1,
            generous: vec![(vec![2], vec![2])],
            ..SearchOptions::default()
        }
    }

    fn open(name: &str) -> Result<Box<dyn Task>> {
        match name {
            "running_sum" => Ok(Box::new(Toy::running_sum())),
            _ => Err(MipsError::unknown("task", name, ["running_sum"])),
        }
    }

    #[test]
    fn train_all_writes_results_resumes_and_reports_errors() {
        let dir = std::env::temp_dir().join(format!("mips-train-all-{}", std::process::id()));
        let names = vec!["running_sum".to_string(), "nope".to_string()];
        let first = train_all(&names, &open, &dir, &opts(), None).unwrap();
        assert_eq!(first.tasks.len(), 1);
        assert_eq!(first.errors.len(), 1);
        assert!(!first.tasks[0].resumed && first.tasks[0].report.solved());
        let (model, report) = result_paths(&dir, "running_sum");
        assert!(model.is_file() && report.is_file());
        let second = train_all(&names[..1], &open, &dir, &opts(), None).unwrap();
        assert!(second.tasks[0].resumed);
        assert_eq!(second.tasks[0].report, first.tasks[0].report);
        let md = render_markdown(&first, &opts(), "test machine");
        assert!(md.contains("| running_sum | 100% | 1 | linear | linear |"), "{md}");
        assert!(md.contains(REGENERATE) && md.contains("1 / 2") && md.contains("test machine"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reports_written_before_the_shared_stop_reason_still_read() {
        let dir = std::env::temp_dir().join(format!("mips-old-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.report.ron");
        let (_, report) = minimize(&Toy::running_sum(), &opts(), None).unwrap();
        save_report(&report, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("stop: Found,"), "the stop is stored as before: {text}");
        for (old, name) in [
            ("Found", "found"),
            ("Exhausted", "exhausted"),
            ("StepBudget", "step budget"),
            ("TimeBudget", "time budget"),
        ] {
            std::fs::write(&path, text.replace("stop: Found,", &format!("stop: {old},"))).unwrap();
            assert_eq!(load_report(&path).unwrap().stop.name(), name);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("a/b c.csv"), "a_b_c_csv");
        assert_eq!(file_stem("Sum_All"), "Sum_All");
    }
}
