//! Passes: one trait for every stage of the pipeline (and typed passes adapted to it), typed
//! settings, a registry fed by
//! `inventory` (and by dynamic plugins at run time), pipelines parsed from text or RON, and the
//! pass manager that verifies each pass and rolls back those that fail.

pub mod complexity;
pub mod manager;
pub mod note;
pub mod options;
pub mod pipeline;
pub mod plugin_loader;
pub mod registry;
pub mod settings;
pub mod stage;
pub mod typed;
pub mod verifier;
pub mod verify;

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::data::Dataset;
use crate::ir::{Network, Program, StateMachine};
use crate::task::Task;

pub use complexity::Complexity;
pub use manager::{PassManager, ReportRow, Status};
pub use note::Note;
pub use options::{OptionSpec, OptionType, OptionValue, Options};
pub use pipeline::{Pipeline, PipelineStep};
pub use plugin_loader::{PluginError, PluginProblem, load_plugin, load_plugins};
pub use registry::{Origin, PassFactory, RegisteredPass, Registry};
pub use settings::{OptionField, Settings, SettingsField};
pub use stage::Stage;
pub use typed::{PassInput, PassOutput, TaskOnly, Typed, TypedPass};
pub use verifier::Verifier;

/// The level of the IR a pass reads or writes, in lowering order (levels only move forward).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    Network,
    StateMachine,
    Program,
}

/// What a pass does; fixes which IR level it reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PassKind {
    /// Network -> network: finds a (smaller) architecture and trains it.
    Architecture,
    /// Network -> network: a change of hidden basis that keeps the function.
    Representation,
    /// Network -> network: simplifies parameter values.
    Parameter,
    /// Network -> state machine.
    Extraction,
    /// State machine -> program.
    Regression,
    /// Program -> program.
    Program,
}

impl PassKind {
    /// Every kind, in pipeline order.
    pub const ALL: [PassKind; 6] = [
        PassKind::Architecture,
        PassKind::Representation,
        PassKind::Parameter,
        PassKind::Extraction,
        PassKind::Regression,
        PassKind::Program,
    ];

    /// The IR level the pass reads.
    pub const fn input(self) -> Level {
        match self {
            PassKind::Architecture | PassKind::Representation | PassKind::Parameter | PassKind::Extraction => {
                Level::Network
            }
            PassKind::Regression => Level::StateMachine,
            PassKind::Program => Level::Program,
        }
    }

    /// The IR level the pass writes.
    pub const fn output(self) -> Level {
        match self {
            PassKind::Architecture | PassKind::Representation | PassKind::Parameter => Level::Network,
            PassKind::Extraction => Level::StateMachine,
            PassKind::Regression | PassKind::Program => Level::Program,
        }
    }

    /// Lower-case name for listings.
    pub fn name(self) -> &'static str {
        match self {
            PassKind::Architecture => "architecture",
            PassKind::Representation => "representation",
            PassKind::Parameter => "parameter",
            PassKind::Extraction => "extraction",
            PassKind::Regression => "regression",
            PassKind::Program => "program",
        }
    }
}

/// The output of one pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Artifact {
    Network(Network),
    StateMachine(StateMachine),
    Program(Program),
}

/// Everything the pipeline has produced so far; each pass reads the level it needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Artifacts {
    pub network: Option<Network>,
    pub machine: Option<StateMachine>,
    pub program: Option<Program>,
}

impl Artifacts {
    /// Artifacts holding only a network.
    pub fn from_network(network: Network) -> Self {
        Artifacts {
            network: Some(network),
            ..Default::default()
        }
    }

    /// Stores `artifact` at its level; a new network or machine invalidates what was derived
    /// from the old one.
    pub fn install(&mut self, artifact: Artifact) {
        match artifact {
            Artifact::Network(n) => {
                self.network = Some(n);
                self.machine = None;
                self.program = None;
            }
            Artifact::StateMachine(m) => {
                self.machine = Some(m);
                self.program = None;
            }
            Artifact::Program(p) => self.program = Some(p),
        }
    }

    /// True when the level's artifact is present.
    pub fn has(&self, level: Level) -> bool {
        match level {
            Level::Network => self.network.is_some(),
            Level::StateMachine => self.machine.is_some(),
            Level::Program => self.program.is_some(),
        }
    }
}

/// What a running pass may consult besides its input.
pub struct PassContext<'a> {
    /// The task (training batches, test split, generator).
    pub task: &'a dyn Task,
    /// The run's judge, which searching passes ask too.
    verifier: Verifier<'a>,
    /// Seed for every random choice a pass makes.
    pub seed: u64,
    /// Suppress progress output.
    pub quiet: bool,
    /// Details a pass records for its report row (e.g. training steps, extraction method).
    pub notes: Notes,
}

impl<'a> PassContext<'a> {
    /// A context with no notes yet whose verifier screens on `screen` and confirms on the
    /// task's whole test split.
    pub fn new(task: &'a dyn Task, screen: &'a Dataset, seed: u64, quiet: bool) -> Self {
        PassContext::with_verifier(task, Verifier::on(screen, task.test_split()), seed, quiet)
    }

    /// A context with no notes yet that hands `verifier` to the passes.
    pub fn with_verifier(task: &'a dyn Task, verifier: Verifier<'a>, seed: u64, quiet: bool) -> Self {
        PassContext {
            task,
            verifier,
            seed,
            quiet,
            notes: Notes::default(),
        }
    }

    /// The run's verifier: its screen set (the sequences every pass is judged on, which passes
    /// may read too) and confirm set, and the checks searching passes ask of it.
    pub fn verifier(&self) -> &Verifier<'a> {
        &self.verifier
    }

    /// Records a detail (key, value) for the current pass's report row.
    pub fn note(&self, key: &str, value: impl std::fmt::Display) {
        self.notes.push(key, value.to_string());
    }

    /// Records why a search of the pass stopped early (the note `stop`: the reason, then what
    /// it left undone); nothing when it ran to its end.
    pub fn note_stop(&self, reason: crate::budget::StopReason, consequence: &str) {
        if reason.is_budget() {
            STOP.write(self, format!("{reason}; {consequence}"));
        }
    }
}

/// The report-row note that says why a searching pass stopped early
/// ([`PassContext::note_stop`]).
pub const STOP: Note<String> = Note::new("stop");

/// Key-value details recorded by the running pass; the manager moves them into its report row.
#[derive(Debug, Default)]
pub struct Notes(std::sync::Mutex<Vec<(String, String)>>);

impl Notes {
    /// Appends a detail.
    pub fn push(&self, key: &str, value: String) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((key.to_string(), value));
    }

    /// Removes and returns every detail recorded so far.
    pub fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// One stage of the pipeline. Implementations are registered with [`crate::register_pass!`]
/// (compiled in) or loaded from a dynamic plugin.
pub trait Pass: Send + Sync {
    /// Unique name used in pipelines, e.g. `snap`.
    fn name(&self) -> &str;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// The kind, which fixes input and output levels.
    fn kind(&self) -> PassKind;
    /// The options the pass accepts, with types and defaults.
    fn options(&self) -> Vec<OptionSpec> {
        Vec::new()
    }
    /// Checks option values beyond their types (a word from a fixed set, a list that must
    /// parse), so that a bad value is an error when the pipeline is resolved rather than a
    /// failure when the pass runs.
    fn check_options(&self, _options: &Options) -> Result<()> {
        Ok(())
    }
    /// Runs the pass on the artifacts so far; returns the artifact of its output level.
    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact>;
}

/// Registers a compiled-in pass: `register_pass!(MyPass)` where `MyPass: Pass + Default`-like
/// expression constructs the pass.
#[macro_export]
macro_rules! register_pass {
    ($make:expr) => {
        $crate::inventory::submit! {
            $crate::pass::PassFactory { create: || ::std::boxed::Box::new($make) }
        }
    };
}
