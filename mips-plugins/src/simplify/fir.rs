//! `realize-fir`: replaces a linear RNN whose output is a finite weighted sum of recent inputs
//! by the exact integer delay line that computes that sum.
//!
//! For a network with affine f (`h_t = A h_{t−1} + B x_t + c`) and affine g (`y_t = C h_t + d`),
//! the output is `y_t = Σ_k R_k x_{t−k} + s_t` with the impulse response `R_k = C A^k B` and a
//! bias part `s_t = C (I + A + … + A^{t−1}) c + d`. When the taps `R_k` round to integers, are
//! zero (after rounding) from some `K` on, and the bias part rounds to one integer `s` for all
//! `t > K` (the outputs are rounded, so the bias may sit anywhere in that integer's interval), the network is replaced by the delay line with state `(x_t, …, x_{t−K+1})`, integer
//! readout `R_0 … R_{K−1}` and bias `s`; all its parameters are 0, 1 or the rounded taps.
//! A trained network is only close to such a filter, so the replacement is kept only when the
//! accuracy holds (the verifier's network check, scoped by the `check` option of
//! [`super::accuracy`]); otherwise the input network is returned unchanged.

use mips_core::Result;
use mips_core::ir::{Linear, Mlp, Network};
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};

use super::accuracy::CheckSettings;

/// The `realize-fir` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealizeFir;

const NAME: &str = "realize-fir";

/// How far a tap may be from its integer, and a vanishing tap from zero.
const TAP_TOL: f64 = 0.1;

mips_core::pass_settings! {
    /// The options of `realize-fir`.
    pub struct RealizeFirSettings {
        /// longest impulse response turned into a delay line
        max_taps: usize = 16,
        /// Where the accuracy must hold.
        check: CheckSettings = CheckSettings::default(),
    }
}

impl TypedPass for RealizeFir {
    type Input = Network;
    type Output = Network;
    type Settings = RealizeFirSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Parameter;

    fn description(&self) -> &str {
        "replace a linear RNN whose impulse response is finite and integer by the exact delay line (kept only when the accuracy holds)"
    }

    fn check(&self, settings: &RealizeFirSettings) -> Result<()> {
        settings.check.validate()
    }

    fn run(&self, net: &Network, settings: &RealizeFirSettings, ctx: &PassContext) -> Result<Network> {
        ctx.verifier().fits(net, settings.check.scope()?)?;
        let Some(candidate) = delay_line(net, settings.max_taps) else {
            ctx.note(
                "delay line",
                "none: not a linear network with a short integer impulse response",
            );
            return Ok(net.clone());
        };
        let mut checker = ctx.verifier().network_check(net, settings.check.scope()?)?;
        let kept = checker.search_confirmed(|checker| {
            Ok(if checker.holds(&candidate) {
                candidate.clone()
            } else {
                net.clone()
            })
        })?;
        ctx.note(
            "delay line",
            if kept == candidate {
                format!("{} taps", candidate.hidden_dim / net.input_dim.max(1))
            } else {
                "refused: it loses accuracy".into()
            },
        );
        Ok(kept)
    }
}

mips_core::register_pass!(Typed(RealizeFir));

/// The affine maps of a linear network: `A` (H×H), `B` (H×I), `c`, `C` (O×H), `d`.
struct Affine {
    a: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
    c: Vec<f64>,
    readout: Vec<Vec<f64>>,
    d: Vec<f64>,
}

impl Affine {
    fn of(net: &Network) -> Option<Affine> {
        let ([f], [g]) = (&net.f.layers[..], &net.g.layers[..]) else {
            return None;
        };
        let h = net.hidden_dim;
        Some(Affine {
            a: (0..h).map(|o| (0..h).map(|i| f.w(o, i)).collect()).collect(),
            b: (0..h)
                .map(|o| (0..net.input_dim).map(|i| f.w(o, h + i)).collect())
                .collect(),
            c: f.bias.clone(),
            readout: (0..net.output_dim)
                .map(|o| (0..h).map(|i| g.w(o, i)).collect())
                .collect(),
            d: g.bias.clone(),
        })
    }

    fn times_a(&self, v: &[f64]) -> Vec<f64> {
        self.a
            .iter()
            .map(|row| row.iter().zip(v).map(|(w, x)| w * x).sum())
            .collect()
    }

    fn read(&self, v: &[f64]) -> Vec<f64> {
        self.readout
            .iter()
            .map(|row| row.iter().zip(v).map(|(w, x)| w * x).sum())
            .collect()
    }
}

/// The integer delay line equivalent to `net` up to rounding of its impulse response, when
/// `net` is linear and its response is integer and shorter than `max_taps`.
fn delay_line(net: &Network, max_taps: usize) -> Option<Network> {
    let m = Affine::of(net)?;
    let (inputs, outputs) = (net.input_dim, net.output_dim);
    if inputs == 0 || net.h0.iter().any(|v| *v != 0.0) {
        return None;
    }
    let horizon = 2 * max_taps + net.hidden_dim;
    // taps[k][o][i] = (C A^k B)[o][i]
    let mut columns: Vec<Vec<f64>> = (0..inputs).map(|i| m.b.iter().map(|row| row[i]).collect()).collect();
    let mut taps: Vec<Vec<Vec<f64>>> = Vec::with_capacity(horizon);
    for _ in 0..horizon {
        let read: Vec<Vec<f64>> = columns.iter().map(|col| m.read(col)).collect();
        taps.push(
            (0..outputs)
                .map(|o| (0..inputs).map(|i| read[i][o]).collect())
                .collect(),
        );
        columns = columns.iter().map(|col| m.times_a(col)).collect();
    }
    let integral = |v: f64| (v - v.round()).abs() <= TAP_TOL;
    if !taps.iter().flatten().flatten().all(|v| integral(*v) && v.is_finite()) {
        return None;
    }
    let length = taps
        .iter()
        .rposition(|tap| tap.iter().flatten().any(|v| v.round() != 0.0))
        .map_or(1, |k| k + 1);
    if length > max_taps {
        return None;
    }
    // The bias part s_t for t up to the horizon must settle on one integer.
    let (mut acc, mut power) = (vec![0.0; net.hidden_dim], m.c.clone());
    let mut settled = Vec::new();
    for _ in 0..horizon {
        acc.iter_mut().zip(&power).for_each(|(s, p)| *s += p);
        power = m.times_a(&power);
        settled.push(m.read(&acc).iter().zip(&m.d).map(|(v, d)| v + d).collect::<Vec<f64>>());
    }
    let bias: Vec<f64> = settled.last()?.iter().map(|v| v.round()).collect();
    if settled[length..]
        .iter()
        .any(|s| s.iter().zip(&bias).any(|(v, b)| v.round() != *b))
    {
        return None;
    }
    Some(build(inputs, outputs, length, &taps, &bias, net))
}

/// The delay line of `length` steps of `inputs`-wide inputs with integer readout `taps`.
fn build(inputs: usize, outputs: usize, length: usize, taps: &[Vec<Vec<f64>>], bias: &[f64], net: &Network) -> Network {
    let hidden = length * inputs;
    // State slot k·I + i holds x_{t−k}[i]: slot block 0 takes the input, block k the block k−1.
    let mut f = Linear::zeros(hidden + inputs, hidden);
    for i in 0..inputs {
        *f.w_mut(i, hidden + i) = 1.0;
    }
    for slot in inputs..hidden {
        *f.w_mut(slot, slot - inputs) = 1.0;
    }
    let mut g = Linear::zeros(hidden, outputs);
    for (k, tap) in taps.iter().take(length).enumerate() {
        for (o, row) in tap.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                *g.w_mut(o, k * inputs + i) = v.round();
            }
        }
    }
    g.bias = bias.to_vec();
    Network {
        input_dim: inputs,
        hidden_dim: hidden,
        output_dim: outputs,
        f: Mlp {
            layers: vec![f],
            activation: net.f.activation,
        },
        g: Mlp {
            layers: vec![g],
            activation: net.g.activation,
        },
        h0: vec![0.0; hidden],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2-dimensional linear RNN computing x_t + x_{t−1} − 1 in a rotated basis, slightly off.
    fn sum_last2() -> Network {
        let mut net = Network::zeros(&mips_core::ir::network::Shape {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: mips_core::ir::Activation::Relu,
        });
        // h = (x_t + x_{t−1}, x_t) in the basis u = (h0 + h1, h0 − h1).
        let f = &mut net.f.layers[0];
        // h'_0 = x + h_1, h'_1 = x; as u: u0 = h0 + h1, u1 = h0 − h1 → h0 = (u0+u1)/2, h1 = (u0−u1)/2.
        // u0' = 2x + h1 = 2x + (u0 − u1)/2 ; u1' = h1 = (u0 − u1)/2.
        *f.w_mut(0, 0) = 0.5;
        *f.w_mut(0, 1) = -0.5;
        *f.w_mut(0, 2) = 2.0;
        *f.w_mut(1, 0) = 0.5;
        *f.w_mut(1, 1) = -0.5;
        // y = h0 − 1 = (u0 + u1)/2 − 1, with a small error.
        let g = &mut net.g.layers[0];
        *g.w_mut(0, 0) = 0.5 + 1e-3;
        *g.w_mut(0, 1) = 0.5;
        g.bias[0] = -1.02;
        net
    }

    #[test]
    fn a_rotated_two_tap_filter_becomes_an_exact_delay_line() {
        let net = sum_last2();
        let line = delay_line(&net, 8).expect("a finite integer response");
        assert_eq!(line.hidden_dim, 2);
        assert!(line.parameters().all(|p| p == p.round()));
        for xs in [vec![3i64, 5, 7, 1], vec![0, 9, 9, 2, 4]] {
            let want: Vec<i64> = (0..xs.len())
                .map(|t| xs[t] + if t > 0 { xs[t - 1] } else { 0 } - 1)
                .collect();
            let got: Vec<i64> = line.run_int(&xs).outputs.iter().map(|v| *v as i64).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn running_sums_and_nonlinear_networks_are_left_alone() {
        let mut sum = sum_last2();
        // u0' = u0 + 2x: an infinite response.
        *sum.f.layers[0].w_mut(0, 1) = 0.5;
        *sum.f.layers[0].w_mut(0, 0) = 1.0;
        assert!(delay_line(&sum, 8).is_none());
        let mlp = crate::simplify::testing::random_network(2, 1, 1, &[4], &[], 3);
        assert!(delay_line(&mlp, 8).is_none());
    }
}
