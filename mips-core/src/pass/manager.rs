//! The pass manager: runs a pipeline, verifies each pass's output, rolls back a pass that fails
//! (or errors, or panics) and goes on with the next one, recording a report row per pass.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::complexity::{self, Complexity};
use super::pipeline::ResolvedStep;
use super::verify::{
    accuracy_of, first_disagreement, machine_behaviour, network_accuracy, network_behaviour, program_behaviour,
};
use super::{Artifact, Artifacts, Level, PassContext, PassKind};

/// What became of a pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Status {
    /// Its output passed verification and replaced the input.
    Accepted,
    /// Its output failed verification; the previous artifacts were kept.
    RolledBack(String),
    /// It returned an error or panicked; the previous artifacts were kept.
    Failed(String),
    /// Its input level was not available.
    Skipped(String),
}

impl Status {
    /// True for [`Status::Accepted`].
    pub fn accepted(&self) -> bool {
        matches!(self, Status::Accepted)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Accepted => write!(out, "accepted"),
            Status::RolledBack(why) => write!(out, "rolled back: {why}"),
            Status::Failed(why) => write!(out, "failed: {why}"),
            Status::Skipped(why) => write!(out, "skipped: {why}"),
        }
    }
}

/// One row of the pipeline report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub pass: String,
    pub kind: PassKind,
    /// Wall time of the pass itself.
    pub seconds: f64,
    /// Wall time of the verification after it.
    pub verify_seconds: f64,
    /// Complexity of the pass's input.
    pub before: Option<Complexity>,
    /// Complexity of the pass's output (also when rolled back).
    pub after: Option<Complexity>,
    /// Accuracy of the output against the labels of the verification set.
    pub accuracy: Option<f64>,
    pub status: Status,
}

/// Runs pipelines with verification.
#[derive(Clone, Copy, Debug, Default)]
pub struct PassManager;

/// Complexity of the artifact at `level`, if present.
pub fn complexity_at(artifacts: &Artifacts, level: Level) -> Option<Complexity> {
    match level {
        Level::Network => artifacts.network.as_ref().map(complexity::of_network),
        Level::StateMachine => artifacts.machine.as_ref().map(complexity::of_machine),
        Level::Program => artifacts.program.as_ref().map(complexity::of_program),
    }
}

impl PassManager {
    /// Runs `steps` starting from `start`; `on_row` is called after each pass.
    pub fn run(
        &self,
        steps: &[ResolvedStep],
        start: Artifacts,
        ctx: &PassContext,
        mut on_row: impl FnMut(&ReportRow),
    ) -> (Artifacts, Vec<ReportRow>) {
        let mut artifacts = start;
        let mut rows = Vec::new();
        for step in steps {
            let row = self.run_step(step, &mut artifacts, ctx);
            on_row(&row);
            rows.push(row);
        }
        (artifacts, rows)
    }

    fn run_step(&self, step: &ResolvedStep, artifacts: &mut Artifacts, ctx: &PassContext) -> ReportRow {
        let kind = step.pass.kind();
        let mut row = ReportRow {
            pass: step.pass.name().to_string(),
            kind,
            seconds: 0.0,
            verify_seconds: 0.0,
            before: complexity_at(artifacts, kind.input()),
            after: None,
            accuracy: None,
            status: Status::Accepted,
        };
        if kind != PassKind::Architecture && !artifacts.has(kind.input()) {
            row.status = Status::Skipped(format!("no {:?} to read", kind.input()));
            return row;
        }
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| step.pass.run(artifacts, &step.options, ctx)));
        row.seconds = started.elapsed().as_secs_f64();
        let artifact = match outcome {
            Ok(Ok(artifact)) => artifact,
            Ok(Err(e)) => {
                row.status = Status::Failed(e.to_string());
                return row;
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                row.status = Status::Failed(format!("panicked: {message}"));
                return row;
            }
        };
        let started = Instant::now();
        let verdict = verify(kind, artifacts, &artifact, ctx);
        row.verify_seconds = started.elapsed().as_secs_f64();
        row.after = Some(match &artifact {
            Artifact::Network(n) => complexity::of_network(n),
            Artifact::StateMachine(m) => complexity::of_machine(m),
            Artifact::Program(p) => complexity::of_program(p),
        });
        row.accuracy = Some(verdict.accuracy);
        match verdict.problem {
            None => artifacts.install(artifact),
            Some(problem) => row.status = Status::RolledBack(problem),
        }
        row
    }
}

struct Verdict {
    accuracy: f64,
    problem: Option<String>,
}

/// Checks `artifact` (the output of a pass of `kind`) against what it was derived from.
fn verify(kind: PassKind, before: &Artifacts, artifact: &Artifact, ctx: &PassContext) -> Verdict {
    let data = ctx.verify;
    let wrong_level = |level: Level| Verdict {
        accuracy: 0.0,
        problem: Some(format!("a {} pass must produce a {level:?}", kind.name())),
    };
    match artifact {
        Artifact::Network(net) => {
            if kind.output() != Level::Network {
                return wrong_level(kind.output());
            }
            if let Err(e) = net.validate() {
                return Verdict {
                    accuracy: 0.0,
                    problem: Some(e.to_string()),
                };
            }
            if net.input_dim != data.input_dim || net.output_dim != data.output_dim {
                return Verdict {
                    accuracy: 0.0,
                    problem: Some(format!(
                        "network maps {} inputs to {} outputs, the task has {} and {}",
                        net.input_dim, net.output_dim, data.input_dim, data.output_dim
                    )),
                };
            }
            let accuracy = network_accuracy(net, data);
            let previous = before.network.as_ref().map_or(0.0, |old| network_accuracy(old, data));
            let problem = (accuracy < previous).then(|| {
                format!(
                    "accuracy fell from {:.4}% to {:.4}%",
                    previous * 100.0,
                    accuracy * 100.0
                )
            });
            Verdict { accuracy, problem }
        }
        Artifact::StateMachine(sm) => {
            if kind.output() != Level::StateMachine {
                return wrong_level(kind.output());
            }
            if let Err(e) = sm.validate() {
                return Verdict {
                    accuracy: 0.0,
                    problem: Some(e.to_string()),
                };
            }
            let accuracy = accuracy_of(data, |x| sm.run(x).ok());
            let net = before.network.as_ref().expect("extraction ran without a network");
            let problem = first_disagreement(data, network_behaviour(net), machine_behaviour(sm))
                .map(|d| format!("state machine differs from the network on {d}"));
            Verdict { accuracy, problem }
        }
        Artifact::Program(p) => {
            if kind.output() != Level::Program {
                return wrong_level(kind.output());
            }
            if let Err(e) = p.validate() {
                return Verdict {
                    accuracy: 0.0,
                    problem: Some(e.to_string()),
                };
            }
            if p.input_dim() != data.input_dim || p.output_dim() != data.output_dim {
                return Verdict {
                    accuracy: 0.0,
                    problem: Some("program's input or output width differs from the task's".into()),
                };
            }
            let accuracy = accuracy_of(data, |x| p.run(x).ok());
            let problem = match kind {
                PassKind::Regression => {
                    let sm = before.machine.as_ref().expect("regression ran without a state machine");
                    first_disagreement(data, machine_behaviour(sm), program_behaviour(p))
                        .map(|d| format!("program differs from the state machine on {d}"))
                }
                _ => {
                    let old = before.program.as_ref().expect("program pass ran without a program");
                    first_disagreement(data, program_behaviour(old), program_behaviour(p))
                        .map(|d| format!("program differs from its input on {d}"))
                }
            };
            Verdict { accuracy, problem }
        }
    }
}

/// Formats report rows as an aligned text table.
pub fn format_report(rows: &[ReportRow]) -> String {
    let show = |c: &Option<Complexity>| c.as_ref().map_or("-".to_string(), |c| c.to_string());
    let mut table = vec![[
        "pass".to_string(),
        "kind".to_string(),
        "time".to_string(),
        "before".to_string(),
        "after".to_string(),
        "accuracy".to_string(),
        "status".to_string(),
    ]];
    for r in rows {
        table.push([
            r.pass.clone(),
            r.kind.name().to_string(),
            format!("{:.2}s", r.seconds + r.verify_seconds),
            show(&r.before),
            show(&r.after),
            r.accuracy.map_or("-".into(), |a| format!("{:.2}%", a * 100.0)),
            r.status.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| table.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    table
        .iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
