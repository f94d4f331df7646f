//! The counters a network keeps, read off its behaviour: a *relation* is a word of distinct
//! input symbols that the network forgets — inserted anywhere into a sequence, it never changes
//! a later output. Counting each symbol modulo the relations gives the counters: the integer
//! rows `d` with `d · r = 0` for every relation's symbol counts `r` (a depth counter `#0 − #1`
//! when `01` is forgotten; count differences when one of each symbol is).

use mips_core::ir::Network;
use mips_core::pass::verify::round_output;
use nalgebra::DMatrix;

use crate::extract::collect::{Samples, Trajectory};

/// Sequences of the core the insertions are tried in (the first ones).
pub const RELATION_SEQUENCES: usize = 256;

/// Longest relation word tried (a set of this many distinct symbols).
pub const MAX_WORD: usize = 4;

/// Most candidate counter rows enumerated (`3^m` for `m` symbols): a budget that bounds the
/// work of [`counter_rows`] and [`relations`]; a larger alphabet is left to the other methods.
pub const MAX_ROW_CANDIDATES: usize = 1 << 20;

/// True when an alphabet of `m` symbols is within [`MAX_ROW_CANDIDATES`].
pub fn within_budget(m: usize) -> bool {
    u32::try_from(m)
        .ok()
        .and_then(|m| 3usize.checked_pow(m))
        .is_some_and(|rows| rows <= MAX_ROW_CANDIDATES)
}

/// True when inserting `word` (symbol indices into `alphabet`) at any point of `t` leaves
/// the network's outputs after the insertion unchanged, the sequence cut to its length.
fn forgotten(net: &Network, samples: &Samples, t: &Trajectory, word: &[usize], alphabet: &[Vec<f64>]) -> bool {
    let (steps, d) = (samples.steps(t), samples.input_dim.max(1));
    if word.len() > steps {
        return false;
    }
    let input = |i: usize| -> Vec<f64> { t.inputs[i * d..(i + 1) * d].iter().map(|&v| v as f64).collect() };
    let out = samples.output_dim;
    (0..=steps - word.len()).all(|at| {
        let mut h = if at == 0 {
            samples.h0.clone()
        } else {
            t.hidden[(at - 1) * samples.hidden_dim..at * samples.hidden_dim].to_vec()
        };
        for &s in word {
            h = net.step(&h, &alphabet[s]);
        }
        (at..steps - word.len()).all(|i| {
            h = net.step(&h, &input(i));
            let y = net.readout(&h);
            y.iter()
                .map(|v| round_output(*v))
                .eq(t.outputs[i * out..(i + 1) * out].iter().copied())
        })
    })
}

/// Rank of integer rows (floating elimination; the rows are small integers).
pub fn rank(rows: &[Vec<i64>]) -> usize {
    let Some(width) = rows.first().map(Vec::len) else {
        return 0;
    };
    DMatrix::from_fn(rows.len(), width, |i, j| rows[i][j] as f64).rank(1e-9)
}

/// The sets of distinct symbols of `m`, smallest first, up to [`MAX_WORD`] symbols.
fn symbol_sets(m: usize) -> Vec<Vec<usize>> {
    let mut sets: Vec<Vec<usize>> = vec![vec![]];
    let mut all = Vec::new();
    for _ in 0..MAX_WORD.min(m) {
        sets = sets
            .iter()
            .flat_map(|s| (s.last().map_or(0, |l| l + 1)..m).map(move |x| [s.clone(), vec![x]].concat()))
            .collect();
        all.extend(sets.iter().cloned());
    }
    all
}

/// The relations of `net` over `alphabet`, as symbol counts: each set of distinct symbols not
/// implied by the relations found so far is written in ascending and in descending order, and
/// is a relation when either word is forgotten on every tried sequence.
pub fn relations(net: &Network, samples: &Samples, alphabet: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let m = alphabet.len();
    let symbols: Vec<Vec<f64>> = alphabet.iter().map(|x| x.iter().map(|&v| v as f64).collect()).collect();
    let tried: Vec<&Trajectory> = samples.core.iter().take(RELATION_SEQUENCES).collect();
    let mut found: Vec<Vec<i64>> = Vec::new();
    for set in symbol_sets(m) {
        let counts: Vec<i64> = (0..m).map(|s| set.contains(&s) as i64).collect();
        let with = [found.clone(), vec![counts.clone()]].concat();
        if rank(&with) == rank(&found) {
            continue;
        }
        let reversed: Vec<usize> = set.iter().rev().copied().collect();
        let words = if set.len() > 1 {
            vec![set.clone(), reversed]
        } else {
            vec![set.clone()]
        };
        if words
            .iter()
            .any(|w| tried.iter().all(|t| forgotten(net, samples, t, w, &symbols)))
        {
            found.push(counts);
        }
    }
    found
}

/// Counter rows: integer rows with entries in {-1, 0, 1} (first nonzero entry positive)
/// orthogonal to every relation, independent, fewest nonzeros first (then the row whose last
/// entries are smallest, so `#i − #last` comes before `#i − #j`), as many as the symbols leave free (`m − rank(relations)`).
pub fn counter_rows(m: usize, relations: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let want = m - rank(relations);
    let mut candidates: Vec<Vec<i64>> = (0..3usize.pow(m as u32))
        .map(|code| {
            (0..m)
                .map(|i| (code / 3usize.pow(i as u32) % 3) as i64 - 1)
                .collect::<Vec<i64>>()
        })
        .filter(|v| v.iter().find(|&&e| e != 0) == Some(&1))
        .filter(|v| {
            relations
                .iter()
                .all(|r| r.iter().zip(v).map(|(a, b)| a * b).sum::<i64>() == 0)
        })
        .collect();
    candidates.sort_by(|a, b| {
        let nonzero = |v: &Vec<i64>| v.iter().filter(|e| **e != 0).count();
        nonzero(a).cmp(&nonzero(b)).then(a.iter().rev().cmp(b.iter().rev()))
    });
    let mut rows: Vec<Vec<i64>> = Vec::new();
    for v in candidates {
        if rows.len() == want {
            break;
        }
        let with = [rows.clone(), vec![v.clone()]].concat();
        if rank(&with) > rows.len() {
            rows = with;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelling_pair_leaves_their_difference() {
        assert_eq!(counter_rows(2, &[vec![1, 1]]), vec![vec![1, -1]]);
    }

    #[test]
    fn one_of_each_forgotten_leaves_count_differences() {
        let rows = counter_rows(3, &[vec![1, 1, 1]]);
        assert_eq!(rows, vec![vec![1, 0, -1], vec![0, 1, -1]]);
    }

    #[test]
    fn no_relation_counts_every_symbol_and_a_forgotten_symbol_is_not_counted() {
        assert_eq!(counter_rows(2, &[]), vec![vec![1, 0], vec![0, 1]]);
        assert_eq!(counter_rows(2, &[vec![1, 0]]), vec![vec![0, 1]]);
    }

    #[test]
    fn the_row_budget_admits_small_alphabets_only() {
        assert!(within_budget(12));
        assert!(!within_budget(13));
        assert!(!within_budget(200));
    }

    #[test]
    fn symbol_sets_are_distinct_symbols_smallest_first() {
        let sets = symbol_sets(3);
        assert_eq!(sets.len(), 7);
        assert_eq!(sets[0], vec![0]);
        assert_eq!(sets[3], vec![0, 1]);
        assert_eq!(sets[6], vec![0, 1, 2]);
    }
}
