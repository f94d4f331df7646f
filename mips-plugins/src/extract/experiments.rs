//! Experiments on the built-in tasks (ignored by default; run in release with
//! `cargo test -p mips-plugins --release -- --ignored experiments --nocapture`).

use std::time::Instant;

use mips_core::ir::Network;
use mips_core::pass::{Artifacts, PassContext, PassManager, Pipeline, Registry};

use super::options::ExtractOptions;
use super::report::{TaskExtraction, evaluate, render};
use super::testing::{Detector, automaton, linear_rnn};

fn run(name: &str, net: &Network) -> TaskExtraction {
    let task = mips_core::tasks::open(name).unwrap();
    let verify = task.train_batch(11, 1000);
    let started = Instant::now();
    let row = evaluate(task.as_ref(), net, &verify, 5, &ExtractOptions::default());
    eprintln!("{name}: {:.1}s {}", started.elapsed().as_secs_f64(), row.detail);
    let registry = Registry::builtin();
    let steps = Pipeline::parse_inline("extract,regress")
        .unwrap()
        .resolve(&registry)
        .unwrap();
    let ctx = PassContext::new(task.as_ref(), &verify, 5, true);
    let (artifacts, rows) = PassManager.run(&steps, Artifacts::from_network(net.clone()), &ctx, |_| {});
    for r in &rows {
        eprintln!("  {} {}", r.pass, r.status);
    }
    if let Some(p) = artifacts.program {
        eprintln!(
            "  program: {} tokens={} symbolic={} {:?}",
            p.method,
            p.tokens(),
            p.symbolic,
            p.updates
        );
    }
    row
}

/// A shift register of the last `n` inputs, read out as their sum.
fn window_sum(n: usize) -> Network {
    let w_h: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j + 1))).collect())
        .collect();
    let w_x: Vec<Vec<f64>> = (0..n).map(|i| vec![f64::from(u8::from(i == 0))]).collect();
    linear_rnn(&w_h, &w_x, &vec![0.0; n], &[vec![1.0; n]], vec![0.0; n])
}

#[test]
#[ignore]
fn experiments_hand_built() {
    let mut rows = vec![
        run(
            "Sum_All",
            &linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]),
        ),
        run("Sum_Last3", &window_sum(3)),
        run("Sum_Last7", &window_sum(7)),
    ];
    let codes: Vec<Vec<f64>> = (0..2)
        .map(|s| (0..2).map(|d| f64::from(u8::from(s == d))).collect())
        .collect();
    rows.push(run(
        "Parity_All",
        &automaton(
            &codes,
            &Detector::one_hot(2),
            &|s, x| (s + x) % 2,
            2,
            &[0.0, 1.0],
            codes[0].clone(),
            0.01,
        ),
    ));
    let (codes, detector) = Detector::circle(5);
    let out: Vec<f64> = (0..5).map(f64::from).collect();
    rows.push(run(
        "Add_Mod_5",
        &automaton(&codes, &detector, &|s, x| (s + x) % 5, 5, &out, codes[0].clone(), 0.01),
    ));
    eprintln!("{}", render(&rows));
}

/// Trains (or loads from `models/`) a network per task and extracts a machine from each.
/// Tasks: `MIPS_TASKS` (comma-separated; default all); training budget per task in seconds:
/// `MIPS_TRAIN_SECONDS` (default 60). Writes `out/extract.md`.
#[test]
#[ignore]
fn experiments_trained() {
    use mips_core::ir::versioned;
    use mips_core::train::{SearchOptions, bulk};
    use std::path::Path;

    let names: Vec<String> = std::env::var("MIPS_TASKS")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_else(|_| mips_core::tasks::names().into_iter().map(str::to_string).collect());
    let seconds: f64 = std::env::var("MIPS_TRAIN_SECONDS").map_or(60.0, |v| v.parse().unwrap());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let models = root.join("models");
    let opts = SearchOptions {
        seeds: 1,
        max_seconds: seconds,
        ..Default::default()
    };
    let all = bulk::train_all(&names, &|n| mips_core::tasks::open(n), &models, &opts, None).unwrap();
    let mut rows = Vec::new();
    for outcome in &all.tasks {
        let name = &outcome.report.task;
        let net: Network = versioned::load(&outcome.model).unwrap();
        let mut row = run(name, &net);
        row.task = format!(
            "{name} ({}, {:.2}% acc)",
            outcome.report.shape,
            outcome.report.test_accuracy * 100.0
        );
        rows.push(row);
    }
    for (name, e) in &all.errors {
        eprintln!("{name}: training failed: {e}");
    }
    let text = render(&rows);
    eprintln!("{text}");
    super::report::write(&root.join("out/extract.md"), &rows).unwrap();
}

/// Prints the hidden states a saved model visits (`MIPS_MODEL`, `MIPS_TASK`).
#[test]
#[ignore]
fn experiments_states() {
    use mips_core::ir::versioned;
    let name = std::env::var("MIPS_TASK").unwrap();
    let net: Network = versioned::load(std::path::Path::new(&std::env::var("MIPS_MODEL").unwrap())).unwrap();
    let task = mips_core::tasks::open(&name).unwrap();
    let mut all: Vec<f64> = Vec::new();
    for s in &task.train_batch(4, 2000).sequences {
        all.extend(net.run_int(&s.inputs).hidden.iter().step_by(net.hidden_dim));
    }
    all.sort_by(f64::total_cmp);
    let mut gaps: Vec<(f64, f64)> = all.windows(2).map(|w| (w[1] - w[0], w[0])).collect();
    gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!(
        "first coordinate: range {:?}..{:?}, largest gaps (gap, at): {:?}",
        all[0],
        all[all.len() - 1],
        &gaps[..12]
    );
    for s in &task.train_batch(3, 8).sequences {
        let tr = net.run_int(&s.inputs);
        let hs: Vec<String> = tr
            .hidden
            .chunks(net.hidden_dim)
            .map(|h| {
                format!(
                    "{:?}",
                    h.iter().map(|v| (v * 1000.0).round() / 1000.0).collect::<Vec<_>>()
                )
            })
            .collect();
        eprintln!("{:?}\n   {:?}\n   {}", s.inputs, s.outputs, hs.join(" "));
    }
}
