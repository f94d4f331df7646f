//! Small tasks for the training tests (the catalog's tasks are too slow for unit tests).

use crate::data::{Dataset, Sequence};
use crate::rng;
use crate::task::{Loss, Task, TaskInfo};
use rand::Rng as _;

/// A test task: bit inputs and a rule over the prefix.
pub struct Toy {
    info: TaskInfo,
    rule: fn(&[i64]) -> Vec<i64>,
    test: Dataset,
}

impl Toy {
    fn new(name: &str, output_range: (i64, i64), rule: fn(&[i64]) -> Vec<i64>, loss: Loss) -> Self {
        let info = TaskInfo {
            name: name.into(),
            input_dim: 1,
            output_dim: 1,
            input_ranges: vec![(0, 1)],
            output_ranges: vec![output_range],
            seq_len: 6,
            loss,
            train_steps: 1000,
            rule: String::new(),
            paper_solved: None,
            gpt4_solved: None,
        };
        let mut toy = Toy {
            info,
            rule,
            test: Dataset::new(1, 1),
        };
        toy.test = toy.draw(u64::MAX, 256, 6);
        toy
    }

    /// y_t = x_0 + ... + x_t (a linear RNN with one hidden unit solves it).
    pub fn running_sum() -> Self {
        Toy::new(
            "running_sum",
            (0, 6),
            |x| {
                x.iter()
                    .scan(0, |s, v| {
                        *s += v;
                        Some(*s)
                    })
                    .collect()
            },
            Loss::Log,
        )
    }

    /// y_t = x_{t-2} (0 before the sequence starts): a delay line, which a linear RNN solves
    /// from hidden size 3 (the input two steps back must still be held after the step).
    pub fn delay2() -> Self {
        Toy::new(
            "delay2",
            (0, 1),
            |x| (0..x.len()).map(|t| if t >= 2 { x[t - 2] } else { 0 }).collect(),
            Loss::Log,
        )
    }

    /// y_t = x_t xor x_{t-1}: needs two ReLU units in g (one cannot separate xor).
    pub fn xor_last2() -> Self {
        Toy::new(
            "xor_last2",
            (0, 1),
            |x| {
                (0..x.len())
                    .map(|t| if t >= 1 { x[t] ^ x[t - 1] } else { x[t] })
                    .collect()
            },
            Loss::Log,
        )
    }

    /// y_t = x_t (no memory needed).
    pub fn copy(loss: Loss) -> Self {
        Toy::new("copy", (0, 1), |x| x.to_vec(), loss)
    }

    fn draw(&self, seed: u64, n: usize, len: usize) -> Dataset {
        let mut r = rng::seeded(seed, 9);
        Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences: (0..n)
                .map(|_| {
                    let inputs: Vec<i64> = (0..len).map(|_| (r.next_u32() & 1) as i64).collect();
                    Sequence {
                        outputs: (self.rule)(&inputs),
                        inputs,
                    }
                })
                .collect(),
        }
    }
}

impl Task for Toy {
    fn info(&self) -> &TaskInfo {
        &self.info
    }

    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        self.draw(seed, n, self.info.seq_len)
    }

    fn test_split(&self) -> &Dataset {
        &self.test
    }

    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        Some(self.draw(seed, n, len))
    }
}
