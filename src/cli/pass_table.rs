//! The per-pass report as one table on standard output, streamed: the header first, then each
//! row as its pass finishes, in columns whose widths are fixed before the first pass runs;
//! while a pass runs, a spinner on standard error names it (only when standard error is a
//! terminal and the run is not `--quiet`).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mips_core::pass::complexity::{Complexity, of_network};
use mips_core::pass::pipeline::ResolvedStep;
use mips_core::pass::{Artifacts, Level, PassKind, ReportRow};

/// Width of the time column (`1234.56s`).
const TIME_WIDTH: usize = 8;
/// Width of the accuracy column (`100.00%`).
const ACCURACY_WIDTH: usize = 8;
/// The least width of a complexity column: fits a network's of up to 9999 parameters, a state
/// machine's of tens of thousands of states, or a program's. A longer cell pushes the rest of its
/// row to the right.
const MIN_COMPLEXITY_WIDTH: usize = 44;

/// The column layout of one pipeline's table.
pub struct PassTable {
    pass: usize,
    kind: usize,
    complexity: usize,
    spinner: bool,
}

impl PassTable {
    /// Fixes the widths for `steps` run from `start`; `progress` asks for spinners.
    pub fn new(steps: &[ResolvedStep], start: &Artifacts, progress: bool) -> Self {
        let widest = |names: &mut dyn Iterator<Item = usize>, header: &str| names.max().unwrap_or(0).max(header.len());
        PassTable {
            pass: widest(&mut steps.iter().map(|s| s.pass.name().len()), "pass"),
            kind: widest(&mut steps.iter().map(|s| s.pass.kind().name().len()), "kind"),
            complexity: complexity_width(start),
            spinner: progress && std::io::stderr().is_terminal(),
        }
    }

    /// The header line.
    pub fn header(&self) -> String {
        self.line(["pass", "kind", "time", "before", "after", "accuracy", "status"].map(String::from))
    }

    /// The line of one finished pass.
    pub fn row(&self, r: &ReportRow) -> String {
        let show = |c: &Option<Complexity>| c.as_ref().map_or("-".to_string(), Complexity::to_string);
        self.line([
            r.pass.clone(),
            r.kind.name().to_string(),
            format!("{:.2}s", r.seconds + r.verify_seconds),
            show(&r.before),
            show(&r.after),
            r.accuracy.map_or("-".into(), |a| format!("{:.2}%", a * 100.0)),
            r.status.to_string(),
        ])
    }

    fn line(&self, cells: [String; 7]) -> String {
        let widths = [
            self.pass,
            self.kind,
            TIME_WIDTH,
            self.complexity,
            self.complexity,
            ACCURACY_WIDTH,
            0,
        ];
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_string()
    }

    /// A spinner naming pass `index` while it runs (none when hidden, and none for an
    /// architecture pass, which draws its own search progress).
    pub fn spinner(&self, index: usize, total: usize, step: &ResolvedStep) -> Option<ProgressBar> {
        if !self.spinner || step.pass.kind() == PassKind::Architecture {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(format!(
            "pass {}/{total}: {} ({})",
            index + 1,
            step.pass.name(),
            step.pass.kind().name()
        ));
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    }
}

/// The width of the complexity columns: the longest description a network of the starting
/// size can have (every parameter irregular at 32 bits; simplification passes do not grow a
/// network), and at least [`MIN_COMPLEXITY_WIDTH`].
fn complexity_width(start: &Artifacts) -> usize {
    let network = start.network.as_ref().map_or(0, |net| {
        let c = of_network(net);
        let bound = Complexity {
            level: Level::Network,
            irregular: c.count,
            bits: 32.0 * c.count as f64,
            ..c
        };
        bound.to_string().len()
    });
    network.max(MIN_COMPLEXITY_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::pass::Status;

    fn table() -> PassTable {
        PassTable {
            pass: 12,
            kind: 14,
            complexity: MIN_COMPLEXITY_WIDTH,
            spinner: false,
        }
    }

    fn row(pass: &str, after: Option<Complexity>) -> ReportRow {
        ReportRow {
            pass: pass.into(),
            kind: PassKind::Parameter,
            seconds: 0.5,
            verify_seconds: 0.25,
            before: None,
            after,
            accuracy: Some(1.0),
            status: Status::Accepted,
            notes: Vec::new(),
        }
    }

    #[test]
    fn rows_line_up_with_the_header() {
        let t = table();
        let small = Complexity {
            level: Level::Network,
            size: 2,
            count: 9,
            irregular: 0,
            bits: 20.0,
        };
        let large = Complexity {
            size: 99,
            count: 9999,
            irregular: 9999,
            bits: 99999.0,
            ..small.clone()
        };
        let lines = [
            t.header(),
            t.row(&row("snap", Some(small))),
            t.row(&row("sparsify", Some(large))),
        ];
        let column = |line: &str, word: &str| line.find(word).unwrap();
        let accuracy = column(&lines[0], "accuracy");
        assert_eq!(column(&lines[1], "100.00%"), accuracy, "{lines:#?}");
        assert_eq!(column(&lines[2], "100.00%"), accuracy, "{lines:#?}");
        assert_eq!(column(&lines[1], "0.75s"), column(&lines[0], "time"));
    }

    #[test]
    fn the_complexity_column_fits_the_start_network_at_its_worst() {
        let net = mips_core::ir::Network::zeros(&mips_core::ir::network::Shape {
            input_dim: 1,
            hidden_dim: 300,
            output_dim: 1,
            f_widths: vec![64, 64],
            g_widths: vec![],
            activation: mips_core::ir::network::Activation::Relu,
        });
        let c = of_network(&net);
        let width = complexity_width(&Artifacts::from_network(net));
        assert!(width >= c.to_string().len() && width >= MIN_COMPLEXITY_WIDTH);
        assert_eq!(complexity_width(&Artifacts::default()), MIN_COMPLEXITY_WIDTH);
    }
}
