//! The finite control of a counter machine: the network's outputs as a Moore machine over the
//! input symbol and the counters' comparisons (each counter with 0, and each pair with each
//! other), learned as the smallest compatible folding of the prefix tree of the observed
//! sequences; then the product with the counters, and control states merged while the product
//! stays a function (a control state that the counters already tell apart is not needed).

use std::collections::BTreeMap;

use mips_core::ir::StateMachine;

use crate::extract::minimize::{merge_compatible, minimize};

/// One observed sequence: per step, the input, the counters after the step and the output.
pub struct Observed {
    pub inputs: Vec<Vec<i64>>,
    pub counters: Vec<Vec<i64>>,
    pub outputs: Vec<Vec<i64>>,
}

/// Widths of the observed inputs and outputs, and the number of counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub input: usize,
    pub output: usize,
    pub counters: usize,
}

/// Comparisons of the counters: the sign of each counter, then of each pairwise difference.
pub fn comparisons(c: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = c.iter().map(|v| v.signum()).collect();
    for i in 0..c.len() {
        for j in i + 1..c.len() {
            out.push((c[i] - c[j]).signum());
        }
    }
    out
}

/// The symbol the control reads at one step: the input, then the comparisons after the step.
fn symbol(x: &[i64], c: &[i64]) -> Vec<i64> {
    [x.to_vec(), comparisons(c)].concat()
}

/// The prefix tree of `seqs` over control symbols (nodes numbered as first met).
fn prefix_tree(seqs: &[Observed], dims: Dims) -> StateMachine {
    let mut sm = StateMachine {
        state_dim: 1,
        input_dim: dims.input + comparisons(&vec![0; dims.counters]).len(),
        output_dim: dims.output,
        initial: vec![0],
        method: "counter control".into(),
        ..Default::default()
    };
    let mut nodes = 1i64;
    for seq in seqs {
        let mut node = vec![0];
        for ((x, c), y) in seq.inputs.iter().zip(&seq.counters).zip(&seq.outputs) {
            let key = (node, symbol(x, c));
            let next = sm.transitions.entry(key).or_insert_with(|| {
                nodes += 1;
                vec![nodes - 1]
            });
            node = next.clone();
            sm.outputs.insert(node.clone(), y.clone());
        }
    }
    sm
}

/// The control: the compatible folding (RPNI) of the prefix tree itself when the tree has at most
/// `limit` nodes, else the tree's exact minimization. The tree is folded, not its minimization:
/// minimizing first would merge states that only the data's length cannot tell apart (a deep
/// prefix that cannot return to depth 0 in the steps left looks broken). `None` when the network gives two outputs
/// after one control word (the outputs are then not a function of the symbols and comparisons).
pub fn learn(seqs: &[Observed], dims: Dims, limit: usize) -> Option<StateMachine> {
    let tree = prefix_tree(seqs, dims);
    let consistent = seqs.iter().all(|s| {
        let path: Vec<i64> = s
            .inputs
            .iter()
            .zip(&s.counters)
            .flat_map(|(x, c)| symbol(x, c))
            .collect();
        tree.run(&path).is_ok_and(|y| y == s.outputs.concat())
    });
    if !consistent {
        return None;
    }
    Some(merge_compatible(&tree, limit).unwrap_or_else(|| minimize(&tree)))
}

/// Share of `seqs` the control runs through without a gap (its outputs may differ: the product
/// is checked against the network apart).
pub fn coverage(control: &StateMachine, seqs: &[Observed]) -> f64 {
    let covered = seqs.iter().filter(|s| control_states(control, s).is_some()).count();
    covered as f64 / seqs.len().max(1) as f64
}

/// The control state after each step of `seq`, or `None` at a gap.
fn control_states(control: &StateMachine, seq: &Observed) -> Option<Vec<i64>> {
    let path: Vec<i64> = seq
        .inputs
        .iter()
        .zip(&seq.counters)
        .flat_map(|(x, c)| symbol(x, c))
        .collect();
    control
        .states(&path)
        .ok()
        .map(|v| v.into_iter().map(|s| s[0]).collect())
}

/// Transitions and outputs of a product machine; `None` when a row has two values.
type Tables = (BTreeMap<(Vec<i64>, Vec<i64>), Vec<i64>>, BTreeMap<Vec<i64>, Vec<i64>>);

/// The product of the control (its states renamed by `class`) and the counters over `seqs`.
fn product(seqs: &[Observed], states: &[Vec<i64>], class: &[i64], initial: &[i64]) -> Option<Tables> {
    let mut transitions = BTreeMap::new();
    let mut outputs = BTreeMap::new();
    for (seq, qs) in seqs.iter().zip(states) {
        let mut prev: Vec<i64> = [vec![class[0]], initial.to_vec()].concat();
        for ((x, c), (y, &q)) in seq.inputs.iter().zip(&seq.counters).zip(seq.outputs.iter().zip(qs)) {
            let next: Vec<i64> = [vec![class[q as usize]], c.clone()].concat();
            if transitions
                .insert((prev, x.clone()), next.clone())
                .is_some_and(|old| old != next)
            {
                return None;
            }
            if outputs.insert(next.clone(), y.clone()).is_some_and(|old| old != *y) {
                return None;
            }
            prev = next;
        }
    }
    Some((transitions, outputs))
}

/// Control classes: control states merged greedily (each into the first earlier class it can
/// join) while the product with the counters stays a function; numbered 0, 1, … in order.
fn classes(seqs: &[Observed], states: &[Vec<i64>], count: usize, initial: &[i64]) -> Vec<i64> {
    let mut class: Vec<i64> = (0..count as i64).collect();
    for q in 1..count {
        for target in 0..q {
            if class[target] != target as i64 {
                continue;
            }
            let mut trial = class.clone();
            trial
                .iter_mut()
                .filter(|c| **c == q as i64)
                .for_each(|c| *c = target as i64);
            if product(seqs, states, &trial, initial).is_some() {
                class = trial;
                break;
            }
        }
    }
    let mut names: BTreeMap<i64, i64> = BTreeMap::new();
    class
        .iter()
        .map(|c| {
            let next = names.len() as i64;
            *names.entry(*c).or_insert(next)
        })
        .collect()
}

/// The counter machine over `seqs`: state `[control, counters…]` (the control dropped when one
/// state is left), starting from `[0, 0…]`. `None` when the control has a gap on a
/// sequence it was learned from or the product is not a function.
pub fn machine(seqs: &[Observed], control: &StateMachine, dims: Dims) -> Option<StateMachine> {
    let initial = vec![0; dims.counters];
    let initial = initial.as_slice();
    let states: Vec<Vec<i64>> = seqs.iter().map(|s| control_states(control, s)).collect::<Option<_>>()?;
    let count = control.state_count();
    let class = classes(seqs, &states, count, initial);
    let (mut transitions, mut outputs) = product(seqs, &states, &class, initial)?;
    let single = class.iter().all(|c| *c == 0);
    if single {
        transitions = transitions
            .into_iter()
            .map(|((s, x), t)| ((s[1..].to_vec(), x), t[1..].to_vec()))
            .collect();
        outputs = outputs.into_iter().map(|(s, y)| (s[1..].to_vec(), y)).collect();
    }
    Some(StateMachine {
        state_dim: initial.len() + usize::from(!single),
        input_dim: dims.input,
        output_dim: dims.output,
        initial: if single {
            initial.to_vec()
        } else {
            [vec![0], initial.to_vec()].concat()
        },
        transitions,
        outputs,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Depth `#0 − #1`, output 1 when the prefix is balanced.
    fn parentheses(words: &[&[i64]]) -> Vec<Observed> {
        words
            .iter()
            .map(|w| {
                let (mut d, mut broken) = (0, false);
                let mut seq = Observed {
                    inputs: vec![],
                    counters: vec![],
                    outputs: vec![],
                };
                for &x in *w {
                    d += if x == 0 { 1 } else { -1 };
                    broken |= d < 0;
                    seq.inputs.push(vec![x]);
                    seq.counters.push(vec![d]);
                    seq.outputs.push(vec![(d == 0 && !broken) as i64]);
                }
                seq
            })
            .collect()
    }

    #[test]
    fn balanced_parentheses_need_a_broken_flag_beside_the_depth() {
        let words: Vec<Vec<i64>> = (0..256u32)
            .map(|m| (0..8).map(|i| ((m >> i) & 1) as i64).collect())
            .collect();
        let refs: Vec<&[i64]> = words.iter().map(Vec::as_slice).collect();
        let seqs = parentheses(&refs);
        let dims = Dims {
            input: 1,
            output: 1,
            counters: 1,
        };
        let control = learn(&seqs, dims, 4096).unwrap();
        let sm = machine(&seqs, &control, dims).unwrap();
        assert_eq!(sm.state_dim, 2, "control and depth");
        let controls: std::collections::BTreeSet<i64> = sm.outputs.keys().map(|s| s[0]).collect();
        assert_eq!(controls.len(), 2, "balanced so far, or broken");
        assert_eq!(sm.run(&[0, 1, 1, 0]), Ok(vec![0, 1, 0, 0]));
        assert_eq!(sm.outputs.get(&vec![1, 0]), Some(&vec![0]), "broken at depth 0");
    }

    #[test]
    fn outputs_that_the_comparisons_decide_need_no_control() {
        // Output: is the count of 1s at least the count of 0s (one counter, #1 − #0)?
        let seqs: Vec<Observed> = (0..64u32)
            .map(|m| {
                let xs: Vec<i64> = (0..6).map(|i| ((m >> i) & 1) as i64).collect();
                let mut c = 0;
                let mut seq = Observed {
                    inputs: vec![],
                    counters: vec![],
                    outputs: vec![],
                };
                for x in xs {
                    c += 2 * x - 1;
                    seq.inputs.push(vec![x]);
                    seq.counters.push(vec![c]);
                    seq.outputs.push(vec![(c >= 0) as i64]);
                }
                seq
            })
            .collect();
        let dims = Dims {
            input: 1,
            output: 1,
            counters: 1,
        };
        let control = learn(&seqs, dims, 4096).unwrap();
        let sm = machine(&seqs, &control, dims).unwrap();
        assert_eq!(sm.state_dim, 1, "the counter alone");
        assert_eq!(sm.outputs.get(&vec![-2]), Some(&vec![0]));
    }
}
