//! The pass manager: runs a pipeline, has the [`super::verifier`] check each pass's output, rolls
//! back a pass that fails (or errors, or panics) and goes on with the next one, recording a report
//! row per pass. Rollback is by construction: a pass reads the artifacts and returns a new one,
//! which is installed only after the verifier accepts it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::complexity::{self, Complexity};
use super::pipeline::ResolvedStep;
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
    /// Details the pass recorded with [`PassContext::note`].
    pub notes: Vec<(String, String)>,
}

impl ReportRow {
    /// The value of the note `key`, if the pass recorded one.
    pub fn note(&self, key: &str) -> Option<&str> {
        self.notes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
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
            notes: Vec::new(),
        };
        ctx.notes.take();
        if kind != PassKind::Architecture && !artifacts.has(kind.input()) {
            row.status = Status::Skipped(format!("no {:?} to read", kind.input()));
            return row;
        }
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| step.pass.run(artifacts, &step.options, ctx)));
        row.seconds = started.elapsed().as_secs_f64();
        row.notes = ctx.notes.take();
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
        let verdict = ctx.verifier().verdict(kind, artifacts, &artifact);
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Result;
    use crate::ir::network::{Activation, Shape};
    use crate::ir::{Expr, Network, Program, StateMachine};
    use crate::pass::{Options, Pass, PassContext};
    use crate::tasks;

    /// `y = 1 - x` through `h = x`: 100% on Bitwise_Not.
    pub(crate) fn not_network() -> Network {
        let mut net = Network::zeros(&Shape {
            input_dim: 1,
            hidden_dim: 1,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        });
        net.f.layers[0].weight = vec![0.0, 1.0];
        net.g.layers[0].weight = vec![-1.0];
        net.g.layers[0].bias = vec![1.0];
        net
    }

    fn not_machine(output_of: impl Fn(i64) -> i64) -> StateMachine {
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            method: "test".into(),
            ..Default::default()
        };
        for s in 0..2 {
            for x in 0..2 {
                sm.transitions.insert((vec![s], vec![x]), vec![x]);
            }
            sm.outputs.insert(vec![s], vec![output_of(s)]);
        }
        sm
    }

    struct TestPass {
        name: &'static str,
        kind: PassKind,
        run: fn(&Artifacts, &PassContext) -> Result<Artifact>,
    }

    impl Pass for TestPass {
        fn name(&self) -> &str {
            self.name
        }
        fn description(&self) -> &str {
            "test pass"
        }
        fn kind(&self) -> PassKind {
            self.kind
        }
        fn run(&self, input: &Artifacts, _: &Options, ctx: &PassContext) -> Result<Artifact> {
            (self.run)(input, ctx)
        }
    }

    fn step(name: &'static str, kind: PassKind, run: fn(&Artifacts, &PassContext) -> Result<Artifact>) -> ResolvedStep {
        ResolvedStep {
            pass: std::sync::Arc::new(TestPass { name, kind, run }),
            options: Options::default(),
        }
    }

    fn run_pipeline(steps: &[ResolvedStep], start: Artifacts) -> (Artifacts, Vec<ReportRow>) {
        let task = tasks::builtin("Bitwise_Not").unwrap();
        let verify = crate::task::Task::test_split(&task).head(200);
        let ctx = PassContext::new(&task, &verify, 0, true);
        PassManager.run(steps, start, &ctx, |_| {})
    }

    /// A network pass may not move the network towards the labels: a network that gets every
    /// label wrong stays wrong, and a pass that "fixes" it is rolled back.
    #[test]
    fn a_network_pass_keeps_the_networks_behaviour_even_against_the_labels() {
        let mut wrong = not_network();
        wrong.g.layers[0].weight[0] = -wrong.g.layers[0].weight[0];
        wrong.g.layers[0].bias[0] = 1.0 - wrong.g.layers[0].bias[0];
        let steps = [step("fix", PassKind::Parameter, |_, _| {
            Ok(Artifact::Network(not_network()))
        })];
        let (artifacts, rows) = run_pipeline(&steps, Artifacts::from_network(wrong.clone()));
        assert!(
            matches!(&rows[0].status, Status::RolledBack(why) if why.contains("rounded outputs changed")),
            "{:?}",
            rows[0].status
        );
        assert_eq!(artifacts.network, Some(wrong));
    }

    #[test]
    fn accepts_good_passes_and_rolls_back_bad_ones() {
        let steps = [
            step("keep", PassKind::Representation, |a, ctx| {
                ctx.note("checked", 1);
                Ok(Artifact::Network(a.network.clone().unwrap()))
            }),
            step("break", PassKind::Parameter, |a, _| {
                let mut net = a.network.clone().unwrap();
                net.g.layers[0].bias[0] = 5.0;
                Ok(Artifact::Network(net))
            }),
            step("error", PassKind::Parameter, |_, _| {
                Err(crate::MipsError::pass("error", "no luck"))
            }),
            step("panic", PassKind::Parameter, |_, _| panic!("boom")),
            step("regress-early", PassKind::Regression, |_, _| unreachable!("skipped")),
            step("wrong-machine", PassKind::Extraction, |_, _| {
                Ok(Artifact::StateMachine(not_machine(|s| s)))
            }),
            step("machine", PassKind::Extraction, |_, _| {
                Ok(Artifact::StateMachine(not_machine(|s| 1 - s)))
            }),
        ];
        let (artifacts, rows) = run_pipeline(&steps, Artifacts::from_network(not_network()));
        let status: Vec<&Status> = rows.iter().map(|r| &r.status).collect();
        assert_eq!(status[0], &Status::Accepted);
        assert_eq!(rows[0].note("checked"), Some("1"));
        assert!(
            matches!(status[1], Status::RolledBack(why) if why.contains("rounded outputs changed")),
            "{:?}",
            status[1]
        );
        assert!(matches!(status[2], Status::Failed(why) if why.contains("no luck")));
        assert!(matches!(status[3], Status::Failed(why) if why.contains("boom")));
        assert!(matches!(status[4], Status::Skipped(_)));
        assert!(matches!(status[5], Status::RolledBack(why) if why.contains("differs from the network")));
        assert_eq!(status[6], &Status::Accepted);
        assert_eq!(
            artifacts.network,
            Some(not_network()),
            "rolled-back passes left the network alone"
        );
        assert_eq!(artifacts.machine, Some(not_machine(|s| 1 - s)));
        assert_eq!(rows[6].accuracy, Some(1.0));
        assert!(rows[0].before.is_some() && rows[0].after.is_some());
    }

    #[test]
    fn verifies_programs_against_the_machine_and_their_input() {
        let program = |output: Expr| Program {
            state_names: vec!["s".into()],
            init: vec![0],
            input_names: vec!["x".into()],
            updates: vec![Expr::input(0)],
            outputs: vec![output],
            method: "test".into(),
            symbolic: true,
        };
        let start = Artifacts {
            network: Some(not_network()),
            machine: Some(not_machine(|s| 1 - s)),
            program: None,
        };
        let steps = [
            step("wrong-program", PassKind::Regression, |_, _| {
                Ok(Artifact::Program(Program {
                    state_names: vec!["s".into()],
                    init: vec![0],
                    input_names: vec!["x".into()],
                    updates: vec![Expr::input(0)],
                    outputs: vec![Expr::state(0)],
                    method: "test".into(),
                    symbolic: true,
                }))
            }),
            step("program", PassKind::Regression, |_, _| {
                Ok(Artifact::Program(Program {
                    state_names: vec!["s".into()],
                    init: vec![0],
                    input_names: vec!["x".into()],
                    updates: vec![Expr::input(0)],
                    outputs: vec![Expr::bin(crate::ir::BinOp::Sub, Expr::Const(1), Expr::state(0))],
                    method: "test".into(),
                    symbolic: true,
                }))
            }),
            step("zero-division", PassKind::Program, |a, _| {
                let mut p = a.program.clone().unwrap();
                p.outputs[0] = Expr::bin(crate::ir::BinOp::FloorDiv, Expr::Const(1), Expr::state(0));
                Ok(Artifact::Program(p))
            }),
        ];
        let (artifacts, rows) = run_pipeline(&steps, start);
        assert!(matches!(&rows[0].status, Status::RolledBack(why) if why.contains("differs from the state machine")));
        assert_eq!(rows[1].status, Status::Accepted);
        assert!(
            matches!(&rows[2].status, Status::RolledBack(why) if why.contains("division by zero")),
            "{:?}",
            rows[2].status
        );
        let expected = program(Expr::bin(crate::ir::BinOp::Sub, Expr::Const(1), Expr::state(0)));
        assert_eq!(artifacts.program, Some(expected));
        assert!(format_report(&rows).contains("rolled back"));
    }
}
