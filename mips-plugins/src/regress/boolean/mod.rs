//! Boolean regression: state components and inputs as bits. Inputs must be bits; each state
//! component with more than two values is binary-encoded (`ceil(log2 n)` bits) and the code
//! assignment is improved by a bounded local search (swap two codes of a component with at
//! most 16 codes while the program gets shorter).
//! Every next-state bit and every output is then fitted as the shortest formula over the
//! state bits and input bits ([`forms::shortest`]). Outputs must take at most two values.

pub mod forms;
pub mod qm;

use std::collections::BTreeSet;

use mips_core::ir::{Expr, Program, StateMachine};
use mips_core::{MipsError, Result};

use super::driver::check_machine;
use super::rows::Rows;
use crate::program_passes::affine::Affine;
use forms::{Truth, shortest};

/// Hard limit on state and input bits (the minimisation is exponential in them).
const MAX_BITS: usize = 16;
/// Components with more code bits keep their sorted-order codes.
const MAX_SWAP_BITS: usize = 4;
/// Most programs built by the code-swapping search.
const MAX_BUILDS: usize = 2000;

/// Limits of the Boolean regression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BooleanOptions {
    /// Largest number of variables (state bits plus input bits; at most 16).
    pub max_bits: usize,
    /// Rounds of the code-swapping local search (0 keeps the sorted-order codes).
    pub encoding_rounds: usize,
}

/// The code of each value of one state component.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Code {
    values: Vec<i64>,
    codes: Vec<u32>,
    bits: usize,
}

impl Code {
    fn of(&self, v: i64) -> u32 {
        let i = self.values.binary_search(&v).expect("every state value has a code");
        self.codes[i]
    }
}

/// Fits `sm` as a Boolean program, or says why it cannot.
pub fn fit_boolean(sm: &StateMachine, opts: &BooleanOptions) -> Result<Program> {
    check_machine(sm)?;
    let fail = |m: String| MipsError::pass("regress-boolean", m);
    if let Some(((_, x), _)) = sm
        .transitions
        .iter()
        .find(|((_, x), _)| x.iter().any(|v| *v != 0 && *v != 1))
    {
        return Err(fail(format!("input {x:?} is not made of bits")));
    }
    let mut values: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); sm.state_dim];
    for s in std::iter::once(&sm.initial).chain(sm.transitions.iter().flat_map(|((s, _), t)| [s, t])) {
        for (set, v) in values.iter_mut().zip(s) {
            set.insert(*v);
        }
    }
    let mut codes: Vec<Code> = values
        .into_iter()
        .map(|set| {
            let values: Vec<i64> = set.into_iter().collect();
            let bits = (usize::BITS - (values.len() - 1).leading_zeros()) as usize;
            Code {
                codes: (0..values.len() as u32).collect(),
                values,
                bits,
            }
        })
        .collect();
    let total = codes.iter().map(|c| c.bits).sum::<usize>() + sm.input_dim;
    let limit = opts.max_bits.min(MAX_BITS);
    if total > limit {
        return Err(fail(format!(
            "{total} state and input bits exceed the limit of {limit}"
        )));
    }
    let mut best = build(sm, &codes)?;
    let mut builds = 0;
    for _ in 0..opts.encoding_rounds {
        let mut improved = false;
        for j in 0..codes.len() {
            if codes[j].bits > MAX_SWAP_BITS {
                continue;
            }
            let size = 1u32 << codes[j].bits;
            for a in 0..size {
                for b in a + 1..size {
                    let trial = swapped(&codes, j, a, b);
                    if trial == codes || builds >= MAX_BUILDS {
                        continue;
                    }
                    builds += 1;
                    let program = build(sm, &trial)?;
                    if program.tokens() < best.tokens() {
                        (best, codes, improved) = (program, trial, true);
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    Ok(best)
}

/// `codes` with codes `a` and `b` of component `j` exchanged.
fn swapped(codes: &[Code], j: usize, a: u32, b: u32) -> Vec<Code> {
    let mut out = codes.to_vec();
    for c in &mut out[j].codes {
        if *c == a {
            *c = b;
        } else if *c == b {
            *c = a;
        }
    }
    out
}

/// The Boolean program for a given encoding of the state components.
fn build(sm: &StateMachine, codes: &[Code]) -> Result<Program> {
    let fail = |m: String| MipsError::pass("regress-boolean", m);
    // Program state variable per (component, bit).
    let layout: Vec<(usize, usize)> = codes
        .iter()
        .enumerate()
        .flat_map(|(j, c)| (0..c.bits).map(move |b| (j, b)))
        .collect();
    let n = layout.len() + sm.input_dim;
    let mut atoms: Vec<Expr> = (0..layout.len()).map(Expr::state).collect();
    atoms.extend((0..sm.input_dim).map(Expr::input));
    let encode = |state: &[i64], input: &[i64]| -> u32 {
        let mut m = 0u32;
        for (i, &(j, b)) in layout.iter().enumerate() {
            m |= ((codes[j].of(state[j]) >> b) & 1) << i;
        }
        for (k, &x) in input.iter().enumerate() {
            m |= (x as u32) << (layout.len() + k);
        }
        m
    };
    let updates_rows = Rows::updates(sm);
    let updates = layout
        .iter()
        .map(|&(j, b)| {
            let mut t = Truth {
                n,
                ..Default::default()
            };
            for (p, target) in updates_rows.points.iter().zip(&updates_rows.targets) {
                let (s, x) = p.split_at(sm.state_dim);
                t.rows.insert(encode(s, x), (codes[j].of(target[j]) >> b) & 1 == 1);
            }
            shortest(&t, &atoms)
        })
        .collect();
    let output_rows = Rows::outputs(sm)?;
    let mut outputs = Vec::new();
    for k in 0..sm.output_dim {
        let seen: BTreeSet<i64> = output_rows.targets.iter().map(|y| y[k]).collect();
        let (lo, hi) = match seen.iter().copied().collect::<Vec<i64>>()[..] {
            [v] => (v, v),
            [lo, hi] => (lo, hi),
            _ => return Err(fail(format!("output {k} takes {} values, not at most two", seen.len()))),
        };
        let mut t = Truth {
            n,
            ..Default::default()
        };
        for (p, y) in output_rows.points.iter().zip(&output_rows.targets) {
            let (s, x) = p.split_at(sm.state_dim);
            t.rows.insert(encode(s, x), y[k] == hi && hi != lo);
        }
        let f = shortest(&t, &atoms);
        outputs.push(match (lo, hi) {
            (0, 1) => f,
            _ if hi == lo => Expr::Const(lo),
            _ if hi - lo == 1 => Affine {
                terms: vec![(f, 1)],
                constant: lo,
            }
            .to_expr(),
            _ => Expr::ite(f, Expr::Const(hi), Expr::Const(lo)),
        });
    }
    let names = layout
        .iter()
        .map(|&(j, b)| {
            let base = sm.state_names.get(j).cloned().unwrap_or_else(|| format!("s{j}"));
            if codes[j].bits == 1 {
                base
            } else {
                format!("{base}_{b}")
            }
        })
        .collect();
    let init = layout
        .iter()
        .map(|&(j, b)| ((codes[j].of(sm.initial[j]) >> b) & 1) as i64)
        .collect();
    Ok(Program {
        state_names: names,
        init,
        input_names: (0..sm.input_dim).map(|k| format!("x{k}")).collect(),
        updates,
        outputs,
        method: "boolean".into(),
        symbolic: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regress::testing::{assert_same, explore, range};

    const OPTIONS: BooleanOptions = BooleanOptions {
        max_bits: 12,
        encoding_rounds: 4,
    };

    fn bits2() -> Vec<Vec<i64>> {
        vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]
    }

    #[test]
    fn ripple_carry_adder() {
        // State (sum bit, carry); the output is the sum bit.
        let sm = explore(
            vec![0, 0],
            &bits2(),
            |s, x| {
                let v = s[1] + x[0] + x[1];
                vec![v % 2, v / 2]
            },
            |s| vec![s[0]],
        );
        let p = fit_boolean(&sm, &OPTIONS).unwrap();
        assert_eq!(p.tokens(), 13, "{p:?}");
        assert_same(&sm, &p, &bits2());
    }

    #[test]
    fn parity_and_majority_like_threshold() {
        let sm = explore(vec![0], &range(0, 1), |s, x| vec![s[0] ^ x[0]], |s| s.to_vec());
        let p = fit_boolean(&sm, &OPTIONS).unwrap();
        assert_eq!(p.tokens(), 4);
        assert_same(&sm, &p, &range(0, 1));
        // Two delayed bits; the output is the majority of the last three inputs.
        let sm = explore(
            vec![0, 0, 0],
            &range(0, 1),
            |s, x| vec![x[0], s[0], s[1]],
            |s| vec![(s[0] + s[1] + s[2] > 1) as i64],
        );
        let p = fit_boolean(&sm, &OPTIONS).unwrap();
        assert_eq!(p.outputs[0].tokens(), 7);
        assert_same(&sm, &p, &range(0, 1));
    }

    #[test]
    fn cluster_indices_are_encoded_and_searched() {
        // Parity of the last two inputs with the four (prev, parity) states labelled 0..3 in a
        // scrambled order.
        let label = [2, 0, 3, 1];
        let sm = explore(
            vec![label[0]],
            &range(0, 1),
            |s, x| {
                let i = label.iter().position(|l| *l == s[0]).unwrap() as i64;
                let prev = i / 2;
                vec![label[(2 * x[0] + (prev ^ x[0])) as usize]]
            },
            |s| vec![label.iter().position(|l| *l == s[0]).unwrap() as i64 % 2],
        );
        let plain = fit_boolean(
            &sm,
            &BooleanOptions {
                encoding_rounds: 0,
                ..OPTIONS
            },
        )
        .unwrap();
        let searched = fit_boolean(&sm, &OPTIONS).unwrap();
        assert!(searched.tokens() <= plain.tokens());
        assert!(searched.tokens() <= 6, "{searched:?}");
        assert_same(&sm, &searched, &range(0, 1));
    }

    #[test]
    fn non_bits_and_many_valued_outputs_are_errors() {
        let sm = explore(vec![0], &range(0, 2), |s, x| vec![(s[0] + x[0]) % 3], |s| s.to_vec());
        assert!(fit_boolean(&sm, &OPTIONS).unwrap_err().to_string().contains("bits"));
        let sm = explore(vec![0], &range(0, 1), |s, x| vec![(s[0] + x[0]) % 3], |s| s.to_vec());
        let err = fit_boolean(&sm, &OPTIONS).unwrap_err().to_string();
        assert!(err.contains("3 values"), "{err}");
    }
}
