//! Plain data types that cross the plugin boundary (encoded with [`crate::wire`]). They mirror
//! the host's IR (`StateMachine`, `Program`, `Network`) field by field without depending on it.

/// A transition `(state, input) -> next` of a [`StateMachineData`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransitionData {
    pub state: Vec<i64>,
    pub input: Vec<i64>,
    pub next: Vec<i64>,
}

/// The output of one state of a [`StateMachineData`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateOutputData {
    pub state: Vec<i64>,
    pub output: Vec<i64>,
}

/// An integer-state Moore machine as observed on data: the output at step t is the output of
/// the state reached after step t.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateMachineData {
    pub state_dim: usize,
    pub input_dim: usize,
    pub output_dim: usize,
    /// The state before the first input.
    pub initial: Vec<i64>,
    /// Observed transitions, sorted by `(state, input)`, each pair at most once.
    pub transitions: Vec<TransitionData>,
    /// Output of each state, sorted by state, each state at most once.
    pub outputs: Vec<StateOutputData>,
    /// The input alphabet when it is finite and known.
    pub alphabet: Option<Vec<Vec<i64>>>,
    /// True when every reachable (state, input) pair of the finite alphabet has a transition.
    pub complete: bool,
    /// How the states were read off the network.
    pub method: String,
    /// Names of the state components (empty when unknown).
    pub state_names: Vec<String>,
}

/// Unary operators of [`ExprData`] (Python meaning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOpData {
    /// `-a`.
    Neg,
    /// `1 if a == 0 else 0`.
    Not,
    /// `abs(a)`.
    Abs,
}

/// Binary operators of [`ExprData`] (Python meaning; comparisons and `And`/`Or` give 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOpData {
    Add,
    Sub,
    Mul,
    /// Floor division `//`.
    FloorDiv,
    /// `%` with the sign of the divisor.
    Mod,
    Min,
    Max,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Logical and.
    And,
    /// Logical or.
    Or,
    /// Bitwise xor `^`.
    Xor,
}

/// An integer expression with Python semantics; overflow and division by zero are errors
/// when the host evaluates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprData {
    Const(i64),
    /// State variable `k` (in an update: the previous value; in an output: the new value).
    State(usize),
    /// Input component `k` of the current step.
    Input(usize),
    Unary(UnOpData, Box<ExprData>),
    Binary(BinOpData, Box<ExprData>, Box<ExprData>),
    /// `then if cond != 0 else otherwise`, in that field order: `If(cond, then, otherwise)`.
    If(Box<ExprData>, Box<ExprData>, Box<ExprData>),
}

impl ExprData {
    /// `op(a, b)`.
    pub fn bin(op: BinOpData, a: ExprData, b: ExprData) -> ExprData {
        ExprData::Binary(op, Box::new(a), Box::new(b))
    }

    /// `op(a)`.
    pub fn un(op: UnOpData, a: ExprData) -> ExprData {
        ExprData::Unary(op, Box::new(a))
    }
}

/// A program: state variables updated simultaneously from the previous state and the current
/// input, and outputs computed from the new state and the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramData {
    pub state_names: Vec<String>,
    pub init: Vec<i64>,
    pub input_names: Vec<String>,
    /// One update per state variable.
    pub updates: Vec<ExprData>,
    /// One expression per output.
    pub outputs: Vec<ExprData>,
    /// How the program was found.
    pub method: String,
    /// False when the program is a lookup table rather than a formula.
    pub symbolic: bool,
}

/// Activation applied between the layers of an MLP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ActivationData {
    #[default]
    Relu,
    Tanh,
    Sigmoid,
    Identity,
}

/// An affine layer `y = W x + b`; `weight` is row-major `outputs × inputs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinearData {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f64>,
    pub bias: Vec<f64>,
}

/// Linear layers with `activation` between them (never after the last).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MlpData {
    pub layers: Vec<LinearData>,
    pub activation: ActivationData,
}

/// The recurrent network `h_t = f([h_{t-1}, x_t])`, `y_t = g(h_t)`, starting from `h0`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkData {
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    /// Reads `[h_{t-1}, x_t]` (hidden first).
    pub f: MlpData,
    pub g: MlpData,
    pub h0: Vec<f64>,
}

/// A typed option value.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValueData {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

/// The declaration of one option a pass accepts; its type is the type of `default`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpecData {
    pub name: String,
    pub default: OptionValueData,
    pub help: String,
}

impl OptionSpecData {
    /// An option of the type of `default`.
    pub fn new(name: &str, default: OptionValueData, help: &str) -> Self {
        OptionSpecData {
            name: name.into(),
            default,
            help: help.into(),
        }
    }
}

/// The options a pass declares (the descriptor's `options` message).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionSpecs(pub Vec<OptionSpecData>);

/// The resolved option values of one run: every declared option, defaults filled in by the host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionValues(pub Vec<(String, OptionValueData)>);

impl OptionValues {
    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&OptionValueData> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn typed<T>(&self, name: &str, what: &str, pick: impl Fn(&OptionValueData) -> Option<T>) -> Result<T, String> {
        let value = self.get(name).ok_or_else(|| format!("option '{name}' was not given"))?;
        pick(value).ok_or_else(|| format!("option '{name}' is {value:?}, not {what}"))
    }

    /// An integer option.
    pub fn int(&self, name: &str) -> Result<i64, String> {
        self.typed(name, "an integer", |v| match v {
            OptionValueData::Int(i) => Some(*i),
            _ => None,
        })
    }

    /// A number option (integers convert).
    pub fn float(&self, name: &str) -> Result<f64, String> {
        self.typed(name, "a number", |v| match v {
            OptionValueData::Float(f) => Some(*f),
            OptionValueData::Int(i) => Some(*i as f64),
            _ => None,
        })
    }

    /// A Boolean option.
    pub fn bool(&self, name: &str) -> Result<bool, String> {
        self.typed(name, "a Boolean", |v| match v {
            OptionValueData::Bool(b) => Some(*b),
            _ => None,
        })
    }

    /// A text option.
    pub fn text(&self, name: &str) -> Result<String, String> {
        self.typed(name, "text", |v| match v {
            OptionValueData::Text(t) => Some(t.clone()),
            _ => None,
        })
    }
}

/// One verification sequence and what the network did on it. Vectors are row-major by step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObservedSequenceData {
    /// `steps × input_dim` inputs.
    pub inputs: Vec<i64>,
    /// `steps × hidden_dim`: the network's hidden state after each step.
    pub hidden: Vec<f64>,
    /// `steps × output_dim`: the network's raw outputs.
    pub outputs: Vec<f64>,
    /// `steps × output_dim`: the outputs rounded to integers (half away from zero), the
    /// behaviour the host's verifier compares every pass's output with.
    pub rounded: Vec<i64>,
}

/// The verification inputs and the network's behaviour on them: what a pass that asks for
/// data ([`crate::abi::FLAG_WANTS_DATA`]) receives. The network is the pipeline's current one
/// (the input of a network or extraction pass; the network a machine or program was read off).
/// The labels are not sent: passes describe the network, not the task.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObservationsData {
    pub input_dim: usize,
    pub hidden_dim: usize,
    pub output_dim: usize,
    pub sequences: Vec<ObservedSequenceData>,
}

/// What the host sends a regressor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegressRequest {
    pub options: OptionValues,
    /// Seed for every random choice the pass makes.
    pub seed: u64,
    pub machine: StateMachineData,
    /// Present when the pass asked for data and the pipeline has a network.
    pub data: Option<ObservationsData>,
}

/// What the host sends a network pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkRequest {
    pub options: OptionValues,
    /// Seed for every random choice the pass makes.
    pub seed: u64,
    pub network: NetworkData,
    /// Present when the pass asked for data.
    pub data: Option<ObservationsData>,
}

/// What the host sends an extraction pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExtractRequest {
    pub options: OptionValues,
    /// Seed for every random choice the pass makes.
    pub seed: u64,
    pub network: NetworkData,
    /// Present when the pass asked for data.
    pub data: Option<ObservationsData>,
}

/// What the host sends a program pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgramRequest {
    pub options: OptionValues,
    /// Seed for every random choice the pass makes.
    pub seed: u64,
    pub program: ProgramData,
    /// Present when the pass asked for data and the pipeline has a network.
    pub data: Option<ObservationsData>,
}
