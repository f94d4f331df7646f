//! The plugin wire format: every message kind.

use std::sync::LazyLock;

use mips_plugin_sdk::{
    ActivationData, BinOpData, ExprData, ExtractRequest, LinearData, Message, MlpData, NetworkData, NetworkRequest,
    ObservationsData, ObservedSequenceData, OptionSpecData, OptionSpecs, OptionValueData, OptionValues, ProgramData,
    ProgramRequest, RegressRequest, StateMachineData, StateOutputData, TransitionData, UnOpData,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::harness::{bounded, fuzz, short_message};

fn network() -> NetworkData {
    let layer = |i, o| LinearData {
        inputs: i,
        outputs: o,
        weight: vec![0.5; i * o],
        bias: vec![-1.25; o],
    };
    NetworkData {
        input_dim: 1,
        hidden_dim: 2,
        output_dim: 1,
        f: MlpData {
            layers: vec![layer(3, 4), layer(4, 2)],
            activation: ActivationData::Tanh,
        },
        g: MlpData {
            layers: vec![layer(2, 1)],
            activation: ActivationData::Identity,
        },
        h0: vec![0.0, f64::MIN_POSITIVE],
    }
}

fn program() -> ProgramData {
    let square = ExprData::bin(BinOpData::Mul, ExprData::Input(0), ExprData::Input(0));
    ProgramData {
        state_names: vec!["z".into()],
        init: vec![-3],
        input_names: vec!["x".into()],
        updates: vec![ExprData::bin(BinOpData::Add, ExprData::State(0), square)],
        outputs: vec![ExprData::If(
            Box::new(ExprData::State(0)),
            Box::new(ExprData::un(UnOpData::Abs, ExprData::Const(i64::MIN + 1))),
            Box::new(ExprData::Const(7)),
        )],
        method: "polynomial".into(),
        symbolic: true,
    }
}

fn options() -> OptionValues {
    OptionValues(vec![
        ("degree".into(), OptionValueData::Int(2)),
        ("tol".into(), OptionValueData::Float(0.5)),
        ("exact".into(), OptionValueData::Bool(true)),
        ("name".into(), OptionValueData::Text("x".into())),
    ])
}

fn machine() -> StateMachineData {
    StateMachineData {
        state_dim: 1,
        input_dim: 1,
        output_dim: 1,
        initial: vec![0],
        transitions: vec![TransitionData {
            state: vec![0],
            input: vec![2],
            next: vec![4],
        }],
        outputs: vec![StateOutputData {
            state: vec![4],
            output: vec![4],
        }],
        alphabet: Some(vec![vec![0], vec![2]]),
        complete: false,
        method: "lattice".into(),
        state_names: vec!["n".into()],
    }
}

fn observations() -> ObservationsData {
    ObservationsData {
        input_dim: 1,
        hidden_dim: 2,
        output_dim: 1,
        sequences: vec![ObservedSequenceData {
            inputs: vec![3, -1],
            hidden: vec![0.5, -0.0, f64::MAX, 1e-300],
            outputs: vec![2.49, -7.5],
            rounded: vec![2, -8],
        }],
    }
}

static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    vec![
        program().to_bytes(),
        network().to_bytes(),
        RegressRequest {
            options: options(),
            seed: u64::MAX,
            machine: machine(),
            data: None,
        }
        .to_bytes(),
        NetworkRequest {
            options: options(),
            seed: 7,
            network: network(),
            data: Some(observations()),
        }
        .to_bytes(),
        ExtractRequest {
            options: options(),
            seed: 3,
            network: network(),
            data: Some(observations()),
        }
        .to_bytes(),
        ProgramRequest {
            options: options(),
            seed: 0,
            program: program(),
            data: Some(observations()),
        }
        .to_bytes(),
        machine().to_bytes(),
        OptionSpecs(vec![OptionSpecData::new(
            "degree",
            OptionValueData::Int(3),
            "max degree",
        )])
        .to_bytes(),
    ]
});

/// Decodes `bytes` as message `M`: an error must be short, and a decoded message must encode
/// back to exactly these bytes.
fn check<M: Message>(bytes: &[u8]) -> Result<(), TestCaseError> {
    match M::from_bytes(bytes) {
        Err(e) => short_message(&e.to_string()),
        Ok(message) => {
            prop_assert!(
                message.to_bytes() == bytes,
                "{} does not re-encode to its bytes",
                M::NAME
            );
            Ok(())
        }
    }
}

#[test]
fn plugin_wire_messages() {
    fuzz("plugin wire messages", &SEEDS, |bytes| {
        bounded(move || -> Result<(), TestCaseError> {
            check::<ProgramData>(&bytes)?;
            check::<NetworkData>(&bytes)?;
            check::<RegressRequest>(&bytes)?;
            check::<NetworkRequest>(&bytes)?;
            check::<ExtractRequest>(&bytes)?;
            check::<ProgramRequest>(&bytes)?;
            check::<StateMachineData>(&bytes)?;
            check::<OptionSpecs>(&bytes)
        })?
    });
}
