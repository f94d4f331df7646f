//! Developer probe: trains one shape on one task and prints what happened.
//! `cargo run --release -p mips-core --example train_probe -- TASK HIDDEN F_WIDTHS G_WIDTHS [key=value...]`
//! (widths as `16` or `8x8` or `-` for linear; keys: lr, batch, steps, patience, seed, clip, seeds).

use mips_core::ir::{Activation, network::Shape};
use mips_core::train::{Prepared, TrainOptions, train_run};

fn widths(s: &str) -> Vec<usize> {
    if s == "-" {
        vec![]
    } else {
        s.split('x').map(|v| v.parse().expect("width")).collect()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = mips_core::tasks::builtin(&args[0]).expect("task");
    let info = mips_core::task::Task::info(&task).clone();
    let shape = Shape {
        input_dim: info.input_dim,
        hidden_dim: args[1].parse().expect("hidden"),
        output_dim: info.output_dim,
        f_widths: widths(&args[2]),
        g_widths: widths(&args[3]),
        activation: Activation::Relu,
    };
    let mut opts = TrainOptions::default();
    let (mut seed, mut seeds) = (0u64, 1u64);
    for kv in &args[4..] {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "lr" => opts.lr = v.parse().unwrap(),
            "batch" => opts.batch_size = v.parse().unwrap(),
            "steps" => opts.max_steps = v.parse().unwrap(),
            "patience" => opts.patience = v.parse().unwrap(),
            "clip" => opts.clip_norm = v.parse().unwrap(),
            "seed" => seed = v.parse().unwrap(),
            "seeds" => seeds = v.parse().unwrap(),
            "sched" => opts.schedule = mips_core::train::run::Schedule::parse(v).unwrap(),
            "after" => {
                if let mips_core::train::run::Schedule::Plateau { after, .. } = &mut opts.schedule {
                    *after = v.parse().unwrap()
                }
            }
            "spread" => opts.spread_init = v.parse().unwrap(),
            "loss" => opts.loss = Some(mips_core::task::Loss::parse(v).unwrap()),
            "norm" => opts.normalize = v.parse().unwrap(),
            "eval" => opts.eval_every = v.parse().unwrap(),
            _ => panic!("unknown key {k}"),
        }
    }
    let t = std::time::Instant::now();
    let prep = Prepared::new(&task, &opts).expect("prepare");
    println!(
        "prepared in {:.2}s ({} test sequences)",
        t.elapsed().as_secs_f64(),
        prep.test().len()
    );
    for s in seed..seed + seeds {
        let (_, r) = train_run(&prep, &shape, s, &opts, &|_| false).expect("run");
        println!(
            "{} {} seed {}: {} steps {:.2}s ({:.0} steps/s) acc {:.5} best@{} {}",
            info.name,
            shape,
            s,
            r.steps,
            r.seconds,
            r.steps as f64 / r.seconds,
            r.test_accuracy,
            r.best_step,
            r.stop.name()
        );
    }
}
