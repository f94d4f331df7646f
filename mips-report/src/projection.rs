//! The hidden states of the network on the verification inputs, projected onto their principal
//! axes, each point tagged with the colour class of the state the machine is in at that step.

use std::collections::BTreeSet;

use mips_core::data::Dataset;
use mips_core::ir::{Network, StateMachine};

use crate::colouring::Colouring;
use crate::pca::principal_axes;

/// Points closer than this fraction of the plot's extent (in both directions) and of one
/// colour are drawn once: a finite machine's thousands of visits to a state become one dot per
/// visible spot, and the page stays small.
const GRID: f64 = 400.0;

/// One projected hidden state.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// Colour class of the machine's state at this step (`None` without a machine, or where
    /// the machine has no row).
    pub class: Option<usize>,
}

/// What the two plotted coordinates are.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// The first two principal axes, with the fraction of the variance each explains.
    Principal([f64; 2]),
    /// A one-unit hidden state (its value) against the step of the sequence.
    UnitAgainstStep,
}

/// The projected cloud.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub frame: Frame,
    pub points: Vec<Point>,
    /// Hidden states projected (before drawing coincident points once).
    pub states: usize,
}

/// One hidden state with the step it follows (0 for the initial state) and its colour class.
struct Sample {
    hidden: Vec<f64>,
    step: usize,
    class: Option<usize>,
}

/// Projects `net`'s hidden states on the inputs of `verify`, coloured by `machine`'s states.
pub fn project(net: &Network, machine: Option<(&StateMachine, &Colouring)>, verify: &Dataset) -> Projection {
    let samples = samples(net, machine, verify);
    let hidden: Vec<&[f64]> = samples.iter().map(|s| s.hidden.as_slice()).collect();
    let axes = principal_axes(&hidden, net.hidden_dim, 2);
    let (frame, raw): (Frame, Vec<Point>) = if net.hidden_dim == 1 {
        let points = samples
            .iter()
            .map(|s| Point {
                x: s.hidden[0],
                y: s.step as f64,
                class: s.class,
            })
            .collect();
        (Frame::UnitAgainstStep, points)
    } else {
        let points = samples
            .iter()
            .map(|s| {
                let c = axes.project(&s.hidden);
                Point {
                    x: c[0],
                    y: c[1],
                    class: s.class,
                }
            })
            .collect();
        (Frame::Principal([axes.explained[0], axes.explained[1]]), points)
    };
    Projection {
        frame,
        states: raw.len(),
        points: thin(raw),
    }
}

/// The initial hidden state and the state after every step of every sequence.
fn samples(net: &Network, machine: Option<(&StateMachine, &Colouring)>, verify: &Dataset) -> Vec<Sample> {
    let initial = machine.map(|(sm, c)| {
        let output = sm.outputs.get(&sm.initial).map_or(&[][..], Vec::as_slice);
        c.class(&sm.initial, output)
    });
    let mut samples = vec![Sample {
        hidden: net.h0.clone(),
        step: 0,
        class: initial,
    }];
    for seq in &verify.sequences {
        let trace = net.run_int(&seq.inputs);
        let visited = machine.and_then(|(sm, _)| Some((sm.states(&seq.inputs).ok()?, sm.run(&seq.inputs).ok()?)));
        let out_dim = machine.map_or(1, |(sm, _)| sm.output_dim.max(1));
        for (t, h) in trace.hidden.chunks(net.hidden_dim.max(1)).enumerate() {
            let class = visited.as_ref().and_then(|(states, outputs)| {
                let output = outputs.get(t * out_dim..(t + 1) * out_dim)?;
                let state = states.get(t)?;
                machine.map(|(_, c)| c.class(state, output))
            });
            samples.push(Sample {
                hidden: h.to_vec(),
                step: t + 1,
                class,
            });
        }
    }
    samples
}

/// Keeps the first point of each colour in each cell of a `GRID × GRID` grid over the cloud.
fn thin(points: Vec<Point>) -> Vec<Point> {
    let range = |get: fn(&Point) -> f64| {
        let lo = points.iter().map(get).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(get).fold(f64::NEG_INFINITY, f64::max);
        (lo, (hi - lo).max(f64::MIN_POSITIVE))
    };
    let ((x0, xw), (y0, yw)) = (range(|p| p.x), range(|p| p.y));
    let mut seen = BTreeSet::new();
    points
        .into_iter()
        .filter(|p| {
            let cell = (((p.x - x0) / xw * GRID) as i64, ((p.y - y0) / yw * GRID) as i64);
            seen.insert((cell, p.class))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::data::Sequence;
    use mips_core::ir::network::{Activation, Shape};

    /// `h' = (x, h₁)`: the last two inputs, a 2-D lattice.
    fn shift_network() -> Network {
        let mut net = Network::zeros(&Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        });
        // f reads [h₁, h₂, x].
        net.f.layers[0].weight = vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        net.g.layers[0].weight = vec![1.0, 0.0];
        net
    }

    fn bits(n: usize) -> Dataset {
        let sequences = (0..n)
            .map(|k| {
                let inputs: Vec<i64> = (0..3).map(|i| ((k >> i) & 1) as i64).collect();
                Sequence {
                    outputs: inputs.clone(),
                    inputs,
                }
            })
            .collect();
        Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences,
        }
    }

    #[test]
    fn a_two_unit_lattice_projects_onto_four_spots() {
        let p = project(&shift_network(), None, &bits(8));
        assert_eq!(p.states, 1 + 8 * 3);
        assert!(matches!(p.frame, Frame::Principal(_)));
        // The states are the 4 corners of the unit square: 4 spots after thinning.
        assert_eq!(p.points.len(), 4, "{:?}", p.points);
        assert!(p.points.iter().all(|q| q.class.is_none()));
    }

    #[test]
    fn thinning_keeps_points_of_different_colours_at_one_spot() {
        let at = |class| Point {
            x: 1.0,
            y: 1.0,
            class: Some(class),
        };
        let far = Point {
            x: 5.0,
            y: 5.0,
            class: Some(0),
        };
        assert_eq!(thin(vec![at(0), at(0), at(1), far.clone()]), vec![at(0), at(1), far]);
    }
}
