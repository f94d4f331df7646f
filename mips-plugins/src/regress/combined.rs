//! The combined regression: per component, integer linear → modular → enumerative (the
//! enumeration capped below the best size found so far); as whole programs, Boolean and, when
//! nothing symbolic verifies, the lookup table. Every candidate is checked against the machine
//! on the verification sequences; the smallest verified symbolic program wins, a table only
//! when no symbolic program verifies.

use mips_core::data::Dataset;
use mips_core::ir::{Program, StateMachine};
use mips_core::pass::verify::{first_disagreement, machine_behaviour, program_behaviour};
use mips_core::{MipsError, Result};

use super::boolean::{BooleanOptions, fit_boolean};
use super::driver::{Fit, check_machine, fit_machine};
use super::enumerate::{EnumerateOptions, fit_enumerate};
use super::linear::fit_linear;
use super::modular::fit_modular;
use super::rows::{Problem, moduli};
use super::table::fit_table;

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
    /// Fall back to a lookup table when nothing symbolic verifies.
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

/// Enumerative fit of one component.
pub fn enumerate_fit(p: &Problem, ks: &[i64], o: &EnumerateOptions) -> Result<Fit> {
    fit_enumerate(p, ks, o).map(|expr| Fit {
        expr,
        method: "enumerate",
    })
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

/// The smallest verified program for `sm` (see the module documentation).
pub fn regress_best(sm: &StateMachine, o: &RegressOptions, data: &Dataset) -> Result<Program> {
    check_machine(sm)?;
    let ks = moduli(sm, o.max_modulus);
    let mut reasons: Vec<String> = Vec::new();
    let mut best: Option<Program> = None;
    let consider = |candidate: Result<Program>, best: &mut Option<Program>, reasons: &mut Vec<String>| match candidate
        .and_then(|p| verify_against(sm, &p, data).map(|_| p))
    {
        Ok(p) if best.as_ref().is_none_or(|b| p.tokens() < b.tokens()) => *best = Some(p),
        Ok(_) => {}
        Err(e) => reasons.push(message(&e)),
    };
    consider(fit_boolean(sm, &o.boolean), &mut best, &mut reasons);
    // Each component of a mixed program costs at least one token: cap the enumeration so the
    // mixed program can still beat the best so far.
    let components = sm.state_dim + sm.output_dim;
    let cap = best
        .as_ref()
        .map_or(o.enumerate.max_size, |b| (b.tokens() + 1).saturating_sub(components));
    let mixed = |p: &Problem| -> Result<Fit> {
        let linear = linear_fit(p, &ks, o);
        let limit = linear
            .as_ref()
            .map_or(cap, |f| f.expr.tokens().saturating_sub(1))
            .min(cap);
        if limit == 0 {
            return linear;
        }
        let capped = EnumerateOptions {
            max_size: limit,
            ..o.enumerate
        };
        match (enumerate_fit(p, &ks, &capped), linear) {
            (Ok(f), _) => Ok(f),
            (Err(_), Ok(f)) => Ok(f),
            (Err(e), Err(l)) => Err(MipsError::pass("regress", format!("{}; {}", message(&l), message(&e)))),
        }
    };
    consider(fit_machine(sm, &mixed, o.init_radius), &mut best, &mut reasons);
    if best.is_none() && o.table {
        consider(fit_table(sm, false), &mut best, &mut reasons);
    }
    best.ok_or_else(|| {
        MipsError::pass(
            "regress",
            format!("no regressor found a program: {}", reasons.join("; ")),
        )
    })
}
