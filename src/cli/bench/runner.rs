//! Runs one task through the whole pipeline and the final verification, into a [`TaskRecord`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use mips_codegen::harness::{self, VerifyOptions};
use mips_codegen::python::{ProgramDoc, emit_python};
use mips_core::atomic::write_atomic;
use mips_core::data::Dataset;
use mips_core::ir::{Network, Program, StateMachine, versioned};
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::{Artifacts, PassKind, PassManager, ReportRow, Stage, Status, Verifier, complexity, verify};
use mips_core::task::{Task, TaskInfo};
use mips_core::tasks;
use mips_core::train::bulk;
use mips_plugins::architecture;

use super::as_files::FileRegime;
use super::record::{Extracted, Simplified, TaskRecord, Trained};

/// Settings shared by every task of a benchmark run.
pub struct RunSettings<'a> {
    pub steps: &'a [ResolvedStep],
    /// A folder of models trained by `mips train --all`: a task found there starts from its
    /// model instead of running the architecture passes.
    pub models: Option<&'a Path>,
    pub seed: u64,
    pub verify_size: usize,
    /// Fresh long sequences checked per task (10× the training length).
    pub long_sequences: usize,
    pub out: &'a Path,
    /// The data-file regime (`--as-files N`): each task runs from a file of this many sequences.
    pub as_files: Option<usize>,
}

/// What the passes of one task produced.
struct Passes {
    artifacts: Artifacts,
    rows: Vec<ReportRow>,
    trained: Option<Trained>,
    /// The network the later stages started from.
    trained_network: Option<Network>,
    /// The trained network's test accuracy when below 100% (the later stages were skipped).
    inexact: Option<f64>,
    /// A loaded model's training time, from its report.
    loaded_seconds: Option<f64>,
}

/// Runs `name` through the pipeline and verification; writes its Python program if any. In the
/// data-file regime the pipeline sees only the task's data file (see [`super::as_files`]).
pub fn run_task(name: &str, settings: &RunSettings) -> anyhow::Result<TaskRecord> {
    match settings.as_files {
        None => {
            let task = tasks::builtin(name)?;
            run_on(name, &task, &task, task.info(), settings)
        }
        Some(n) => {
            let regime = FileRegime::prepare(name, n, settings.seed, settings.out)?;
            run_on(name, regime.file(), &regime, regime.generator_info(), settings)
        }
    }
}

/// Runs the pipeline on `task` and verifies its program against `checked` (the same task, or
/// the data file's test split with the generator's fresh sequences); `facts` gives the
/// published outcomes.
fn run_on(
    name: &str,
    task: &dyn Task,
    checked: &dyn Task,
    facts: &TaskInfo,
    settings: &RunSettings,
) -> anyhow::Result<TaskRecord> {
    let info = facts.clone();
    let test = task.test_split();
    let Passes {
        artifacts,
        rows,
        trained,
        trained_network,
        inexact,
        loaded_seconds,
    } = run_passes(task, name, settings)?;
    let mut record = TaskRecord {
        task: name.to_string(),
        trained,
        simplified: trained_network
            .as_ref()
            .filter(|_| inexact.is_none())
            .zip(artifacts.network.as_ref())
            .map(|(before, after)| simplified(before, after, test)),
        stage: stage_reached(&artifacts, &rows).map_or("none", Stage::name).to_string(),
        extraction: artifacts.machine.as_ref().map(|m| m.method.clone()),
        extracted: artifacts
            .network
            .as_ref()
            .zip(artifacts.machine.as_ref())
            .map(|(net, machine)| extracted(net, machine, test)),
        regression: artifacts.program.as_ref().map(|p| p.method.clone()),
        program_tokens: artifacts.program.as_ref().map(|p| p.tokens()),
        symbolic: artifacts.program.as_ref().map(|p| p.symbolic),
        verified_test: false,
        verified_long: None,
        test_split_only: false,
        seconds: stage_seconds(loaded_seconds, &rows),
        paper_solved: info.paper_solved,
        gpt4_solved: info.gpt4_solved,
        note: match inexact {
            Some(accuracy) => format!(
                "network at {:.3}% test accuracy, not 100%: later stages skipped",
                100.0 * accuracy
            ),
            None => first_problem(&rows),
        },
    };
    if let Some(program) = &artifacts.program {
        verify_program(&mut record, program, checked, settings)?;
    }
    Ok(record)
}

/// Runs the pipeline on `task`: the architecture passes (or the model of `--models`), then the
/// later passes unless the network misses some labels (then no program can reproduce them all).
fn run_passes(task: &dyn Task, name: &str, settings: &RunSettings) -> anyhow::Result<Passes> {
    let verifier = Verifier::new(task, settings.verify_size);
    let ctx = verifier.context(task, settings.seed, true);
    let (architecture, later): (Vec<ResolvedStep>, Vec<ResolvedStep>) = settings
        .steps
        .iter()
        .cloned()
        .partition(|s| s.pass.kind() == PassKind::Architecture);
    let loaded = pretrained(settings.models, name)?;
    let loaded_seconds = loaded.as_ref().map(|(_, t)| t.seconds);
    let (start, mut rows, trained) = match loaded {
        Some((network, trained)) => (Artifacts::from_network(network), Vec::new(), Some(trained)),
        None => {
            let (artifacts, rows) = PassManager.run(&architecture, Artifacts::default(), &ctx, |_| {});
            let trained = trained(&rows);
            (artifacts, rows, trained)
        }
    };
    let trained_network = start.network.clone();
    let inexact = trained.as_ref().filter(|t| t.accuracy < 1.0).map(|t| t.accuracy);
    let steps = if inexact.is_some() { &[][..] } else { &later[..] };
    let (artifacts, later_rows) = PassManager.run(steps, start, &ctx, |_| {});
    rows.extend(later_rows);
    Ok(Passes {
        artifacts,
        rows,
        trained,
        trained_network,
        inexact,
        loaded_seconds,
    })
}

/// Seconds per stage: a loaded model's training time, then each pass's time and verification.
fn stage_seconds(loaded_seconds: Option<f64>, rows: &[ReportRow]) -> BTreeMap<String, f64> {
    let mut seconds: BTreeMap<String, f64> = BTreeMap::new();
    if let Some(train) = loaded_seconds {
        seconds.insert("train".into(), train);
    }
    for row in rows {
        *seconds.entry(Stage::of(row.kind).name().to_string()).or_default() += row.seconds + row.verify_seconds;
    }
    seconds
}

/// Verifies the program on the test split and fresh long sequences into `record`, and writes
/// its Python text.
fn verify_program(
    record: &mut TaskRecord,
    program: &Program,
    task: &dyn Task,
    settings: &RunSettings,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let opts = VerifyOptions {
        n_long: settings.long_sequences,
        seed: settings.seed,
        ..VerifyOptions::default()
    };
    let report = harness::verify(program, task, &opts)?;
    record.seconds.insert("verify".into(), started.elapsed().as_secs_f64());
    let passed = |prefix: &str| {
        report
            .checks
            .iter()
            .find(|c| c.name.starts_with(prefix))
            .map(|c| c.mismatches == 0)
    };
    record.verified_test = passed("test split").unwrap_or(false);
    record.verified_long = passed("fresh");
    // The harness skips the fresh check only for a task that cannot generate sequences.
    record.test_split_only = settings.long_sequences > 0 && record.verified_long.is_none();
    record.note = match report.passed() {
        true => String::new(),
        false => report
            .checks
            .iter()
            .find(|c| c.mismatches > 0)
            .map(|c| format!("{}: {} of {} sequences mismatch", c.name, c.mismatches, c.sequences))
            .unwrap_or_default(),
    };
    let doc = ProgramDoc {
        task: record.task.clone(),
        method: program.method.clone(),
        verification: report.summary(),
    };
    let path = settings.out.join("programs").join(format!("{}.py", record.task));
    write_atomic(&path, emit_python(program, &doc).as_bytes())?;
    Ok(())
}

/// The model and training record of `name` in a `mips train --all` folder, if there is one.
fn pretrained(models: Option<&Path>, name: &str) -> anyhow::Result<Option<(Network, Trained)>> {
    let Some(dir) = models else { return Ok(None) };
    let (model_path, report_path) = bulk::result_paths(dir, name);
    if !report_path.exists() {
        return Ok(None);
    }
    let network: Network = versioned::load(&model_path)?;
    let report = bulk::load_report(&report_path)?;
    let trained = Trained {
        hidden: report.shape.hidden_dim,
        shape: report.shape.to_string(),
        steps: Some(report.steps as u64),
        seconds: report.seconds,
        accuracy: report.test_accuracy,
    };
    Ok(Some((network, trained)))
}

/// The simplification stage's effect on the network, measured on the whole test split.
fn simplified(before: &Network, after: &Network, test: &Dataset) -> Simplified {
    let simple_share = |net: &Network| {
        let params: Vec<f64> = net.parameters().collect();
        let simple = params.iter().filter(|p| complexity::is_small_integer(**p)).count();
        if params.is_empty() {
            1.0
        } else {
            simple as f64 / params.len() as f64
        }
    };
    Simplified {
        hidden_before: before.hidden_dim,
        hidden_after: after.hidden_dim,
        params_before: before.parameter_count(),
        params_after: after.parameter_count(),
        simple_before: simple_share(before),
        simple_after: simple_share(after),
        accuracy_after: verify::network_accuracy(after, test),
    }
}

/// The extracted machine's size and its agreement with the network on the whole test split.
fn extracted(net: &Network, machine: &StateMachine, test: &Dataset) -> Extracted {
    let disagreement =
        verify::first_disagreement(test, verify::machine_behaviour(machine), verify::network_behaviour(net));
    Extracted {
        method: machine.method.split([' ', ':']).next().unwrap_or_default().to_string(),
        states: machine.state_count(),
        state_dim: machine.state_dim,
        complete: machine.complete,
        lattice_coding: machine.coding.is_some(),
        matches_network: disagreement.is_none(),
    }
}

/// What the architecture stage found, from its report row.
fn trained(rows: &[ReportRow]) -> Option<Trained> {
    let row = rows
        .iter()
        .find(|r| r.kind == PassKind::Architecture && r.status.accepted())?;
    Some(Trained {
        hidden: row.after.as_ref().map_or(0, |c| c.size),
        shape: architecture::SHAPE.read(row).unwrap_or_else(|| "-".into()),
        steps: architecture::STEPS.read(row),
        seconds: row.seconds,
        accuracy: row.accuracy.unwrap_or(0.0),
    })
}

/// The last stage whose artifact was produced and verified.
fn stage_reached(artifacts: &Artifacts, rows: &[ReportRow]) -> Option<Stage> {
    let accepted = |stage: Stage| rows.iter().any(|r| r.status.accepted() && Stage::of(r.kind) == stage);
    if artifacts.program.is_some() {
        Some(Stage::Regress)
    } else if artifacts.machine.is_some() {
        Some(Stage::Extract)
    } else if artifacts.network.is_some() && accepted(Stage::Simplify) {
        Some(Stage::Simplify)
    } else {
        artifacts.network.as_ref().map(|_| Stage::Train)
    }
}

/// Why the pipeline stopped short, for the notes column: the first failure of an extraction or
/// regression pass (those decide whether a program comes out), else of any pass; shortened.
fn first_problem(rows: &[ReportRow]) -> String {
    let decisive = |r: &&ReportRow| matches!(r.kind, PassKind::Extraction | PassKind::Regression);
    rows.iter()
        .filter(decisive)
        .chain(rows.iter().filter(|r| !decisive(r)))
        .find_map(|r| match &r.status {
            Status::Failed(why) | Status::RolledBack(why) => Some(format!("{}: {why}", r.pass)),
            _ => None,
        })
        .map(|s| s.chars().take(160).collect())
        .unwrap_or_default()
}
