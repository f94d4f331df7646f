//! Finite-difference checks of the hand-written backpropagation: every activation, every loss,
//! f and g of depth 1 and 2, ragged sequence lengths and a non-zero initial state.

use super::batch::Batch;
use super::engine::{LossSpec, Workspace, evaluate, train_step};
use super::layout::Layout;
use crate::data::{Dataset, Sequence};
use crate::ir::{Activation, network::Shape};
use crate::rng;
use crate::task::Loss;
use rand::Rng as _;

fn data(seed: u64, input_dim: usize, output_dim: usize) -> Dataset {
    let mut r = rng::seeded(seed, 3);
    let lens = [4, 2, 3, 4, 1];
    Dataset {
        input_dim,
        output_dim,
        sequences: lens
            .iter()
            .map(|&len| Sequence {
                inputs: (0..len * input_dim).map(|_| (r.next_u32() % 5) as i64 - 2).collect(),
                outputs: (0..len * output_dim).map(|_| (r.next_u32() % 4) as i64).collect(),
            })
            .collect(),
    }
}

fn check(shape: &Shape, loss: Loss, seed: u64) {
    let layout = Layout::new(shape).unwrap();
    // Scale up the initial parameters so activations leave their linear range.
    let params: Vec<f64> = layout.init::<f64>(seed).into_iter().map(|v| v * 1.5).collect();
    let h0: Vec<f64> = (0..shape.hidden_dim).map(|k| 0.1 * k as f64 - 0.05).collect();
    let d = data(seed, shape.input_dim, shape.output_dim);
    let batch: Batch<f64> = Batch::from_dataset(&d, 0..d.len()).unwrap();
    let mut spec = LossSpec::new(loss, vec![(0, 3); shape.output_dim]);
    if seed % 2 == 1 {
        // Check the output scaling too.
        spec.out_scale = (0..shape.output_dim).map(|o| 1.5 + o as f64).collect();
        spec.out_shift = (0..shape.output_dim).map(|o| 0.5 - o as f64).collect();
    }
    let mut ws = Workspace::new(&layout);
    let mut grads = vec![0.0; layout.len];
    train_step(&mut ws, &params, &h0, &batch, &spec, &mut grads, true);
    let mut value = |p: &[f64]| evaluate(&mut ws, p, &h0, &batch, &spec, true, None).loss;
    let eps = 1e-6;
    for k in 0..layout.len {
        let mut p = params.clone();
        p[k] += eps;
        let up = value(&p);
        p[k] -= 2.0 * eps;
        let down = value(&p);
        let fd = (up - down) / (2.0 * eps);
        let tol = 1e-7 + 1e-4 * fd.abs().max(grads[k].abs());
        assert!(
            (fd - grads[k]).abs() <= tol,
            "{shape} {loss:?}: parameter {k}: finite difference {fd} vs backprop {}",
            grads[k]
        );
    }
}

fn shapes(activation: Activation) -> Vec<Shape> {
    let mut out = vec![];
    for f_widths in [vec![], vec![3]] {
        for g_widths in [vec![], vec![4]] {
            out.push(Shape {
                input_dim: 2,
                hidden_dim: 3,
                output_dim: 2,
                f_widths: f_widths.clone(),
                g_widths,
                activation,
            });
        }
    }
    out.push(Shape {
        input_dim: 1,
        hidden_dim: 2,
        output_dim: 1,
        f_widths: vec![3, 2],
        g_widths: vec![2, 3],
        activation,
    });
    out
}

#[test]
fn backprop_matches_finite_differences_for_every_activation_and_loss() {
    for (a, activation) in Activation::ALL.into_iter().enumerate() {
        for (s, shape) in shapes(activation).iter().enumerate() {
            for loss in [Loss::Log, Loss::Mse, Loss::CrossEntropy] {
                check(shape, loss, (a * 10 + s) as u64);
            }
        }
    }
}

#[test]
fn f32_and_f64_gradients_agree() {
    let shape = &shapes(Activation::Relu)[3];
    let layout = Layout::new(shape).unwrap();
    let d = data(9, 2, 2);
    let spec = LossSpec::new(Loss::Log, vec![(0, 3); 2]);
    let p64: Vec<f64> = layout.init(9);
    let p32: Vec<f32> = p64.iter().map(|&v| v as f32).collect();
    let (mut g64, mut g32) = (vec![0.0f64; layout.len], vec![0.0f32; layout.len]);
    train_step(
        &mut Workspace::new(&layout),
        &p64,
        &[0.0; 3],
        &Batch::from_dataset(&d, 0..5).unwrap(),
        &spec,
        &mut g64,
        false,
    );
    train_step(
        &mut Workspace::new(&layout),
        &p32,
        &[0.0; 3],
        &Batch::from_dataset(&d, 0..5).unwrap(),
        &spec,
        &mut g32,
        false,
    );
    for (a, b) in g64.iter().zip(&g32) {
        assert!((a - *b as f64).abs() < 1e-4 * (1.0 + a.abs()), "{a} vs {b}");
    }
}

#[test]
fn forward_matches_network_run() {
    for activation in Activation::ALL {
        let shape = &shapes(activation)[4];
        let layout = Layout::new(shape).unwrap();
        let params: Vec<f64> = layout.init(5);
        let mut net = layout.to_network(&params);
        net.h0 = vec![0.25, -0.5];
        let d = data(5, 1, 1);
        let batch: Batch<f64> = Batch::from_dataset(&d, 0..d.len()).unwrap();
        let mut ws = Workspace::new(&layout);
        let spec = LossSpec::new(Loss::Log, vec![(0, 3)]);
        evaluate(&mut ws, &params, &net.h0, &batch, &spec, false, None);
        let out = ws.outputs();
        for (c, s) in d.sequences.iter().enumerate() {
            let trace = net.run_int(&s.inputs);
            for (t, v) in trace.outputs.iter().enumerate() {
                assert!((out[t * batch.blocks[0].n + c] - v).abs() < 1e-12, "{activation:?}");
            }
        }
    }
}
