//! Enumerative symbolic regression of one target component: bottom-up enumeration with
//! observational-equivalence pruning ([`bank`]) over the state and input variables, the
//! operators `+ - * // % abs min max`, comparisons, logic, if-then-else, and constants taken
//! from the data (small integers, the target's range, moduli suggested by the data).
//!
//! The search runs on a sample of the rows; a result that misses a row outside the sample
//! adds the missed rows to the sample and restarts (counterexample-guided), so the result is
//! always exact on every row. Budgets (size, candidates and time as a
//! [`mips_core::budget::Budget`], bank size) stop the search with an error naming the reason;
//! the default budgets count work, not seconds.

pub mod bank;

use std::collections::BTreeSet;

use mips_core::budget::{Budget, Meter};
use mips_core::ir::Expr;
use mips_core::{MipsError, Result};

use super::rows::Problem;
use bank::{Bank, Limits, Vocabulary};

/// Budgets of the enumerative regression (per fitted component).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnumerateOptions {
    /// Largest expression size in tokens.
    pub max_size: usize,
    /// Wall-clock budget in seconds (0: off, the default; results then do not depend on the
    /// machine's speed).
    pub max_seconds: f64,
    /// Candidate expressions evaluated, the deterministic work budget.
    pub max_candidates: u64,
    /// Largest number of distinct expressions kept.
    pub max_expressions: usize,
    /// Number of rows the search starts from.
    pub sample: usize,
}

impl Default for EnumerateOptions {
    fn default() -> Self {
        EnumerateOptions {
            max_size: 9,
            max_seconds: 0.0,
            // The work the 20 s wall-clock budget this replaced allowed: 10^8 candidates took
            // 106 s on the 2-core AMD EPYC of results/ with the other core busy.
            max_candidates: 40_000_000,
            max_expressions: 600_000,
            sample: 24,
        }
    }
}

/// Most counterexample rounds before giving up.
const MAX_ROUNDS: usize = 12;
/// Counterexample rows added per round.
const COUNTEREXAMPLES: usize = 3;

/// The constants a search over `p` uses: 0, 1, 2, -1, the target's extremes and the moduli.
pub fn constants(p: &Problem, moduli: &[i64]) -> Vec<i64> {
    let mut out: BTreeSet<i64> = [0, 1, 2, -1].into_iter().collect();
    if let (Some(lo), Some(hi)) = (p.values.iter().min(), p.values.iter().max()) {
        out.extend([*lo, *hi]);
    }
    out.extend(moduli);
    out.into_iter().collect()
}

/// The smallest expression (in tokens) that gives the target on every row of `p`.
pub fn fit_enumerate(p: &Problem, moduli: &[i64], opts: &EnumerateOptions) -> Result<Expr> {
    if p.values.is_empty() {
        return Err(MipsError::pass("regress-enumerate", "no rows to fit"));
    }
    let seconds = opts.max_seconds.max(0.0);
    let budget = Limits {
        max_size: opts.max_size,
        max_expressions: opts.max_expressions,
    };
    // One clock for every round; candidates are counted per round (each search a fresh copy).
    let meter = Meter::new(Budget {
        candidates: Some(opts.max_candidates),
        seconds: (seconds > 0.0).then_some(seconds),
        ..Budget::default()
    });
    let constants = constants(p, moduli);
    let mut sample = initial_sample(p, opts.sample.max(1));
    for _ in 0..MAX_ROUNDS {
        let vocab = Vocabulary {
            variables: (0..p.width())
                .map(|c| (Expr::Var(p.var(c)), sample.iter().map(|&r| p.points[r][c]).collect()))
                .collect(),
            constants: constants.clone(),
        };
        let target: Vec<i64> = sample.iter().map(|&r| p.values[r]).collect();
        let found = Bank::new(&vocab, &target, budget, meter.clone())
            .search()
            .map_err(|stop| MipsError::pass("regress-enumerate", format!("stopped: {stop}")))?;
        let misses: Vec<usize> = (0..p.values.len())
            .filter(|&r| {
                let (s, x) = p.split(&p.points[r]);
                found.eval(s, x).ok() != Some(p.values[r])
            })
            .take(COUNTEREXAMPLES)
            .collect();
        if misses.is_empty() {
            return Ok(found);
        }
        sample.extend(misses);
    }
    Err(MipsError::pass(
        "regress-enumerate",
        format!("stopped: no expression fits all rows after {MAX_ROUNDS} counterexample rounds"),
    ))
}

/// Up to `n` rows: one per distinct target value first (up to half), then evenly spaced rows.
fn initial_sample(p: &Problem, n: usize) -> Vec<usize> {
    let rows = p.values.len();
    if rows <= n {
        return (0..rows).collect();
    }
    let mut chosen = BTreeSet::new();
    let mut values = BTreeSet::new();
    for r in 0..rows {
        if chosen.len() >= n / 2 {
            break;
        }
        if values.insert(p.values[r]) {
            chosen.insert(r);
        }
    }
    let mut k = 0;
    while chosen.len() < n {
        chosen.insert(k * rows / n);
        k += 1;
    }
    chosen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::ir::BinOp;

    fn grid(
        a: std::ops::RangeInclusive<i64>,
        b: std::ops::RangeInclusive<i64>,
        f: impl Fn(i64, i64) -> i64,
    ) -> Problem {
        let mut points = Vec::new();
        let mut values = Vec::new();
        for x in a {
            for y in b.clone() {
                points.push(vec![x, y]);
                values.push(f(x, y));
            }
        }
        Problem {
            state_dim: 1,
            input_dim: 1,
            points,
            values,
        }
    }

    fn fit(p: &Problem, moduli: &[i64]) -> Expr {
        let e = fit_enumerate(p, moduli, &EnumerateOptions::default()).unwrap();
        assert!(p.fits(&e), "{e:?}");
        e
    }

    #[test]
    fn reaches_seven_tokens() {
        // (s + x) % 3 == 1 needs 7 tokens.
        let p = grid(0..=5, 0..=5, |s, x| ((s + x) % 3 == 1) as i64);
        assert_eq!(fit(&p, &[3, 6]).tokens(), 7);
        // Abs_Diff-like and max/min with a clamp.
        let p = grid(-20..=20, -20..=20, |s, x| (s - x).abs());
        assert_eq!(fit(&p, &[]).tokens(), 4);
        let p = grid(0..=30, 0..=30, |s, x| s.max(x).min(20));
        assert_eq!(fit(&p, &[]).tokens(), 5);
    }

    #[test]
    fn detectors_offsets_and_lookups() {
        // Evens detector: not (x % 2).
        let p = grid(0..=0, 0..=9, |_, x| (x % 2 == 0) as i64);
        assert_eq!(fit(&p, &[10]).tokens(), 4);
        // An offset the constants do not contain: s + x + 37.
        let p = grid(0..=9, 0..=9, |s, x| s + x + 37);
        assert_eq!(fit(&p, &[]).tokens(), 5);
        // A perfect-square lookup has no short formula: an error, not a wrong program.
        let p = grid(0..=0, 0..=19, |_, x| [0, 1, 4, 9, 16].contains(&x) as i64);
        let err = fit_enumerate(&p, &[20], &EnumerateOptions::default()).unwrap_err();
        assert!(err.to_string().contains("budget"), "{err}");
    }

    #[test]
    fn large_tables_are_fitted_from_a_sample() {
        let p = grid(0..=300, 0..=99, |s, x| (s + x) / 2);
        let e = fit(&p, &[2]);
        assert_eq!(e.tokens(), 5);
        assert!(matches!(e, Expr::Binary(BinOp::FloorDiv, _, _)));
    }

    #[test]
    fn budgets_stop_with_a_reason() {
        let p = grid(0..=7, 0..=7, |s, x| (s * 7 + x * 3) % 5 * (x ^ s));
        let small = EnumerateOptions {
            max_size: 3,
            ..Default::default()
        };
        let err = fit_enumerate(&p, &[], &small).unwrap_err().to_string();
        assert!(err.contains("size budget"), "{err}");
        let tiny = EnumerateOptions {
            max_expressions: 50,
            ..Default::default()
        };
        let err = fit_enumerate(&p, &[], &tiny).unwrap_err().to_string();
        assert!(err.contains("expression budget"), "{err}");
        let few = EnumerateOptions {
            max_candidates: 100,
            ..Default::default()
        };
        let err = fit_enumerate(&p, &[], &few).unwrap_err().to_string();
        assert!(err.contains("candidate budget of 100"), "{err}");
        let no_time = EnumerateOptions {
            max_seconds: 1e-9,
            max_candidates: u64::MAX,
            ..Default::default()
        };
        let err = fit_enumerate(&p, &[], &no_time).unwrap_err().to_string();
        assert!(err.contains("time budget"), "{err}");
    }
}
