//! An example third-party mips plugin: the regressor `regress-polynomial`, which finds
//! programs whose state updates and outputs are integer polynomials, e.g. `z = z + x*x` or
//! `y = (c*c + c) // 2`: products and powers of state and input variables, beyond the linear
//! and Boolean updates regressors usually look for.
//!
//! Each next-state component is fitted as a polynomial of degree ≤ `degree` in the previous
//! state and the input, over the machine's observed transitions; each output as a polynomial
//! in the state (the machine is Moore). Coefficients are exact rationals from exact Gaussian
//! elimination, so a fit is accepted only when it reproduces every observed row (a zero
//! least-squares residual); the lowest degree that does so wins. The host then verifies the
//! whole program against the machine on its verification sequences.
//!
//! Built as a `cdylib`; load it with `mips --plugin path/to/libplugin_polyfit.so`.

mod expr;
mod fit;
mod rational;

use mips_plugin_sdk::{
    ExprData, OptionSpecData, OptionValueData, OptionValues, Plugin, ProgramData, Regressor, RunContext,
    StateMachineData, export_plugins,
};

use fit::{Point, fit_all};

/// The highest degree the `degree` option accepts.
const MAX_DEGREE: i64 = 4;

/// Fits polynomial state updates and outputs exactly.
struct PolynomialRegressor;

impl Regressor for PolynomialRegressor {
    fn name(&self) -> &str {
        "regress-polynomial"
    }

    fn description(&self) -> &str {
        "integer polynomial updates and outputs (exact rational fit, degree <= `degree`)"
    }

    fn options(&self) -> Vec<OptionSpecData> {
        vec![OptionSpecData::new(
            "degree",
            OptionValueData::Int(3),
            "highest total degree of a polynomial (0 to 4)",
        )]
    }

    fn regress(
        &self,
        machine: &StateMachineData,
        options: &OptionValues,
        _ctx: &RunContext,
    ) -> Result<ProgramData, String> {
        let degree = options.int("degree")?;
        if !(0..=MAX_DEGREE).contains(&degree) {
            return Err(format!(
                "option 'degree' must be between 0 and {MAX_DEGREE}, got {degree}"
            ));
        }
        let degree = degree as u32;
        check_dimensions(machine)?;
        let (states, inputs) = (machine.state_dim, machine.input_dim);
        let state_names: Vec<String> = if machine.state_names.len() == states {
            machine.state_names.clone()
        } else {
            (0..states).map(|k| format!("s{k}")).collect()
        };
        let input_names: Vec<String> = (0..inputs).map(|k| format!("x{k}")).collect();

        let transitions: Vec<Point> = machine
            .transitions
            .iter()
            .map(|t| ([t.state.as_slice(), &t.input].concat(), t.next.clone()))
            .collect();
        let update_var = |k: usize| {
            if k < states {
                ExprData::State(k)
            } else {
                ExprData::Input(k - states)
            }
        };
        let updates = fit_all(&transitions, states + inputs, states, degree)?
            .into_iter()
            .enumerate()
            .map(|(k, fit)| {
                let fit = fit.ok_or_else(|| {
                    let vars: Vec<&str> = state_names.iter().chain(&input_names).map(String::as_str).collect();
                    format!(
                        "next value of state '{}' is no polynomial of degree <= {degree} in ({}) on the {} observed transitions",
                        state_names[k],
                        vars.join(", "),
                        transitions.len()
                    )
                })?;
                expr::polynomial(&fit, update_var)
            })
            .collect::<Result<Vec<_>, String>>()?;

        let outputs: Vec<Point> = machine
            .outputs
            .iter()
            .map(|o| (o.state.clone(), o.output.clone()))
            .collect();
        let outputs = fit_all(&outputs, states, machine.output_dim, degree)?
            .into_iter()
            .enumerate()
            .map(|(k, fit)| {
                let fit = fit.ok_or_else(|| {
                    format!(
                        "output {k} is no polynomial of degree <= {degree} in the state ({})",
                        state_names.join(", ")
                    )
                })?;
                expr::polynomial(&fit, ExprData::State)
            })
            .collect::<Result<Vec<_>, String>>()?;

        Ok(ProgramData {
            state_names,
            init: machine.initial.clone(),
            input_names,
            updates,
            outputs,
            method: "polynomial".into(),
            symbolic: true,
        })
    }
}

/// Every table row has the machine's widths (the host checks this too; a plugin must not
/// trust its input).
fn check_dimensions(m: &StateMachineData) -> Result<(), String> {
    let bad_transition = m
        .transitions
        .iter()
        .any(|t| t.state.len() != m.state_dim || t.input.len() != m.input_dim || t.next.len() != m.state_dim);
    let bad_output = m
        .outputs
        .iter()
        .any(|o| o.state.len() != m.state_dim || o.output.len() != m.output_dim);
    if m.initial.len() != m.state_dim || bad_transition || bad_output {
        return Err("the state machine's table rows do not match its dimensions".into());
    }
    Ok(())
}

export_plugins![Plugin::regressor(PolynomialRegressor)];

#[cfg(test)]
mod tests {
    use super::*;
    use mips_plugin_sdk::{StateOutputData, TransitionData};

    /// z' = z + x*x over z in 0..6, x in 0..3; output z.
    fn machine() -> StateMachineData {
        let mut m = StateMachineData {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..StateMachineData::default()
        };
        for z in 0..6 {
            for x in 0..3 {
                m.transitions.push(TransitionData {
                    state: vec![z],
                    input: vec![x],
                    next: vec![z + x * x],
                });
            }
            m.outputs.push(StateOutputData {
                state: vec![z],
                output: vec![z],
            });
        }
        m
    }

    const CTX: RunContext = RunContext { seed: 0, data: None };

    fn options(degree: i64) -> OptionValues {
        OptionValues(vec![("degree".into(), OptionValueData::Int(degree))])
    }

    #[test]
    fn fits_a_sum_of_squares() {
        let p = PolynomialRegressor.regress(&machine(), &options(3), &CTX).unwrap();
        let square = ExprData::bin(mips_plugin_sdk::BinOpData::Mul, ExprData::Input(0), ExprData::Input(0));
        assert_eq!(
            p.updates,
            vec![ExprData::bin(
                mips_plugin_sdk::BinOpData::Add,
                ExprData::State(0),
                square
            )]
        );
        assert_eq!(p.outputs, vec![ExprData::State(0)]);
        assert_eq!((p.state_names, p.input_names), (vec!["s0".into()], vec!["x0".into()]));
    }

    #[test]
    fn triangular_output_of_a_counter_divides_by_two() {
        let mut m = StateMachineData {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..StateMachineData::default()
        };
        for c in 0..8 {
            m.transitions.push(TransitionData {
                state: vec![c],
                input: vec![0],
                next: vec![c + 1],
            });
            m.outputs.push(StateOutputData {
                state: vec![c + 1],
                output: vec![(c + 1) * (c + 2) / 2],
            });
        }
        let p = PolynomialRegressor.regress(&m, &options(3), &CTX).unwrap();
        use mips_plugin_sdk::BinOpData::{Add, FloorDiv, Mul};
        let square = ExprData::bin(Mul, ExprData::State(0), ExprData::State(0));
        let numerator = ExprData::bin(Add, ExprData::State(0), square);
        assert_eq!(p.outputs, vec![ExprData::bin(FloorDiv, numerator, ExprData::Const(2))]);
        assert_eq!(
            p.updates,
            vec![ExprData::bin(Add, ExprData::Const(1), ExprData::State(0))]
        );
    }

    #[test]
    fn too_low_a_degree_is_an_error_naming_the_state() {
        let err = PolynomialRegressor.regress(&machine(), &options(1), &CTX).unwrap_err();
        assert!(err.contains("state 's0'") && err.contains("degree <= 1"), "{err}");
        let err = PolynomialRegressor.regress(&machine(), &options(9), &CTX).unwrap_err();
        assert!(err.contains("between 0 and 4"), "{err}");
    }

    #[test]
    fn inconsistent_dimensions_are_an_error() {
        let mut m = machine();
        m.transitions[3].next.push(1);
        assert!(PolynomialRegressor.regress(&m, &options(2), &CTX).is_err());
    }
}
