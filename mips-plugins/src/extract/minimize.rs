//! Moore-machine minimization (partition refinement) for the partial tables extraction
//! produces. A missing transition counts as its own "unknown" target, so only states whose
//! defined behaviour is identical merge, and the minimized machine behaves exactly like the
//! original on every sequence the original runs without a gap.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use mips_core::ir::StateMachine;

/// Every state of `sm`: the initial one, sources and targets of transitions, states with outputs.
pub fn states(sm: &StateMachine) -> BTreeSet<Vec<i64>> {
    let mut all: BTreeSet<Vec<i64>> = sm.outputs.keys().cloned().collect();
    all.insert(sm.initial.clone());
    for ((s, _), t) in &sm.transitions {
        all.insert(s.clone());
        all.insert(t.clone());
    }
    all
}

/// Classes of equivalent states, as a class index per state. States are equivalent when they
/// have the same output and, on every input, equivalent successors (or both no transition).
/// The initial state, when it has no output (no transition enters it, so its output is never
/// emitted), joins a class whose transitions it shares.
pub fn equivalence_classes(sm: &StateMachine) -> BTreeMap<Vec<i64>, usize> {
    let all: Vec<Vec<i64>> = states(sm).into_iter().collect();
    let index: BTreeMap<&Vec<i64>, usize> = all.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let inputs: Vec<&Vec<i64>> = sm
        .transitions
        .keys()
        .map(|(_, x)| x)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let successors: Vec<Vec<Option<usize>>> = all
        .iter()
        .map(|s| {
            inputs
                .iter()
                .map(|x| sm.transitions.get(&(s.clone(), (*x).clone())).map(|t| index[t]))
                .collect()
        })
        .collect();
    let renumber = |keys: Vec<Vec<Option<usize>>>| -> Vec<usize> {
        let ids: BTreeMap<&Vec<Option<usize>>, usize> = keys
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        keys.iter().map(|k| ids[k]).collect()
    };
    let outputs: BTreeMap<Option<&Vec<i64>>, usize> = all
        .iter()
        .map(|s| sm.outputs.get(s))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, o)| (o, i))
        .collect();
    let mut block: Vec<usize> = all.iter().map(|s| outputs[&sm.outputs.get(s)]).collect();
    let signature = |block: &[usize], s: usize| -> Vec<Option<usize>> {
        successors[s].iter().map(|t| t.map(|t| block[t])).collect()
    };
    loop {
        let keys: Vec<Vec<Option<usize>>> = (0..all.len())
            .map(|s| {
                let mut key = vec![Some(block[s])];
                key.extend(signature(&block, s));
                key
            })
            .collect();
        let next = renumber(keys);
        let count = |b: &[usize]| b.iter().collect::<BTreeSet<_>>().len();
        let done = count(&next) == count(&block);
        block = next;
        if done {
            break;
        }
    }
    let init = index[&sm.initial];
    if !sm.outputs.contains_key(&sm.initial) {
        let own = signature(&block, init);
        if let Some(other) = (0..all.len()).find(|&s| s != init && signature(&block, s) == own) {
            block[init] = block[other];
        }
    }
    all.into_iter().zip(block).collect()
}

/// `sm` with every state renamed by `names` (states with one name must behave alike; the first
/// transition or output met for a name is kept) and the new state width `state_dim`.
pub fn rename(sm: &StateMachine, names: &BTreeMap<Vec<i64>, Vec<i64>>, state_dim: usize) -> StateMachine {
    let name = |s: &Vec<i64>| names.get(s).cloned().unwrap_or_else(|| s.clone());
    let mut out = StateMachine {
        state_dim,
        initial: name(&sm.initial),
        transitions: BTreeMap::new(),
        outputs: BTreeMap::new(),
        ..sm.clone()
    };
    for ((s, x), t) in &sm.transitions {
        out.transitions.entry((name(s), x.clone())).or_insert_with(|| name(t));
    }
    for (s, y) in &sm.outputs {
        out.outputs.entry(name(s)).or_insert_with(|| y.clone());
    }
    out
}

/// Numbers the states of `sm` 0, 1, … in breadth-first order from the initial state (inputs
/// in sorted order; states not reached come last, in sorted order); state_dim becomes 1.
pub fn renumber(sm: &StateMachine) -> StateMachine {
    let mut order: BTreeMap<Vec<i64>, Vec<i64>> = BTreeMap::new();
    let mut queue = VecDeque::from([sm.initial.clone()]);
    let mut by_source: BTreeMap<&Vec<i64>, Vec<&Vec<i64>>> = BTreeMap::new();
    for ((s, _), t) in &sm.transitions {
        by_source.entry(s).or_default().push(t);
    }
    while let Some(s) = queue.pop_front() {
        if order.contains_key(&s) {
            continue;
        }
        let id = vec![order.len() as i64];
        for t in by_source.get(&s).into_iter().flatten() {
            if !order.contains_key(*t) {
                queue.push_back((*t).clone());
            }
        }
        order.insert(s, id);
    }
    for s in states(sm) {
        let id = vec![order.len() as i64];
        order.entry(s).or_insert(id);
    }
    rename(sm, &order, 1)
}

/// The minimal machine that behaves like `sm` on every sequence `sm` runs without a gap, its
/// states numbered 0, 1, … breadth-first from the initial state.
pub fn minimize(sm: &StateMachine) -> StateMachine {
    let classes = equivalence_classes(sm);
    let names: BTreeMap<Vec<i64>, Vec<i64>> = classes.into_iter().map(|(s, c)| (s, vec![c as i64])).collect();
    renumber(&rename(sm, &names, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parity over {0,1} written with 4 redundant states (value, junk bit), plus an initial
    /// state without output.
    fn redundant_parity() -> StateMachine {
        let mut sm = StateMachine {
            state_dim: 2,
            input_dim: 1,
            output_dim: 1,
            initial: vec![9, 9],
            alphabet: Some(vec![vec![0], vec![1]]),
            ..Default::default()
        };
        for x in 0..2 {
            sm.transitions.insert((vec![9, 9], vec![x]), vec![x, 0]);
        }
        for p in 0..2 {
            for junk in 0..2 {
                for x in 0..2 {
                    sm.transitions
                        .insert((vec![p, junk], vec![x]), vec![(p + x) % 2, 1 - junk]);
                }
                sm.outputs.insert(vec![p, junk], vec![p]);
            }
        }
        sm
    }

    #[test]
    fn merges_redundant_states_and_the_initial_one() {
        let sm = redundant_parity();
        let min = minimize(&sm);
        assert_eq!(min.state_count(), 2);
        assert_eq!(min.initial, vec![0]);
        for seq in [vec![1, 1, 0, 1], vec![0, 0, 1], vec![1]] {
            assert_eq!(min.run(&seq), sm.run(&seq));
        }
        assert_eq!(min.outputs[&vec![0]], vec![0]);
    }

    #[test]
    fn gaps_keep_states_apart() {
        let mut sm = redundant_parity();
        sm.transitions.remove(&(vec![1, 1], vec![0]));
        let min = minimize(&sm);
        assert_eq!(min.state_count(), 4, "{min:?}");
        for seq in [vec![1, 1, 0, 1], vec![0, 0, 1, 1, 1]] {
            assert_eq!(min.run(&seq).is_ok(), sm.run(&seq).is_ok());
            if let Ok(out) = sm.run(&seq) {
                assert_eq!(min.run(&seq).unwrap(), out);
            }
        }
    }

    #[test]
    fn renumbering_is_breadth_first() {
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![7],
            ..Default::default()
        };
        sm.transitions.insert((vec![7], vec![0]), vec![5]);
        sm.transitions.insert((vec![7], vec![1]), vec![3]);
        sm.transitions.insert((vec![3], vec![0]), vec![7]);
        for s in [3, 5, 7] {
            sm.outputs.insert(vec![s], vec![s]);
        }
        let r = renumber(&sm);
        assert_eq!(r.initial, vec![0]);
        assert_eq!(r.transitions[&(vec![0], vec![0])], vec![1]);
        assert_eq!(r.transitions[&(vec![0], vec![1])], vec![2]);
        assert_eq!(r.outputs[&vec![1]], vec![5]);
    }
}
