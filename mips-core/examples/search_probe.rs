//! Developer probe: runs the architecture search over tasks and prints the markdown table.
//! `cargo run --release -p mips-core --example search_probe -- OUT_DIR all|TASK,TASK.. [key=value...]`

use mips_core::train::run::Schedule;
use mips_core::train::{SearchOptions, machine_description, render_markdown, train_all};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = std::path::PathBuf::from(&args[0]);
    let names: Vec<String> = if args[1] == "all" {
        mips_core::tasks::names().iter().map(|s| s.to_string()).collect()
    } else {
        args[1].split(',').map(String::from).collect()
    };
    let mut o = SearchOptions::default();
    for kv in &args[2..] {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "lr" => o.train.lr = v.parse().unwrap(),
            "batch" => o.train.batch_size = v.parse().unwrap(),
            "steps" => o.train.max_steps = v.parse().unwrap(),
            "patience" => o.train.patience = v.parse().unwrap(),
            "sched" => o.train.schedule = Schedule::parse(v).unwrap(),
            "spread" => o.train.spread_init = v.parse().unwrap(),
            "loss" => o.train.loss = Some(mips_core::task::Loss::parse(v).unwrap()),
            "norm" => o.train.normalize = v.parse().unwrap(),
            "seeds" => o.seeds = v.parse().unwrap(),
            "lsteps" => o.linear.max_steps = v.parse().unwrap(),
            "lpatience" => o.linear.patience = v.parse().unwrap(),
            "mlp_hidden" => o.max_hidden_mlp = v.parse().unwrap(),
            "hidden" => o.max_hidden = v.parse().unwrap(),
            "widths" => o.widths = v.split(',').map(|w| w.parse().unwrap()).collect(),
            "depth" => o.max_depth = v.parse().unwrap(),
            "total" => o.max_total_steps = v.parse().unwrap(),
            "seconds" => o.max_seconds = v.parse().unwrap(),
            _ => panic!("unknown key {k}"),
        }
    }
    let open = |n: &str| mips_core::tasks::open(n);
    let progress = |name: &str, t: &mips_core::train::TaskOutcome| {
        let r = &t.report;
        eprintln!(
            "{name}: {} acc {:.5} {} runs {} steps {:.1}s {}",
            r.shape,
            r.test_accuracy,
            r.runs.len(),
            r.total_steps,
            r.seconds,
            r.stop.name()
        );
    };
    let all = train_all(&names, &open, &out, &o, Some(&progress)).expect("train_all");
    println!("{}", render_markdown(&all, &o, &machine_description()));
}
