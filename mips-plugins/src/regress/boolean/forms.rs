//! The shortest formula for one partial Boolean function: drop the variables it does not
//! depend on (on the observed rows), then try a constant, a literal, an xor chain (or its
//! negation, `a == b` for two variables), a threshold on the bit sum (`a + b + c > 1`), a sum
//! of products (Quine–McCluskey with the unobserved assignments as don't-cares) and the
//! negated sum of products of the complement; keep the shortest.

use std::collections::BTreeMap;

use mips_core::ir::{BinOp, Expr, UnOp};

use super::qm::{Cube, minimize};

/// A Boolean function known on some assignments of `n` variables (bit `i` = variable `i`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    pub n: usize,
    pub rows: BTreeMap<u32, bool>,
}

/// The shortest formula found for `t`, with `atoms[i]` standing for variable `i`.
pub fn shortest(t: &Truth, atoms: &[Expr]) -> Expr {
    let support = support(t);
    let k = support.len();
    // Re-index the rows onto the support.
    let mut rows: BTreeMap<u32, bool> = BTreeMap::new();
    for (&m, &v) in &t.rows {
        let packed = support
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &var)| acc | (((m >> var) & 1) << i));
        rows.insert(packed, v);
    }
    let vars: Vec<Expr> = support.iter().map(|&v| atoms[v].clone()).collect();
    let mut candidates: Vec<Expr> = Vec::new();
    let constant = rows.values().next().copied().unwrap_or(false);
    if k == 0 {
        return Expr::Const(constant as i64);
    }
    let all = |f: &dyn Fn(u32) -> bool| rows.iter().all(|(&m, &v)| f(m) == v);
    // Xor chain, possibly negated.
    for negate in [false, true] {
        if all(&|m| (m.count_ones() % 2 == 1) != negate) {
            let chain = chain(BinOp::Xor, &vars);
            candidates.push(match (negate, k) {
                (false, _) => chain,
                (true, 2) => Expr::bin(BinOp::Eq, vars[0].clone(), vars[1].clone()),
                (true, _) => Expr::un(UnOp::Not, chain),
            });
        }
    }
    // Thresholds on the bit sum.
    if k >= 2 {
        for j in 0..k as u32 {
            if all(&|m| m.count_ones() > j) {
                candidates.push(Expr::bin(BinOp::Gt, chain(BinOp::Add, &vars), Expr::Const(j as i64)));
            }
            if all(&|m| m.count_ones() < j + 1) {
                candidates.push(Expr::bin(
                    BinOp::Lt,
                    chain(BinOp::Add, &vars),
                    Expr::Const(j as i64 + 1),
                ));
            }
        }
    }
    // Sums of products of the function and of its complement.
    let unobserved: Vec<u32> = (0..1u32 << k).filter(|m| !rows.contains_key(m)).collect();
    let on: Vec<u32> = rows.iter().filter(|(_, v)| **v).map(|(m, _)| *m).collect();
    let off: Vec<u32> = rows.iter().filter(|(_, v)| !**v).map(|(m, _)| *m).collect();
    candidates.push(sum_of_products(&minimize(k, &on, &unobserved), &vars));
    candidates.push(Expr::un(
        UnOp::Not,
        sum_of_products(&minimize(k, &off, &unobserved), &vars),
    ));
    candidates
        .into_iter()
        .min_by_key(Expr::tokens)
        .expect("the sum of products is always a candidate")
}

/// The variables `t` depends on: each variable is dropped in turn when the observed rows stay
/// consistent without it.
pub fn support(t: &Truth) -> Vec<usize> {
    let mut mask: u32 = if t.n >= 32 { u32::MAX } else { (1u32 << t.n) - 1 };
    for v in 0..t.n {
        let trial = mask & !(1u32 << v);
        let mut seen: BTreeMap<u32, bool> = BTreeMap::new();
        let consistent = t
            .rows
            .iter()
            .all(|(&m, &value)| *seen.entry(m & trial).or_insert(value) == value);
        if consistent {
            mask = trial;
        }
    }
    (0..t.n).filter(|v| mask & (1u32 << v) != 0).collect()
}

/// `a op b op c ...` (left-nested).
fn chain(op: BinOp, items: &[Expr]) -> Expr {
    let mut iter = items.iter().cloned();
    let first = iter.next().unwrap_or(Expr::Const(0));
    iter.fold(first, |acc, e| Expr::bin(op, acc, e))
}

/// `p1 or p2 or ...` with each product `l1 and l2 and ...`.
fn sum_of_products(cubes: &[Cube], vars: &[Expr]) -> Expr {
    if cubes.is_empty() {
        return Expr::Const(0);
    }
    let products: Vec<Expr> = cubes
        .iter()
        .map(|c| {
            let literals: Vec<Expr> = (0..vars.len())
                .filter(|i| c.care & (1 << i) != 0)
                .map(|i| {
                    if c.value & (1 << i) != 0 {
                        vars[i].clone()
                    } else {
                        Expr::un(UnOp::Not, vars[i].clone())
                    }
                })
                .collect();
            if literals.is_empty() {
                Expr::Const(1)
            } else {
                chain(BinOp::And, &literals)
            }
        })
        .collect();
    chain(BinOp::Or, &products)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(n: usize, f: impl Fn(u32) -> bool) -> Truth {
        Truth {
            n,
            rows: (0..1u32 << n).map(|m| (m, f(m))).collect(),
        }
    }

    fn atoms(n: usize) -> Vec<Expr> {
        (0..n).map(Expr::state).collect()
    }

    fn check(e: &Expr, t: &Truth) {
        for (&m, &v) in &t.rows {
            let bits: Vec<i64> = (0..t.n).map(|i| ((m >> i) & 1) as i64).collect();
            assert_eq!(e.eval(&bits, &[]).unwrap(), v as i64, "{e:?} at {m:b}");
        }
    }

    #[test]
    fn compact_forms_win() {
        let maj = truth(3, |m| m.count_ones() >= 2);
        let e = shortest(&maj, &atoms(3));
        assert_eq!(e.tokens(), 7); // s0 + s1 + s2 > 1
        check(&e, &maj);
        let parity = truth(3, |m| m.count_ones() % 2 == 1);
        let e = shortest(&parity, &atoms(3));
        assert_eq!(e.tokens(), 5);
        check(&e, &parity);
        let xnor = truth(2, |m| m.count_ones() != 1);
        assert_eq!(
            shortest(&xnor, &atoms(2)),
            Expr::bin(BinOp::Eq, Expr::state(0), Expr::state(1))
        );
    }

    #[test]
    fn irrelevant_variables_are_dropped() {
        let t = truth(4, |m| m & 0b100 == 0);
        assert_eq!(support(&t), vec![2]);
        assert_eq!(shortest(&t, &atoms(4)), Expr::un(UnOp::Not, Expr::state(2)));
        let c = truth(2, |_| true);
        assert_eq!(shortest(&c, &atoms(2)), Expr::Const(1));
    }

    #[test]
    fn sum_of_products_when_nothing_compact_fits() {
        // (s0 and s1) or (not s0 and s2): a multiplexer.
        let mux = truth(3, |m| if m & 1 != 0 { m & 2 != 0 } else { m & 4 != 0 });
        let e = shortest(&mux, &atoms(3));
        check(&e, &mux);
        assert!(e.tokens() <= 8, "{e:?}");
    }
}
