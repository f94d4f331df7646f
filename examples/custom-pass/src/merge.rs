//! Finding state variables that always hold equal values, and merging them.

use mips_core::ir::{Expr, Program, Var};

/// For each state variable, the first variable of its class: the coarsest partition in which
/// the variables of a class start equal and have the same update once every variable is read
/// through its class. Variables of one class hold equal values at every step.
pub fn equal_classes(p: &Program) -> Vec<usize> {
    let n = p.init.len();
    let first = |k: usize, same: &dyn Fn(usize) -> bool| (0..k).find(|&j| same(j)).unwrap_or(k);
    let mut class: Vec<usize> = (0..n).map(|k| first(k, &|j| p.init[j] == p.init[k])).collect();
    loop {
        let read: Vec<Expr> = p.updates.iter().map(|u| through(u, &class)).collect();
        let next: Vec<usize> = (0..n)
            .map(|k| first(k, &|j| class[j] == class[k] && read[j] == read[k]))
            .collect();
        // Each round only splits classes, so this ends after at most `n` rounds.
        if next == class {
            return class;
        }
        class = next;
    }
}

/// `p` with every state variable read through its class (see [`equal_classes`]) and the
/// variables no longer read dropped; its outputs are the same on every input.
pub fn merge_equal_state(p: &Program) -> Program {
    let class = equal_classes(p);
    let kept: Vec<usize> = (0..class.len()).filter(|&k| class[k] == k).collect();
    let mut index = vec![0; class.len()];
    for (new, &old) in kept.iter().enumerate() {
        index[old] = new;
    }
    let renumbered: Vec<usize> = class.iter().map(|&c| index[c]).collect();
    Program {
        state_names: kept.iter().map(|&k| p.state_names[k].clone()).collect(),
        init: kept.iter().map(|&k| p.init[k]).collect(),
        input_names: p.input_names.clone(),
        updates: kept.iter().map(|&k| through(&p.updates[k], &renumbered)).collect(),
        outputs: p.outputs.iter().map(|e| through(e, &renumbered)).collect(),
        method: p.method.clone(),
        symbolic: p.symbolic,
    }
}

/// `e` with state variable `k` replaced by `to[k]`.
fn through(e: &Expr, to: &[usize]) -> Expr {
    match e {
        Expr::Var(Var::State(k)) => Expr::state(to[*k]),
        Expr::Const(_) | Expr::Var(_) => e.clone(),
        Expr::Unary(op, a) => Expr::un(*op, through(a, to)),
        Expr::Binary(op, a, b) => Expr::bin(*op, through(a, to), through(b, to)),
        Expr::If(c, t, o) => Expr::ite(through(c, to), through(t, to), through(o, to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::ir::BinOp;

    /// `a = a + x`, `b = b + x`, `c = a + x`; outputs `b - a` and `c`.
    fn program(init: [i64; 3]) -> Program {
        let plus_x = |k| Expr::bin(BinOp::Add, Expr::state(k), Expr::input(0));
        Program {
            state_names: vec!["a".into(), "b".into(), "c".into()],
            init: init.to_vec(),
            input_names: vec!["x".into()],
            updates: vec![plus_x(0), plus_x(1), plus_x(0)],
            outputs: vec![Expr::bin(BinOp::Sub, Expr::state(1), Expr::state(0)), Expr::state(2)],
            method: "test".into(),
            symbolic: true,
        }
    }

    #[test]
    fn merges_variables_with_the_same_start_and_update() {
        let p = program([0, 0, 5]);
        // a and b are equal forever; c = a + x is another update.
        assert_eq!(equal_classes(&p), vec![0, 0, 2]);
        let merged = merge_equal_state(&p);
        assert_eq!(merged.state_names, ["a", "c"]);
        assert_eq!(merged.init, [0, 5]);
        assert_eq!(merged.outputs[0], Expr::bin(BinOp::Sub, Expr::state(0), Expr::state(0)));
        let inputs = [3, -1, 4, 1, -5, 9];
        assert_eq!(merged.run(&inputs).unwrap(), p.run(&inputs).unwrap());
    }

    #[test]
    fn a_different_start_keeps_variables_apart() {
        let p = program([0, 1, 5]);
        assert_eq!(equal_classes(&p), vec![0, 1, 2]);
        assert_eq!(merge_equal_state(&p), p);
        // c = a + x from a's start is a itself: the same value as a at every step.
        assert_eq!(equal_classes(&program([0, 1, 0])), vec![0, 1, 0]);
    }

    #[test]
    fn classes_split_until_updates_agree() {
        // a = b, b = a, c = x: a and b start equal and swap, so they stay equal; c does not.
        let p = Program {
            state_names: vec!["a".into(), "b".into(), "c".into()],
            init: vec![7, 7, 7],
            input_names: vec!["x".into()],
            updates: vec![Expr::state(1), Expr::state(0), Expr::input(0)],
            outputs: vec![Expr::bin(BinOp::Add, Expr::state(1), Expr::state(2))],
            method: String::new(),
            symbolic: true,
        };
        assert_eq!(equal_classes(&p), vec![0, 0, 2]);
        let merged = merge_equal_state(&p);
        assert_eq!(merged.updates, [Expr::state(0), Expr::input(0)]);
        assert_eq!(merged.run(&[1, 2, 3]).unwrap(), p.run(&[1, 2, 3]).unwrap());
    }

    #[test]
    fn a_split_propagates_to_the_variables_that_read_it() {
        // All start at 0: a = a + x, b = b + x, c = c + 1, d = c + x. The first round splits
        // c off; only then does d's update differ from a's.
        let plus = |k, e| Expr::bin(BinOp::Add, Expr::state(k), e);
        let p = Program {
            state_names: ["a", "b", "c", "d"].map(String::from).to_vec(),
            init: vec![0; 4],
            input_names: vec!["x".into()],
            updates: vec![
                plus(0, Expr::input(0)),
                plus(1, Expr::input(0)),
                plus(2, Expr::Const(1)),
                plus(2, Expr::input(0)),
            ],
            outputs: vec![Expr::bin(BinOp::Mul, Expr::state(1), Expr::state(3))],
            method: String::new(),
            symbolic: true,
        };
        assert_eq!(equal_classes(&p), vec![0, 0, 2, 3]);
        let inputs = [2, 0, -3, 5];
        assert_eq!(merge_equal_state(&p).run(&inputs).unwrap(), p.run(&inputs).unwrap());
    }
}
