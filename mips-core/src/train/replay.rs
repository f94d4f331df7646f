//! Replay of hard training sequences: at every screen, a run can evaluate a pool of fresh
//! training sequences and keep those its network gets wrong; each later batch then mixes some of
//! them in. Rare mistakes (a network right on all but a few sequences in ten thousand) are seen
//! in fresh batches too seldom for the optimizer to remove them; replay shows them every step.
//! Only training data is mined, never the test split.

use crate::data::Sequence;

/// Fresh training sequences evaluated at each screen of a replaying run.
pub const MINE_POOL: usize = 4096;

/// Most sequences kept; the oldest are replaced first.
const CAPACITY: usize = 4096;

/// The mined sequences of one run.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    sequences: Vec<Sequence>,
    /// Where the next mined sequence goes once the store is full.
    next: usize,
}

impl Replay {
    /// Keeps `found`, replacing the oldest sequences when full.
    pub fn add(&mut self, found: impl IntoIterator<Item = Sequence>) {
        for s in found {
            if self.sequences.len() < CAPACITY {
                self.sequences.push(s);
            } else {
                self.sequences[self.next] = s;
                self.next = (self.next + 1) % CAPACITY;
            }
        }
    }

    /// `count` kept sequences for training step `step` (cycling through the store; none while it
    /// is empty).
    pub fn pick(&self, step: usize, count: usize) -> impl Iterator<Item = &Sequence> {
        let n = self.sequences.len();
        (0..if n == 0 { 0 } else { count }).map(move |k| &self.sequences[(step * count + k) % n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(v: i64) -> Sequence {
        Sequence {
            inputs: vec![v],
            outputs: vec![v],
        }
    }

    #[test]
    fn picks_cycle_through_the_store_and_the_oldest_go_first() {
        let mut r = Replay::default();
        assert_eq!(r.pick(3, 4).count(), 0, "nothing to replay yet");
        r.add((0..3).map(seq));
        let picked: Vec<i64> = r.pick(1, 2).map(|s| s.inputs[0]).collect();
        assert_eq!(picked, vec![2, 0]);
        r.add((3..CAPACITY as i64 + 2).map(seq));
        assert_eq!(r.sequences.len(), CAPACITY);
        assert!(r.sequences.iter().all(|s| s.inputs[0] >= 2), "0 and 1 were replaced");
    }
}
