//! The Rust side of a plugin: implement [`Regressor`], [`NetworkPass`], [`Extractor`] or
//! [`ProgramPass`], wrap each in a [`Plugin`] and export them with [`crate::export_plugins!`].

use crate::abi::{
    FLAG_WANTS_DATA, KIND_EXTRACTION, KIND_PARAMETER, KIND_PROGRAM, KIND_REGRESSION, KIND_REPRESENTATION,
};
use crate::data::{NetworkData, ObservationsData, OptionSpecData, OptionValues, ProgramData, StateMachineData};

/// What a pass receives besides its input and its options.
#[derive(Clone, Copy, Debug)]
pub struct RunContext<'a> {
    /// Seed for every random choice the pass makes.
    pub seed: u64,
    /// The verification inputs and the network's behaviour on them: present when the pass
    /// asked for them (`wants_data`) and the pipeline has a network.
    pub data: Option<&'a ObservationsData>,
}

impl<'a> RunContext<'a> {
    /// The data, or an error saying the pass needs it (for passes that cannot do without).
    pub fn require_data(&self) -> Result<&'a ObservationsData, String> {
        self.data.ok_or_else(|| {
            "this pass needs the network's behaviour on the verification inputs, but the pipeline has no network".into()
        })
    }
}

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
    /// True to receive the verification data in [`RunContext::data`].
    fn wants_data(&self) -> bool {
        false
    }
    /// Finds a program for `machine`; `options` holds every declared option.
    fn regress(
        &self,
        machine: &StateMachineData,
        options: &OptionValues,
        ctx: &RunContext,
    ) -> Result<ProgramData, String>;
}

/// Which network → network kind a [`NetworkPass`] is; fixes how the host verifies it (both
/// must keep the network's rounded outputs).
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
    /// True to receive the verification data in [`RunContext::data`].
    fn wants_data(&self) -> bool {
        false
    }
    /// Transforms `network`; `options` holds every declared option.
    fn run(&self, network: &NetworkData, options: &OptionValues, ctx: &RunContext) -> Result<NetworkData, String>;
}

/// An extraction pass: network → state machine. The host verifies that the machine
/// reproduces the network's rounded outputs on every verification sequence.
pub trait Extractor: Send + Sync {
    /// Unique pass name used in pipelines (ASCII letters, digits, `-`, `_`, `.`).
    fn name(&self) -> &str;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// The options the pass accepts, with defaults.
    fn options(&self) -> Vec<OptionSpecData> {
        Vec::new()
    }
    /// True to receive the verification data (hidden states included) in [`RunContext::data`].
    fn wants_data(&self) -> bool {
        false
    }
    /// Reads a state machine off `network`; `options` holds every declared option.
    fn extract(
        &self,
        network: &NetworkData,
        options: &OptionValues,
        ctx: &RunContext,
    ) -> Result<StateMachineData, String>;
}

/// A program pass: program → program. The host verifies that the outputs stay those of the
/// input program on every verification sequence.
pub trait ProgramPass: Send + Sync {
    /// Unique pass name used in pipelines (ASCII letters, digits, `-`, `_`, `.`).
    fn name(&self) -> &str;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// The options the pass accepts, with defaults.
    fn options(&self) -> Vec<OptionSpecData> {
        Vec::new()
    }
    /// True to receive the verification data in [`RunContext::data`].
    fn wants_data(&self) -> bool {
        false
    }
    /// Transforms `program`; `options` holds every declared option.
    fn run(&self, program: &ProgramData, options: &OptionValues, ctx: &RunContext) -> Result<ProgramData, String>;
}

/// One exported pass.
pub enum Plugin {
    Regressor(Box<dyn Regressor>),
    Network(Box<dyn NetworkPass>),
    Extractor(Box<dyn Extractor>),
    Program(Box<dyn ProgramPass>),
}

/// Calls `$method` on the pass inside any [`Plugin`].
macro_rules! each {
    ($plugin:expr, $pass:ident => $body:expr) => {
        match $plugin {
            Plugin::Regressor($pass) => $body,
            Plugin::Network($pass) => $body,
            Plugin::Extractor($pass) => $body,
            Plugin::Program($pass) => $body,
        }
    };
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

    /// Wraps an extractor.
    pub fn extractor(pass: impl Extractor + 'static) -> Plugin {
        Plugin::Extractor(Box::new(pass))
    }

    /// Wraps a program pass.
    pub fn program(pass: impl ProgramPass + 'static) -> Plugin {
        Plugin::Program(Box::new(pass))
    }

    /// The pass name.
    pub fn name(&self) -> &str {
        each!(self, p => p.name())
    }

    /// The pass description.
    pub fn description(&self) -> &str {
        each!(self, p => p.description())
    }

    /// The ABI kind code.
    pub fn kind_code(&self) -> u32 {
        match self {
            Plugin::Regressor(_) => KIND_REGRESSION,
            Plugin::Network(p) => match p.kind() {
                NetworkKind::Parameter => KIND_PARAMETER,
                NetworkKind::Representation => KIND_REPRESENTATION,
            },
            Plugin::Extractor(_) => KIND_EXTRACTION,
            Plugin::Program(_) => KIND_PROGRAM,
        }
    }

    /// The ABI descriptor flags.
    pub fn flags(&self) -> u32 {
        if each!(self, p => p.wants_data()) {
            FLAG_WANTS_DATA
        } else {
            0
        }
    }

    /// The declared options.
    pub fn options(&self) -> Vec<OptionSpecData> {
        each!(self, p => p.options())
    }
}
