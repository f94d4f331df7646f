//! Quine–McCluskey two-level minimisation with don't-cares: prime implicants by merging cubes
//! that differ in one fixed bit, then a cover of the on-set by the essential primes and a
//! greedy choice of the rest (most newly covered minterms, then fewest literals).

use std::collections::BTreeSet;

/// A cube: the assignments whose bits under `care` equal those of `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cube {
    pub value: u32,
    pub care: u32,
}

impl Cube {
    /// True when the cube contains assignment `m`.
    pub fn covers(self, m: u32) -> bool {
        m & self.care == self.value
    }

    /// Number of fixed bits.
    pub fn literals(self) -> u32 {
        self.care.count_ones()
    }
}

/// A small sum of products covering exactly `on` within `on ∪ dc` (`n` variables).
pub fn minimize(n: usize, on: &[u32], dc: &[u32]) -> Vec<Cube> {
    cover(&primes(n, on, dc), on)
}

/// The prime implicants of `on ∪ dc`.
pub fn primes(n: usize, on: &[u32], dc: &[u32]) -> Vec<Cube> {
    let full = if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
    let mut current: BTreeSet<Cube> = on
        .iter()
        .chain(dc)
        .map(|&m| Cube {
            value: m & full,
            care: full,
        })
        .collect();
    let mut primes = Vec::new();
    while !current.is_empty() {
        let mut next = BTreeSet::new();
        let mut merged = BTreeSet::new();
        for &c in &current {
            for bit in (0..n)
                .map(|b| 1u32 << b)
                .filter(|b| c.care & b != 0 && c.value & b == 0)
            {
                let partner = Cube {
                    value: c.value | bit,
                    care: c.care,
                };
                if current.contains(&partner) {
                    merged.insert(c);
                    merged.insert(partner);
                    next.insert(Cube {
                        value: c.value,
                        care: c.care & !bit,
                    });
                }
            }
        }
        primes.extend(current.iter().filter(|c| !merged.contains(c)));
        current = next;
    }
    primes
}

/// Essential primes, then greedy choices, until every on-minterm is covered.
pub fn cover(primes: &[Cube], on: &[u32]) -> Vec<Cube> {
    let mut uncovered: BTreeSet<u32> = on.iter().copied().collect();
    let mut chosen: Vec<Cube> = Vec::new();
    for &m in on {
        let mut covering = primes.iter().filter(|p| p.covers(m));
        if let (Some(&only), None) = (covering.next(), covering.next())
            && !chosen.contains(&only)
        {
            chosen.push(only);
        }
    }
    uncovered.retain(|&m| !chosen.iter().any(|p| p.covers(m)));
    while !uncovered.is_empty() {
        let best = primes
            .iter()
            .max_by_key(|p| {
                let gain = uncovered.iter().filter(|&&m| p.covers(m)).count();
                (gain, std::cmp::Reverse(p.literals()))
            })
            .copied();
        match best {
            Some(p) if uncovered.iter().any(|&m| p.covers(m)) => {
                uncovered.retain(|&m| !p.covers(m));
                chosen.push(p);
            }
            // Every on-minterm is an implicant of itself, so primes always cover it.
            _ => break,
        }
    }
    chosen.sort();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(cover: &[Cube], m: u32) -> bool {
        cover.iter().any(|c| c.covers(m))
    }

    #[test]
    fn majority_of_three() {
        let on: Vec<u32> = (0..8).filter(|m: &u32| m.count_ones() >= 2).collect();
        let c = minimize(3, &on, &[]);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|p| p.literals() == 2));
        for m in 0..8 {
            assert_eq!(eval(&c, m), m.count_ones() >= 2);
        }
    }

    #[test]
    fn dont_cares_shrink_the_cover() {
        // on = {1}, dc = {3}: the single literal x0.
        let c = minimize(2, &[1], &[3]);
        assert_eq!(c, vec![Cube { value: 1, care: 1 }]);
    }
}
