//! Oracle extraction: the smallest Moore machine that behaves like the network, learned in the
//! manner of L* (Angluin; Weiss, Goldberg and Yahav for RNNs) with the network as the oracle.
//!
//! States are told apart only by what the network does, never by where its hidden states lie:
//! each state has an access word (its hidden state is the network's after that word from `h0`),
//! and its row is the network's rounded outputs from that hidden state on each experiment (a
//! suffix word; the empty one reads the state's own output). Two hidden states with one row are
//! one state, so a behaviour with k states gives k states however many hidden points the network
//! spreads them over. The table is closed by querying the network from each state's hidden
//! state on every input symbol (a successor whose row is new becomes a state), which fills every
//! transition: the machine has no gaps. Its hypothesis is then run on the verification
//! sequences, and when it agrees there, on the whole test split (the verifier's equivalence
//! query, [`mips_core::pass::Verifier::counterexample`]); the first output that differs from
//! the network's is a counterexample, split
//! (Rivest and Schapire) into the one suffix that tells two merged states apart, which becomes
//! a new experiment. Each counterexample adds at least one state, and experiments are as long
//! as the counterexamples need, not a depth chosen by the alphabet's size. Fresh sequences give
//! no counterexamples (see `counterexample`); they are held out to check the machine.
//!
//! The learned machine can tell states apart by words the data never contains, where the
//! network, exact on the data, slips; [`super::occam::merge`] then merges such states while the
//! machine still reproduces the network on the core sequences and the test split.
//!
//! Work is bounded by a budget of network evaluations (steps and readouts, option
//! `oracle-budget`) and by `max-states`; past either the method fails, naming the option. The
//! held-out, closure and memorization checks of [`super::candidate::finish`] follow.

use std::collections::{BTreeMap, BTreeSet};

use mips_core::budget::{Budget, Meter};
use mips_core::ir::{Network, StateMachine};
use rayon::prelude::*;

use super::candidate::{Candidate, finish_finite};
use super::collect::{Samples, Trajectory, exact_output};
use super::machine::{Built, is_complete};
use super::occam::{self, Dense, Evidence};
use super::options::ExtractOptions;

/// A word over the alphabet, as indices into [`Samples::inputs`].
type Word = Vec<usize>;

/// The observation table: states (access words, hidden states, rows), their successors on every
/// symbol, and the experiments that make the rows.
struct Table<'a> {
    net: &'a Network,
    inputs: Vec<Vec<f64>>,
    output_dim: usize,
    experiments: Vec<Word>,
    access: Vec<Word>,
    hidden: Vec<Vec<f64>>,
    rows: Vec<Vec<i64>>,
    /// Per state whose successors are known: per symbol, the successor's hidden state and row.
    next: Vec<Vec<(Vec<f64>, Vec<i64>)>>,
    /// The state of each row.
    index: BTreeMap<Vec<i64>, usize>,
    /// The network evaluations spent, against the `oracle-budget` steps.
    meter: Meter,
    max_states: usize,
}

impl<'a> Table<'a> {
    fn new(net: &'a Network, samples: &Samples, opts: &ExtractOptions) -> Result<Table<'a>, String> {
        let inputs: Vec<Vec<f64>> = samples
            .inputs
            .iter()
            .map(|x| x.iter().map(|v| *v as f64).collect())
            .collect();
        if inputs.is_empty() {
            return Err("no inputs".into());
        }
        let mut table = Table {
            net,
            inputs,
            output_dim: samples.output_dim,
            experiments: vec![Vec::new()],
            access: vec![Vec::new()],
            hidden: vec![samples.h0.clone()],
            rows: vec![Vec::new()],
            next: Vec::new(),
            index: BTreeMap::new(),
            meter: Meter::new(Budget::steps(opts.oracle_budget as u64)),
            max_states: opts.max_states,
        };
        table.spend(1)?;
        table.rows[0] = table.outputs_on(&samples.h0, &[])?;
        table.index.insert(table.rows[0].clone(), 0);
        Ok(table)
    }

    /// Takes `cost` network evaluations from the budget, or fails naming the option.
    fn spend(&mut self, cost: usize) -> Result<(), String> {
        self.meter.spend(cost as u64).map_err(|_| {
            format!(
                "the oracle budget of {} network evaluations is spent ({} states, {} experiments); raise 'oracle-budget'",
                self.meter.budget().steps.unwrap_or(u64::MAX),
                self.access.len(),
                self.experiments.len()
            )
        })
    }

    /// The network's rounded output after running `word` from hidden state `h`.
    fn outputs_on(&self, h: &[f64], word: &[usize]) -> Result<Vec<i64>, String> {
        let mut h = h.to_vec();
        for &a in word {
            h = self.net.step(&h, &self.inputs[a]);
        }
        self.net.readout(&h).into_iter().map(exact_output).collect()
    }

    /// The row of hidden state `h`: its outputs on every experiment, in order.
    fn row(&self, h: &[f64]) -> Result<Vec<i64>, String> {
        let mut row = Vec::with_capacity(self.experiments.len() * self.output_dim);
        for e in &self.experiments {
            row.extend(self.outputs_on(h, e)?);
        }
        Ok(row)
    }

    /// Network evaluations one row takes.
    fn row_cost(&self) -> usize {
        self.experiments.iter().map(|e| e.len() + 1).sum()
    }

    /// Queries the network from state `s`'s hidden state on every symbol.
    fn expand(&mut self, s: usize) -> Result<(), String> {
        self.spend(self.inputs.len().saturating_mul(self.row_cost() + 1))?;
        let successors = first_error(
            self.inputs
                .par_iter()
                .map(|x| {
                    let h = self.net.step(&self.hidden[s], x);
                    self.row(&h).map(|row| (h, row))
                })
                .collect(),
        )?;
        self.next.push(successors);
        Ok(())
    }

    /// Adds states until every successor's row is a state's row (the table is closed).
    fn close(&mut self) -> Result<(), String> {
        let mut s = 0;
        while s < self.access.len() {
            if self.next.len() == s {
                self.expand(s)?;
            }
            for a in 0..self.inputs.len() {
                if self.index.contains_key(&self.next[s][a].1) {
                    continue;
                }
                if self.access.len() >= self.max_states {
                    return Err(format!("more than {} states; raise 'max-states'", self.max_states));
                }
                let (h, row) = self.next[s][a].clone();
                let mut word = self.access[s].clone();
                word.push(a);
                self.index.insert(row.clone(), self.access.len());
                self.access.push(word);
                self.hidden.push(h);
                self.rows.push(row);
            }
            s += 1;
        }
        Ok(())
    }

    /// The hypothesis's transition from state `s` on symbol `a` (the table must be closed).
    fn delta(&self, s: usize, a: usize) -> usize {
        self.index[&self.next[s][a].1]
    }

    /// The hypothesis's output in state `s`.
    fn output(&self, s: usize) -> &[i64] {
        &self.rows[s][..self.output_dim]
    }

    /// The hypothesis as a complete machine, states in table order.
    fn dense(&self) -> Dense {
        let states = 0..self.access.len();
        Dense::new(
            states
                .clone()
                .map(|s| (0..self.inputs.len()).map(|a| self.delta(s, a)).collect())
                .collect(),
            states.map(|s| self.output(s).to_vec()).collect(),
        )
    }

    /// The hypothesis's state after `word` from the initial state.
    fn state_after(&self, word: &[usize]) -> usize {
        word.iter().fold(0, |s, &a| self.delta(s, a))
    }

    /// Adds experiment `e` to every row (the rows of states stay distinct).
    fn add_experiment(&mut self, e: Word) -> Result<(), String> {
        let rows = self.access.len() + self.next.len() * self.inputs.len();
        self.spend(rows.saturating_mul(e.len() + 1))?;
        let extend = |h: &Vec<f64>| self.outputs_on(h, &e);
        let own: Vec<Vec<i64>> = first_error(self.hidden.par_iter().map(extend).collect())?;
        let next: Vec<Vec<Vec<i64>>> = first_error(
            self.next
                .par_iter()
                .map(|row| row.iter().map(|(h, _)| extend(h)).collect::<Result<_, _>>())
                .collect(),
        )?;
        for (row, more) in self.rows.iter_mut().zip(own) {
            row.extend(more);
        }
        for (row, more) in self.next.iter_mut().zip(next) {
            for ((_, r), m) in row.iter_mut().zip(more) {
                r.extend(m);
            }
        }
        self.experiments.push(e);
        self.index = self.rows.iter().cloned().enumerate().map(|(s, r)| (r, s)).collect();
        Ok(())
    }

    /// Splits counterexample `word` (the hypothesis's last output differs from the network's)
    /// into the suffix that tells a state's successor from the state the hypothesis merged it
    /// with: with `α(i)` the network's last output on `access(q_i) · word[i..]` (`q_i` the
    /// hypothesis's state after `word[..i]`), `α(0)` is the network's and `α(n)` the
    /// hypothesis's, so a binary search finds `α(i) ≠ α(i + 1)`; `word[i + 1..]` is the suffix.
    fn split(&mut self, word: &[usize]) -> Result<Word, String> {
        let alpha = |t: &mut Table, i: usize| -> Result<Vec<i64>, String> {
            let q = t.state_after(&word[..i]);
            t.spend(word.len() - i + 1)?;
            t.outputs_on(&t.hidden[q].clone(), &word[i..])
        };
        let first = alpha(self, 0)?;
        if first.as_slice() == self.output(self.state_after(word)) {
            return Err("the network's outputs on a sequence change between runs".into());
        }
        let (mut lo, mut hi) = (0, word.len());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if alpha(self, mid)? == first {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(word[hi..].to_vec())
    }
}

/// The values of `results`, or the first error in order (a parallel collect into a `Result`
/// may stop at any error, so messages would depend on the thread count).
fn first_error<T>(results: Vec<Result<T, String>>) -> Result<Vec<T>, String> {
    results.into_iter().collect()
}

/// The first step of a verification sequence where the hypothesis's output differs from the
/// network's, as the word of inputs up to and including it; an input outside the alphabet is an
/// error. Only the verification sequences (where the network is checked against the task) give
/// counterexamples: on fresh sequences a network can drift (a count that slips after many idle
/// steps), and copying its slips would grow a machine that is wrong at every longer length.
/// Fresh sequences are held out instead, to check that the machine generalizes.
fn counterexample(table: &Table, samples: &Samples) -> Result<Option<Word>, String> {
    for (index, traj) in samples.core[..samples.verified].iter().enumerate() {
        if let Some(word) = mismatch(table, samples, traj, &|| format!("verification sequence {index}"))? {
            return Ok(Some(word));
        }
    }
    Ok(None)
}

/// The word of `traj`'s inputs up to and including the first step where the hypothesis's output
/// differs from the network's, `None` when none does; `source` names the sequence in the error
/// for an input outside the alphabet.
fn mismatch(
    table: &Table,
    samples: &Samples,
    traj: &Trajectory,
    source: &dyn Fn() -> String,
) -> Result<Option<Word>, String> {
    let mut word = Vec::new();
    let mut state = 0;
    for rec in samples.records(traj) {
        let a = symbol(samples, rec.input)
            .ok_or_else(|| format!("input {:?} of {} is not in the alphabet", rec.input, source()))?;
        word.push(a);
        state = table.delta(state, a);
        if table.output(state) != rec.output {
            return Ok(Some(word));
        }
    }
    Ok(None)
}

/// The index of input `x` in the alphabet.
fn symbol(samples: &Samples, x: &[i64]) -> Option<usize> {
    samples.inputs.binary_search_by(|v| v.as_slice().cmp(x)).ok()
}

/// An equivalence query: the inputs of a sequence on which a hypothesis differs from the network
/// (the verifier's whole test split), `None` when there is none.
pub type Equivalence<'e> = dyn Fn(&StateMachine) -> Option<Vec<i64>> + 'e;

/// Learns the table: closes it, then adds the suffix of each counterexample as an experiment
/// until the hypothesis reproduces the network on every verification sequence and `equivalence`
/// finds no sequence where it does not.
fn learn<'a>(
    net: &'a Network,
    samples: &Samples,
    opts: &ExtractOptions,
    equivalence: &Equivalence,
) -> Result<Table<'a>, String> {
    let mut table = Table::new(net, samples, opts)?;
    table.close()?;
    loop {
        let word = match counterexample(&table, samples)? {
            Some(word) => word,
            None => match equivalence(&built(&table.dense(), &table, samples).machine) {
                Some(inputs) => first_difference(&table, samples, &inputs)?,
                None => return Ok(table),
            },
        };
        let suffix = table.split(&word)?;
        table.add_experiment(suffix)?;
        table.close()?;
    }
}

/// The network's rounded outputs on `traj` as evidence, up to the first input outside the
/// alphabet.
fn evidence(samples: &Samples, traj: &Trajectory) -> Evidence {
    let (word, outputs) = samples
        .records(traj)
        .map_while(|rec| symbol(samples, rec.input).map(|a| (a, rec.output.to_vec())))
        .unzip();
    Evidence { word, outputs }
}

/// The learned `hypothesis` after Occam merges ([`occam::merge`]) on the core sequences: a merged
/// machine the equivalence query refutes gets the query's sequence as more evidence and is
/// merged again from the hypothesis, at most once per hypothesis state (each round's evidence
/// refutes that round's machine, so no machine comes back); the hypothesis when no merged
/// machine holds. Merging spends at most `oracle-budget` machine steps per round.
fn merged(
    hypothesis: &Dense,
    table: &Table,
    samples: &Samples,
    opts: &ExtractOptions,
    equivalence: &Equivalence,
) -> Result<Dense, String> {
    let mut data: Vec<Evidence> = samples.core.iter().map(|t| evidence(samples, t)).collect();
    for _ in 0..hypothesis.len() {
        let merged = occam::merge(hypothesis, &data, opts.oracle_budget as u64);
        if merged.len() == hypothesis.len() {
            break;
        }
        match equivalence(&built(&merged, table, samples).machine) {
            None => return Ok(merged),
            Some(inputs) => data.push(evidence(samples, &Trajectory::run(table.net, &inputs)?)),
        }
    }
    Ok(hypothesis.clone())
}

/// The word of `inputs` up to and including the first step where the hypothesis's output
/// differs from the network's.
fn first_difference(table: &Table, samples: &Samples, inputs: &[i64]) -> Result<Word, String> {
    let traj = Trajectory::run(table.net, inputs)?;
    mismatch(table, samples, &traj, &|| "a test sequence".into())?
        .ok_or_else(|| "the verifier's counterexample agrees with the hypothesis".into())
}

/// The machine `dense` (learned by `table`) with what the shared checks need: states numbered
/// in order, every transition filled, the initial state's output left out unless a transition
/// enters it (the network never emits it otherwise).
fn built(dense: &Dense, table: &Table, samples: &Samples) -> Built {
    let mut machine = StateMachine {
        state_dim: 1,
        input_dim: samples.input_dim,
        output_dim: samples.output_dim,
        initial: vec![0],
        alphabet: samples.alphabet_known.then(|| samples.inputs.clone()),
        ..Default::default()
    };
    for s in 0..dense.len() {
        for (a, x) in samples.inputs.iter().enumerate() {
            let t = dense.delta[s][a];
            machine.transitions.insert((vec![s as i64], x.clone()), vec![t as i64]);
            machine.outputs.insert(vec![t as i64], dense.output[t].clone());
        }
    }
    machine.complete = is_complete(&machine);
    let mut visits: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
    let mut inner = BTreeSet::from([vec![0]]);
    for traj in &samples.core {
        let len = samples.steps(traj);
        let mut state = 0;
        for (step, rec) in samples.records(traj).enumerate() {
            state = symbol(samples, rec.input).map_or(state, |a| dense.delta[state][a]);
            *visits.entry(vec![state as i64]).or_default() += 1;
            if step + 1 < len {
                inner.insert(vec![state as i64]);
            }
        }
    }
    let explored = machine.transitions.len();
    Built {
        machine,
        visits,
        inner,
        residual_bits: 0.0,
        reps: (dense.origin.iter().enumerate())
            .map(|(s, &o)| (vec![s as i64], table.hidden[o].clone()))
            .collect(),
        long_steps: 0,
        long_cut: 0,
        explored,
        queried: 0,
        closed: 0,
    }
}

/// Bits of the learned model: the experiments' symbols and the states' rows.
fn model_bits(table: &Table) -> f64 {
    let symbol_bits = (table.inputs.len().max(2) as f64).log2();
    let experiment_bits: f64 = table.experiments.iter().map(|e| e.len() as f64 * symbol_bits).sum();
    let row_bits: f64 = table
        .rows
        .iter()
        .flatten()
        .map(|v| (1.0 + v.unsigned_abs() as f64).log2())
        .sum();
    experiment_bits + row_bits
}

/// The minimized machine the network behaves as, learned with the network as the oracle.
pub fn extract(
    net: &Network,
    samples: &Samples,
    opts: &ExtractOptions,
    equivalence: &Equivalence,
) -> Result<Candidate, String> {
    let table = learn(net, samples, opts, equivalence).map_err(|e| format!("oracle: {e}"))?;
    let hypothesis = table.dense();
    let merged = merged(&hypothesis, &table, samples, opts, equivalence).map_err(|e| format!("oracle: {e}"))?;
    let finish = |dense: &Dense| {
        finish_finite(
            &built(dense, &table, samples),
            samples,
            opts,
            "oracle",
            model_bits(&table),
        )
    };
    // A merged machine the held-out sequences refute gives way to the learned one.
    let finished = match finish(&merged) {
        Err(_) if merged != hypothesis => finish(&hypothesis),
        result => result,
    };
    finished.map_err(|e| {
        format!(
            "oracle ({} experiments, longest {}): {e}",
            table.experiments.len(),
            table.experiments.iter().map(Vec::len).max().unwrap_or(0)
        )
    })
}

#[cfg(test)]
mod tests {
    use mips_core::ir::Network;
    use mips_core::pass::Status;
    use mips_core::pass::verify::rounded_outputs;
    use mips_core::task::Task;

    use super::*;
    use crate::extract::candidate::method_name;
    use crate::extract::testing::{Detector, TestTask, automaton, linear_rnn, run_pass};

    /// Runs `name` on `net`, expects a complete machine that reproduces the network on the
    /// test split, and returns it.
    fn accepted(name: &str, net: &Network, task: &TestTask, extra: &[(&str, &str)]) -> StateMachine {
        let (row, machine) = run_pass(name, net, task, extra);
        assert!(row.status.accepted(), "{name}: {}", row.status);
        let sm = machine.expect("an accepted extraction installs a machine");
        assert!(sm.complete, "{}", sm.method);
        for s in &task.test_split().sequences {
            assert_eq!(sm.run(&s.inputs).unwrap(), rounded_outputs(net, &s.inputs));
        }
        sm
    }

    /// A one-hot ReLU network running `delta` over `n` concrete states and `symbols` inputs.
    fn one_hot(n: usize, symbols: usize, delta: &dyn Fn(usize, usize) -> usize, outputs: &[f64]) -> Network {
        let codes: Vec<Vec<f64>> = (0..n)
            .map(|s| (0..n).map(|d| f64::from(u8::from(s == d))).collect())
            .collect();
        automaton(
            &codes,
            &Detector::one_hot(n),
            delta,
            symbols,
            outputs,
            codes[0].clone(),
            0.02,
        )
    }

    /// The count mod 4 of ones, reset to 0 by a two, after each step.
    fn counter_reference(seq: &[i64]) -> Vec<i64> {
        seq.iter()
            .scan(0, |c, x| {
                *c = match x {
                    1 => (*c + 1) % 4,
                    2 => 0,
                    _ => *c,
                };
                Some(*c)
            })
            .collect()
    }

    #[test]
    fn two_hidden_points_per_state_give_the_abstract_machine() {
        // A counter mod 4 with reset over {0, 1, 2}, each count kept at two hidden points
        // (concrete state 2v + copy); the copy flips on most steps, so sequences visit both.
        let delta = |s: usize, x: usize| {
            let (v, copy) = (s / 2, s % 2);
            let v = match x {
                1 => (v + 1) % 4,
                2 => 0,
                _ => v,
            };
            2 * v + (copy + x + v) % 2
        };
        let outputs: Vec<f64> = (0..8).map(|s| (s / 2) as f64).collect();
        let net = one_hot(8, 3, &delta, &outputs);
        let task = TestTask::new(vec![(0, 2)], 10, &net);
        let sm = accepted("extract-oracle", &net, &task, &[]);
        assert_eq!((method_name(&sm), sm.state_count()), ("oracle", 4), "{}", sm.method);
        for seq in [vec![1, 1, 1, 1, 1, 2, 1, 0, 0, 1], vec![2, 2, 0, 1], vec![1; 37]] {
            assert_eq!(sm.run(&seq).unwrap(), counter_reference(&seq));
        }
        let combined = accepted("extract", &net, &task, &[]);
        assert_eq!(combined.state_count(), 4, "{}", combined.method);
    }

    #[test]
    fn a_distinction_only_the_test_split_shows_is_learned_from_the_verifier() {
        // Output 1 after eight ones in a row: rare enough that the 60 verification sequences
        // never show it, while the 200-sequence test split does.
        let delta = |s: usize, x: usize| if x == 1 { (s + 1).min(8) } else { 0 };
        let outputs: Vec<f64> = (0..9).map(|s| f64::from(u8::from(s == 8))).collect();
        let net = one_hot(9, 2, &delta, &outputs);
        let task = TestTask::new(vec![(0, 1)], 10, &net);
        let shows = |d: &mips_core::data::Dataset| d.sequences.iter().any(|s| s.outputs.contains(&1));
        assert!(
            !shows(&task.train_batch(7, 60)),
            "the verification sequences must not show it"
        );
        assert!(shows(task.test_split()), "the test split must show it");
        let sm = accepted("extract-oracle", &net, &task, &[]);
        assert_eq!(sm.state_count(), 9, "{}", sm.method);
        assert_eq!(sm.run(&[1; 12]).unwrap(), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn twenty_five_symbols_and_five_states_give_five_states() {
        // A running sum mod 5 of pairs of digits, the pair (a, b) coded as the symbol 5a + b.
        let delta = |s: usize, x: usize| (s + x / 5 + x % 5) % 5;
        let outputs: Vec<f64> = (0..5).map(|s| s as f64).collect();
        let net = one_hot(5, 25, &delta, &outputs);
        let task = TestTask::new(vec![(0, 24)], 10, &net);
        let sm = accepted("extract-oracle", &net, &task, &[]);
        assert_eq!(sm.state_count(), 5, "{}", sm.method);
        assert_eq!(sm.transitions.len(), 125);
        let seq = [24, 3, 17, 0, 9, 12];
        let sums: Vec<i64> = seq
            .iter()
            .scan(0, |s, x| {
                *s = (*s + x / 5 + x % 5) % 5;
                Some(*s)
            })
            .collect();
        assert_eq!(sm.run(&seq).unwrap(), sums);
    }

    #[test]
    fn the_machine_is_the_same_at_any_thread_count() {
        let delta = |s: usize, x: usize| (2 * s + x) % 5;
        let net = one_hot(5, 2, &delta, &[1.0, 0.0, 0.0, 0.0, 0.0]);
        let task = TestTask::new(vec![(0, 1)], 10, &net);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| run_pass("extract-oracle", &net, &task, &[]).1)
        };
        let one = run(1).expect("a machine");
        assert_eq!(one.state_count(), 5, "{}", one.method);
        assert_eq!(Some(one), run(3));
    }

    #[test]
    fn an_unbounded_count_spends_the_budget_and_names_it() {
        // A running sum has no finite machine: states keep appearing until the budget is spent.
        let net = linear_rnn(&[vec![1.0]], &[vec![1.0]], &[0.0], &[vec![1.0]], vec![0.0]);
        let task = TestTask::new(vec![(0, 1)], 10, &net);
        let (row, machine) = run_pass("extract-oracle", &net, &task, &[("oracle-budget", "5000")]);
        let Status::Failed(why) = row.status else {
            panic!("{}", row.status)
        };
        assert!(
            why.contains("oracle budget of 5000") && why.contains("raise 'oracle-budget'"),
            "{why}"
        );
        assert!(machine.is_none());
        let (row, _) = run_pass("extract-oracle", &net, &task, &[("max-states", "6")]);
        assert!(
            matches!(&row.status, Status::Failed(why) if why.contains("more than 6 states")),
            "{}",
            row.status
        );
    }
}
