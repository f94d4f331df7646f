//! Dead state removal: a state variable is live when an output reads it, or when the update
//! of a live variable reads it; the others are dropped and the rest renumbered.

use mips_core::ir::{Expr, Program, Var};

use super::rewrite::substitute;

/// The state variables the outputs depend on, directly or through updates.
pub fn live_states(p: &Program) -> Vec<bool> {
    let mut live = vec![false; p.updates.len()];
    let mut stack = Vec::new();
    let mark = |e: &Expr, live: &mut Vec<bool>, stack: &mut Vec<usize>| {
        e.visit_vars(&mut |v| {
            if let Var::State(k) = v
                && k < live.len()
                && !live[k]
            {
                live[k] = true;
                stack.push(k);
            }
        })
    };
    for e in &p.outputs {
        mark(e, &mut live, &mut stack);
    }
    while let Some(k) = stack.pop() {
        mark(&p.updates[k], &mut live, &mut stack);
    }
    live
}

/// `p` without its dead state variables.
pub fn remove_dead_state(p: &Program) -> Program {
    let live = live_states(p);
    let mut index = vec![usize::MAX; live.len()];
    let mut next = 0;
    for (k, alive) in live.iter().enumerate() {
        if *alive {
            index[k] = next;
            next += 1;
        }
    }
    let renumber = |v: Var| match v {
        // Only live variables are read by live updates and outputs.
        Var::State(k) => Expr::state(index[k]),
        other => Expr::Var(other),
    };
    let ks: Vec<usize> = (0..live.len()).filter(|k| live[*k]).collect();
    Program {
        state_names: ks.iter().map(|k| p.state_names[*k].clone()).collect(),
        init: ks.iter().map(|k| p.init[*k]).collect(),
        input_names: p.input_names.clone(),
        updates: ks.iter().map(|k| substitute(&p.updates[*k], &renumber)).collect(),
        outputs: p.outputs.iter().map(|e| substitute(e, &renumber)).collect(),
        method: p.method.clone(),
        symbolic: p.symbolic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::ir::BinOp;

    #[test]
    fn drops_variables_no_output_needs() {
        // s0 = x (read by s1), s1 = s0 (read by the output), s2 = s2 + x (never read).
        let p = Program {
            state_names: vec!["a".into(), "b".into(), "c".into()],
            init: vec![0, 0, 5],
            input_names: vec!["x".into()],
            updates: vec![
                Expr::input(0),
                Expr::state(0),
                Expr::bin(BinOp::Add, Expr::state(2), Expr::input(0)),
            ],
            outputs: vec![Expr::state(1)],
            method: String::new(),
            symbolic: true,
        };
        let q = remove_dead_state(&p);
        assert_eq!(q.state_names, vec!["a", "b"]);
        assert_eq!(q.updates, vec![Expr::input(0), Expr::state(0)]);
        q.validate().unwrap();
        let xs = [3, 1, 4, 1, 5];
        assert_eq!(q.run(&xs).unwrap(), p.run(&xs).unwrap());
    }
}
