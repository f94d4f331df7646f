//! The search's progress bar: a spinner with the latest run, drawn on stderr only when it is a
//! terminal (and the pass is not quiet).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mips_core::train::RunReport;

/// A spinner counting finished runs.
pub struct SearchBar {
    bar: Option<ProgressBar>,
}

impl SearchBar {
    /// A bar for the search of `task` (hidden when stderr is not a terminal).
    pub fn new(task: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return SearchBar { bar: None };
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {pos} runs: {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(task.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        SearchBar { bar: Some(bar) }
    }

    /// Records one finished run.
    pub fn run_done(&self, r: &RunReport) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!(
                "{} seed {}: {:.3}% after {} steps ({})",
                r.shape,
                r.seed,
                100.0 * r.test_accuracy,
                r.steps,
                r.stop.name()
            ));
        }
    }

    /// Ends the bar with a final message.
    pub fn finish(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(message.to_string());
        }
    }
}
