//! From a quantizer (hidden vector → integer state) to a state machine: tables built from the
//! core records (every step must be read, and the tables must be consistent), extended with
//! long sequences while the network stays on its discrete set, then filled by querying the
//! network from a hidden state of each state on every input (bounded exploration), and finally
//! checked on held-out sequences.

use std::collections::{BTreeMap, BTreeSet};

use mips_core::ir::{LatticeCoding, Network, StateMachine};
use rayon::prelude::*;

use super::collect::{Samples, exact_output};
use super::options::ExtractOptions;

/// Reads integer states off hidden vectors.
pub trait Quantizer: Sync {
    /// Number of components of a state.
    fn state_dim(&self) -> usize;
    /// The state of `h0`, or `None` when `h0` is not near any state (the initial state is then
    /// the state whose successors are those of `h0`).
    fn initial(&self, h0: &[f64]) -> Option<Vec<i64>>;
    /// The state of hidden vector `h`, reached on input `x` from state `prev` (`None`: from an
    /// `h0` without state), and the distance of `h` from that state's ideal point; `None` when `h`
    /// is not near the state. Most quantizers read `h` alone; a tracked one follows `prev`.
    fn read(&self, prev: Option<&[i64]>, x: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)>;
    /// The coding that gives rows of states outside the tables, for quantizers that read a
    /// fixed lattice (default: none).
    fn coding(&self, _net: &Network) -> Option<Box<LatticeCoding>> {
        None
    }
    /// Bits to code one occurrence of `state` (default: `Σ log2(1 + |z|)`).
    fn state_bits(&self, state: &[i64]) -> f64 {
        integer_bits(state)
    }
}

/// `Σ log2(1 + |z|)` over the components of `z`.
pub fn integer_bits(z: &[i64]) -> f64 {
    z.iter().map(|v| (1.0 + v.unsigned_abs() as f64).log2()).sum()
}

/// A machine read off the network, with what description lengths and reports need.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The machine (method and summary not filled in yet).
    pub machine: StateMachine,
    /// How often each state is reached on the core data.
    pub visits: BTreeMap<Vec<i64>, usize>,
    /// The states reached on the core data before the last step of a sequence (the others'
    /// transitions lie beyond the lengths the network was trained on).
    pub inner: BTreeSet<Vec<i64>>,
    /// `Σ log2(1 + residual / eps)` over the core hidden states.
    pub residual_bits: f64,
    /// A hidden state of each state: the one seen earliest in a core sequence (so queries from it
    /// stay within the lengths the network knows), else from a long sequence or exploration.
    pub reps: BTreeMap<Vec<i64>, Vec<f64>>,
    /// Steps of long sequences added to the tables.
    pub long_steps: usize,
    /// Long sequences cut short (off the discrete set, or inconsistent with the tables).
    pub long_cut: usize,
    /// Transitions added by querying the network.
    pub explored: usize,
    /// Queries from the states reached on the core data (first exploration layer).
    pub queried: usize,
    /// Of those, the queries whose answer was on the discrete set and agreed with the tables.
    pub closed: usize,
}

#[derive(Default)]
struct Tables {
    transitions: BTreeMap<(Vec<i64>, Vec<i64>), Vec<i64>>,
    outputs: BTreeMap<Vec<i64>, Vec<i64>>,
}

impl Built {
    /// Share of first-layer exploration queries that landed on the discrete set consistently
    /// (1 when nothing was queried).
    pub fn closure(&self) -> f64 {
        if self.queried == 0 {
            1.0
        } else {
            self.closed as f64 / self.queried as f64
        }
    }
}

impl Tables {
    fn set_output(&mut self, to: &[i64], y: &[i64]) -> Result<(), String> {
        match self.outputs.get(to) {
            Some(old) if old.as_slice() != y => Err(format!("state {to:?} outputs both {old:?} and {y:?}")),
            Some(_) => Ok(()),
            None => {
                self.outputs.insert(to.to_vec(), y.to_vec());
                Ok(())
            }
        }
    }

    fn insert(&mut self, from: &[i64], x: &[i64], to: &[i64], y: &[i64]) -> Result<(), String> {
        if let Some(old) = self.transitions.get(&(from.to_vec(), x.to_vec()))
            && old.as_slice() != to
        {
            return Err(format!(
                "state {from:?} on input {x:?} leads to both {old:?} and {to:?}"
            ));
        }
        self.set_output(to, y)?;
        self.transitions.insert((from.to_vec(), x.to_vec()), to.to_vec());
        Ok(())
    }
}

/// Builds the machine that `q` reads off `net` on `samples`. `eps` is the absolute residual
/// resolution for description lengths. Errors say why the quantizer does not give a machine.
pub fn build(
    net: &Network,
    samples: &Samples,
    q: &dyn Quantizer,
    opts: &ExtractOptions,
    eps: f64,
) -> Result<Built, String> {
    let dim = q.state_dim();
    let mut tables = Tables::default();
    let mut from_h0: BTreeMap<Vec<i64>, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    let mut visits: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
    let mut reps: BTreeMap<Vec<i64>, Vec<f64>> = BTreeMap::new();
    let mut rep_step: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
    let mut inner: BTreeSet<Vec<i64>> = BTreeSet::new();
    let mut residual_bits = 0.0;
    let init = q.initial(&samples.h0);
    for (index, traj) in samples.core.iter().enumerate() {
        let mut prev = init.clone();
        let len = samples.steps(traj);
        for (step, rec) in samples.records(traj).enumerate() {
            let (next, residual) = q.read(prev.as_deref(), rec.input, rec.next).ok_or_else(|| {
                format!("the hidden state after step {step} of sequence {index} is off the discrete set")
            })?;
            residual_bits += (1.0 + residual / eps).log2();
            match &prev {
                Some(p) => tables.insert(p, rec.input, &next, rec.output)?,
                None => {
                    tables.set_output(&next, rec.output)?;
                    let entry = (next.clone(), rec.output.to_vec());
                    if let Some(old) = from_h0.insert(rec.input.to_vec(), entry.clone())
                        && old != entry
                    {
                        return Err(format!(
                            "h0 on input {:?} leads to both {:?} and {:?}",
                            rec.input, old.0, next
                        ));
                    }
                }
            }
            *visits.entry(next.clone()).or_default() += 1;
            if step + 1 < len {
                inner.insert(next.clone());
            }
            if rep_step.get(&next).is_none_or(|s| *s > step) {
                rep_step.insert(next.clone(), step);
                reps.insert(next.clone(), rec.next.to_vec());
            }
            prev = Some(next);
        }
    }
    let initial = match init {
        Some(s) => s,
        None => equivalent_initial(net, samples, q, &reps, &visits)?,
    };
    for (x, (to, y)) in &from_h0 {
        tables.insert(&initial, x, to, y)?;
    }
    reps.entry(initial.clone()).or_insert_with(|| samples.h0.clone());
    inner.insert(initial.clone());

    let (mut long_steps, mut long_cut) = (0, 0);
    for traj in &samples.long {
        let mut prev = initial.clone();
        for rec in samples.records(traj) {
            let Some((next, _)) = q.read(Some(&prev), rec.input, rec.next) else {
                long_cut += 1;
                break;
            };
            if tables.insert(&prev, rec.input, &next, rec.output).is_err() {
                long_cut += 1;
                break;
            }
            long_steps += 1;
            reps.entry(next.clone()).or_insert_with(|| rec.next.to_vec());
            prev = next;
        }
    }

    let mut built = Built {
        machine: StateMachine::default(),
        visits,
        inner,
        residual_bits,
        reps,
        long_steps,
        long_cut,
        explored: 0,
        queried: 0,
        closed: 0,
    };
    explore(net, samples, q, opts, &mut tables, &mut built);
    let mut machine = StateMachine {
        state_dim: dim,
        input_dim: samples.input_dim,
        output_dim: samples.output_dim,
        initial,
        transitions: tables.transitions,
        outputs: tables.outputs,
        alphabet: samples.alphabet_known.then(|| samples.inputs.clone()),
        ..Default::default()
    };
    machine.complete = is_complete(&machine);
    built.machine = machine;
    Ok(built)
}

/// The state whose successors on every input are those of `h0`, for a quantizer that does not
/// place `h0` itself (its output is never read, only its transitions matter).
fn equivalent_initial(
    net: &Network,
    samples: &Samples,
    q: &dyn Quantizer,
    reps: &BTreeMap<Vec<i64>, Vec<f64>>,
    visits: &BTreeMap<Vec<i64>, usize>,
) -> Result<Vec<i64>, String> {
    let successors = |from: Option<&[i64]>, h: &[f64]| -> Option<Vec<Vec<i64>>> {
        samples
            .inputs
            .iter()
            .map(|x| {
                let xs: Vec<f64> = x.iter().map(|v| *v as f64).collect();
                q.read(from, x, &net.step(h, &xs)).map(|(s, _)| s)
            })
            .collect()
    };
    let target = successors(None, &samples.h0).ok_or("h0 is off the discrete set and so is one of its successors")?;
    let mut order: Vec<&Vec<i64>> = reps.keys().collect();
    order.sort_by_key(|s| (std::cmp::Reverse(visits.get(*s).copied().unwrap_or(0)), (*s).clone()));
    order
        .into_iter()
        .find(|s| successors(Some(s), &reps[*s]).as_ref() == Some(&target))
        .cloned()
        .ok_or_else(|| "h0 is off the discrete set and no state has its successors".to_string())
}

/// What a query of the network found: the next state, its hidden vector and its output.
type Answer = (Vec<i64>, Vec<f64>, Vec<i64>);

/// Fills missing transitions by running the network from each state's hidden state on every
/// input, `opts.explore_depth` layers deep, within the state and transition budgets, and counts
/// how many queries from the observed states (those reached before a sequence's last step) land
/// back on the discrete set (closure).
fn explore(
    net: &Network,
    samples: &Samples,
    q: &dyn Quantizer,
    opts: &ExtractOptions,
    tables: &mut Tables,
    built: &mut Built,
) {
    let mut frontier: Vec<Vec<i64>> = built.reps.keys().cloned().collect();
    frontier.sort_by_key(|s| (std::cmp::Reverse(built.visits.get(s).copied().unwrap_or(0)), s.clone()));
    for depth in 0..opts.explore_depth {
        let room = opts.max_transitions.saturating_sub(tables.transitions.len());
        let queries: Vec<(&Vec<i64>, &Vec<i64>)> = frontier
            .iter()
            .flat_map(|s| samples.inputs.iter().map(move |x| (s, x)))
            .filter(|(s, x)| !tables.transitions.contains_key(&((*s).clone(), (*x).clone())))
            .take(room)
            .collect();
        if queries.is_empty() {
            break;
        }
        let answers: Vec<Option<Answer>> = queries
            .par_iter()
            .map(|(s, x)| {
                let xs: Vec<f64> = x.iter().map(|v| *v as f64).collect();
                let h = net.step(&built.reps[*s], &xs);
                let y: Vec<i64> = net
                    .readout(&h)
                    .iter()
                    .map(|v| exact_output(*v))
                    .collect::<Result<_, _>>()
                    .ok()?;
                q.read(Some(s), x, &h).map(|(t, _)| (t, h, y))
            })
            .collect();
        let mut next = Vec::new();
        for ((s, x), answer) in queries.into_iter().zip(answers) {
            let counted = depth == 0 && built.inner.contains(s);
            built.queried += usize::from(counted);
            let Some((t, h, y)) = answer else { continue };
            let known = built.reps.contains_key(&t);
            if !known && built.reps.len() >= opts.max_states {
                built.closed += usize::from(counted);
                continue;
            }
            if tables.insert(s, x, &t, &y).is_err() {
                continue;
            }
            built.closed += usize::from(counted);
            built.explored += 1;
            if !known {
                built.reps.insert(t.clone(), h);
                next.push(t);
            }
        }
        frontier = next;
    }
}

/// True when the alphabet is known and every state reachable from the initial one has a
/// transition on every symbol.
pub fn is_complete(sm: &StateMachine) -> bool {
    let Some(alphabet) = &sm.alphabet else {
        return false;
    };
    let mut seen: BTreeSet<Vec<i64>> = BTreeSet::from([sm.initial.clone()]);
    let mut stack = vec![sm.initial.clone()];
    while let Some(s) = stack.pop() {
        for x in alphabet {
            let Some(t) = sm.transitions.get(&(s.clone(), x.clone())) else {
                return false;
            };
            if !sm.outputs.contains_key(t) {
                return false;
            }
            if seen.insert(t.clone()) {
                stack.push(t.clone());
            }
        }
    }
    true
}

/// Runs `sm` on the held-out sequences: an output that differs from the network's before any
/// table gap is an error (the machine merges states the network tells apart); otherwise the
/// share of sequences run without a gap.
pub fn heldout_coverage(sm: &StateMachine, samples: &Samples) -> Result<f64, String> {
    let (o, i) = (samples.output_dim, samples.input_dim.max(1));
    let mut covered = 0usize;
    for (index, traj) in samples.heldout.iter().enumerate() {
        let mut state = sm.initial.clone();
        let mut gap = false;
        for (step, x) in traj.inputs.chunks(i).enumerate() {
            let Some(next) = sm.transitions.get(&(state.clone(), x.to_vec())) else {
                gap = true;
                break;
            };
            let Some(y) = sm.outputs.get(next) else {
                gap = true;
                break;
            };
            let expected = &traj.outputs[step * o..(step + 1) * o];
            if y.as_slice() != expected {
                return Err(format!(
                    "on held-out sequence {index} ({:?}) the machine outputs {y:?} at step {step}, the network {expected:?}",
                    traj.inputs
                ));
            }
            state = next.clone();
        }
        covered += usize::from(!gap);
    }
    Ok(if samples.heldout.is_empty() {
        1.0
    } else {
        covered as f64 / samples.heldout.len() as f64
    })
}

#[cfg(test)]
mod tests {
    use mips_core::pass::PassContext;
    use mips_core::task::Task;

    use super::*;
    use crate::extract::testing::{TestTask, linear_rnn};

    /// Reads a running sum as its integer, up to `cap`.
    struct Capped(i64);

    impl Quantizer for Capped {
        fn state_dim(&self) -> usize {
            1
        }

        fn initial(&self, h0: &[f64]) -> Option<Vec<i64>> {
            self.read(None, &[], h0).map(|(s, _)| s)
        }

        fn read(&self, _: Option<&[i64]>, _: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
            let z = h[0].round() as i64;
            (0..=self.0).contains(&z).then(|| (vec![z], 0.0))
        }
    }

    #[test]
    fn closure_leaves_out_states_reached_only_at_the_last_step() {
        // Counting ones in sequences of 4 bits: 4 is reached only at the last step, and its
        // successor on a one (5) lies beyond the cap.
        let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
        let task = TestTask::new(vec![(0, 1)], 4, &net);
        let verify = task.train_batch(3, 40);
        let ctx = PassContext::new(&task, &verify, 1, true);
        let opts = ExtractOptions {
            fresh: 200,
            long_count: 0,
            heldout: 10,
            ..Default::default()
        };
        let samples = Samples::collect(&net, &ctx, &opts).unwrap();
        let built = build(&net, &samples, &Capped(4), &opts, 1e-6).unwrap();
        assert!(!built.inner.contains(&vec![4]) && built.inner.contains(&vec![3]));
        assert_eq!(built.closure(), 1.0);
        assert!(!built.machine.transitions.contains_key(&(vec![4], vec![1])));
    }
}
