//! Counter machines: a finite control plus integer counters that the inputs move. The counters
//! are read off the network's behaviour ([`relations`]: words the network forgets), the control
//! off the outputs over the input and the counters' comparisons ([`control`]). The machine's
//! state is `[control, counters…]`; its rows are those of the observed sequences, and regression
//! writes the counters' updates as formulas that hold at any length.

pub mod control;
pub mod relations;

#[cfg(test)]
mod tests;

use mips_core::ir::{Network, StateMachine};

use super::candidate::{Candidate, history_bits};
use super::collect::Samples;
use super::collect::Trajectory;
use super::machine::{heldout_coverage, integer_bits};
use super::options::ExtractOptions;
use control::Observed;

/// Largest prefix tree the control is folded from (more nodes: exact minimization only).
pub const TREE_LIMIT: usize = 1 << 16;

/// The observed `trajectories`: per step the input, the counters `rows · counts` and the
/// network's output; an error names an input outside `alphabet`.
fn observe(
    trajectories: &[Trajectory],
    samples: &Samples,
    alphabet: &[Vec<i64>],
    rows: &[Vec<i64>],
) -> Result<Vec<Observed>, String> {
    let (d, o) = (samples.input_dim.max(1), samples.output_dim);
    trajectories
        .iter()
        .map(|t| {
            let mut counts = vec![0i64; alphabet.len()];
            let mut seq = Observed {
                inputs: vec![],
                counters: vec![],
                outputs: vec![],
            };
            for (x, y) in t.inputs.chunks(d).zip(t.outputs.chunks(o.max(1))) {
                let s = alphabet
                    .iter()
                    .position(|a| a == x)
                    .ok_or_else(|| format!("input {x:?} is not in the alphabet"))?;
                counts[s] += 1;
                seq.inputs.push(x.to_vec());
                seq.counters.push(
                    rows.iter()
                        .map(|r| r.iter().zip(&counts).map(|(a, b)| a * b).sum())
                        .collect(),
                );
                seq.outputs.push(y.to_vec());
            }
            Ok(seq)
        })
        .collect()
}

/// Bits of the counter machine: its counter rows (`log2 3` per entry), its control table, and
/// the state codes of every core step.
fn description_bits(sm: &StateMachine, rows: &[Vec<i64>], samples: &Samples) -> f64 {
    let entries = rows.iter().map(Vec::len).sum::<usize>() as f64;
    let controls = if sm.state_dim > rows.len() {
        sm.outputs
            .keys()
            .map(|s| s[0])
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    } else {
        1
    };
    let control_bits = sm.transitions.len() as f64 * (controls as f64).log2();
    let data_bits: f64 = samples
        .core
        .iter()
        .filter_map(|t| sm.states(&t.inputs).ok())
        .flatten()
        .map(|s| integer_bits(&s))
        .sum();
    entries * 3f64.log2() + control_bits + data_bits
}

/// Bits the counters alone take (their rows and their values at every core step): a lower bound
/// of [`description_bits`], known before the control is learned.
fn counter_bits(rows: &[Vec<i64>], seqs: &[Observed]) -> f64 {
    let entries = rows.iter().map(Vec::len).sum::<usize>() as f64;
    let values: f64 = seqs.iter().flat_map(|s| &s.counters).map(|c| integer_bits(c)).sum();
    entries * 3f64.log2() + values
}

/// Reads a counter machine off `net` (see the module doc). `bound` is the description length of
/// the best machine found so far (`f64::INFINITY` if none): a counter machine that cannot be
/// shorter is not built (branch and bound on the description length, the choice unchanged).
pub fn extract(net: &Network, samples: &Samples, opts: &ExtractOptions, bound: f64) -> Result<Candidate, String> {
    let alphabet = &samples.inputs;
    if alphabet.len() < 2 || !samples.alphabet_known {
        return Err("counter: needs a known finite alphabet of at least two inputs".into());
    }
    if !relations::within_budget(alphabet.len()) {
        return Err(format!(
            "counter: {} input symbols exceed the budget of the counter-row search (3^m rows up to {})",
            alphabet.len(),
            relations::MAX_ROW_CANDIDATES
        ));
    }
    let found = relations::relations(net, samples, alphabet);
    if found.is_empty() {
        // Counters are the symbol counts modulo what the network forgets: with nothing
        // forgotten they are the plain counts of every symbol, no abstraction of the input.
        return Err("counter: the network forgets no word (the counters would be the plain symbol counts)".into());
    }
    let rows = relations::counter_rows(alphabet.len(), &found);
    if rows.is_empty() {
        return Err("counter: the network forgets every input (no counter left)".into());
    }
    let seqs = observe(&samples.core, samples, alphabet, &rows)?;
    if seqs.iter().all(|s| s.inputs.is_empty()) {
        return Err("counter: no observed steps".into());
    }
    let history = history_bits(samples);
    let least = counter_bits(&rows, &seqs);
    let limit = bound.min(history);
    if least >= limit {
        return Err(format!(
            "counter: the counters alone take {least:.0} bits, no fewer than {limit:.0} bits ({})",
            if bound < history {
                "a machine already found"
            } else {
                "writing down every input so far"
            }
        ));
    }
    let dims = control::Dims {
        input: samples.input_dim,
        output: samples.output_dim,
        counters: rows.len(),
    };
    let control = control::learn(&seqs, dims, TREE_LIMIT)
        .ok_or("counter: the outputs are not a function of the inputs and the counters' comparisons")?;
    let heldout = control::coverage(&control, &observe(&samples.heldout, samples, alphabet, &rows)?);
    if heldout < opts.min_coverage {
        return Err(format!(
            "counter: the control runs only {:.1}% of held-out sequences without a gap (need {:.1}%): it \
             memorizes the observed sequences",
            heldout * 100.0,
            opts.min_coverage * 100.0
        ));
    }
    let mut sm = control::machine(&seqs, &control, dims)
        .ok_or("counter: the control and the counters do not make a machine on the observed sequences")?;
    let bits = description_bits(&sm, &rows, samples);
    if bits >= history {
        return Err(format!(
            "counter: coding the states takes {bits:.0} bits, no fewer than writing down every input so far \
             ({history:.0} bits)"
        ));
    }
    let with_control = sm.state_dim > rows.len();
    sm.state_names = with_control
        .then(|| "control".to_string())
        .into_iter()
        .chain((0..rows.len()).map(|i| format!("counter{i}")))
        .collect();
    sm.alphabet = Some(alphabet.clone());
    let coverage = heldout_coverage(&sm, samples)?;
    sm.method = format!(
        "counter {} counter(s) {:?}, {} control state(s): {} states, {} transitions, {:.0} bits, relations {:?}, \
         held-out coverage {:.1}%",
        rows.len(),
        rows,
        if with_control {
            sm.outputs.keys().map(|s| s[0]).max().unwrap_or(0) + 1
        } else {
            1
        },
        sm.state_count(),
        sm.transitions.len(),
        bits,
        found,
        coverage * 100.0
    );
    Ok(Candidate {
        method: "counter",
        machine: sm,
        bits,
        coverage,
    })
}
