//! The verifier: the one judge of every pass. After each pass the manager checks the output
//! against what it was derived from on the verification sequences: a network pass must keep the
//! rounded outputs of the network it was given, a state machine and a program must reproduce
//! their input's behaviour, a program pass must keep the program's outputs. Its verdict is
//! final: a pass that fails it is rolled back, whatever the pass itself checked.

use super::verify::{
    accuracy_of, first_disagreement, machine_behaviour, network_accuracy, network_behaviour, program_behaviour,
};
use super::{Artifact, Artifacts, Level, PassContext, PassKind};
use crate::data::Dataset;
use crate::ir::{Network, Program, StateMachine};
use crate::task::Task;

/// The verification sequences of a run, built the same way for every verb.
pub struct Verifier {
    sequences: Dataset,
}

impl Verifier {
    /// The first `verify_size` sequences of the task's test split, or the whole split for 0
    /// (the meaning of `--verify-size` in every verb).
    pub fn new(task: &dyn Task, verify_size: usize) -> Verifier {
        let sequences = match verify_size {
            0 => task.test_split().clone(),
            n => task.test_split().head(n),
        };
        Verifier { sequences }
    }

    /// The sequences every pass is checked on.
    pub fn sequences(&self) -> &Dataset {
        &self.sequences
    }

    /// A pass context that hands these sequences to the passes.
    pub fn context<'a>(&'a self, task: &'a dyn Task, seed: u64, quiet: bool) -> PassContext<'a> {
        PassContext::new(task, &self.sequences, seed, quiet)
    }
}

/// The verifier's verdict on one pass's output.
pub(crate) struct Verdict {
    /// Accuracy of the output against the labels of the verification sequences.
    pub accuracy: f64,
    /// Why the output is refused, if it is.
    pub problem: Option<String>,
}

impl Verdict {
    fn refused(problem: impl Into<String>) -> Verdict {
        Verdict {
            accuracy: 0.0,
            problem: Some(problem.into()),
        }
    }
}

/// Checks `artifact` (the output of a pass of `kind`) against what it was derived from.
pub(crate) fn check(kind: PassKind, before: &Artifacts, artifact: &Artifact, data: &Dataset) -> Verdict {
    let level = match artifact {
        Artifact::Network(_) => Level::Network,
        Artifact::StateMachine(_) => Level::StateMachine,
        Artifact::Program(_) => Level::Program,
    };
    if kind.output() != level {
        return Verdict::refused(format!("a {} pass must produce a {:?}", kind.name(), kind.output()));
    }
    match artifact {
        Artifact::Network(net) => check_network(before.network.as_ref(), net, data),
        Artifact::StateMachine(sm) => check_machine(before.network.as_ref(), sm, data),
        Artifact::Program(p) => check_program(kind, before, p, data),
    }
}

/// A network pass keeps the behaviour of the network it was given (its rounded outputs on every
/// verification sequence), whatever the labels say: the program is read off the network, so a
/// pass may not move the network towards the labels.
fn check_network(old: Option<&Network>, net: &Network, data: &Dataset) -> Verdict {
    if let Err(e) = net.validate() {
        return Verdict::refused(e.to_string());
    }
    if net.input_dim != data.input_dim || net.output_dim != data.output_dim {
        return Verdict::refused(format!(
            "network maps {} inputs to {} outputs, the task has {} and {}",
            net.input_dim, net.output_dim, data.input_dim, data.output_dim
        ));
    }
    let problem = old.and_then(|old| {
        first_disagreement(data, network_behaviour(old), network_behaviour(net))
            .map(|d| format!("network's rounded outputs changed on {d}"))
    });
    Verdict {
        accuracy: network_accuracy(net, data),
        problem,
    }
}

/// A state machine reproduces the network's rounded outputs (a table gap is a failure).
fn check_machine(net: Option<&Network>, sm: &StateMachine, data: &Dataset) -> Verdict {
    if let Err(e) = sm.validate() {
        return Verdict::refused(e.to_string());
    }
    let Some(net) = net else {
        return Verdict::refused("an extraction ran without a network");
    };
    let problem = first_disagreement(data, network_behaviour(net), machine_behaviour(sm))
        .map(|d| format!("state machine differs from the network on {d}"));
    Verdict {
        accuracy: accuracy_of(data, |x| sm.run(x).ok()),
        problem,
    }
}

/// A regression's program reproduces the state machine; a program pass keeps its input's outputs.
fn check_program(kind: PassKind, before: &Artifacts, p: &Program, data: &Dataset) -> Verdict {
    if let Err(e) = p.validate() {
        return Verdict::refused(e.to_string());
    }
    if p.input_dim() != data.input_dim || p.output_dim() != data.output_dim {
        return Verdict::refused("program's input or output width differs from the task's");
    }
    let problem = match (kind, &before.machine, &before.program) {
        (PassKind::Regression, Some(sm), _) => first_disagreement(data, machine_behaviour(sm), program_behaviour(p))
            .map(|d| format!("program differs from the state machine on {d}")),
        (PassKind::Regression, None, _) => Some("a regression ran without a state machine".into()),
        (_, _, Some(old)) => first_disagreement(data, program_behaviour(old), program_behaviour(p))
            .map(|d| format!("program differs from its input on {d}")),
        (_, _, None) => Some("a program pass ran without a program".into()),
    };
    Verdict {
        accuracy: accuracy_of(data, |x| p.run(x).ok()),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_size_zero_is_the_whole_test_split_in_every_verb() {
        let task = crate::tasks::builtin("Parity_All").unwrap();
        let whole = task.test_split().sequences.len();
        assert_eq!(Verifier::new(&task, 0).sequences().sequences.len(), whole);
        assert_eq!(Verifier::new(&task, 5).sequences().sequences.len(), 5.min(whole));
    }
}
