//! Options shared by every extraction pass, with their defaults and range checks.

use mips_core::{MipsError, Result};

use super::behaviour::default_signature_budget;

/// Default of `max-transitions`.
const DEFAULT_MAX_TRANSITIONS: usize = 200_000;

mips_core::pass_settings! {
    /// The extraction options, shared by every extraction pass (see
    /// [`ExtractOptions::validate`] for their ranges).
    pub struct ExtractOptions {
        /// fresh sequences of the task's length used to build the tables
        fresh: usize = 1000,
        /// length of the long fresh sequences, as a multiple of the task's length (0: none)
        long: usize = 4,
        /// number of long fresh sequences
        long_count: usize = 200,
        /// fresh sequences kept out of the tables to check that the machine generalizes
        heldout: usize = 500,
        /// largest finite input alphabet that is enumerated
        alphabet_limit: usize = 1024,
        /// largest number of states of a finite machine and of the exploration
        max_states: usize = 4096,
        /// largest number of transitions after exploration
        max_transitions: usize = DEFAULT_MAX_TRANSITIONS,
        /// steps beyond the observed states for which the network is queried to fill the tables
        explore_depth: usize = 2,
        /// largest distance of a hidden state from its lattice or circle point, in lattice spacings
        coord_tol: f64 = 0.15,
        /// wider tolerance, in spacings, for the Krylov lattice of an unsnapped linear network (0: never)
        lenient_tol: f64 = 0.45,
        /// smallest ratio of the gap between discrete states to the spread within one
        min_gap: f64 = 4.0,
        /// smallest share of held-out sequences a finite machine must run without a gap
        min_coverage: f64 = 0.5,
        /// smallest share of network steps from the observed states that land back on the states
        min_closure: f64 = 0.75,
        /// largest number of distinct hidden states that are clustered
        max_points: usize = 2000,
        /// smallest mean number of core states per cluster (finer cuts only separate noise)
        min_visits: f64 = 3.0,
        /// steps of the continuations whose outputs make a behaviour signature (0: as many as keep at most 8 continuations, up to 3)
        lookahead: usize = 0,
        /// most network steps spent on behaviour signatures (0: the most the automatic lookahead can take, 16 per state and placement)
        signature_budget: usize = 0,
        /// most network evaluations (steps and readouts) the oracle method spends on queries
        oracle_budget: usize = default_signature_budget(DEFAULT_MAX_TRANSITIONS),
        /// residual resolution of description lengths, relative to the state spread
        eps: f64 = 1e-6,
    }
}

impl ExtractOptions {
    /// Most network steps spent on behaviour signatures in all (signing the core states and
    /// placing new hidden states): `signature-budget`, or for 0
    /// [`super::behaviour::default_signature_budget`] of `max-transitions`.
    pub fn signatures(&self) -> usize {
        match self.signature_budget {
            0 => default_signature_budget(self.max_transitions),
            n => n,
        }
    }

    /// Checks the ranges of the options; errors name the pass and the option.
    pub fn validate(&self, pass: &str) -> Result<()> {
        let bad = |name: &str, why: String| MipsError::invalid(format!("option '{name}' of pass '{pass}'"), why);
        let floats = [
            ("coord-tol", self.coord_tol, 1e-9, 0.5),
            ("lenient-tol", self.lenient_tol, 0.0, 0.5),
            ("min-gap", self.min_gap, 1.0, 1e12),
            ("min-coverage", self.min_coverage, 0.0, 1.0),
            ("min-closure", self.min_closure, 0.0, 1.0),
            ("min-visits", self.min_visits, 1.0, 1e12),
            ("eps", self.eps, 1e-15, 1.0),
        ];
        for (name, v, lo, hi) in floats {
            if !(lo..=hi).contains(&v) {
                return Err(bad(name, format!("must lie in [{lo}, {hi}], got {v}")));
            }
        }
        if self.max_states == 0 {
            return Err(bad("max-states", "must be at least 1".into()));
        }
        if self.max_points < 2 {
            return Err(bad("max-points", "must be at least 2".into()));
        }
        Ok(())
    }
}
