//! Readable variable names derived from the program's structure (never from the task):
//! inputs are `x` (one), `a, b` (two) or `x0, x1, ...`; a state gets a name from its role:
//! `prev1`, `prev2`, ... for delay lines, `count` for a counter of constants or 0/1
//! quantities, `total` for another running sum, `rem` for a modular accumulator,
//! `running_max`/`running_min` for running extremes (a quantity bounded by a constant keeps
//! the role of what is bounded; names never shadow the functions programs call), `parity` for an xor accumulator, `carry` for a Boolean or divided
//! quantity fed back into itself, `flag` for other Boolean states; otherwise a free letter.
//! Repeated roles get numbered.

use std::collections::BTreeSet;

use mips_core::ir::{BinOp, Expr, Program, Var};

use super::affine::Affine;
use super::rewrite::{boolean_states, is_boolean, reads};

/// `p` with readable state and input names.
pub fn name_variables(p: &Program) -> Program {
    let inputs: Vec<String> = match p.input_names.len() {
        1 => vec!["x".into()],
        2 => vec!["a".into(), "b".into()],
        n => (0..n).map(|k| format!("x{k}")).collect(),
    };
    let roles = roles(p, &inputs);
    let mut taken: BTreeSet<String> = inputs.iter().cloned().collect();
    let mut names = vec![String::new(); roles.len()];
    for (k, role) in roles.iter().enumerate() {
        let Some(role) = role else { continue };
        let repeated = roles.iter().filter(|r| r.as_ref() == Some(role)).count() > 1;
        let mut n = 1;
        let mut name = if repeated { format!("{role}{n}") } else { role.clone() };
        while taken.contains(&name) {
            n += 1;
            name = format!("{role}{n}");
        }
        taken.insert(name.clone());
        names[k] = name;
    }
    let mut letters = ('a'..='z').map(String::from).chain((0..).map(|k| format!("s{k}")));
    for name in names.iter_mut().filter(|n| n.is_empty()) {
        *name = letters.find(|l| !taken.contains(l)).expect("infinite supply of names");
        taken.insert(name.clone());
    }
    Program {
        state_names: names,
        input_names: inputs,
        ..p.clone()
    }
}

/// The role name of each state variable, when one is recognised.
fn roles(p: &Program, inputs: &[String]) -> Vec<Option<String>> {
    let n = p.updates.len();
    // Delay depth: s = x_k is depth 1 of input k; s = (delay d of input k) is depth d + 1.
    let mut delay: Vec<Option<(usize, usize)>> = vec![None; n];
    for _ in 0..n {
        for k in 0..n {
            delay[k] = match &p.updates[k] {
                Expr::Var(Var::Input(i)) => Some((*i, 1)),
                Expr::Var(Var::State(j)) if *j != k => delay[*j].map(|(i, d)| (i, d + 1)),
                _ => None,
            };
        }
    }
    let bools = boolean_states(p);
    (0..n)
        .map(|k| {
            if let Some((i, d)) = delay[k] {
                return Some(if inputs.len() == 1 {
                    format!("prev{d}")
                } else {
                    format!("prev{d}_{}", inputs[i])
                });
            }
            role(&p.updates[k], k, &bools).map(str::to_string)
        })
        .collect()
}

/// The role of state `k` whose update is `u`; `bools` says which states hold only 0 or 1.
fn role(u: &Expr, k: usize, bools: &[bool]) -> Option<&'static str> {
    let own = Var::State(k);
    let self_reading = reads(u, own);
    match u {
        Expr::Binary(op @ (BinOp::Max | BinOp::Min), a, b) if self_reading => {
            return match (&**a, &**b) {
                // A bounded quantity (`min(10, count + 1)`) keeps the role of what is bounded.
                (Expr::Const(_), bounded) | (bounded, Expr::Const(_)) => role(bounded, k, bools),
                _ if *op == BinOp::Max => Some("running_max"),
                _ => Some("running_min"),
            };
        }
        Expr::Binary(BinOp::Mod, inner, _) if reads(inner, own) => return Some("rem"),
        Expr::Binary(BinOp::Xor, _, _) if self_reading => return Some("parity"),
        Expr::Binary(BinOp::FloorDiv, _, _) if self_reading => return Some("carry"),
        _ => {}
    }
    if bools[k] {
        return Some(if self_reading { "carry" } else { "flag" });
    }
    // An accumulator `s + ...`: a counter when it adds constants or 0/1 quantities.
    let f = Affine::of(u)?;
    let mut others = f.terms.iter().filter(|(a, _)| *a != Expr::Var(own)).peekable();
    let accumulates = f.terms.iter().any(|(a, c)| *a == Expr::Var(own) && *c == 1);
    if !accumulates || (others.peek().is_none() && f.constant == 0) {
        return None;
    }
    Some(if others.all(|(a, _)| is_boolean(a, bools)) {
        "count"
    } else {
        "total"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(updates: Vec<Expr>, inputs: usize) -> Program {
        let n = updates.len();
        Program {
            state_names: (0..n).map(|k| format!("s{k}")).collect(),
            init: vec![0; n],
            input_names: (0..inputs).map(|k| format!("x{k}")).collect(),
            outputs: vec![Expr::state(0)],
            updates,
            method: String::new(),
            symbolic: true,
        }
    }

    #[test]
    fn delay_lines_and_sums_get_role_names() {
        let p = program(
            vec![
                Expr::input(0),
                Expr::state(0),
                Expr::bin(BinOp::Add, Expr::state(2), Expr::input(0)),
                Expr::bin(BinOp::Add, Expr::state(3), Expr::Const(1)),
                Expr::bin(BinOp::Mul, Expr::state(0), Expr::state(1)),
            ],
            1,
        );
        let q = name_variables(&p);
        assert_eq!(q.input_names, vec!["x"]);
        assert_eq!(q.state_names, vec!["prev1", "prev2", "total", "count", "a"]);
        assert_eq!(q.updates, p.updates);
    }

    #[test]
    fn adder_gets_carry_and_distinct_names() {
        // s0 = s1 ^ a ^ b, s1 = s1 + a + b > 1 (a ripple-carry adder), s2 = max(s2, a).
        let sum = Expr::bin(
            BinOp::Add,
            Expr::bin(BinOp::Add, Expr::state(1), Expr::input(0)),
            Expr::input(1),
        );
        let p = program(
            vec![
                Expr::bin(
                    BinOp::Xor,
                    Expr::bin(BinOp::Xor, Expr::state(1), Expr::input(0)),
                    Expr::input(1),
                ),
                Expr::bin(BinOp::Gt, sum, Expr::Const(1)),
                Expr::bin(BinOp::Max, Expr::state(2), Expr::input(0)),
            ],
            2,
        );
        let q = name_variables(&p);
        assert_eq!(q.input_names, vec!["a", "b"]);
        assert_eq!(q.state_names, vec!["c", "carry", "running_max"]);
    }

    #[test]
    fn a_bounded_count_is_a_count_and_extremes_do_not_shadow_min_and_max() {
        let count = Expr::bin(BinOp::Add, Expr::state(0), Expr::Const(1));
        let p = program(
            vec![
                Expr::bin(BinOp::Min, Expr::Const(10), count),
                Expr::bin(BinOp::Min, Expr::state(1), Expr::input(0)),
            ],
            1,
        );
        assert_eq!(name_variables(&p).state_names, vec!["count", "running_min"]);
    }

    #[test]
    fn repeated_roles_are_numbered() {
        let p = program(
            vec![
                Expr::bin(BinOp::Add, Expr::state(0), Expr::Const(1)),
                Expr::bin(BinOp::Add, Expr::state(1), Expr::Const(2)),
            ],
            1,
        );
        assert_eq!(name_variables(&p).state_names, vec!["count1", "count2"]);
    }
}
