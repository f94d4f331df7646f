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

/// Union-find over states with per-class outputs and transitions, and an undo log so a failed
/// merge can be rolled back.
struct Folding {
    parent: Vec<usize>,
    /// Class sizes (of roots): the smaller class joins the larger, so classes stay shallow.
    size: Vec<usize>,
    output: Vec<Option<usize>>,
    next: Vec<Vec<Option<usize>>>,
    log: Vec<Change>,
    /// State pairs still allowed to be compared (see [`MERGE_BUDGET`]).
    budget: usize,
}

/// State pairs the compatible-state merging may compare in all; beyond it the merging gives up
/// (the caller falls back to exact minimization).
const MERGE_BUDGET: usize = 20_000_000;

enum Change {
    /// The root joined another; the second is that root's size before.
    Parent(usize, usize, usize),
    Output(usize, Option<usize>),
    Next(usize, usize),
}

impl Folding {
    fn find(&self, mut s: usize) -> usize {
        while self.parent[s] != s {
            s = self.parent[s];
        }
        s
    }

    /// Merges the classes of `a` and `b` and, recursively, their successors; false (with the
    /// changes still logged) when two merged states have different outputs or the budget is
    /// spent.
    fn fold(&mut self, a: usize, b: usize) -> bool {
        let mut stack = vec![(a, b)];
        while let Some((a, b)) = stack.pop() {
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            let (mut ra, mut rb) = (self.find(a), self.find(b));
            if ra == rb {
                continue;
            }
            if self.size[ra] < self.size[rb] {
                std::mem::swap(&mut ra, &mut rb);
            }
            match (self.output[ra], self.output[rb]) {
                (Some(x), Some(y)) if x != y => return false,
                (None, Some(y)) => {
                    self.log.push(Change::Output(ra, None));
                    self.output[ra] = Some(y);
                }
                _ => {}
            }
            self.log.push(Change::Parent(rb, ra, self.size[ra]));
            self.parent[rb] = ra;
            self.size[ra] += self.size[rb];
            for x in 0..self.next[rb].len() {
                let Some(tb) = self.next[rb][x] else { continue };
                match self.next[ra][x] {
                    Some(ta) => stack.push((ta, tb)),
                    None => {
                        self.log.push(Change::Next(ra, x));
                        self.next[ra][x] = Some(tb);
                    }
                }
            }
        }
        true
    }

    fn undo(&mut self, mark: usize) {
        while self.log.len() > mark {
            match self.log.pop() {
                Some(Change::Parent(s, root, size)) => {
                    self.parent[s] = s;
                    self.size[root] = size;
                }
                Some(Change::Output(s, old)) => self.output[s] = old,
                Some(Change::Next(s, x)) => self.next[s][x] = None,
                None => {}
            }
        }
    }
}

/// Merges states whose defined behaviour never conflicts (a missing transition or output is
/// a wildcard), greedily in breadth-first order as in RPNI: each state joins the first earlier
/// kept state it can be folded into with all successors, else it is kept. The result is
/// deterministic and contains every transition and output of `sm` (so it behaves like `sm`
/// wherever `sm` has no gap) but generalizes into the gaps: callers must check it on held-out
/// data. States are numbered 0, 1, … breadth-first; `None` above `limit` states or when the
/// comparisons exceed [`MERGE_BUDGET`].
pub fn merge_compatible(sm: &StateMachine, limit: usize) -> Option<StateMachine> {
    let sm = renumber(sm);
    let all: Vec<Vec<i64>> = states(&sm).into_iter().collect();
    if all.len() > limit {
        return None;
    }
    let index: BTreeMap<&Vec<i64>, usize> = all.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let inputs: Vec<&Vec<i64>> = sm
        .transitions
        .keys()
        .map(|(_, x)| x)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let outputs: Vec<&Vec<i64>> = sm.outputs.values().collect::<BTreeSet<_>>().into_iter().collect();
    let mut folding = Folding {
        parent: (0..all.len()).collect(),
        size: vec![1; all.len()],
        budget: MERGE_BUDGET,
        output: all
            .iter()
            .map(|s| sm.outputs.get(s).and_then(|y| outputs.iter().position(|o| *o == y)))
            .collect(),
        next: all
            .iter()
            .map(|s| {
                inputs
                    .iter()
                    .map(|x| sm.transitions.get(&(s.clone(), (*x).clone())).map(|t| index[t]))
                    .collect()
            })
            .collect(),
        log: Vec::new(),
    };
    let mut kept: Vec<usize> = Vec::new();
    for q in 0..all.len() {
        if folding.find(q) != q {
            continue;
        }
        let mut merged = false;
        for &p in &kept {
            let mark = folding.log.len();
            if folding.fold(p, q) {
                merged = true;
                break;
            }
            folding.undo(mark);
        }
        if folding.budget == 0 {
            return None;
        }
        if !merged {
            kept.push(q);
        }
        folding.log.clear();
    }
    let names: BTreeMap<Vec<i64>, Vec<i64>> = all
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), vec![folding.find(i) as i64]))
        .collect();
    let mut merged = rename(&sm, &names, 1);
    for (root, row) in folding.next.iter().enumerate().filter(|(r, _)| folding.find(*r) == *r) {
        for (x, t) in row.iter().enumerate() {
            if let Some(t) = t {
                merged
                    .transitions
                    .insert((vec![root as i64], inputs[x].clone()), vec![folding.find(*t) as i64]);
            }
        }
        if let Some(y) = folding.output[root] {
            merged.outputs.insert(vec![root as i64], outputs[y].clone());
        }
    }
    Some(renumber(&merged))
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
    fn compatible_states_merge_into_the_gaps() {
        // A prefix tree of parity over {0,1} up to depth 2: exact minimization keeps 5 states
        // (gaps differ), compatible merging leaves 2.
        let mut sm = StateMachine {
            state_dim: 1,
            input_dim: 1,
            output_dim: 1,
            initial: vec![0],
            ..Default::default()
        };
        let mut id = 0;
        let mut frontier = vec![(0i64, 0i64)];
        for _ in 0..2 {
            let mut next = Vec::new();
            for (s, parity) in frontier {
                for x in 0..2 {
                    id += 1;
                    sm.transitions.insert((vec![s], vec![x]), vec![id]);
                    sm.outputs.insert(vec![id], vec![(parity + x) % 2]);
                    next.push((id, (parity + x) % 2));
                }
            }
            frontier = next;
        }
        assert_eq!(minimize(&sm).state_count(), 5);
        let merged = merge_compatible(&sm, 100).unwrap();
        assert_eq!(merged.state_count(), 2, "{merged:?}");
        for seq in [vec![1, 1], vec![0, 1], vec![1, 0, 1, 1, 1]] {
            let expected: Vec<i64> = seq
                .iter()
                .scan(0, |p, x| {
                    *p = (*p + x) % 2;
                    Some(*p)
                })
                .collect();
            assert_eq!(merged.run(&seq).unwrap(), expected);
        }
        assert!(merge_compatible(&sm, 3).is_none());
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
