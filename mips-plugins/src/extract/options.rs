//! Options shared by every extraction pass, with their defaults and range checks.

use mips_core::pass::{OptionSpec, Options};
use mips_core::{MipsError, Result};

use super::behaviour::default_signature_budget;

/// Default of `max-transitions`.
const DEFAULT_MAX_TRANSITIONS: usize = 200_000;

/// Resolved extraction options (see [`ExtractOptions::specs`] for their meaning).
#[derive(Clone, Debug, PartialEq)]
pub struct ExtractOptions {
    /// Fresh sequences of the task's length used to build the tables.
    pub fresh: usize,
    /// Length of the long fresh sequences, as a multiple of the task's length (0: none).
    pub long_factor: usize,
    /// Number of long fresh sequences.
    pub long_count: usize,
    /// Fresh sequences kept out of the tables, to check that the machine generalizes.
    pub heldout: usize,
    /// Largest finite input alphabet that is enumerated.
    pub alphabet_limit: usize,
    /// Largest number of states of a finite machine, and the exploration's state budget.
    pub max_states: usize,
    /// Largest number of transitions the tables may hold after exploration.
    pub max_transitions: usize,
    /// How many steps beyond the observed states the network is queried to fill the tables.
    pub explore_depth: usize,
    /// Largest distance of a hidden state from its lattice or circle point, in units of the
    /// lattice spacing.
    pub coord_tol: f64,
    /// Wider tolerance for the Krylov lattice of a network that is linear but not snapped (0:
    /// never); see [`super::lattice::lattices`].
    pub lenient_tol: f64,
    /// Smallest ratio between the gap separating discrete states and the spread within one.
    pub min_gap: f64,
    /// Smallest share of held-out sequences a finite machine must run without a table gap.
    pub min_coverage: f64,
    /// Smallest share of the network's steps from the states reached on the core data (on inputs
    /// they were not seen with) that must land back on the discrete set.
    pub min_closure: f64,
    /// Largest number of distinct hidden states clustered (more are assigned to clusters).
    pub max_points: usize,
    /// Smallest mean number of core states per cluster: cuts into more clusters would only
    /// separate noise.
    pub min_visits: f64,
    /// Steps of the continuations whose outputs make a behaviour signature (0: automatic, see
    /// [`super::behaviour::lookahead`]).
    pub lookahead: usize,
    /// Most network steps spent on behaviour signatures in all (signing the core states and
    /// placing new hidden states); the option's 0 stands for
    /// [`super::behaviour::default_signature_budget`].
    pub signature_budget: usize,
    /// Most network evaluations (steps and readouts) the oracle method spends on queries.
    pub oracle_budget: usize,
    /// Residual resolution for description lengths, relative to the spread of the states.
    pub eps: f64,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            fresh: 1000,
            long_factor: 4,
            long_count: 200,
            heldout: 500,
            alphabet_limit: 1024,
            max_states: 4096,
            max_transitions: DEFAULT_MAX_TRANSITIONS,
            explore_depth: 2,
            coord_tol: 0.15,
            lenient_tol: 0.45,
            min_gap: 4.0,
            min_coverage: 0.5,
            min_closure: 0.75,
            max_points: 2000,
            min_visits: 3.0,
            lookahead: 0,
            signature_budget: default_signature_budget(DEFAULT_MAX_TRANSITIONS),
            oracle_budget: default_signature_budget(DEFAULT_MAX_TRANSITIONS),
            eps: 1e-6,
        }
    }
}

impl ExtractOptions {
    /// Declarations of the shared options, with the defaults of [`ExtractOptions::default`].
    pub fn specs() -> Vec<OptionSpec> {
        let d = ExtractOptions::default();
        let int = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        vec![
            OptionSpec::int(
                "fresh",
                int(d.fresh),
                "fresh sequences of the task's length used to build the tables",
            ),
            OptionSpec::int(
                "long",
                int(d.long_factor),
                "length of the long fresh sequences, as a multiple of the task's length (0: none)",
            ),
            OptionSpec::int("long-count", int(d.long_count), "number of long fresh sequences"),
            OptionSpec::int(
                "heldout",
                int(d.heldout),
                "fresh sequences kept out of the tables to check that the machine generalizes",
            ),
            OptionSpec::int(
                "alphabet-limit",
                int(d.alphabet_limit),
                "largest finite input alphabet that is enumerated",
            ),
            OptionSpec::int(
                "max-states",
                int(d.max_states),
                "largest number of states of a finite machine and of the exploration",
            ),
            OptionSpec::int(
                "max-transitions",
                int(d.max_transitions),
                "largest number of transitions after exploration",
            ),
            OptionSpec::int(
                "explore-depth",
                int(d.explore_depth),
                "steps beyond the observed states for which the network is queried to fill the tables",
            ),
            OptionSpec::float(
                "coord-tol",
                d.coord_tol,
                "largest distance of a hidden state from its lattice or circle point, in lattice spacings",
            ),
            OptionSpec::float(
                "lenient-tol",
                d.lenient_tol,
                "wider tolerance, in spacings, for the Krylov lattice of an unsnapped linear network (0: never)",
            ),
            OptionSpec::float(
                "min-gap",
                d.min_gap,
                "smallest ratio of the gap between discrete states to the spread within one",
            ),
            OptionSpec::float(
                "min-coverage",
                d.min_coverage,
                "smallest share of held-out sequences a finite machine must run without a gap",
            ),
            OptionSpec::float(
                "min-closure",
                d.min_closure,
                "smallest share of network steps from the observed states that land back on the states",
            ),
            OptionSpec::int(
                "max-points",
                int(d.max_points),
                "largest number of distinct hidden states that are clustered",
            ),
            OptionSpec::float(
                "min-visits",
                d.min_visits,
                "smallest mean number of core states per cluster (finer cuts only separate noise)",
            ),
            OptionSpec::int(
                "lookahead",
                int(d.lookahead),
                "steps of the continuations whose outputs make a behaviour signature (0: as many as keep at most 8 continuations, up to 3)",
            ),
            OptionSpec::int(
                "signature-budget",
                0,
                "most network steps spent on behaviour signatures (0: the most the automatic lookahead can take, 16 per state and placement)",
            ),
            OptionSpec::int(
                "oracle-budget",
                int(d.oracle_budget),
                "most network evaluations (steps and readouts) the oracle method spends on queries",
            ),
            OptionSpec::float(
                "eps",
                d.eps,
                "residual resolution of description lengths, relative to the state spread",
            ),
        ]
    }

    /// Reads and checks the shared options.
    pub fn from_options(pass: &str, o: &Options) -> Result<Self> {
        let bad = |name: &str, why: &str| MipsError::invalid(format!("option '{name}' of pass '{pass}'"), why);
        let positive_int = |name: &str| -> Result<usize> {
            let v = o.int(name);
            if v < 0 {
                return Err(bad(name, "must not be negative"));
            }
            usize::try_from(v).map_err(|_| bad(name, "is too large"))
        };
        let float_in = |name: &str, lo: f64, hi: f64| -> Result<f64> {
            let v = o.float(name);
            if !(lo..=hi).contains(&v) {
                return Err(bad(name, &format!("must lie in [{lo}, {hi}], got {v}")));
            }
            Ok(v)
        };
        let opts = ExtractOptions {
            fresh: positive_int("fresh")?,
            long_factor: positive_int("long")?,
            long_count: positive_int("long-count")?,
            heldout: positive_int("heldout")?,
            alphabet_limit: positive_int("alphabet-limit")?,
            max_states: positive_int("max-states")?,
            max_transitions: positive_int("max-transitions")?,
            explore_depth: positive_int("explore-depth")?,
            coord_tol: float_in("coord-tol", 1e-9, 0.5)?,
            lenient_tol: float_in("lenient-tol", 0.0, 0.5)?,
            min_gap: float_in("min-gap", 1.0, 1e12)?,
            min_coverage: float_in("min-coverage", 0.0, 1.0)?,
            min_closure: float_in("min-closure", 0.0, 1.0)?,
            max_points: positive_int("max-points")?,
            min_visits: float_in("min-visits", 1.0, 1e12)?,
            lookahead: positive_int("lookahead")?,
            signature_budget: match positive_int("signature-budget")? {
                0 => default_signature_budget(positive_int("max-transitions")?),
                n => n,
            },
            oracle_budget: positive_int("oracle-budget")?,
            eps: float_in("eps", 1e-15, 1.0)?,
        };
        if opts.max_states == 0 {
            return Err(bad("max-states", "must be at least 1"));
        }
        if opts.max_points < 2 {
            return Err(bad("max-points", "must be at least 2"));
        }
        Ok(opts)
    }
}
