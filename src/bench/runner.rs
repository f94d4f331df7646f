//! Runs one task through the whole pipeline and the final verification, into a [`TaskRecord`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use mips_codegen::harness::{self, VerifyOptions};
use mips_codegen::python::{ProgramDoc, emit_python};
use mips_core::atomic::write_atomic;
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::{Artifacts, PassContext, PassKind, PassManager, ReportRow, Status};
use mips_core::task::Task;
use mips_core::tasks;

use super::record::{TaskRecord, Trained};

/// The stage a pass kind belongs to in the benchmark's timing columns.
pub fn stage_of(kind: PassKind) -> &'static str {
    match kind {
        PassKind::Architecture => "train",
        PassKind::Representation | PassKind::Parameter => "simplify",
        PassKind::Extraction => "extract",
        PassKind::Regression | PassKind::Program => "regress",
    }
}

/// Settings shared by every task of a benchmark run.
pub struct RunSettings<'a> {
    pub steps: &'a [ResolvedStep],
    pub seed: u64,
    pub verify_size: usize,
    /// Fresh long sequences checked per task (10× the training length).
    pub long_sequences: usize,
    pub out: &'a Path,
}

/// Runs `name` through the pipeline and verification; writes its Python program if any.
pub fn run_task(name: &str, settings: &RunSettings) -> anyhow::Result<TaskRecord> {
    let task = tasks::builtin(name)?;
    let info = task.info().clone();
    let verify = task.test_split().head(settings.verify_size);
    let ctx = PassContext::new(&task, &verify, settings.seed, true);
    let (artifacts, rows) = PassManager.run(settings.steps, Artifacts::default(), &ctx, |_| {});

    let mut seconds: BTreeMap<String, f64> = BTreeMap::new();
    for row in &rows {
        *seconds.entry(stage_of(row.kind).to_string()).or_default() += row.seconds + row.verify_seconds;
    }
    let mut record = TaskRecord {
        task: name.to_string(),
        trained: trained(&rows),
        stage: stage_reached(&artifacts, &rows).to_string(),
        extraction: artifacts
            .machine
            .as_ref()
            .map(|m| format!("{} ({} states)", m.method, m.state_count())),
        program_tokens: artifacts.program.as_ref().map(|p| p.tokens()),
        symbolic: artifacts.program.as_ref().map(|p| p.symbolic),
        verified_test: false,
        verified_long: None,
        seconds,
        paper_solved: info.paper_solved,
        gpt4_solved: info.gpt4_solved,
        note: first_problem(&rows),
    };
    if let Some(program) = &artifacts.program {
        let started = Instant::now();
        let opts = VerifyOptions {
            n_long: settings.long_sequences,
            seed: settings.seed,
            ..VerifyOptions::default()
        };
        let report = harness::verify(program, &task, &opts)?;
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
        if !report.passed() {
            record.note = report.to_string().lines().nth(1).unwrap_or_default().trim().to_string();
        } else {
            record.note.clear();
        }
        let doc = ProgramDoc {
            task: name.to_string(),
            method: program.method.clone(),
            verification: report.summary(),
        };
        let python = emit_python(program, &doc);
        write_atomic(
            &settings.out.join("programs").join(format!("{name}.py")),
            python.as_bytes(),
        )?;
    }
    Ok(record)
}

/// What the architecture stage found, from its report row.
fn trained(rows: &[ReportRow]) -> Option<Trained> {
    let row = rows
        .iter()
        .find(|r| r.kind == PassKind::Architecture && r.status.accepted())?;
    Some(Trained {
        hidden: row.after.as_ref().map_or(0, |c| c.size),
        shape: row.note("shape").unwrap_or("-").to_string(),
        steps: row.note("steps").and_then(|s| s.parse().ok()),
        seconds: row.seconds,
        accuracy: row.accuracy.unwrap_or(0.0),
    })
}

/// The last stage whose artifact was produced and verified.
fn stage_reached(artifacts: &Artifacts, rows: &[ReportRow]) -> &'static str {
    let accepted = |stage: &str| rows.iter().any(|r| r.status.accepted() && stage_of(r.kind) == stage);
    if artifacts.program.is_some() {
        "regress"
    } else if artifacts.machine.is_some() {
        "extract"
    } else if artifacts.network.is_some() && accepted("simplify") {
        "simplify"
    } else if artifacts.network.is_some() {
        "train"
    } else {
        "none"
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
