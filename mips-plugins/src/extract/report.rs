//! `results/extract.md`: per task, the method the combined extraction chose, the number of
//! states or the lattice dimension, completeness, and whether the machine reproduces the
//! network's rounded outputs on the whole test split.

use std::path::Path;

use mips_core::atomic::write_atomic;
use mips_core::data::Dataset;
use mips_core::ir::Network;
use mips_core::pass::PassContext;
use mips_core::pass::verify::rounded_outputs;
use mips_core::task::Task;
use rayon::prelude::*;

use super::candidate::{method_name, size_of};
use super::options::ExtractOptions;
use super::passes::{Method, extract_machine};

/// How extraction went on one task's network.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskExtraction {
    pub task: String,
    /// The machine's method, or empty when extraction failed.
    pub method: String,
    /// `N states`, `dim K (finder)` or `mod K`.
    pub size: String,
    pub complete: bool,
    /// Test sequences.
    pub sequences: usize,
    /// Test sequences on which the machine reproduces the network's rounded outputs.
    pub agree: usize,
    /// Test sequences that hit a table gap.
    pub gaps: usize,
    /// Test sequences on which the machine runs but outputs something else.
    pub wrong: usize,
    /// The machine's summary, or why extraction failed.
    pub detail: String,
}

/// Runs the combined extraction (all methods) on `net` for `task` with `verify` as the
/// verification set, then compares the machine with the network on the task's whole test split.
pub fn evaluate(task: &dyn Task, net: &Network, verify: &Dataset, seed: u64, opts: &ExtractOptions) -> TaskExtraction {
    let name = task.info().name.clone();
    let ctx = PassContext::new(task, verify, seed, true);
    let test = task.test_split();
    let mut row = TaskExtraction {
        task: name,
        method: String::new(),
        size: String::new(),
        complete: false,
        sequences: test.len(),
        agree: 0,
        gaps: 0,
        wrong: 0,
        detail: String::new(),
    };
    let sm = match extract_machine(net, &ctx, opts, &Method::ALL) {
        Ok(sm) => sm,
        Err(e) => {
            row.detail = e.to_string();
            return row;
        }
    };
    let (agree, gaps, wrong) = test
        .sequences
        .par_iter()
        .map(|s| match sm.run(&s.inputs) {
            Ok(out) if out == rounded_outputs(net, &s.inputs) => (1, 0, 0),
            Ok(_) => (0, 0, 1),
            Err(_) => (0, 1, 0),
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    row.method = method_name(&sm).to_string();
    row.size = size_of(&sm).to_string();
    row.complete = sm.complete;
    (row.agree, row.gaps, row.wrong) = (agree, gaps, wrong);
    row.detail = sm.method;
    row
}

/// Markdown table of the rows, with a count of tasks whose machine reproduces the network on the
/// whole test split.
pub fn render(rows: &[TaskExtraction]) -> String {
    let exact = rows
        .iter()
        .filter(|r| r.sequences > 0 && r.agree == r.sequences)
        .count();
    let extracted = rows.iter().filter(|r| !r.method.is_empty()).count();
    let mut out = format!(
        "# Extraction results\n\n{extracted} of {} networks gave a state machine; {exact} reproduce the network's \
         rounded outputs on the whole test split.\n\n\
         | task | method | size | complete | test agreement | gaps | wrong | detail |\n\
         |---|---|---|---|---|---|---|---|\n",
        rows.len()
    );
    for r in rows {
        let agreement = if r.method.is_empty() {
            "-".to_string()
        } else {
            format!("{}/{}", r.agree, r.sequences)
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.task,
            if r.method.is_empty() { "failed" } else { &r.method },
            r.size,
            if r.complete { "yes" } else { "no" },
            agreement,
            r.gaps,
            r.wrong,
            r.detail.replace('|', "/").replace('\n', " ")
        ));
    }
    out
}

/// Writes [`render`]'s table to `path` (e.g. `results/extract.md`) atomically.
pub fn write(path: &Path, rows: &[TaskExtraction]) -> mips_core::Result<()> {
    write_atomic(path, render(rows).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{TestTask, linear_rnn};

    #[test]
    fn renders_success_and_failure_rows() {
        let sum = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
        let task = TestTask::new(vec![(0, 1)], 6, &sum);
        let verify = task.train_batch(3, 40);
        let opts = ExtractOptions {
            fresh: 100,
            long_count: 10,
            heldout: 50,
            ..Default::default()
        };
        let good = evaluate(&task, &sum, &verify, 1, &opts);
        // The count of 1s: a one-counter machine (input 0 forgotten) is shorter to describe than
        // the lattice, which pays for its real basis and origin.
        assert_eq!(
            (good.method.as_str(), good.size.as_str()),
            ("counter", "1 counter(s) [[0, 1]], 1 control state(s)")
        );
        assert_eq!(good.agree + good.gaps, good.sequences);
        assert_eq!(good.wrong, 0);
        let leaky = linear_rnn(&[vec![0.7]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
        let wide = TestTask::new(vec![(0, 9)], 6, &leaky);
        let bad = evaluate(&wide, &leaky, &wide.train_batch(3, 40), 1, &opts);
        assert!(bad.method.is_empty() && !bad.detail.is_empty(), "{bad:?}");
        let text = render(&[good, bad]);
        assert!(text.contains("1 of 2 networks gave a state machine"), "{text}");
        assert!(
            text.contains("| test | counter | 1 counter(s) [[0, 1]], 1 control state(s) |")
                && text.contains("| test | failed |"),
            "{text}"
        );
    }
}
