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
    /// Method name (`lattice`, `circle`, `clusters`).
    pub method: &'static str,
    /// The machine; its `method` field holds the one-line summary (see [`finish`]).
    pub machine: StateMachine,
    /// Description length: quantizer parameters, state codes and residuals, in bits.
    pub bits: f64,
    /// Share of held-out sequences the machine runs without a table gap.
    pub coverage: f64,
}

/// Bits to write down the whole input history at every core step (`(t + 1) · log2(#inputs)` at
/// step t): a machine whose states cost as much only memorizes sequences. Infinite when there is
/// at most one input symbol (nothing to memorize).
pub fn history_bits(samples: &Samples) -> f64 {
    let symbols = samples.inputs.len();
    if symbols <= 1 {
        return f64::INFINITY;
    }
    let per_step = (symbols as f64).log2();
    samples
        .core
        .iter()
        .map(|t| {
            let n = samples.steps(t) as f64;
            per_step * n * (n + 1.0) / 2.0
        })
        .sum()
}

/// How a method describes its finished machine.
pub struct Finish<'a> {
    /// Method name (`lattice`, `circle`, `clusters`).
    pub method: &'static str,
    /// Size in words, e.g. `dim 2 (krylov)` or `mod 5`.
    pub size: String,
    /// Bits of the quantizer's parameters.
    pub model_bits: f64,
    /// Bits of one occurrence of a state.
    pub state_bits: &'a dyn Fn(&[i64]) -> f64,
    /// Finite machines must run most held-out sequences without a gap.
    pub finite: bool,
}

/// Checks `machine` (closure, held-out sequences, memorization), computes its description length
/// and sets its `method` field to the one-line summary `"<method> <size>: <details>"`, e.g.
/// `"lattice dim 2 (krylov): 120 states, …, complete no, held-out coverage 99.0%, …"`.
pub fn finish(
    built: &Built,
    mut machine: StateMachine,
    samples: &Samples,
    opts: &ExtractOptions,
    how: Finish,
) -> Result<Candidate, String> {
    if built.closure() < opts.min_closure {
        return Err(format!(
            "{}: only {:.1}% of the network's steps from the observed states land back on the states \
             (need {:.1}%): the states are not closed under the network's update",
            how.method,
            built.closure() * 100.0,
            opts.min_closure * 100.0
        ));
    }
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
    let history_bits = history_bits(samples);
    if data_bits >= history_bits {
        return Err(format!(
            "{}: coding the states takes {data_bits:.0} bits, no fewer than writing down every input so far \
             ({history_bits:.0} bits): the states memorize histories",
            how.method
        ));
    }
    let bits = how.model_bits + data_bits + built.residual_bits;
    machine.method = format!(
        "{} {}: {} states, {} transitions, {:.0} bits, complete {}, held-out coverage {:.1}%, closure {:.1}%, \
         {} explored, {} long steps ({} long sequences cut)",
        how.method,
        how.size,
        machine.state_count(),
        machine.transitions.len(),
        bits,
        if machine.complete { "yes" } else { "no" },
        coverage * 100.0,
        built.closure() * 100.0,
        built.explored,
        built.long_steps,
        built.long_cut
    );
    Ok(Candidate {
        method: how.method,
        machine,
        bits,
        coverage,
    })
}

/// The method name at the head of a machine's summary (`lattice`, `circle`, `clusters`).
pub fn method_name(sm: &StateMachine) -> &str {
    sm.method.split_whitespace().next().unwrap_or("")
}

/// The size part of a machine's summary: `dim K (finder)`, `mod K` or `N states`.
pub fn size_of(sm: &StateMachine) -> &str {
    let head = sm.method.split(':').next().unwrap_or("");
    head.split_once(' ').map_or("", |(_, size)| size)
}
