//! What every extraction method hands back: a verified-on-data machine with its description
//! length, and the shared one-line summary.

use mips_core::ir::StateMachine;

use super::collect::Samples;
use super::machine::{Built, heldout_coverage};
use super::options::ExtractOptions;

/// Bits charged for each real parameter of a quantizer (basis vectors, centers).
pub const PARAMETER_BITS: f64 = 32.0;

/// A machine read off the network by one method.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The machine, with `method` and `summary` filled in.
    pub machine: StateMachine,
    /// Description length: quantizer parameters, state codes and residuals, in bits.
    pub bits: f64,
    /// Share of held-out sequences the machine runs without a table gap.
    pub coverage: f64,
}

/// How a method describes its finished machine.
pub struct Finish<'a> {
    /// Method name (`lattice`, `circle`, `clusters`).
    pub method: &'a str,
    /// Size in words, e.g. `dim 2 (krylov)` or `mod 5`.
    pub size: String,
    /// Bits of the quantizer's parameters.
    pub model_bits: f64,
    /// Bits of one occurrence of a state.
    pub state_bits: &'a dyn Fn(&[i64]) -> f64,
    /// Finite machines must run most held-out sequences without a gap.
    pub finite: bool,
}

/// Checks `machine` on the held-out sequences, computes its description length and fills in
/// its method and summary.
pub fn finish(
    built: &Built,
    mut machine: StateMachine,
    samples: &Samples,
    opts: &ExtractOptions,
    how: Finish,
) -> Result<Candidate, String> {
    let coverage = heldout_coverage(&machine, samples)?;
    if how.finite && coverage < opts.min_coverage {
        return Err(format!(
            "{}: only {:.1}% of held-out sequences run without a table gap (need {:.1}%): the states do not \
             close up into a finite set",
            how.method,
            coverage * 100.0,
            opts.min_coverage * 100.0
        ));
    }
    let mut data_bits = 0.0;
    for traj in &samples.core {
        if let Ok(states) = machine.states(&traj.inputs) {
            data_bits += states.iter().map(|s| (how.state_bits)(s)).sum::<f64>();
        }
    }
    let bits = how.model_bits + data_bits + built.residual_bits;
    machine.method = how.method.to_string();
    machine.summary = format!(
        "{} {}: {} states, {} transitions, {:.0} bits, complete {}, held-out coverage {:.1}%, {} explored, \
         {} long steps ({} long sequences cut)",
        how.method,
        how.size,
        machine.state_count(),
        machine.transitions.len(),
        bits,
        if machine.complete { "yes" } else { "no" },
        coverage * 100.0,
        built.explored,
        built.long_steps,
        built.long_cut
    );
    Ok(Candidate {
        machine,
        bits,
        coverage,
    })
}
