//! The regression report `results/regress.md`: per task the method, the program size in
//! tokens, whether it is symbolic or a table, and whether it reproduces the labels on the
//! whole test split.

use std::path::Path;

use mips_core::Result;
use mips_core::data::Dataset;
use mips_core::ir::Program;
use rayon::prelude::*;

/// One task's line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegressRow {
    pub task: String,
    /// The program, or why there is none.
    pub outcome: std::result::Result<ProgramSummary, String>,
}

/// What the report says about a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSummary {
    pub method: String,
    pub tokens: usize,
    pub symbolic: bool,
    /// Test sequences on which the outputs equal the labels, and the total.
    pub exact_sequences: usize,
    pub test_sequences: usize,
}

impl ProgramSummary {
    /// True when the program reproduces every label of the test split.
    pub fn exact(&self) -> bool {
        self.exact_sequences == self.test_sequences
    }
}

/// Number of sequences of `test` on which `p` reproduces every label.
pub fn exact_sequences(p: &Program, test: &Dataset) -> usize {
    test.sequences
        .par_iter()
        .filter(|s| p.run(&s.inputs).is_ok_and(|out| out == s.outputs))
        .count()
}

/// The report row of `task`, given its program (or the reason there is none).
pub fn summarize(task: &str, program: std::result::Result<&Program, &str>, test: &Dataset) -> RegressRow {
    RegressRow {
        task: task.to_string(),
        outcome: program
            .map(|p| ProgramSummary {
                method: p.method.clone(),
                tokens: p.tokens(),
                symbolic: p.symbolic,
                exact_sequences: exact_sequences(p, test),
                test_sequences: test.len(),
            })
            .map_err(str::to_string),
    }
}

/// The Markdown report.
pub fn render_report(rows: &[RegressRow]) -> String {
    let mut out = String::from(
        "# Regression results\n\n\
         Per task: the regression method, the program size in tokens, whether the program is\n\
         symbolic or a lookup table, and whether it reproduces the labels on the whole test split.\n\n\
         | task | method | tokens | kind | test split |\n|---|---|---|---|---|\n",
    );
    let clean = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for r in rows {
        let line = match &r.outcome {
            Ok(s) => format!(
                "| {} | {} | {} | {} | {} |\n",
                clean(&r.task),
                clean(&s.method),
                s.tokens,
                if s.symbolic { "symbolic" } else { "table" },
                if s.exact() {
                    format!("exact ({} sequences)", s.test_sequences)
                } else {
                    format!("{} of {} sequences exact", s.exact_sequences, s.test_sequences)
                }
            ),
            Err(why) => format!("| {} | none | - | - | no program: {} |\n", clean(&r.task), clean(why)),
        };
        out.push_str(&line);
    }
    let count = |f: &dyn Fn(&ProgramSummary) -> bool| rows.iter().filter(|r| r.outcome.as_ref().is_ok_and(f)).count();
    out.push_str(&format!(
        "\nSymbolic and exact on the test split: {} of {} tasks; exact lookup tables: {}; \
         programs not exact on the test split: {}; no program: {}.\n",
        count(&|s| s.symbolic && s.exact()),
        rows.len(),
        count(&|s| !s.symbolic && s.exact()),
        count(&|s| !s.exact()),
        rows.iter().filter(|r| r.outcome.is_err()).count(),
    ));
    out
}

/// Writes the report to `path` atomically.
pub fn write_report(path: &Path, rows: &[RegressRow]) -> Result<()> {
    mips_core::atomic::write_atomic(path, render_report(rows).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::{FixedTask, counter_mod, range, sequences};
    use mips_core::ir::{BinOp, Expr};
    use mips_core::task::Task;

    #[test]
    fn report_lists_methods_sizes_and_exactness() {
        let sm = counter_mod(3);
        let task = FixedTask::from_machine(&sm, &sequences(&range(0, 2), 8, 50, 1));
        let good = Program {
            state_names: vec!["s".into()],
            init: vec![0],
            input_names: vec!["x".into()],
            updates: vec![Expr::bin(
                BinOp::Mod,
                Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0)),
                Expr::Const(3),
            )],
            outputs: vec![Expr::state(0)],
            method: "modular-linear".into(),
            symbolic: true,
        };
        let mut wrong = good.clone();
        wrong.updates[0] = Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0));
        let rows = vec![
            summarize("Counter", Ok(&good), task.test_split()),
            summarize("Broken", Ok(&wrong), task.test_split()),
            summarize("Hard", Err("no regressor found a program"), task.test_split()),
        ];
        let text = render_report(&rows);
        assert!(
            text.contains("| Counter | modular-linear | 6 | symbolic | exact (50 sequences) |"),
            "{text}"
        );
        assert!(
            text.contains("| Broken |") && text.contains("of 50 sequences exact"),
            "{text}"
        );
        assert!(text.contains("no program: no regressor found a program"), "{text}");
        assert!(
            text.contains("Symbolic and exact on the test split: 1 of 3 tasks"),
            "{text}"
        );
    }
}
