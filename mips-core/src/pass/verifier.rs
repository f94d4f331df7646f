//! The verifier: the one judge of every pass. After each pass the manager checks the output
//! against what it was derived from on the screen set: a network pass must keep the rounded
//! outputs of the network it was given, a state machine and a program must reproduce their
//! input's behaviour, a program pass must keep the program's outputs. Its verdict is final: a
//! pass that fails it is rolled back, whatever the pass itself checked.
//!
//! A searching pass asks the same verifier instead of carrying its own judge: a network search
//! for a [`Checker`] ([`Verifier::network_check`]), an extractor whether a candidate machine
//! reproduces the network ([`Verifier::machine_disagreement`]). Both check the screen set and
//! (unless a parameter pass's `check=verify` says otherwise) the confirm set, the task's whole
//! test split, so they refuse at least what the manager's verdict on the screen set refuses.

mod network;

pub use network::{Checker, hardest};

use std::borrow::Cow;

use rayon::prelude::*;

use super::verify::{
    accuracy_of, first_disagreement, machine_behaviour, network_accuracy, network_behaviour, program_behaviour,
    rounded_outputs,
};
use super::{Artifact, Artifacts, Level, PassContext, PassKind};
use crate::data::Dataset;
use crate::ir::{Network, Program, StateMachine};
use crate::task::Task;
use crate::{MipsError, Result};

/// The judge of a run: a cheap screen set (the first `--verify-size` test sequences, the
/// manager's verdict after each pass) and a confirm set (the task's whole test split), built the
/// same way for every verb and handed to passes through [`PassContext::verifier`].
pub struct Verifier<'a> {
    screen: Cow<'a, Dataset>,
    confirm: &'a Dataset,
}

/// Where a network search must keep its reference's behaviour (a parameter pass's `check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The screen set only.
    Screen,
    /// The screen set and the confirm set's hardest sequences, the result confirmed on the
    /// whole confirm set.
    Confirm,
}

impl<'a> Verifier<'a> {
    /// The first `verify_size` sequences of the task's test split as the screen set, or the whole
    /// split for 0 (the meaning of `--verify-size` in every verb); the whole split as the confirm set.
    pub fn new(task: &'a dyn Task, verify_size: usize) -> Verifier<'a> {
        let test = task.test_split();
        let screen = match verify_size {
            0 => Cow::Borrowed(test),
            n => Cow::Owned(test.head(n)),
        };
        Verifier { screen, confirm: test }
    }

    /// A verifier on the given screen and confirm sets.
    pub fn on(screen: &'a Dataset, confirm: &'a Dataset) -> Verifier<'a> {
        Verifier {
            screen: Cow::Borrowed(screen),
            confirm,
        }
    }

    /// The sequences the manager checks every pass on.
    pub fn screen(&self) -> &Dataset {
        &self.screen
    }

    /// The task's whole test split, on which searches confirm their results.
    pub fn confirm(&self) -> &'a Dataset {
        self.confirm
    }

    /// A pass context that hands this verifier to the passes.
    pub fn context<'b>(&'b self, task: &'b dyn Task, seed: u64, quiet: bool) -> PassContext<'b> {
        PassContext::with_verifier(task, Verifier::on(self.screen(), self.confirm), seed, quiet)
    }

    /// An error unless the sets of `scope` have `net`'s input and output widths; cheap, so a
    /// pass can reject bad input before it builds a checker.
    pub fn fits(&self, net: &Network, scope: Scope) -> Result<()> {
        let sets = match scope {
            Scope::Screen => vec![self.screen()],
            Scope::Confirm => vec![self.screen(), self.confirm],
        };
        match sets
            .into_iter()
            .find(|d| d.input_dim != net.input_dim || d.output_dim != net.output_dim)
        {
            None => Ok(()),
            Some(d) => Err(MipsError::invalid(
                "data",
                format!(
                    "sequences have {} inputs and {} outputs per step, the network {} and {}",
                    d.input_dim, d.output_dim, net.input_dim, net.output_dim
                ),
            )),
        }
    }

    /// The checker of a network search: candidates must keep `reference`'s rounded outputs on
    /// the sets of `scope` (see [`Checker`]).
    pub fn network_check(&self, reference: &Network, scope: Scope) -> Result<Checker> {
        self.fits(reference, scope)?;
        Ok(match scope {
            Scope::Screen => Checker::new(reference, &[self.screen()]),
            Scope::Confirm => Checker::confirming(reference, self.screen(), self.confirm),
        })
    }

    /// Why `sm` does not reproduce `net`'s rounded outputs: on the screen set (a gap counts, as
    /// in the manager's verdict) or, outside its gaps, on the confirm set (an infinite-state
    /// machine's table cannot hold every state of the split).
    pub fn machine_disagreement(&self, net: &Network, sm: &StateMachine) -> Option<String> {
        if let Some(d) = first_disagreement(self.screen(), network_behaviour(net), machine_behaviour(sm)) {
            return Some(format!("differs from the network on {d}"));
        }
        conflict(self.confirm, net, sm).map(|i| format!("differs from the network on test sequence {i}"))
    }

    /// The inputs of the first confirm-set sequence on which `sm` does not reproduce `net`'s
    /// rounded outputs (outside its gaps): an equivalence query for a learner that uses the
    /// network as its oracle. `None` when the machine agrees on the whole split.
    pub fn counterexample(&self, net: &Network, sm: &StateMachine) -> Option<&[i64]> {
        conflict(self.confirm, net, sm).map(|i| self.confirm.sequences[i].inputs.as_slice())
    }

    /// The verdict on `artifact` (the output of a pass of `kind`) against what it was derived
    /// from, on the screen set.
    pub(crate) fn verdict(&self, kind: PassKind, before: &Artifacts, artifact: &Artifact) -> Verdict {
        check(kind, before, artifact, self.screen())
    }
}

/// The first sequence of `test` on which `sm` runs without a gap but its outputs differ from the
/// network's rounded outputs (none when the widths differ).
fn conflict(test: &Dataset, net: &Network, sm: &StateMachine) -> Option<usize> {
    if test.input_dim != net.input_dim || test.output_dim != net.output_dim {
        return None;
    }
    test.sequences
        .par_iter()
        .position_first(|s| matches!(sm.run(&s.inputs), Ok(out) if out != rounded_outputs(net, &s.inputs)))
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
fn check(kind: PassKind, before: &Artifacts, artifact: &Artifact, data: &Dataset) -> Verdict {
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
    use crate::data::Sequence;
    use crate::ir::Activation;
    use crate::ir::network::Shape;

    #[test]
    fn verify_size_zero_is_the_whole_test_split_in_every_verb() {
        let task = crate::tasks::builtin("Parity_All").unwrap();
        let whole = task.test_split().sequences.len();
        assert_eq!(Verifier::new(&task, 0).screen().sequences.len(), whole);
        assert_eq!(Verifier::new(&task, 5).screen().sequences.len(), 5.min(whole));
    }

    #[test]
    fn a_pass_context_confirms_on_the_whole_test_split_and_screens_on_verify_size() {
        let task = crate::tasks::builtin("Parity_All").unwrap();
        let test = task.test_split();
        for verify_size in [0, 5] {
            let verifier = Verifier::new(&task, verify_size);
            let ctx = verifier.context(&task, 0, true);
            assert_eq!(ctx.verifier().confirm(), test);
            let screen = match verify_size {
                0 => test.clone(),
                n => test.head(n),
            };
            assert_eq!(ctx.verifier().screen(), &screen);
        }
        let head = test.head(7);
        let ctx = PassContext::new(&task, &head, 0, true);
        assert_eq!((ctx.verifier().screen(), ctx.verifier().confirm()), (&head, test));
    }

    #[test]
    fn a_machine_is_judged_with_its_gaps_on_the_screen_set_and_outside_them_on_the_confirm_set() {
        // The network outputs 0 at every step.
        let net = Network::zeros(&Shape {
            input_dim: 1,
            hidden_dim: 1,
            output_dim: 1,
            f_widths: vec![],
            g_widths: vec![],
            activation: Activation::Relu,
        });
        // The machine agrees on input 0, says 1 after input 1, and has no row for input 2.
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..Default::default()
        };
        sm.transitions.insert((vec![0], vec![0]), vec![0]);
        sm.transitions.insert((vec![0], vec![1]), vec![1]);
        sm.transitions.insert((vec![1], vec![0]), vec![0]);
        sm.outputs.insert(vec![0], vec![0]);
        sm.outputs.insert(vec![1], vec![1]);
        let data = |seqs: &[&[i64]]| Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences: seqs
                .iter()
                .map(|xs| Sequence {
                    inputs: xs.to_vec(),
                    outputs: vec![0; xs.len()],
                })
                .collect(),
        };
        assert_eq!(
            conflict(&data(&[&[0, 0], &[0, 2, 1]]), &net, &sm),
            None,
            "a gap is not a conflict"
        );
        assert_eq!(conflict(&data(&[&[0, 2], &[0, 0], &[0, 1]]), &net, &sm), Some(2));
        let (clean, gap) = (data(&[&[0, 0]]), data(&[&[0, 2]]));
        assert_eq!(Verifier::on(&clean, &gap).machine_disagreement(&net, &sm), None);
        assert!(Verifier::on(&gap, &clean).machine_disagreement(&net, &sm).is_some());
    }
}
