//! Component-wise regression of a whole machine: fit each update component and each output
//! separately with a fitter, then assemble the program. When the initial state is never
//! re-entered, the updates are also fitted without the rows leaving it, and initial states
//! within a small radius are searched for one whose transitions the fitted updates reproduce
//! (an initial state read off one step beside the lattice, say).

use mips_core::ir::{Expr, Program, StateMachine};
use mips_core::{MipsError, Result};

use super::rows::{Problem, Rows};

/// A fitted expression and the method that found it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub expr: Expr,
    pub method: &'static str,
}

/// The method name of lookup-table fits (whether a program is symbolic is decided by its form:
/// [`Program::has_symbolic_form`]).
pub const TABLE: &str = "table";

/// Fits one target component; an error says why no exact fit was found.
pub type Fitter<'a> = dyn Fn(&Problem) -> Result<Fit> + 'a;

/// Largest number of initial states tried by the initial-state search.
const MAX_INITIAL_CANDIDATES: usize = 20_000;
/// Largest radius of the initial-state search.
const MAX_RADIUS: i64 = 8;

/// How programs are compared: symbolic before tables, then fewer tokens (smaller is better).
pub fn preference(p: &Program) -> (bool, usize) {
    (!p.symbolic, p.tokens())
}

/// Checks that `sm` can be regressed: valid dimensions and at least one transition.
pub fn check_machine(sm: &StateMachine) -> Result<()> {
    sm.validate()?;
    if sm.transitions.is_empty() {
        return Err(MipsError::invalid("state machine", "it has no transitions to regress"));
    }
    Ok(())
}

/// Regresses every component of `sm` with `fitter`, using `fallback` (if any) for the
/// components `fitter` cannot fit. When the initial state is never re-entered and
/// `init_radius > 0`, the updates are also fitted without the rows leaving it, with a search
/// for a corrected initial state; the shorter of the two programs is kept (symbolic first).
pub fn fit_machine(sm: &StateMachine, fitter: &Fitter, fallback: Option<&Fitter>, init_radius: i64) -> Result<Program> {
    check_machine(sm)?;
    let updates = Rows::updates(sm);
    let outputs = Rows::outputs(sm)?;
    let fit = |what: &str, problem: Problem, k: usize| -> Result<Fit> {
        fitter(&problem).or_else(|e| match fallback {
            Some(f) => f(&problem),
            None => Err(component_error(what, k, e)),
        })
    };
    let outs = (0..sm.output_dim)
        .map(|k| fit("output", outputs.problem(k, false), k))
        .collect::<Result<Vec<Fit>>>()?;
    let plain = (0..sm.state_dim)
        .map(|k| fit("update", updates.problem(k, false), k))
        .collect::<Result<Vec<Fit>>>()
        .map(|fits| assemble(sm, sm.initial.clone(), fits, &outs));
    let excludable = init_radius > 0
        && !sm.transitions.values().any(|t| *t == sm.initial)
        && updates.from_initial.iter().any(|f| *f)
        && updates.from_initial.iter().any(|f| !*f);
    // Nothing to gain when every update of a symbolic program is already a single token.
    let minimal = plain
        .as_ref()
        .is_ok_and(|p| p.symbolic && p.updates.iter().all(|u| u.tokens() == 1));
    if !excludable || minimal {
        return plain;
    }
    let corrected = (0..sm.state_dim)
        .map(|k| fit("update", updates.problem(k, true), k))
        .collect::<Result<Vec<Fit>>>()
        .and_then(|fits| {
            let init = search_initial(&updates, &fits, init_radius)?;
            Ok(assemble(sm, init, fits, &outs))
        });
    match (plain, corrected) {
        (Ok(a), Ok(b)) => Ok(if preference(&b) < preference(&a) { b } else { a }),
        (Ok(a), Err(_)) | (Err(_), Ok(a)) => Ok(a),
        (Err(e), Err(_)) => Err(e),
    }
}

/// The program with the given initial state, update fits and output fits.
fn assemble(sm: &StateMachine, init: Vec<i64>, fits: Vec<Fit>, outs: &[Fit]) -> Program {
    let mut methods: Vec<&str> = Vec::new();
    for f in fits.iter().chain(outs) {
        if !methods.contains(&f.method) {
            methods.push(f.method);
        }
    }
    let state_names = if sm.state_names.len() == sm.state_dim {
        sm.state_names.clone()
    } else {
        (0..sm.state_dim).map(|k| format!("s{k}")).collect()
    };
    let mut program = Program {
        state_names,
        init,
        input_names: (0..sm.input_dim).map(|k| format!("x{k}")).collect(),
        updates: fits.into_iter().map(|f| f.expr).collect(),
        outputs: outs.iter().map(|f| f.expr.clone()).collect(),
        symbolic: false,
        method: if methods.is_empty() {
            "empty".into()
        } else {
            methods.join("+")
        },
    };
    program.symbolic = program.has_symbolic_form();
    program
}

fn component_error(what: &str, k: usize, e: MipsError) -> MipsError {
    let message = match e {
        MipsError::Pass { message, .. } => message,
        other => other.to_string(),
    };
    MipsError::invalid(format!("{what} {k}"), message)
}

/// The initial state closest to the machine's (L1 distance, within `radius` per component)
/// from which every fitted update reproduces the transitions leaving the initial state.
fn search_initial(rows: &Rows, fits: &[Fit], radius: i64) -> Result<Vec<i64>> {
    let initial_rows: Vec<usize> = (0..rows.points.len()).filter(|&r| rows.from_initial[r]).collect();
    let initial = rows.points[initial_rows[0]][..rows.state_dim].to_vec();
    let reproduces = |candidate: &[i64]| {
        initial_rows.iter().all(|&r| {
            let x = &rows.points[r][rows.state_dim..];
            fits.iter()
                .zip(&rows.targets[r])
                .all(|(f, t)| f.expr.eval(candidate, x).ok() == Some(*t))
        })
    };
    let found = offsets(rows.state_dim, radius)
        .into_iter()
        .map(|d| {
            initial
                .iter()
                .zip(&d)
                .map(|(a, b)| a.saturating_add(*b))
                .collect::<Vec<i64>>()
        })
        .find(|c| reproduces(c));
    found.ok_or_else(|| {
        MipsError::invalid(
            "initial state",
            format!(
                "the updates fit every transition except those leaving the initial state {initial:?}, \
                 and no initial state within ±{radius} per component reproduces them"
            ),
        )
    })
}

/// Offset vectors with components in `-radius..=radius`, by increasing L1 norm; when there are
/// too many, only offsets changing a single component.
fn offsets(dim: usize, radius: i64) -> Vec<Vec<i64>> {
    let radius = radius.clamp(0, MAX_RADIUS);
    let side = (2 * radius + 1) as usize;
    let full = side
        .checked_pow(dim as u32)
        .is_some_and(|n| n <= MAX_INITIAL_CANDIDATES);
    let mut out: Vec<Vec<i64>> = if full {
        let mut all = vec![Vec::new()];
        for _ in 0..dim {
            all = all
                .into_iter()
                .flat_map(|p: Vec<i64>| {
                    (-radius..=radius).map(move |v| {
                        let mut q = p.clone();
                        q.push(v);
                        q
                    })
                })
                .collect();
        }
        all
    } else {
        let mut single = vec![vec![0; dim]];
        for k in 0..dim {
            for v in (-radius..=radius).filter(|v| *v != 0) {
                let mut q = vec![0; dim];
                q[k] = v;
                single.push(q);
            }
        }
        single
    };
    out.sort_by_key(|d| (d.iter().map(|v| v.abs()).sum::<i64>(), d.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::{explore, range};
    use mips_core::ir::BinOp;

    /// Fits only `s0 + x0` (for the test of the initial-state search).
    fn sum_only(p: &Problem) -> Result<Fit> {
        let e = Expr::bin(BinOp::Add, Expr::state(0), Expr::input(0));
        if p.fits(&e) {
            Ok(Fit {
                expr: e,
                method: "test",
            })
        } else if p.fits(&Expr::state(0)) {
            Ok(Fit {
                expr: Expr::state(0),
                method: "test",
            })
        } else {
            Err(MipsError::pass("test", "no fit"))
        }
    }

    #[test]
    fn initial_state_off_by_one_is_corrected() {
        // A running sum whose initial state was read off as -1 but behaves like 0.
        let mut sm = explore(vec![0], &range(0, 2), |s, x| vec![(s[0] + x[0]).min(6)], |s| s.to_vec());
        let from_zero: Vec<_> = sm
            .transitions
            .iter()
            .filter(|((s, _), _)| s[0] == 0)
            .map(|((_, x), t)| (x.clone(), t.clone()))
            .collect();
        sm.transitions.retain(|(s, _), _| s[0] != 0 && s[0] < 5);
        for (x, t) in from_zero {
            sm.transitions.insert((vec![-1], x), t);
        }
        sm.initial = vec![-1];
        let p = fit_machine(&sm, &sum_only, None, 2).unwrap();
        assert_eq!(p.init, vec![0]);
        assert!(fit_machine(&sm, &sum_only, None, 0).is_err());
    }

    #[test]
    fn offsets_start_at_zero_and_grow() {
        let o = offsets(2, 1);
        assert_eq!(o.len(), 9);
        assert_eq!(o[0], vec![0, 0]);
        assert_eq!(offsets(12, 2).len(), 1 + 12 * 4);
    }
}
