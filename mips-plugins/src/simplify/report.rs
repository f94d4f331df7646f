//! The simplification report (`results/simplify.md`): per task, the network before and after
//! the simplification pipeline — hidden size, parameter count, and the share of parameters
//! that are exactly 0 or small integers (`|k| ≤ 16`, see
//! [`mips_core::pass::complexity::is_small_integer`]) — with the test accuracy after.

use std::path::Path;

use mips_core::data::Dataset;
use mips_core::ir::{Network, versioned};
use mips_core::pass::complexity::is_small_integer;
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::verify::network_accuracy;
use mips_core::pass::{Artifacts, PassContext, PassManager, Pipeline, Registry};
use mips_core::task::Task;
use mips_core::train::bulk::result_paths;
use mips_core::{Result, tasks};

/// Size and simplicity of one network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    pub hidden: usize,
    /// Parameters of f and g (`h0` not counted).
    pub params: usize,
    /// Parameters that are exactly 0 or small integers.
    pub simple: usize,
}

impl Measure {
    /// Measures `net`.
    pub fn of(net: &Network) -> Measure {
        Measure {
            hidden: net.hidden_dim,
            params: net.parameter_count(),
            simple: net.parameters().filter(|p| is_small_integer(*p)).count(),
        }
    }

    /// Share of parameters that are 0 or small integers.
    pub fn share(&self) -> f64 {
        if self.params == 0 {
            1.0
        } else {
            self.simple as f64 / self.params as f64
        }
    }
}

/// One task's line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskOutcome {
    pub task: String,
    pub before: Measure,
    pub after: Measure,
    /// Accuracy of the simplified network on the whole test split.
    pub test_accuracy: f64,
    /// Passes that were rolled back or failed, with the reason.
    pub problems: Vec<String>,
}

/// Runs `steps` on `net` for `task` through the pass manager (verifying on `verify`) and
/// measures the network before and after; returns the simplified network too.
pub fn simplify_task(
    task: &dyn Task,
    net: &Network,
    steps: &[ResolvedStep],
    verify: &Dataset,
    seed: u64,
) -> (Network, TaskOutcome) {
    let ctx = PassContext::new(task, verify, seed, true);
    let (artifacts, rows) = PassManager.run(steps, Artifacts::from_network(net.clone()), &ctx, |_| {});
    let after = artifacts.network.unwrap_or_else(|| net.clone());
    let outcome = TaskOutcome {
        task: task.info().name.clone(),
        before: Measure::of(net),
        after: Measure::of(&after),
        test_accuracy: network_accuracy(&after, task.test_split()),
        problems: rows
            .iter()
            .filter(|r| !r.status.accepted())
            .map(|r| format!("{}: {}", r.pass, r.status))
            .collect(),
    };
    (after, outcome)
}

/// Test-split sequences the pass manager verifies on (as the command line does by default).
pub const VERIFY_SIZE: usize = 2000;

/// Runs `pipeline` on the trained model of every built-in task found in `models` (as
/// [`mips_core::train::bulk::train_all`] writes them), verifying each pass on the first [`VERIFY_SIZE`] test sequences;
/// returns the outcomes and the names of the tasks without a model.
pub fn simplify_models(models: &Path, pipeline: &Pipeline, seed: u64) -> Result<(Vec<TaskOutcome>, Vec<String>)> {
    let steps = pipeline.resolve(&Registry::builtin())?;
    let mut outcomes = Vec::new();
    let mut missing = Vec::new();
    for name in tasks::names() {
        let (path, _) = result_paths(models, name);
        if !path.is_file() {
            missing.push(name.to_string());
            continue;
        }
        let net: Network = versioned::load(&path)?;
        let task = tasks::builtin(name)?;
        let verify = task.test_split().head(VERIFY_SIZE);
        let outcome = simplify_task(&task, &net, &steps, &verify, seed).1;
        eprintln!(
            "{name}: simple {:.1}% -> {:.1}%, hidden {} -> {}, test accuracy {:.4}",
            100.0 * outcome.before.share(),
            100.0 * outcome.after.share(),
            outcome.before.hidden,
            outcome.after.hidden,
            outcome.test_accuracy
        );
        outcomes.push(outcome);
    }
    Ok((outcomes, missing))
}

/// Median of a non-empty list (mean of the middle two for an even length).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Renders the outcomes as the Markdown of `results/simplify.md`.
pub fn render(outcomes: &[TaskOutcome], pipeline: &str) -> String {
    let percent = |v: f64| format!("{:.1}%", 100.0 * v);
    let mut out = String::from("# Simplification results\n\n");
    out.push_str(&format!("Pipeline: `{pipeline}`\n\n"));
    let exact = outcomes.iter().filter(|o| o.test_accuracy >= 1.0).count();
    out.push_str(&format!(
        "- tasks: {}; 100% test accuracy after simplification: {exact}\n",
        outcomes.len()
    ));
    for (name, pick) in [("before", 0), ("after", 1)] {
        let shares: Vec<f64> = outcomes.iter().map(|o| [o.before, o.after][pick].share()).collect();
        out.push_str(&format!(
            "- median share of parameters that are 0 or small integers (|k| ≤ 16), {name}: {}\n",
            percent(median(shares))
        ));
    }
    out.push_str(
        "\n| task | hidden before | hidden after | params before | params after | simple before | simple after | test accuracy after | rolled back or failed |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for o in outcomes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            o.task,
            o.before.hidden,
            o.after.hidden,
            o.before.params,
            o.after.params,
            percent(o.before.share()),
            percent(o.after.share()),
            percent(o.test_accuracy),
            o.problems.join("; ").replace('|', "/"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::CountOnes;

    #[test]
    fn counter_report() {
        let task = CountOnes::new(50);
        let net = CountOnes::solution();
        let pipeline = Pipeline::parse_inline("jordan,toeplitz,prune-hidden,snap").unwrap();
        let steps = pipeline.resolve(&Registry::builtin()).unwrap();
        let (after, outcome) = simplify_task(&task, &net, &steps, task.test_split(), 1);
        assert_eq!(outcome.problems, Vec::<String>::new());
        assert_eq!(after.hidden_dim, 1);
        assert_eq!((outcome.after.share(), outcome.test_accuracy), (1.0, 1.0));
        let md = render(&[outcome], &pipeline.to_string());
        assert!(md.contains("| count_ones | 2 | 1 | 11 | 5 |"), "{md}");
        assert!(md.contains("after: 100.0%"), "{md}");
    }

    #[test]
    fn shipped_pipeline_resolves() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipelines/simplify.ron");
        let pipeline = Pipeline::load(&path).unwrap();
        assert!(pipeline.resolve(&Registry::builtin()).is_ok(), "{pipeline}");
    }

    /// Writes `results/simplify.md` from the models in `$MIPS_MODELS` (default `models`):
    /// `MIPS_MODELS=models cargo test --release -p mips-plugins simplify_all -- --ignored`.
    #[test]
    #[ignore = "needs trained models of the built-in tasks; run in release"]
    fn simplify_all_tasks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let models = std::env::var("MIPS_MODELS").map_or_else(|_| root.join("models"), Into::into);
        let pipeline = Pipeline::load(&root.join("pipelines/simplify.ron")).unwrap();
        let (outcomes, missing) = simplify_models(&models, &pipeline, 1).unwrap();
        let mut md = render(&outcomes, &pipeline.to_string());
        if !missing.is_empty() {
            md.push_str(&format!("\nNo model for: {}\n", missing.join(", ")));
        }
        std::fs::create_dir_all(root.join("results")).unwrap();
        mips_core::atomic::write_atomic(&root.join("results/simplify.md"), md.as_bytes()).unwrap();
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
