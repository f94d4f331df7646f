//! Benchmark (not a test): steps per second of one training step (forward + backward + AdamW)
//! in mips and in PyTorch (CPU, one thread each), same architecture and batch, in the same run.
//!
//! Headline: hidden 4, f with one hidden layer of width 16, g linear, input 1, sequence length
//! 10, batches 256 and 4096. Run with `cargo bench -p mips-core --bench train_step`; PyTorch is
//! timed through `scripts/bench_train.py` and skipped when `python3` or `torch` is missing.
//! Environment: `BENCH_SECONDS` (time per measurement, default 3), `BENCH_BATCHES` (default
//! "256,4096").

use std::process::Command;
use std::time::Instant;

use mips_core::data::{Dataset, Sequence};
use mips_core::ir::{Activation, network::Shape};
use mips_core::task::Loss;
use mips_core::train::{AdamW, Batch, Layout, LossSpec, Workspace, train_step};

const HIDDEN: usize = 4;
const WIDTH: usize = 16;
const SEQ_LEN: usize = 10;

fn dataset(n: usize) -> Dataset {
    let mut state = 1u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 10) as i64
    };
    Dataset {
        input_dim: 1,
        output_dim: 1,
        sequences: (0..n)
            .map(|_| {
                let inputs: Vec<i64> = (0..SEQ_LEN).map(|_| next()).collect();
                let outputs = inputs.iter().scan(0, |s, v| {
                    *s += v;
                    Some(*s % 3)
                });
                Sequence {
                    outputs: outputs.collect(),
                    inputs,
                }
            })
            .collect(),
    }
}

fn mips_steps_per_second(batch_size: usize, seconds: f64) -> f64 {
    let shape = Shape {
        input_dim: 1,
        hidden_dim: HIDDEN,
        output_dim: 1,
        f_widths: vec![WIDTH],
        g_widths: vec![],
        activation: Activation::Relu,
    };
    let layout = Layout::new(&shape).expect("shape");
    let mut params: Vec<f32> = layout.init(0);
    let mut grads = vec![0.0f32; layout.len];
    let mut opt = AdamW::new(layout.len, 0.0);
    let data = dataset(batch_size);
    let batch: Batch<f32> = Batch::from_dataset(&data, 0..batch_size).expect("batch");
    let spec = LossSpec::new(Loss::Log, vec![(0, 2)]);
    let h0 = vec![0.0f32; HIDDEN];
    let mut ws = Workspace::new(&layout);
    let mut step = || {
        grads.iter_mut().for_each(|g| *g = 0.0);
        train_step(&mut ws, &params, &h0, &batch, &spec, &mut grads, false);
        opt.step(&mut params, &grads, 1e-3, None);
    };
    for _ in 0..20 {
        step();
    }
    let (mut count, start) = (0u64, Instant::now());
    while start.elapsed().as_secs_f64() < seconds {
        step();
        count += 1;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn torch_steps_per_second(batches: &[usize], seconds: f64) -> Option<Vec<f64>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/bench_train.py");
    let list = batches.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
    let out = Command::new("python3")
        .args([script, "--batches", &list, "--seconds", &seconds.to_string()])
        .args(["--hidden", &HIDDEN.to_string(), "--width", &WIDTH.to_string()])
        .args(["--seq-len", &SEQ_LEN.to_string()])
        .env("OMP_NUM_THREADS", "1")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "PyTorch skipped: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("python3 failed")
        );
        return None;
    }
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let values: Vec<f64> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3)?.parse().ok())
        .collect();
    (values.len() == batches.len()).then_some(values)
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is ignored.
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let batches: Vec<usize> = std::env::var("BENCH_BATCHES")
        .unwrap_or_else(|_| "256,4096".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "training step (forward + backward + AdamW): hidden {HIDDEN}, f [{WIDTH}] relu, g linear, input 1, length {SEQ_LEN}, one thread"
    );
    let ours: Vec<f64> = batches.iter().map(|&b| mips_steps_per_second(b, seconds)).collect();
    let theirs = torch_steps_per_second(&batches, seconds);
    println!(
        "{:>7} {:>14} {:>16} {:>8}",
        "batch", "mips steps/s", "PyTorch steps/s", "ratio"
    );
    for (k, &b) in batches.iter().enumerate() {
        match &theirs {
            Some(t) => println!("{b:>7} {:>14.1} {:>16.1} {:>7.1}x", ours[k], t[k], ours[k] / t[k]),
            None => println!("{b:>7} {:>14.1} {:>16} {:>8}", ours[k], "-", "-"),
        }
    }
}
