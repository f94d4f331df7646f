//! A description-length style complexity for each IR level, so reports can show what a pass
//! made simpler.
//!
//! - Network: hidden size, parameter count, the parameters that are not small integers, and
//!   bits = Σ bits(p) with bits(0) = 1, bits(small integer k) = 2 + 2·log2(1 + |k|),
//!   bits(rational n/d, d ≤ 16) = 2 + 2·log2(1 + |n|) + 2·log2(d), otherwise 32.
//! - State machine: number of states, number of transitions, and
//!   bits = transitions · log2(states) + states · output_dim · log2(distinct outputs).
//! - Program: number of state variables, tokens, and bits = tokens · log2(token kinds).

use serde::{Deserialize, Serialize};

use super::Level;
use crate::ir::{Expr, Network, Program, StateMachine};

/// Largest magnitude still counted as a "small integer".
pub const SMALL_INTEGER: f64 = 16.0;

/// Complexity of one IR artifact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Complexity {
    pub level: Level,
    /// Hidden size, number of states, or number of state variables.
    pub size: usize,
    /// Parameters, transitions, or tokens.
    pub count: usize,
    /// Network only: parameters that are neither 0 nor small integers.
    pub irregular: usize,
    /// Description length in bits.
    pub bits: f64,
}

impl std::fmt::Display for Complexity {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.level {
            Level::Network => write!(
                out,
                "H={} params={} irregular={} bits={:.0}",
                self.size, self.count, self.irregular, self.bits
            ),
            Level::StateMachine => write!(
                out,
                "states={} transitions={} bits={:.0}",
                self.size, self.count, self.bits
            ),
            Level::Program => write!(out, "vars={} tokens={} bits={:.0}", self.size, self.count, self.bits),
        }
    }
}

/// True when `p` is 0 or an integer of magnitude at most [`SMALL_INTEGER`].
pub fn is_small_integer(p: f64) -> bool {
    p == p.round() && p.abs() <= SMALL_INTEGER
}

/// Bits to describe one parameter value.
pub fn parameter_bits(p: f64) -> f64 {
    if p == 0.0 {
        return 1.0;
    }
    if p == p.round() && p.abs() < 1e9 {
        return 2.0 + 2.0 * (1.0 + p.abs()).log2();
    }
    for d in 2..=16u32 {
        let n = p * d as f64;
        if (n - n.round()).abs() < 1e-12 {
            return 2.0 + 2.0 * (1.0 + n.round().abs()).log2() + 2.0 * (d as f64).log2();
        }
    }
    32.0
}

/// Complexity of a network.
pub fn of_network(net: &Network) -> Complexity {
    let params: Vec<f64> = net.parameters().collect();
    Complexity {
        level: Level::Network,
        size: net.hidden_dim,
        count: params.len(),
        irregular: params.iter().filter(|p| !is_small_integer(**p)).count(),
        bits: params.iter().map(|p| parameter_bits(*p)).sum(),
    }
}

/// Complexity of a state machine.
pub fn of_machine(sm: &StateMachine) -> Complexity {
    let states = sm.state_count().max(1);
    let distinct_outputs: std::collections::BTreeSet<&Vec<i64>> = sm.outputs.values().collect();
    let log = |n: usize| (n.max(2) as f64).log2();
    Complexity {
        level: Level::StateMachine,
        size: states,
        count: sm.transitions.len(),
        irregular: 0,
        bits: sm.transitions.len() as f64 * log(states) + (states * sm.output_dim) as f64 * log(distinct_outputs.len()),
    }
}

/// Complexity of a program.
pub fn of_program(p: &Program) -> Complexity {
    let tokens = p.tokens();
    let mut kinds = std::collections::BTreeSet::new();
    fn collect(e: &Expr, kinds: &mut std::collections::BTreeSet<String>) {
        match e {
            Expr::Const(c) => {
                kinds.insert(format!("c{c}"));
            }
            Expr::Var(v) => {
                kinds.insert(format!("{v:?}"));
            }
            Expr::Unary(op, a) => {
                kinds.insert(format!("{op:?}"));
                collect(a, kinds);
            }
            Expr::Binary(op, a, b) => {
                kinds.insert(format!("{op:?}"));
                collect(a, kinds);
                collect(b, kinds);
            }
            Expr::If(c, t, e) => {
                kinds.insert("if".into());
                collect(c, kinds);
                collect(t, kinds);
                collect(e, kinds);
            }
        }
    }
    p.updates.iter().chain(&p.outputs).for_each(|e| collect(e, &mut kinds));
    Complexity {
        level: Level::Program,
        size: p.state_names.len(),
        count: tokens,
        irregular: 0,
        bits: tokens as f64 * (kinds.len().max(2) as f64).log2(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simpler_values_cost_fewer_bits() {
        assert!(parameter_bits(0.0) < parameter_bits(1.0));
        assert!(parameter_bits(1.0) < parameter_bits(0.5));
        assert!(parameter_bits(0.5) < parameter_bits(0.123_456_7));
        assert_eq!(parameter_bits(0.123_456_7), 32.0);
        assert!(is_small_integer(-3.0) && !is_small_integer(0.5) && !is_small_integer(17.0));
    }
}
