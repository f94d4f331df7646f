//! `debias`: moves the part of f's output bias that the recurrence never reads into g.
//!
//! Let `A` be the hidden columns of f's first layer and `c` f's output bias. Split
//! `c = c_r + c_n` with `c_n` the projection of `c` onto the null space of `A` (singular
//! values up to `tol` times the largest count as zero). With bias `c_r` the states become
//! `h̃_t = h_t − c_n` for every `t ≥ 0`: f reads `A h̃ = A h`, so nothing upstream changes. g's
//! first layer is affine, so adding `G c_n` to its bias restores every output exactly — for
//! any depth of g. The null-space part of `h0` is never read either and is set to zero.

use mips_core::Result;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use nalgebra::DVector;

use super::basis::{hidden_reads, readout_reads};
use super::fail;
use super::linalg::null_space;

/// The `debias` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Debias;

const NAME: &str = "debias";

mips_core::pass_settings! {
    /// The options of `debias`.
    pub struct DebiasSettings {
        /// directions read with gain at most tol times the largest (at least 1) count as unread
        tol: f64 = 1e-9,
    }
}

impl TypedPass for Debias {
    type Input = Network;
    type Output = Network;
    type Settings = DebiasSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "move the part of f's output bias that the recurrence never reads into g's bias"
    }

    fn run(&self, net: &Network, settings: &DebiasSettings, _ctx: &PassContext) -> Result<Network> {
        let unread = null_space(&hidden_reads(net), settings.tol).map_err(fail(NAME))?;
        let mut out = net.clone();
        let last = out.f.layers.last_mut().expect("validated network has layers");
        let c = DVector::from_column_slice(&last.bias);
        let moved = &unread * (unread.transpose() * &c);
        last.bias = (c - &moved).iter().copied().collect();
        let shift = readout_reads(net) * &moved;
        out.g.layers[0]
            .bias
            .iter_mut()
            .zip(shift.iter())
            .for_each(|(b, s)| *b += s);
        let h0 = DVector::from_column_slice(&net.h0);
        out.h0 = (&h0 - &unread * (unread.transpose() * &h0)).iter().copied().collect();
        Ok(out)
    }
}

mips_core::register_pass!(Typed(Debias));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::testing::{CountOnes, assert_same_function, random_network, run_pass};

    #[test]
    fn bias_on_an_unread_coordinate_moves_to_the_readout() {
        let task = CountOnes::new(5);
        // f with a ReLU layer that never reads hidden unit 1; g a ReLU MLP.
        let mut net = random_network(2, 1, 1, &[3], &[2], 5);
        for o in 0..3 {
            *net.f.layers[0].w_mut(o, 1) = 0.0;
        }
        net.f.layers[1].bias = vec![0.4, -0.7];
        let out = run_pass(&Typed(Debias), &net, &task, &[]).unwrap();
        assert_same_function(&net, &out, 6);
        assert_eq!(out.f.layers[1].bias[0], 0.4);
        assert!(out.f.layers[1].bias[1].abs() < 1e-12 && out.h0[1].abs() < 1e-12);
        assert!(out.g.layers[0].bias != net.g.layers[0].bias);
    }
}
