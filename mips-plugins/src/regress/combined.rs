//! The combined regression: the Boolean program as a whole, and per component integer linear
//! or constant-set membership (the shorter) → modular → enumerative (the enumeration capped
//! below the best size found so far) → linear over the input's symbols → a decision list over comparisons of the state (counters)
//! → lookup table (complete machines only; a program with a table chain is not symbolic). Every
//! candidate is checked against the machine on the verification sequences; the smallest verified
//! symbolic program wins, one with tables only when nothing symbolic verifies.

use mips_core::data::Dataset;
use mips_core::ir::{Program, StateMachine};
use mips_core::pass::verify::{first_disagreement, machine_behaviour, program_behaviour};
use mips_core::{MipsError, Result};

use super::boolean::{BooleanOptions, fit_boolean};
use super::comparisons::fit_comparisons;
use super::driver::{Fit, Fitter, check_machine, fit_machine, preference};
use super::enumerate::{EnumerateOptions, fit_enumerate};
use super::indicators::fit_indicators;
use super::linear::fit_linear;
use super::membership::fit_membership;
use super::modular::fit_modular;
use super::recode::codings;
use super::rows::{Problem, moduli};
use super::table::{check_tabulable, table_fit};

/// Settings of every regressor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegressOptions {
    /// Largest denominator of a rational linear coefficient.
    pub max_denominator: i64,
    /// Try the modular / floor-divided variant when the plain linear fit fails.
    pub modular: bool,
    /// Coefficient vectors the modular search may try per component.
    pub modular_budget: usize,
    /// Largest modulus suggested by the data.
    pub max_modulus: i64,
    /// Radius of the initial-state correction search (0 disables it).
    pub init_radius: i64,
    pub boolean: BooleanOptions,
    pub enumerate: EnumerateOptions,
    /// Fall back to lookup tables for the components nothing symbolic fits.
    pub table: bool,
}

impl Default for RegressOptions {
    fn default() -> Self {
        RegressOptions {
            max_denominator: 12,
            modular: true,
            modular_budget: 200_000,
            max_modulus: 64,
            init_radius: 2,
            boolean: BooleanOptions {
                max_bits: 12,
                encoding_rounds: 4,
            },
            enumerate: EnumerateOptions::default(),
            table: true,
        }
    }
}

/// Integer linear, then modular, fit of one component.
pub fn linear_fit(p: &Problem, ks: &[i64], o: &RegressOptions) -> Result<Fit> {
    let plain = match fit_linear(p, o.max_denominator) {
        Ok(expr) => {
            return Ok(Fit {
                expr,
                method: "integer-linear",
            });
        }
        Err(e) => e,
    };
    if !o.modular {
        return Err(plain);
    }
    fit_modular(p, ks, o.modular_budget)
        .map(|expr| Fit {
            expr,
            method: "modular-linear",
        })
        .map_err(|e| MipsError::pass("regress-linear", format!("{}; {}", message(&plain), message(&e))))
}

/// Linear fit of one component over the input's symbols.
pub fn indicator_fit(p: &Problem, o: &RegressOptions) -> Result<Fit> {
    fit_indicators(p, o.max_denominator).map(|expr| Fit {
        expr,
        method: "indicator-linear",
    })
}

/// Enumerative fit of one component.
pub fn enumerate_fit(p: &Problem, ks: &[i64], o: &EnumerateOptions) -> Result<Fit> {
    fit_enumerate(p, ks, o).map(|expr| Fit {
        expr,
        method: "enumerate",
    })
}

/// Membership fit of one component (a 0/1 function of one variable as a constant set).
pub fn membership_fit(p: &Problem) -> Result<Fit> {
    fit_membership(p).map(|expr| Fit {
        expr,
        method: "membership",
    })
}

/// The fit with fewer tokens (the first on a tie); the first's error when neither fits.
fn shorter(first: Result<Fit>, second: Result<Fit>) -> Result<Fit> {
    match (first, second) {
        (Ok(a), Ok(b)) => Ok(if b.expr.tokens() < a.expr.tokens() { b } else { a }),
        (Ok(f), Err(_)) | (Err(_), Ok(f)) => Ok(f),
        (Err(e), Err(_)) => Err(e),
    }
}

/// The message of a pass error without the pass name.
fn message(e: &MipsError) -> String {
    match e {
        MipsError::Pass { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Checks `p` against `sm` on every sequence of `data`.
pub fn verify_against(sm: &StateMachine, p: &Program, data: &Dataset) -> Result<()> {
    p.validate()?;
    match first_disagreement(data, machine_behaviour(sm), program_behaviour(p)) {
        None => Ok(()),
        Some(d) => Err(MipsError::pass(
            "regress",
            format!("{} program differs from the state machine on {d}", p.method),
        )),
    }
}

/// Offers `consider` the Boolean program of `sm` and its component-wise program (linear or
/// enumerated per component, the enumeration capped below the best program so far, tables
/// last). `consider` returns the size of the best program so far; with `bounded`, the
/// enumeration never goes past its `max-size` option.
fn fit_all(sm: &StateMachine, o: &RegressOptions, consider: &mut Consider, bounded: bool) {
    let ks = moduli(sm, o.max_modulus);
    let best = consider("boolean", fit_boolean(sm, &o.boolean));
    // Each component of a mixed program costs at least one token: cap the enumeration so the
    // mixed program can still beat the best so far.
    let components = sm.state_dim + sm.output_dim;
    let mut cap = best.map_or(o.enumerate.max_size, |b| (b + 1).saturating_sub(components));
    if bounded {
        cap = cap.min(o.enumerate.max_size);
    }
    let tables = o.table && check_tabulable(sm, false).is_ok();
    let mixed = |p: &Problem| -> Result<Fit> {
        let linear = shorter(linear_fit(p, &ks, o), membership_fit(p));
        let limit = linear
            .as_ref()
            .map_or(cap, |f| f.expr.tokens().saturating_sub(1))
            .min(cap);
        let enumerated = if limit == 0 {
            Err(MipsError::pass(
                "regress-enumerate",
                "no size left under the best program",
            ))
        } else {
            let capped = EnumerateOptions {
                max_size: limit,
                ..o.enumerate
            };
            enumerate_fit(p, &ks, &capped)
        };
        match (enumerated, linear) {
            (Ok(f), _) | (Err(_), Ok(f)) => Ok(f),
            (Err(e), Err(l)) => indicator_fit(p, o).or_else(|i| {
                fit_comparisons(p).map_err(|c| {
                    let why = [&l, &e, &i, &c].map(message).join("; ");
                    MipsError::pass("regress", why)
                })
            }),
        }
    };
    let fallback: Option<&Fitter> = tables.then_some(&table_fit);
    consider("per-component", fit_machine(sm, &mixed, fallback, o.init_radius));
}

/// Takes a candidate program (or why there is none); returns the best program's size so far.
type Consider<'a> = dyn FnMut(&str, Result<Program>) -> Option<usize> + 'a;

/// The smallest verified program for `sm` (see the module documentation); `note` receives
/// the outcome of each regressor (its size, or why it failed).
pub fn regress_best(
    sm: &StateMachine,
    o: &RegressOptions,
    data: &Dataset,
    note: &dyn Fn(&str, String),
) -> Result<Program> {
    check_machine(sm)?;
    let mut reasons: Vec<String> = Vec::new();
    let mut best: Option<Program> = None;
    let mut consider = |name: &str, candidate: Result<Program>| {
        match candidate.and_then(|p| verify_against(sm, &p, data).map(|_| p)) {
            Ok(p) => {
                note(name, format!("{} tokens ({})", p.tokens(), p.method));
                if best.as_ref().is_none_or(|b| preference(&p) < preference(b)) {
                    best = Some(p);
                }
            }
            Err(e) => {
                note(name, format!("failed: {}", message(&e)));
                reasons.push(format!("{name}: {}", message(&e)));
            }
        }
        best.as_ref().map(Program::tokens)
    };
    fit_all(sm, o, &mut consider, false);
    for (coding, recoded) in codings(sm) {
        let mut relabel = |name: &str, p: Result<Program>| {
            let p = p.map(|p| Program {
                method: format!("{} ({coding})", p.method),
                ..p
            });
            consider(&format!("{name}, {coding}"), p)
        };
        fit_all(&recoded, o, &mut relabel, true);
    }
    best.ok_or_else(|| {
        MipsError::pass(
            "regress",
            format!("no regressor found a program: {}", reasons.join("; ")),
        )
    })
}
