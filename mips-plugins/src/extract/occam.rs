//! Occam merges for a learned machine: the fewest states that still reproduce the network on
//! the data.
//!
//! An L*-style learner tells states apart by any word the network answers differently, including
//! words the task's data almost never contains, where a network that is exact on the data can
//! still be wrong (an alternation run that restarts right after a long one). Such a distinction
//! costs states and makes the machine copy the network's slip at longer lengths. Here two states
//! with one output are merged (every transition into one is redirected to the other; states only
//! it reached are dropped) when the merged machine still gives the network's rounded output at
//! every step of the evidence: the coarsest machine consistent with the network on the data, as
//! the minimal-description-length rule prefers. Only states the evidence visits before a
//! sequence's last step are merged away, so the data speaks about what follows them.

use std::collections::BTreeSet;

/// A complete Moore machine over symbol indices; state 0 is the initial one.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// Per state, per symbol, the successor.
    pub delta: Vec<Vec<usize>>,
    /// Per state, its output.
    pub output: Vec<Vec<i64>>,
    /// Per state, the index it had in the machine merging started from.
    pub origin: Vec<usize>,
}

/// A sequence of symbols with the network's rounded output after each.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub word: Vec<usize>,
    pub outputs: Vec<Vec<i64>>,
}

impl Dense {
    /// The machine with transitions `delta` and outputs `output`, states numbered as given.
    pub fn new(delta: Vec<Vec<usize>>, output: Vec<Vec<i64>>) -> Dense {
        let origin = (0..delta.len()).collect();
        Dense { delta, output, origin }
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.delta.len()
    }

    /// True when the machine has no state.
    pub fn is_empty(&self) -> bool {
        self.delta.is_empty()
    }

    /// Whether the machine's output after every step of `e` is the network's, and the steps run
    /// to tell (up to the first difference).
    fn agrees(&self, e: &Evidence) -> (bool, u64) {
        let mut state = 0;
        for (step, (&a, out)) in e.word.iter().zip(&e.outputs).enumerate() {
            state = self.delta[state][a];
            if self.output[state] != *out {
                return (false, step as u64 + 1);
            }
        }
        (true, e.word.len() as u64)
    }

    /// Per state, the evidence sequences that are in it before their last step (in order).
    fn visitors(&self, evidence: &[Evidence]) -> Vec<Vec<usize>> {
        let mut visitors = vec![Vec::new(); self.len()];
        for (i, e) in evidence.iter().enumerate() {
            let mut state = 0;
            for &a in e.word.iter().take(e.word.len().saturating_sub(1)) {
                state = self.delta[state][a];
                if visitors[state].last() != Some(&i) {
                    visitors[state].push(i);
                }
            }
        }
        visitors
    }

    /// The machine with every transition into `from` sent to `to`, the states no longer
    /// reachable from state 0 dropped and the others kept in order.
    fn redirected(&self, from: usize, to: usize) -> Dense {
        let target = |t: usize| if t == from { to } else { t };
        let mut reached = BTreeSet::from([0]);
        let mut stack = vec![0];
        while let Some(s) = stack.pop() {
            for &t in &self.delta[s] {
                if reached.insert(target(t)) {
                    stack.push(target(t));
                }
            }
        }
        let kept: Vec<usize> = reached.into_iter().collect();
        let mut number = vec![usize::MAX; self.len()];
        for (i, &s) in kept.iter().enumerate() {
            number[s] = i;
        }
        Dense {
            delta: kept
                .iter()
                .map(|&s| self.delta[s].iter().map(|&t| number[target(t)]).collect())
                .collect(),
            output: kept.iter().map(|&s| self.output[s].clone()).collect(),
            origin: kept.iter().map(|&s| self.origin[s]).collect(),
        }
    }
}

/// Merges states of `machine` while the result agrees with the network on every `evidence`
/// sequence: the latest state `q` first (the longest access word, the likeliest to rest on
/// words the data does not contain), with the earliest state `p` of its output that keeps the
/// agreement — `q` into `p` (keeping `p`'s transitions), else `p` into `q` (keeping `q`'s: the
/// slip may be the earlier state's). Merging `a` into `b` changes only the runs of sequences
/// that enter `a`, so only those are checked, and only when some enters it before its last
/// step. One sweep over the states, stopped (keeping what it merged) once the machine steps
/// run reach `limit`.
pub fn merge(machine: &Dense, evidence: &[Evidence], limit: u64) -> Dense {
    let mut work = 0u64;
    let mut current = machine.clone();
    let mut visitors = current.visitors(evidence);
    for original in (1..machine.len()).rev() {
        let Some(q) = current.origin.iter().position(|&o| o == original) else {
            continue;
        };
        let candidates = (0..q).filter(|&p| current.output[p] == current.output[q]);
        let pairs = candidates.flat_map(|p| [(q, p), (p, q)]);
        for (from, to) in pairs.filter(|&(from, _)| from != 0 && !visitors[from].is_empty()) {
            if work >= limit {
                return current;
            }
            let candidate = current.redirected(from, to);
            let agrees = visitors[from].iter().all(|&i| {
                let (agrees, steps) = candidate.agrees(&evidence[i]);
                work += steps;
                agrees
            });
            if agrees {
                current = candidate;
                visitors = current.visitors(evidence);
                break;
            }
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine of `delta` over `symbols` inputs with `outputs`.
    fn machine(n: usize, symbols: usize, delta: &dyn Fn(usize, usize) -> usize, outputs: &[i64]) -> Dense {
        Dense::new(
            (0..n).map(|s| (0..symbols).map(|a| delta(s, a)).collect()).collect(),
            outputs.iter().map(|&o| vec![o]).collect(),
        )
    }

    /// The evidence of `word` under `m`.
    fn evidence(m: &Dense, word: &[usize]) -> Evidence {
        let mut state = 0;
        let outputs = word
            .iter()
            .map(|&a| {
                state = m.delta[state][a];
                m.output[state].clone()
            })
            .collect();
        Evidence {
            word: word.to_vec(),
            outputs,
        }
    }

    /// Every word of `len` bits.
    fn words(len: usize) -> Vec<Vec<usize>> {
        (0..1usize << len)
            .map(|w| (0..len).map(|i| (w >> i) & 1).collect())
            .collect()
    }

    /// Parity of ones kept over two copies of the even state (2 and 3, entered by 1 1 and
    /// then 0), where 3 slips on a one (back to even, not to odd).
    fn slip() -> Dense {
        let delta = |s: usize, a: usize| [[0, 1], [1, 2], [3, 1], [3, 0]][s][a];
        machine(4, 2, &delta, &[0, 1, 0, 0])
    }

    /// The network's parity on words that reach state 3 of [`slip`] but never read a one there.
    fn parity_evidence() -> Vec<Evidence> {
        let parity = machine(2, 2, &|s, a| s ^ a, &[0, 1]);
        let words: [&[usize]; 4] = [
            &[1, 1, 0, 0],
            &[0, 1, 0, 1, 1],
            &[1, 1, 1, 1, 0],
            &[1, 0, 1, 1, 0, 0, 0],
        ];
        words.iter().map(|w| evidence(&parity, w)).collect()
    }

    #[test]
    fn a_distinction_the_evidence_never_needs_is_merged_away() {
        let merged = merge(&slip(), &parity_evidence(), u64::MAX);
        assert_eq!(merged.delta, [[0, 1], [1, 0]]);
        assert_eq!(merged.output, [[0], [1]]);
        assert_eq!(merged.origin, [0, 1]);
    }

    /// The run of ones counted up to 3, with `outputs`, and its evidence on every word of `len`
    /// bits: merging leaves it as it is.
    fn kept_on_all_words(outputs: &[i64], len: usize) {
        let delta = |s: usize, a: usize| if a == 1 { (s + 1).min(3) } else { 0 };
        let run = machine(4, 2, &delta, outputs);
        let data: Vec<Evidence> = words(len).iter().map(|w| evidence(&run, w)).collect();
        assert_eq!(merge(&run, &data, u64::MAX), run);
    }

    #[test]
    fn a_distinction_the_evidence_shows_is_kept() {
        // Output 1 after three ones in a row: every state is needed on words of length 4.
        kept_on_all_words(&[0, 0, 0, 1], 4);
    }

    #[test]
    fn a_state_seen_only_at_the_last_step_is_kept() {
        // Output 1 after exactly two ones in a row; state 3 (three or more) is reached only on
        // the last step of words of length 3, so they say nothing about what follows it (merged
        // into 0, five ones would give 1).
        kept_on_all_words(&[0, 0, 1, 0], 3);
    }

    #[test]
    fn the_work_limit_stops_the_sweep() {
        // The first candidate (state 3 into 0) runs 4 steps of 1 1 0 0 and holds.
        assert_eq!(merge(&slip(), &parity_evidence(), 0), slip());
        assert_eq!(merge(&slip(), &parity_evidence(), 1).len(), 3);
        assert_eq!(merge(&slip(), &parity_evidence(), u64::MAX).len(), 2);
    }

    #[test]
    fn a_slip_of_the_earlier_copy_gives_way_to_the_later_one() {
        // Parity with two copies of the odd state: 1 (entered from even by a one) slips on a one
        // (stays odd), 2 (entered from 1 by a zero) is right. The data never reads a one in 1,
        // so 2 into 1 is refuted and 1 into 2 holds.
        let delta = |s: usize, a: usize| [[0, 1], [2, 1], [2, 0]][s][a];
        let copies = machine(3, 2, &delta, &[0, 1, 1]);
        let parity = machine(2, 2, &|s, a| s ^ a, &[0, 1]);
        let data: Vec<Evidence> = [[1, 0, 1, 0], [0, 1, 0, 0]]
            .iter()
            .map(|w| evidence(&parity, w))
            .collect();
        let merged = merge(&copies, &data, u64::MAX);
        assert_eq!(merged.delta, [[0, 1], [1, 0]]);
        assert_eq!(merged.origin, [0, 2]);
    }
}
