//! Hidden-state collection: runs the network on the verification sequences and on fresh ones
//! and keeps, for every step, the previous hidden state, the input, the new hidden state and the
//! rounded output (`h_{-1}` is the network's `h0`).

use std::collections::BTreeSet;

use mips_core::data::Dataset;
use mips_core::ir::{Network, exact_integer};
use mips_core::pass::PassContext;
use mips_core::rng::mix;
use mips_core::{MipsError, Result};

use super::options::ExtractOptions;

/// One run of the network over one input sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// `len × input_dim` inputs.
    pub inputs: Vec<i64>,
    /// `len × hidden_dim` hidden states after each step.
    pub hidden: Vec<f64>,
    /// `len × output_dim` rounded network outputs.
    pub outputs: Vec<i64>,
}

/// One step of a trajectory: `(h_{t-1}, x_t, h_t, round(y_t))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record<'a> {
    pub prev: &'a [f64],
    pub input: &'a [i64],
    pub next: &'a [f64],
    pub output: &'a [i64],
}

/// Hidden states of a network on verification and fresh sequences, split by use.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    pub h0: Vec<f64>,
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    /// The verification sequences, then fresh ones of the task's length: the tables must cover
    /// every step of these.
    pub core: Vec<Trajectory>,
    /// How many of the `core` trajectories (the first ones) are the verification sequences.
    pub verified: usize,
    /// Longer fresh sequences, used for the tables while the network stays on its discrete set.
    pub long: Vec<Trajectory>,
    /// Fresh sequences never used for the tables: they check that the machine generalizes.
    pub heldout: Vec<Trajectory>,
    /// The inputs the network is queried on when filling the tables: the task's finite
    /// alphabet when it is known, else every input seen (sorted).
    pub inputs: Vec<Vec<i64>>,
    /// True when `inputs` is the task's whole finite alphabet.
    pub alphabet_known: bool,
}

/// The network's output `v` as the integer it rounds to; an error when `v` is not finite or too
/// large for an exact integer (a saturated value would make a machine that only seems right).
pub fn exact_output(v: f64) -> std::result::Result<i64, String> {
    exact_integer(v).ok_or_else(|| {
        format!(
            "the network's output {v:e} does not round to an exact integer (|value| above 2^53 or not finite), so no state machine can reproduce it"
        )
    })
}

impl Trajectory {
    /// Runs `net` over `inputs` (`len × input_dim`).
    /// Runs `net` over `inputs` (`len × input_dim`); an error when an output does not round to
    /// an exact integer (see [`exact_output`]).
    pub fn run(net: &Network, inputs: &[i64]) -> std::result::Result<Trajectory, String> {
        let trace = net.run_int(inputs);
        let outputs = trace
            .outputs
            .iter()
            .enumerate()
            .map(|(i, v)| exact_output(*v).map_err(|e| format!("step {}: {e}", i / net.output_dim.max(1))))
            .collect::<std::result::Result<_, _>>()?;
        Ok(Trajectory {
            inputs: inputs.to_vec(),
            hidden: trace.hidden,
            outputs,
        })
    }
}

impl Samples {
    /// Runs `net` on the verifier's screen set and on fresh sequences from the task (its generator when it
    /// has one, else training batches), as sized by `opts`.
    pub fn collect(net: &Network, ctx: &PassContext, opts: &ExtractOptions) -> Result<Samples> {
        net.validate()?;
        let info = ctx.task.info();
        if net.input_dim != ctx.verifier().screen().input_dim || net.output_dim != ctx.verifier().screen().output_dim {
            return Err(MipsError::invalid(
                "extraction",
                format!(
                    "network maps {} inputs to {} outputs, the verification data has {} and {}",
                    net.input_dim,
                    net.output_dim,
                    ctx.verifier().screen().input_dim,
                    ctx.verifier().screen().output_dim
                ),
            ));
        }
        if info.input_dim != net.input_dim {
            return Err(MipsError::invalid(
                "extraction",
                format!(
                    "task '{}' has {} inputs, the network {}",
                    info.name, info.input_dim, net.input_dim
                ),
            ));
        }
        let len = info.seq_len.max(1);
        let fresh = |salt: u64, n: usize, len: usize| -> Option<Dataset> {
            (n > 0)
                .then(|| ctx.task.generate(mix(ctx.seed, salt), n, len))
                .flatten()
        };
        let batch = |salt: u64, n: usize| -> Dataset {
            if n == 0 {
                Dataset::new(net.input_dim, net.output_dim)
            } else {
                ctx.task.train_batch(mix(ctx.seed, salt), n)
            }
        };
        let core_fresh = fresh(1, opts.fresh, len).unwrap_or_else(|| batch(1, opts.fresh));
        let long = if opts.long > 1 {
            fresh(2, opts.long_count, len.saturating_mul(opts.long))
        } else {
            None
        }
        .unwrap_or_else(|| Dataset::new(net.input_dim, net.output_dim));
        let heldout = fresh(3, opts.heldout, len).unwrap_or_else(|| batch(3, opts.heldout));

        let run_all = |data: &Dataset, what: &str| -> Result<Vec<Trajectory>> {
            if data.input_dim != net.input_dim {
                return Err(MipsError::invalid(
                    "extraction",
                    format!(
                        "{what} sequences have {} inputs, the network {}",
                        data.input_dim, net.input_dim
                    ),
                ));
            }
            data.sequences
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if s.inputs.len() % net.input_dim.max(1) != 0 {
                        return Err(MipsError::invalid(
                            "extraction",
                            format!(
                                "{what} sequence {i} has {} input values, not a multiple of {}",
                                s.inputs.len(),
                                net.input_dim
                            ),
                        ));
                    }
                    Trajectory::run(net, &s.inputs)
                        .map_err(|e| MipsError::invalid("extraction", format!("{what} sequence {i}, {e}")))
                })
                .collect()
        };
        let mut core = run_all(ctx.verifier().screen(), "verification")?;
        let verified = core.len();
        core.extend(run_all(&core_fresh, "fresh")?);
        let long = run_all(&long, "long fresh")?;
        let heldout = run_all(&heldout, "held-out")?;

        let (inputs, alphabet_known) = match info.input_alphabet(opts.alphabet_limit) {
            Some(alphabet) => (alphabet, true),
            None => {
                let seen: BTreeSet<Vec<i64>> = core
                    .iter()
                    .flat_map(|t| t.inputs.chunks(net.input_dim.max(1)).map(<[i64]>::to_vec))
                    .collect();
                (seen.into_iter().collect(), false)
            }
        };
        Ok(Samples {
            h0: net.h0.clone(),
            input_dim: net.input_dim,
            hidden_dim: net.hidden_dim,
            output_dim: net.output_dim,
            core,
            verified,
            long,
            heldout,
            inputs,
            alphabet_known,
        })
    }

    /// Number of steps of `t`.
    pub fn steps(&self, t: &Trajectory) -> usize {
        t.inputs.len() / self.input_dim.max(1)
    }

    /// The records of one trajectory, in order.
    pub fn records<'a>(&'a self, t: &'a Trajectory) -> impl Iterator<Item = Record<'a>> + 'a {
        let (i, h, o) = (self.input_dim.max(1), self.hidden_dim, self.output_dim);
        (0..self.steps(t)).map(move |step| Record {
            prev: if step == 0 {
                &self.h0
            } else {
                &t.hidden[(step - 1) * h..step * h]
            },
            input: &t.inputs[step * i..(step + 1) * i],
            next: &t.hidden[step * h..(step + 1) * h],
            output: &t.outputs[step * o..(step + 1) * o],
        })
    }

    /// Every record of the core trajectories.
    pub fn core_records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        self.core.iter().flat_map(|t| self.records(t))
    }

    /// `h0` followed by every hidden state of the core trajectories.
    pub fn core_states(&self) -> impl Iterator<Item = &[f64]> + '_ {
        std::iter::once(self.h0.as_slice()).chain(self.core_records().map(|r| r.next))
    }
}
