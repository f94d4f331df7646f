//! The per-stage tables written beside the benchmark: `simplify.md`, `extract.md` and
//! `regress.md`, each from the same task records.

use super::record::TaskRecord;
use super::table::{self, RunFacts};

fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

fn yes_no(v: bool) -> &'static str {
    table::yes_no(Some(v))
}

fn header(title: &str, facts: &RunFacts) -> String {
    format!(
        "# {title}\n\nRegenerate with `{}` (written with benchmark.md).\n\nMachine: {}.\n\n",
        facts.command, facts.machine
    )
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// `simplify.md`: per task, hidden size and the share of simple parameters before and after the
/// simplification passes, and the simplified network's test accuracy.
pub fn simplify_md(records: &[TaskRecord], facts: &RunFacts) -> String {
    let done: Vec<_> = records
        .iter()
        .filter_map(|r| Some((r, r.simplified.as_ref()?)))
        .collect();
    let exact = done.iter().filter(|(_, s)| s.accuracy_after >= 1.0).count();
    let trained = done
        .iter()
        .filter(|(r, _)| r.trained.as_ref().is_some_and(|t| t.accuracy >= 1.0))
        .count();
    let show = |m: Option<f64>| m.map_or("-".into(), percent);
    let mut out = header("Simplification (stages 2 and 3)", facts);
    out += "A parameter is *simple* when it is exactly 0 or an integer of magnitude at most 16. \
            Accuracy is measured on the whole test split. Networks that training left below 100% \
            test accuracy are not simplified (the benchmark skips their later stages).\n\n";
    out += &format!(
        "- simplified networks: {} ({} trained to 100% test accuracy)\n",
        done.len(),
        trained
    );
    out += &format!("- 100% test accuracy after simplification: {exact}\n");
    out += &format!(
        "- median share of simple parameters: before {}, after {}\n\n",
        show(median(done.iter().map(|(_, s)| s.simple_before).collect())),
        show(median(done.iter().map(|(_, s)| s.simple_after).collect()))
    );
    let columns = [
        "task",
        "hidden before",
        "hidden after",
        "params before",
        "params after",
        "simple before",
        "simple after",
        "test accuracy after",
    ];
    out += &table::rows_markdown(
        &columns,
        done.iter().map(|(r, s)| {
            vec![
                r.task.clone(),
                s.hidden_before.to_string(),
                s.hidden_after.to_string(),
                s.params_before.to_string(),
                s.params_after.to_string(),
                percent(s.simple_before),
                percent(s.simple_after),
                format!("{:.4}%", 100.0 * s.accuracy_after),
            ]
        }),
    );
    out
}

/// `extract.md`: per task, the extraction method, the machine's size and whether it reproduces
/// the network's rounded outputs on the whole test split.
pub fn extract_md(records: &[TaskRecord], facts: &RunFacts) -> String {
    let matched = records
        .iter()
        .filter(|r| r.extracted.as_ref().is_some_and(|e| e.matches_network))
        .count();
    let mut out = header("Extraction (stage 4)", facts);
    out += &format!(
        "State machines that reproduce the network's rounded outputs on the whole test split: **{matched} of {}**.\n\n",
        records.len()
    );
    out += "A lattice machine has infinitely many states: its table holds the rows seen on fresh sequences, and a \
            state outside the table takes its row from the network's step and readout at the state's lattice point \
            (\"lattice coding\"; dropped when those rows disagree with the network).\n\n";
    let columns = [
        "task",
        "method",
        "states",
        "state variables",
        "table complete",
        "rows beyond the table",
        "matches network",
        "note",
    ];
    out += &table::rows_markdown(
        &columns,
        records.iter().map(|r| match &r.extracted {
            Some(e) => vec![
                r.task.clone(),
                e.method.clone(),
                e.states.to_string(),
                e.state_dim.to_string(),
                yes_no(e.complete).into(),
                if e.lattice_coding { "lattice coding" } else { "-" }.into(),
                yes_no(e.matches_network).into(),
                String::new(),
            ],
            None => vec![
                r.task.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "no".into(),
                r.note.clone(),
            ],
        }),
    );
    out
}

/// `regress.md`: per task, the regression method, program size, symbolic or table, and whether
/// the program reproduces the labels of the whole test split.
pub fn regress_md(records: &[TaskRecord], facts: &RunFacts) -> String {
    let with_program: Vec<_> = records.iter().filter(|r| r.regression.is_some()).collect();
    let verified = with_program.iter().filter(|r| r.verified_test).count();
    let symbolic = with_program
        .iter()
        .filter(|r| r.verified_test && r.symbolic == Some(true))
        .count();
    let mut out = header("Regression (stage 5)", facts);
    out += &format!(
        "Programs: {}; reproducing the labels of the whole test split: **{verified}**, of which symbolic: {symbolic}.\n\n",
        with_program.len()
    );
    let columns = ["task", "method", "tokens", "kind", "test split", "note"];
    out += &table::rows_markdown(
        &columns,
        records.iter().map(|r| {
            let kind = match r.symbolic {
                Some(true) => "symbolic",
                Some(false) => "table (non-symbolic)",
                None => "-",
            };
            vec![
                r.task.clone(),
                r.regression.clone().unwrap_or_else(|| "-".into()),
                r.program_tokens.map_or("-".into(), |t| t.to_string()),
                kind.into(),
                if r.regression.is_some() {
                    yes_no(r.verified_test)
                } else {
                    "-"
                }
                .into(),
                if r.verified_test { String::new() } else { r.note.clone() },
            ]
        }),
    );
    out
}
