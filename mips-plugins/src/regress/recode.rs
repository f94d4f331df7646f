//! Canonical codings of a finite machine's states. Extraction names states by cluster or
//! block labels, which carry no meaning, so a formula over them is often a table. When
//! something observable identifies every state, the state can be named by it instead: the
//! state's output, the input that enters it (every transition into it reads the same input),
//! or both; or its output together with the class of its transition row (states whose
//! successors agree on every input: a carry). In a minimal Moore machine two states with the
//! same output and the same transition row are one state, so that pair always identifies the
//! states; it is used as two components and, for one output, as the one mixed-radix number
//! `class · R + output` (`R`: the number of output values from the smallest to the largest, so
//! a digit and its carry read back as their sum). Each coding is used only when it is
//! injective; the regression then fits the recoded machine like any other, and the shortest
//! verified program wins.

use std::collections::{BTreeMap, BTreeSet};

use mips_core::ir::StateMachine;

/// The recoded machines of `sm`, each with the name of its coding.
pub fn codings(sm: &StateMachine) -> Vec<(&'static str, StateMachine)> {
    if sm.coding.is_some() {
        return Vec::new();
    }
    let entry = entry_inputs(sm);
    let output = |s: &Vec<i64>| sm.outputs.get(s).cloned();
    let input = |s: &Vec<i64>| entry.get(s).cloned();
    let both = |s: &Vec<i64>| Some([input(s)?, output(s)?].concat());
    let rows = row_classes(sm);
    let classes = rows.values().max().map_or(0, |c| c + 1);
    let class = |s: &Vec<i64>| rows.get(s).copied().filter(|_| classes > 1);
    let paired = |s: &Vec<i64>| Some([vec![class(s)?], output(s)?].concat());
    let radix = output_radix(sm);
    let mixed = |s: &Vec<i64>| match (class(s), output(s)?.as_slice(), radix) {
        (Some(c), [y], Some(r)) => c.checked_mul(r)?.checked_add(*y).map(|v| vec![v]),
        _ => None,
    };
    let named: [(&'static str, &Code); 5] = [
        ("states coded by outputs", &output),
        ("states coded by entry inputs", &input),
        ("states coded by entry inputs and outputs", &both),
        ("states coded by transition class and output", &paired),
        ("states coded by transition class and output, mixed radix", &mixed),
    ];
    named
        .into_iter()
        .filter_map(|(name, code)| recode(sm, code).map(|m| (name, m)))
        .collect()
}

/// A state's code, if it has one.
type Code<'a> = dyn Fn(&Vec<i64>) -> Option<Vec<i64>> + 'a;

/// The input read by every transition into each state (states entered by several inputs, and
/// the initial state when nothing enters it, have none).
fn entry_inputs(sm: &StateMachine) -> BTreeMap<Vec<i64>, Vec<i64>> {
    let mut seen: BTreeMap<&Vec<i64>, BTreeSet<&Vec<i64>>> = BTreeMap::new();
    for ((_, x), t) in &sm.transitions {
        seen.entry(t).or_default().insert(x);
    }
    seen.into_iter()
        .filter(|(_, xs)| xs.len() == 1)
        .map(|(t, xs)| (t.clone(), xs.into_iter().next().expect("one input").clone()))
        .collect()
}

/// The class of each state's transition row (its successor on every input), numbered in the
/// order breadth-first search from the initial state (inputs in increasing order) first meets
/// a state of the class, so the initial state's class is 0. A state joins the first class
/// whose rows agree with its own on every input both have seen (an observed machine lacks
/// some transitions), and the class's row gains its transitions.
fn row_classes(sm: &StateMachine) -> BTreeMap<Vec<i64>, i64> {
    type Row<'a> = BTreeMap<&'a Vec<i64>, &'a Vec<i64>>;
    let mut rows: BTreeMap<&Vec<i64>, Row> = BTreeMap::new();
    for ((s, x), t) in &sm.transitions {
        rows.entry(s).or_default().insert(x, t);
    }
    let mut known: Vec<Row> = Vec::new();
    let mut classes = BTreeMap::new();
    let mut seen = BTreeSet::from([&sm.initial]);
    let mut queue = std::collections::VecDeque::from([&sm.initial]);
    let empty = Row::new();
    while let Some(s) = queue.pop_front() {
        let row = rows.get(s).unwrap_or(&empty);
        let agrees = |class: &Row| row.iter().all(|(x, t)| class.get(x).is_none_or(|c| c == t));
        let class = match known.iter().position(agrees) {
            Some(c) => c,
            None => {
                known.push(Row::new());
                known.len() - 1
            }
        };
        known[class].extend(row.iter().map(|(x, t)| (*x, *t)));
        classes.insert(s.clone(), class as i64);
        for t in row.values() {
            if seen.insert(*t) {
                queue.push_back(*t);
            }
        }
    }
    classes
}

/// The number of values of a one-component output from its smallest to its largest (the
/// radix of the mixed coding); `None` for other outputs.
fn output_radix(sm: &StateMachine) -> Option<i64> {
    if sm.output_dim != 1 {
        return None;
    }
    let values = sm.outputs.values().map(|y| y[0]);
    let (lo, hi) = (values.clone().min()?, values.max()?);
    hi.checked_sub(lo)?.checked_add(1)
}

/// `sm` with every state renamed by `code`, when the code is defined on every state but the
/// initial one and injective. An initial state without a code gets a fresh one (one below the
/// smallest code in every component).
fn recode(sm: &StateMachine, code: &Code) -> Option<StateMachine> {
    let states = crate::extract::minimize::states(sm);
    let mut names: BTreeMap<&Vec<i64>, Vec<i64>> = BTreeMap::new();
    for s in states.iter().filter(|s| **s != sm.initial) {
        names.insert(s, code(s)?);
    }
    let initial = match code(&sm.initial) {
        Some(c) => c,
        None => fresh(names.values())?,
    };
    names.insert(&sm.initial, initial.clone());
    let distinct: BTreeSet<&Vec<i64>> = names.values().collect();
    if distinct.len() != names.len() {
        return None;
    }
    let rename = |s: &Vec<i64>| names[s].clone();
    let recoded = StateMachine {
        state_dim: initial.len(),
        initial,
        transitions: sm
            .transitions
            .iter()
            .map(|((s, x), t)| ((rename(s), x.clone()), rename(t)))
            .collect(),
        outputs: sm.outputs.iter().map(|(s, y)| (rename(s), y.clone())).collect(),
        state_names: Vec::new(),
        coding: None,
        ..sm.clone()
    };
    (recoded != *sm).then_some(recoded)
}

/// A code below every code in each component; `None` without codes.
fn fresh<'a>(codes: impl Iterator<Item = &'a Vec<i64>>) -> Option<Vec<i64>> {
    let mut lowest: Option<Vec<i64>> = None;
    for c in codes {
        lowest = Some(match lowest {
            None => c.clone(),
            Some(l) => l.iter().zip(c).map(|(a, b)| *a.min(b)).collect(),
        });
    }
    lowest.map(|l| l.iter().map(|v| v.saturating_sub(1)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::{explore, range};

    #[test]
    fn a_state_named_by_its_output_is_the_running_minimum() {
        // Cluster labels 0..9 for the running minimum of digits (label = (min + 3) % 10).
        let label = |m: i64| (m + 3) % 10;
        let unlabel = |l: i64| (l + 7) % 10;
        let sm = explore(
            vec![label(9)],
            &range(0, 9),
            move |s, x| vec![label(unlabel(s[0]).min(x[0]))],
            move |s| vec![unlabel(s[0])],
        );
        let coded = codings(&sm);
        let (_, by_output) = coded.iter().find(|(n, _)| n.contains("outputs")).unwrap();
        assert_eq!(by_output.initial, vec![9]);
        for ((s, x), t) in &by_output.transitions {
            assert_eq!(t[0], s[0].min(x[0]));
        }
    }

    #[test]
    fn entry_inputs_and_outputs_name_a_previous_equals_current_machine() {
        // State after a step: (label of the input, whether it equalled the previous one).
        // The initial state (100) behaves as if the previous input were 0.
        let prev = |s: i64| if s == 100 { 0 } else { (s - 50) / 7 };
        let sm = explore(
            vec![100],
            &range(0, 3),
            move |s, x| vec![x[0] * 7 + 50 + (prev(s[0]) == x[0]) as i64],
            |s| vec![if s[0] == 100 { 0 } else { (s[0] - 50) % 7 }],
        );
        let coded = codings(&sm);
        let names: Vec<&str> = coded.iter().map(|(n, _)| *n).collect();
        assert!(
            !names
                .iter()
                .any(|n| n.ends_with("by outputs") || n.ends_with("entry inputs"))
        );
        let (_, m) = coded
            .iter()
            .find(|(n, _)| *n == "states coded by entry inputs and outputs")
            .unwrap_or_else(|| panic!("{names:?}"));
        for ((s, x), t) in m.transitions.iter().filter(|((s, _), _)| *s != m.initial) {
            assert_eq!(t, &vec![x[0], (s[0] == x[0]) as i64], "from {s:?} on {x:?}");
        }
        assert_eq!(m.initial, vec![-1, -1], "a fresh code for the initial state");
    }

    /// Base-`b` addition with states named by scrambled labels of the digit sum.
    fn scrambled_adder(b: i64) -> StateMachine {
        let n = 2 * b;
        let label = move |sum: i64| (sum * 5 + 3) % n;
        let unlabel = move |l: i64| (0..n).find(|&s| label(s) == l).unwrap();
        let alphabet: Vec<Vec<i64>> = (0..b).flat_map(|a| (0..b).map(move |c| vec![a, c])).collect();
        explore(
            vec![label(0)],
            &alphabet,
            move |s, x| vec![label(x[0] + x[1] + (unlabel(s[0]) >= b) as i64)],
            move |s| vec![unlabel(s[0]) % b],
        )
    }

    #[test]
    fn transition_class_and_output_name_the_digit_sum() {
        let sm = scrambled_adder(6);
        let coded = codings(&sm);
        let (_, mixed) = coded.iter().find(|(n, _)| n.ends_with("mixed radix")).unwrap();
        assert_eq!(mixed.initial, vec![0]);
        for ((s, x), t) in &mixed.transitions {
            assert_eq!(t[0], x[0] + x[1] + (s[0] >= 6) as i64, "from {s:?} on {x:?}");
        }
        let (_, paired) = coded.iter().find(|(n, _)| n.ends_with("class and output")).unwrap();
        for ((s, x), t) in &paired.transitions {
            let sum = x[0] + x[1] + s[0];
            assert_eq!(t, &vec![sum / 6, sum % 6], "from {s:?} on {x:?}");
        }
        assert!(row_classes(&sm).values().all(|c| *c < 2));
    }

    #[test]
    fn one_transition_class_gives_no_class_coding() {
        // The state is the last input: every state has the same row, so there is one class.
        let sm = explore(vec![0], &range(0, 1), |_, x| vec![x[0]], |s| s.to_vec());
        assert!(codings(&sm).iter().all(|(n, _)| !n.contains("transition class")));
    }

    #[test]
    fn a_coding_that_merges_states_is_refused() {
        // A counter mod 4 that outputs its parity: outputs do not identify states.
        let sm = explore(
            vec![0],
            &range(0, 1),
            |s, x| vec![(s[0] + x[0]) % 4],
            |s| vec![s[0] % 2],
        );
        assert!(codings(&sm).iter().all(|(n, _)| !n.ends_with("by outputs")));
    }
}
