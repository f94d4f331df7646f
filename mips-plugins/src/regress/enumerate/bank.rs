//! Bottom-up enumeration with observational-equivalence pruning: expressions are built by
//! size (tokens), each is evaluated on the sample rows, and an expression whose values (its
//! signature) equal those of an earlier one is dropped. A signature equal to the target ends
//! the search; one that differs from the target by a constant (or whose negation does) is
//! kept as a candidate `e + d` / `d - e` two tokens larger.

use std::collections::HashMap;

use mips_core::budget::{Meter, StopReason};
use mips_core::ir::{BinOp, Expr, UnOp};

/// Why a search stopped without an exact expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// Every expression up to this size was tried.
    Size(usize),
    /// The time budget (seconds, off by default) ran out while enumerating this size.
    Time { seconds: f64, size: usize },
    /// This many candidate expressions were evaluated while enumerating this size.
    Candidates { count: u64, size: usize },
    /// The bank reached this many distinct expressions while enumerating this size.
    Expressions { count: usize, size: usize },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Size(s) => write!(out, "size budget: no expression of at most {s} tokens fits"),
            Stop::Time { seconds, size } => {
                write!(out, "time budget of {seconds} s ran out while enumerating size {size}")
            }
            Stop::Candidates { count, size } => {
                write!(
                    out,
                    "candidate budget of {count} evaluations reached while enumerating size {size}"
                )
            }
            Stop::Expressions { count, size } => {
                write!(
                    out,
                    "expression budget of {count} reached while enumerating size {size}"
                )
            }
        }
    }
}

/// Limits of one search besides its [`Meter`]'s (candidate expressions evaluated, the
/// deterministic work limit, and wall time, off by default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_size: usize,
    pub max_expressions: usize,
}

/// The vocabulary of one search: variable columns on the sample rows and constants (the
/// constants of at least 2 are also the right operands of `//` and `%`).
pub struct Vocabulary {
    /// `(expression, values on the sample rows)` per variable.
    pub variables: Vec<(Expr, Vec<i64>)>,
    pub constants: Vec<i64>,
}

#[derive(Clone, Copy, Debug)]
enum Node {
    Leaf(usize),
    Un(UnOp, u32),
    Bin(BinOp, u32, u32),
    Ite(u32, u32, u32),
}

/// How a found expression is adjusted to hit the target.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lift {
    Plus(i64),
    From(i64),
}

/// The expression bank of one search.
pub struct Bank<'a> {
    vocab: &'a Vocabulary,
    target: &'a [i64],
    rows: usize,
    leaves: Vec<Expr>,
    nodes: Vec<Node>,
    sigs: Vec<i64>,
    boolean: Vec<bool>,
    constant: Vec<Option<i64>>,
    levels: Vec<Vec<u32>>,
    seen: HashMap<u64, u32>,
    best: Option<(usize, u32, Lift)>,
    scratch: Vec<i64>,
    budget: Limits,
    meter: Meter,
}

/// Binary operators enumerated (`>`/`>=` are mirrors of `<`/`<=`).
const BINARY: [BinOp; 14] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::FloorDiv,
    BinOp::Mod,
    BinOp::Min,
    BinOp::Max,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::And,
    BinOp::Or,
    BinOp::Xor,
];

fn hash(values: &[i64]) -> u64 {
    values.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &v| {
        (h.rotate_left(5) ^ v as u64).wrapping_mul(0x0100_0000_01b3_51cd)
    })
}

impl<'a> Bank<'a> {
    /// An empty bank for `target` (one value per sample row).
    pub fn new(vocab: &'a Vocabulary, target: &'a [i64], budget: Limits, meter: Meter) -> Bank<'a> {
        Bank {
            vocab,
            target,
            rows: target.len(),
            leaves: Vec::new(),
            nodes: Vec::new(),
            sigs: Vec::new(),
            boolean: Vec::new(),
            constant: Vec::new(),
            levels: vec![Vec::new()],
            seen: HashMap::new(),
            best: None,
            scratch: vec![0; target.len()],
            budget,
            meter,
        }
    }

    /// Enumerates by increasing size until an exact expression (or the best lifted one) is
    /// certain to be the smallest, or a budget stops the search.
    pub fn search(mut self) -> Result<Expr, Stop> {
        for size in 1..=self.budget.max_size {
            if let Some((best_size, ..)) = self.best
                && best_size < size
            {
                return Ok(self.best_expr());
            }
            self.levels.push(Vec::new());
            if let Some(found) = self.level(size)? {
                return Ok(self.expr(found));
            }
        }
        match self.best {
            Some(_) => Ok(self.best_expr()),
            None => Err(Stop::Size(self.budget.max_size)),
        }
    }

    fn sig(&self, id: u32) -> &[i64] {
        let start = id as usize * self.rows;
        &self.sigs[start..start + self.rows]
    }

    /// Enumerates all expressions of `size`; returns an exact match.
    fn level(&mut self, size: usize) -> Result<Option<u32>, Stop> {
        if size == 1 {
            for c in self.vocab.constants.clone() {
                self.scratch.fill(c);
                self.leaves.push(Expr::Const(c));
                if let Some(id) = self.insert(Node::Leaf(self.leaves.len() - 1), size, Some(c))? {
                    return Ok(Some(id));
                }
            }
            let vocab = self.vocab;
            for (e, values) in &vocab.variables {
                self.scratch.copy_from_slice(values);
                self.leaves.push(e.clone());
                if let Some(id) = self.insert(Node::Leaf(self.leaves.len() - 1), size, None)? {
                    return Ok(Some(id));
                }
            }
            return Ok(None);
        }
        for a in self.levels[size - 1].clone() {
            for op in [UnOp::Neg, UnOp::Abs, UnOp::Not] {
                if let Some(id) = self.try_unary(op, a, size)? {
                    return Ok(Some(id));
                }
            }
        }
        for left in 1..size - 1 {
            let right = size - 1 - left;
            let (lefts, rights) = (self.levels[left].clone(), self.levels[right].clone());
            for &a in &lefts {
                for &b in &rights {
                    for op in BINARY {
                        if let Some(id) = self.try_binary(op, a, b, left, right, size)? {
                            return Ok(Some(id));
                        }
                    }
                }
            }
        }
        for c_size in 1..size.saturating_sub(2) {
            for t_size in 1..size - 1 - c_size {
                let e_size = size - 1 - c_size - t_size;
                let conds: Vec<u32> = self.levels[c_size]
                    .iter()
                    .copied()
                    .filter(|&c| self.boolean[c as usize] && self.constant[c as usize].is_none())
                    .collect();
                let (thens, elses) = (self.levels[t_size].clone(), self.levels[e_size].clone());
                for &c in &conds {
                    for &t in &thens {
                        for &e in elses.iter().filter(|&&e| e != t) {
                            if let Some(id) = self.try_ite(c, t, e, size)? {
                                return Ok(Some(id));
                            }
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    fn try_unary(&mut self, op: UnOp, a: u32, size: usize) -> Result<Option<u32>, Stop> {
        let ai = a as usize;
        if self.constant[ai].is_some() {
            return Ok(None);
        }
        let useful = match op {
            UnOp::Neg => !self.boolean[ai],
            UnOp::Abs => self.sig(a).iter().any(|v| *v < 0),
            UnOp::Not => true,
        };
        if !useful {
            return Ok(None);
        }
        for r in 0..self.rows {
            match op.apply(self.sigs[ai * self.rows + r]) {
                Ok(v) => self.scratch[r] = v,
                Err(_) => return Ok(None),
            }
        }
        self.insert(Node::Un(op, a), size, None)
    }

    fn try_binary(
        &mut self,
        op: BinOp,
        a: u32,
        b: u32,
        left: usize,
        right: usize,
        size: usize,
    ) -> Result<Option<u32>, Stop> {
        let (ca, cb) = (self.constant[a as usize], self.constant[b as usize]);
        if ca.is_some() && cb.is_some() {
            return Ok(None);
        }
        if op.is_commutative() && (left > right || (left == right && a > b)) {
            return Ok(None);
        }
        let (ba, bb) = (self.boolean[a as usize], self.boolean[b as usize]);
        let allowed = match op {
            BinOp::Add => ca != Some(0) && cb != Some(0),
            BinOp::Sub => cb != Some(0) && a != b,
            BinOp::Mul => ![ca, cb].iter().any(|c| matches!(c, Some(0) | Some(1))),
            BinOp::FloorDiv | BinOp::Mod => ca.is_none() && cb.is_some_and(|m| m >= 2),
            BinOp::Min | BinOp::Max => a != b && !(ba && bb),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le => a != b,
            BinOp::And | BinOp::Or | BinOp::Xor => ba && bb && a != b,
            BinOp::Gt | BinOp::Ge => false,
        };
        if !allowed {
            return Ok(None);
        }
        let (sa, sb) = (a as usize * self.rows, b as usize * self.rows);
        for r in 0..self.rows {
            match op.apply(self.sigs[sa + r], self.sigs[sb + r]) {
                Ok(v) => self.scratch[r] = v,
                Err(_) => return Ok(None),
            }
        }
        self.insert(Node::Bin(op, a, b), size, None)
    }

    fn try_ite(&mut self, c: u32, t: u32, e: u32, size: usize) -> Result<Option<u32>, Stop> {
        let (sc, st, se) = (c as usize * self.rows, t as usize * self.rows, e as usize * self.rows);
        for r in 0..self.rows {
            self.scratch[r] = if self.sigs[sc + r] != 0 {
                self.sigs[st + r]
            } else {
                self.sigs[se + r]
            };
        }
        self.insert(Node::Ite(c, t, e), size, None)
    }

    /// Adds the expression whose values are in `scratch` unless an equivalent one exists;
    /// returns its id when it matches the target exactly.
    fn insert(&mut self, node: Node, size: usize, constant: Option<i64>) -> Result<Option<u32>, Stop> {
        match self.meter.candidate() {
            Err(StopReason::Time(seconds)) => return Err(Stop::Time { seconds, size }),
            Err(_) => {
                let count = self.meter.budget().candidates.unwrap_or(u64::MAX);
                return Err(Stop::Candidates { count, size });
            }
            Ok(()) => {}
        }
        if size == self.budget.max_size {
            // Nothing is built on the last level: only compare with the target.
            return Ok(self.scratch.eq(self.target).then(|| self.store(node, size, constant)));
        }
        let h = hash(&self.scratch);
        if self.seen.contains_key(&h) {
            // Equal hashes are taken as equal signatures (a 64-bit collision only costs a
            // possibly larger result, never a wrong one: results are checked on every row).
            return Ok(None);
        }
        if self.nodes.len() >= self.budget.max_expressions {
            return Err(Stop::Expressions {
                count: self.budget.max_expressions,
                size,
            });
        }
        let id = self.store(node, size, constant);
        self.seen.insert(h, id);
        if self.scratch == self.target {
            return Ok(Some(id));
        }
        if self.best.is_none_or(|(s, ..)| size + 2 < s) && constant.is_none() {
            let plus = self.target[0].checked_sub(self.scratch[0]);
            let from = self.target[0].checked_add(self.scratch[0]);
            let same = |d: Option<i64>, f: fn(i64, i64) -> Option<i64>| {
                d.is_some_and(|d| self.target.iter().zip(&self.scratch).all(|(&t, &v)| f(t, v) == Some(d)))
            };
            if same(plus, i64::checked_sub) {
                self.best = Some((size + 2, id, Lift::Plus(plus.expect("checked"))));
            } else if same(from, i64::checked_add) {
                self.best = Some((size + 2, id, Lift::From(from.expect("checked"))));
            }
        }
        Ok(None)
    }

    /// Appends the expression whose values are in `scratch`; returns its id.
    fn store(&mut self, node: Node, size: usize, constant: Option<i64>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(node);
        self.sigs.extend_from_slice(&self.scratch);
        self.boolean.push(self.scratch.iter().all(|v| *v == 0 || *v == 1));
        self.constant.push(constant);
        self.levels[size].push(id);
        id
    }

    fn best_expr(&self) -> Expr {
        let (_, id, lift) = self.best.expect("called with a candidate");
        let e = self.expr(id);
        match lift {
            Lift::Plus(d) if d < 0 && d != i64::MIN => Expr::bin(BinOp::Sub, e, Expr::Const(-d)),
            Lift::Plus(d) => Expr::bin(BinOp::Add, e, Expr::Const(d)),
            Lift::From(d) => Expr::bin(BinOp::Sub, Expr::Const(d), e),
        }
    }

    fn expr(&self, id: u32) -> Expr {
        match self.nodes[id as usize] {
            Node::Leaf(k) => self.leaves[k].clone(),
            Node::Un(op, a) => Expr::un(op, self.expr(a)),
            Node::Bin(op, a, b) => Expr::bin(op, self.expr(a), self.expr(b)),
            Node::Ite(c, t, e) => Expr::ite(self.expr(c), self.expr(t), self.expr(e)),
        }
    }
}
