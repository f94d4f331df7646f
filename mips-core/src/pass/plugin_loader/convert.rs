//! Conversions between mips-core's IR and the plugin SDK's plain mirror types.

use mips_plugin_sdk as sdk;

use crate::ir::{Activation, BinOp, Expr, Linear, Mlp, Network, Program, StateMachine, UnOp, Var};
use crate::pass::{OptionSpec, OptionType, OptionValue, Options};

/// The machine as the SDK sends it.
pub(super) fn machine_to_sdk(m: &StateMachine) -> sdk::StateMachineData {
    sdk::StateMachineData {
        state_dim: m.state_dim,
        input_dim: m.input_dim,
        output_dim: m.output_dim,
        initial: m.initial.clone(),
        transitions: m
            .transitions
            .iter()
            .map(|((state, input), next)| sdk::TransitionData {
                state: state.clone(),
                input: input.clone(),
                next: next.clone(),
            })
            .collect(),
        outputs: m
            .outputs
            .iter()
            .map(|(state, output)| sdk::StateOutputData {
                state: state.clone(),
                output: output.clone(),
            })
            .collect(),
        alphabet: m.alphabet.clone(),
        complete: m.complete,
        method: m.method.clone(),
        state_names: m.state_names.clone(),
    }
}

/// A machine a plugin returned. A state or (state, input) pair listed twice is an error; the
/// rest is checked later by `StateMachine::validate`.
pub(super) fn machine_from_sdk(m: sdk::StateMachineData) -> Result<StateMachine, String> {
    let mut machine = StateMachine {
        state_dim: m.state_dim,
        input_dim: m.input_dim,
        output_dim: m.output_dim,
        initial: m.initial,
        alphabet: m.alphabet,
        complete: m.complete,
        method: m.method,
        state_names: m.state_names,
        ..StateMachine::default()
    };
    for t in m.transitions {
        if let Some(old) = machine.transitions.insert((t.state.clone(), t.input.clone()), t.next) {
            return Err(format!(
                "the machine lists state {:?} on input {:?} twice (the first time to {old:?})",
                t.state, t.input
            ));
        }
    }
    for o in m.outputs {
        if machine.outputs.insert(o.state.clone(), o.output).is_some() {
            return Err(format!("the machine lists the output of state {:?} twice", o.state));
        }
    }
    Ok(machine)
}

/// The program as the SDK sends it.
pub(super) fn program_to_sdk(p: &Program) -> sdk::ProgramData {
    sdk::ProgramData {
        state_names: p.state_names.clone(),
        init: p.init.clone(),
        input_names: p.input_names.clone(),
        updates: p.updates.iter().map(expr_to_sdk).collect(),
        outputs: p.outputs.iter().map(expr_to_sdk).collect(),
        method: p.method.clone(),
        symbolic: p.symbolic,
    }
}

fn expr_to_sdk(e: &Expr) -> sdk::ExprData {
    match e {
        Expr::Const(c) => sdk::ExprData::Const(*c),
        Expr::Var(Var::State(k)) => sdk::ExprData::State(*k),
        Expr::Var(Var::Input(k)) => sdk::ExprData::Input(*k),
        Expr::Unary(op, a) => sdk::ExprData::un(un_op_to_sdk(*op), expr_to_sdk(a)),
        Expr::Binary(op, a, b) => sdk::ExprData::bin(bin_op_to_sdk(*op), expr_to_sdk(a), expr_to_sdk(b)),
        Expr::If(c, t, o) => sdk::ExprData::If(
            Box::new(expr_to_sdk(c)),
            Box::new(expr_to_sdk(t)),
            Box::new(expr_to_sdk(o)),
        ),
    }
}

fn un_op_to_sdk(op: UnOp) -> sdk::UnOpData {
    match op {
        UnOp::Neg => sdk::UnOpData::Neg,
        UnOp::Not => sdk::UnOpData::Not,
        UnOp::Abs => sdk::UnOpData::Abs,
    }
}

fn bin_op_to_sdk(op: BinOp) -> sdk::BinOpData {
    use sdk::BinOpData as B;
    match op {
        BinOp::Add => B::Add,
        BinOp::Sub => B::Sub,
        BinOp::Mul => B::Mul,
        BinOp::FloorDiv => B::FloorDiv,
        BinOp::Mod => B::Mod,
        BinOp::Min => B::Min,
        BinOp::Max => B::Max,
        BinOp::Eq => B::Eq,
        BinOp::Ne => B::Ne,
        BinOp::Lt => B::Lt,
        BinOp::Le => B::Le,
        BinOp::Gt => B::Gt,
        BinOp::Ge => B::Ge,
        BinOp::And => B::And,
        BinOp::Or => B::Or,
        BinOp::Xor => B::Xor,
    }
}

/// A program a plugin returned. Variable indices are checked later by `Program::validate`.
pub(super) fn program_from_sdk(p: sdk::ProgramData) -> Program {
    Program {
        state_names: p.state_names,
        init: p.init,
        input_names: p.input_names,
        updates: p.updates.into_iter().map(expr_from_sdk).collect(),
        outputs: p.outputs.into_iter().map(expr_from_sdk).collect(),
        method: p.method,
        symbolic: p.symbolic,
    }
}

fn expr_from_sdk(e: sdk::ExprData) -> Expr {
    match e {
        sdk::ExprData::Const(c) => Expr::Const(c),
        sdk::ExprData::State(k) => Expr::Var(Var::State(k)),
        sdk::ExprData::Input(k) => Expr::Var(Var::Input(k)),
        sdk::ExprData::Unary(op, a) => Expr::un(un_op(op), expr_from_sdk(*a)),
        sdk::ExprData::Binary(op, a, b) => Expr::bin(bin_op(op), expr_from_sdk(*a), expr_from_sdk(*b)),
        sdk::ExprData::If(c, t, e) => Expr::ite(expr_from_sdk(*c), expr_from_sdk(*t), expr_from_sdk(*e)),
    }
}

fn un_op(op: sdk::UnOpData) -> UnOp {
    match op {
        sdk::UnOpData::Neg => UnOp::Neg,
        sdk::UnOpData::Not => UnOp::Not,
        sdk::UnOpData::Abs => UnOp::Abs,
    }
}

fn bin_op(op: sdk::BinOpData) -> BinOp {
    use sdk::BinOpData as B;
    match op {
        B::Add => BinOp::Add,
        B::Sub => BinOp::Sub,
        B::Mul => BinOp::Mul,
        B::FloorDiv => BinOp::FloorDiv,
        B::Mod => BinOp::Mod,
        B::Min => BinOp::Min,
        B::Max => BinOp::Max,
        B::Eq => BinOp::Eq,
        B::Ne => BinOp::Ne,
        B::Lt => BinOp::Lt,
        B::Le => BinOp::Le,
        B::Gt => BinOp::Gt,
        B::Ge => BinOp::Ge,
        B::And => BinOp::And,
        B::Or => BinOp::Or,
        B::Xor => BinOp::Xor,
    }
}

/// The network as the SDK sends it.
pub(super) fn network_to_sdk(n: &Network) -> sdk::NetworkData {
    let mlp = |m: &Mlp| sdk::MlpData {
        layers: m
            .layers
            .iter()
            .map(|l| sdk::LinearData {
                inputs: l.inputs,
                outputs: l.outputs,
                weight: l.weight.clone(),
                bias: l.bias.clone(),
            })
            .collect(),
        activation: match m.activation {
            Activation::Relu => sdk::ActivationData::Relu,
            Activation::Tanh => sdk::ActivationData::Tanh,
            Activation::Sigmoid => sdk::ActivationData::Sigmoid,
            Activation::Identity => sdk::ActivationData::Identity,
        },
    };
    sdk::NetworkData {
        input_dim: n.input_dim,
        hidden_dim: n.hidden_dim,
        output_dim: n.output_dim,
        f: mlp(&n.f),
        g: mlp(&n.g),
        h0: n.h0.clone(),
    }
}

/// A network a plugin returned. Shapes and values are checked later by `Network::validate`.
pub(super) fn network_from_sdk(n: sdk::NetworkData) -> Network {
    let mlp = |m: sdk::MlpData| Mlp {
        layers: m
            .layers
            .into_iter()
            .map(|l| Linear {
                inputs: l.inputs,
                outputs: l.outputs,
                weight: l.weight,
                bias: l.bias,
            })
            .collect(),
        activation: match m.activation {
            sdk::ActivationData::Relu => Activation::Relu,
            sdk::ActivationData::Tanh => Activation::Tanh,
            sdk::ActivationData::Sigmoid => Activation::Sigmoid,
            sdk::ActivationData::Identity => Activation::Identity,
        },
    };
    Network {
        input_dim: n.input_dim,
        hidden_dim: n.hidden_dim,
        output_dim: n.output_dim,
        f: mlp(n.f),
        g: mlp(n.g),
        h0: n.h0,
    }
}

/// An option a plugin declared.
pub(super) fn option_spec_from_sdk(spec: sdk::OptionSpecData) -> OptionSpec {
    let (kind, default) = match spec.default {
        sdk::OptionValueData::Int(v) => (OptionType::Int, OptionValue::Int(v)),
        sdk::OptionValueData::Float(v) => (OptionType::Float, OptionValue::Float(v)),
        sdk::OptionValueData::Bool(v) => (OptionType::Bool, OptionValue::Bool(v)),
        sdk::OptionValueData::Text(v) => (OptionType::Text, OptionValue::Text(v)),
    };
    OptionSpec {
        name: spec.name,
        kind,
        default,
        help: spec.help,
    }
}

/// Resolved option values as the SDK sends them.
pub(super) fn options_to_sdk(options: &Options) -> sdk::OptionValues {
    sdk::OptionValues(
        options
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    OptionValue::Int(v) => sdk::OptionValueData::Int(*v),
                    OptionValue::Float(v) => sdk::OptionValueData::Float(*v),
                    OptionValue::Bool(v) => sdk::OptionValueData::Bool(*v),
                    OptionValue::Text(v) => sdk::OptionValueData::Text(v.clone()),
                };
                (name.to_string(), value)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::network::Shape;

    #[test]
    fn network_round_trips() {
        let mut net = Network::zeros(&Shape {
            input_dim: 2,
            hidden_dim: 3,
            output_dim: 1,
            f_widths: vec![4],
            g_widths: vec![],
            activation: Activation::Tanh,
        });
        net.f
            .parameters_mut()
            .enumerate()
            .for_each(|(i, p)| *p = i as f64 * 0.25 - 3.0);
        net.h0 = vec![1.0, -2.0, 0.5];
        assert_eq!(network_from_sdk(network_to_sdk(&net)), net);
    }

    #[test]
    fn every_operator_maps_to_its_namesake() {
        for (code, op) in mips_plugin_sdk::codec::BIN_OPS.iter().zip(BinOp::ALL) {
            assert_eq!(bin_op(*code), op);
        }
        let e = sdk::ExprData::If(
            Box::new(sdk::ExprData::State(1)),
            Box::new(sdk::ExprData::un(sdk::UnOpData::Abs, sdk::ExprData::Input(0))),
            Box::new(sdk::ExprData::Const(-4)),
        );
        assert_eq!(expr_from_sdk(e).eval(&[0, 0], &[-7]).unwrap(), -4);
    }

    #[test]
    fn programs_round_trip_with_every_operator() {
        let mut e = Expr::ite(Expr::state(1), Expr::input(0), Expr::Const(-4));
        for op in BinOp::ALL {
            e = Expr::bin(op, e, Expr::state(0));
        }
        for op in [UnOp::Neg, UnOp::Not, UnOp::Abs] {
            e = Expr::un(op, e);
        }
        let p = Program {
            state_names: vec!["a".into(), "b".into()],
            init: vec![1, -2],
            input_names: vec!["x".into()],
            updates: vec![e.clone(), Expr::state(0)],
            outputs: vec![e],
            method: "test".into(),
            symbolic: false,
        };
        assert_eq!(program_from_sdk(program_to_sdk(&p)), p);
    }

    #[test]
    fn machines_round_trip_and_duplicate_rows_are_errors() {
        let mut m = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            method: "test".into(),
            ..Default::default()
        };
        m.transitions.insert((vec![0], vec![1]), vec![1]);
        m.outputs.insert(vec![1], vec![9]);
        let mut data = machine_to_sdk(&m);
        assert_eq!(machine_from_sdk(data.clone()), Ok(m));
        data.transitions.push(data.transitions[0].clone());
        let err = machine_from_sdk(data.clone()).unwrap_err();
        assert!(err.contains("twice"), "{err}");
        data.transitions.pop();
        data.outputs.push(data.outputs[0].clone());
        assert!(
            machine_from_sdk(data)
                .unwrap_err()
                .contains("output of state [1] twice")
        );
    }

    #[test]
    fn machine_tables_become_sorted_lists() {
        let mut m = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..Default::default()
        };
        m.transitions.insert((vec![1], vec![0]), vec![1]);
        m.transitions.insert((vec![0], vec![1]), vec![1]);
        m.outputs.insert(vec![1], vec![9]);
        let data = machine_to_sdk(&m);
        assert_eq!(data.transitions[0].state, vec![0]);
        assert_eq!(data.transitions[1].next, vec![1]);
        assert_eq!(data.outputs[0].output, vec![9]);
    }
}
