//! The Rust side of a plugin: implement [`Regressor`] or [`NetworkPass`], wrap each in a
//! [`Plugin`] and export them with [`crate::export_plugins!`].

use crate::abi::{KIND_PARAMETER, KIND_REGRESSION, KIND_REPRESENTATION};
use crate::data::{NetworkData, OptionSpecData, OptionValues, ProgramData, StateMachineData};

/// A regression pass: state machine → program. The host verifies that the program reproduces
/// the machine on the verification sequences and rolls it back otherwise.
pub trait Regressor: Send + Sync {
    /// Unique pass name used in pipelines (ASCII letters, digits, `-`, `_`, `.`).
    fn name(&self) -> &str;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// The options the pass accepts, with defaults.
    fn options(&self) -> Vec<OptionSpecData> {
        Vec::new()
    }
    /// Finds a program for `machine`; `options` holds every declared option.
    fn regress(&self, machine: &StateMachineData, options: &OptionValues, seed: u64) -> Result<ProgramData, String>;
}

/// Which network → network kind a [`NetworkPass`] is; fixes how the host verifies it (both
/// must keep the network's accuracy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkKind {
    /// Simplifies parameter values.
    Parameter,
    /// Changes the hidden basis, keeping the function.
    Representation,
}

/// A network pass: network → network.
pub trait NetworkPass: Send + Sync {
    /// Unique pass name used in pipelines (ASCII letters, digits, `-`, `_`, `.`).
    fn name(&self) -> &str;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// Parameter or representation pass.
    fn kind(&self) -> NetworkKind;
    /// The options the pass accepts, with defaults.
    fn options(&self) -> Vec<OptionSpecData> {
        Vec::new()
    }
    /// Transforms `network`; `options` holds every declared option.
    fn run(&self, network: &NetworkData, options: &OptionValues, seed: u64) -> Result<NetworkData, String>;
}

/// One exported pass.
pub enum Plugin {
    Regressor(Box<dyn Regressor>),
    Network(Box<dyn NetworkPass>),
}

impl Plugin {
    /// Wraps a regressor.
    pub fn regressor(pass: impl Regressor + 'static) -> Plugin {
        Plugin::Regressor(Box::new(pass))
    }

    /// Wraps a network pass.
    pub fn network(pass: impl NetworkPass + 'static) -> Plugin {
        Plugin::Network(Box::new(pass))
    }

    /// The pass name.
    pub fn name(&self) -> &str {
        match self {
            Plugin::Regressor(p) => p.name(),
            Plugin::Network(p) => p.name(),
        }
    }

    /// The pass description.
    pub fn description(&self) -> &str {
        match self {
            Plugin::Regressor(p) => p.description(),
            Plugin::Network(p) => p.description(),
        }
    }

    /// The ABI kind code.
    pub fn kind_code(&self) -> u32 {
        match self {
            Plugin::Regressor(_) => KIND_REGRESSION,
            Plugin::Network(p) => match p.kind() {
                NetworkKind::Parameter => KIND_PARAMETER,
                NetworkKind::Representation => KIND_REPRESENTATION,
            },
        }
    }

    /// The declared options.
    pub fn options(&self) -> Vec<OptionSpecData> {
        match self {
            Plugin::Regressor(p) => p.options(),
            Plugin::Network(p) => p.options(),
        }
    }
}
