//! The rules of the built-in tasks: each maps an input sequence to its output sequence.
//!
//! Inputs and outputs are flat and row-major by step (`x = [a0, b0, a1, b1, ...]` for 2-D
//! inputs). Positions before the start count as 0 unless a rule says otherwise. Rules written
//! as recurrences start from the zero state at t = -1.
//!
//! Only the running sum and the physics rules grow with the length; they are written once over
//! [`Int`]: checked i64 on the fast path ([`Rule::apply`], `None` on overflow) and unbounded
//! integers for exact labels ([`Rule::apply_exact`]). Every other rule's values stay within the
//! inputs' range times the length (or are bits, residues and counts).

use num_bigint::BigInt;

/// A task rule, parameterized where a family shares one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    AbsCurrent,
    AbsDiff,
    /// Running sum mod k.
    AddMod(i64),
    /// 1 when the last k inputs (zero-padded) alternate.
    Alternating(usize),
    BalancedParenthesis,
    /// Least-significant-digit-first addition in base k, final carry dropped.
    BaseAddition(i64),
    /// Running sum of `a[t]·b[t]` mod k.
    BitDotProdMod(i64),
    BitPalindrome,
    BitwiseAnd,
    BitwiseNot,
    BitwiseOr,
    BitwiseXor,
    CurrentNumber,
    DiffAbsValues,
    DiffLast2,
    Dithering,
    /// Most-significant-bit-first long division by k.
    Div(i64),
    EvensCounter,
    EvensDetector,
    /// Most frequent value of the prefix among 0..=k, ties to the smallest.
    Majority(i64),
    MaxSeen,
    MinSeen,
    /// Double integration of the force plus a constant acceleration.
    Newton {
        gravity: i64,
    },
    NewtonMagnetic,
    NewtonSpring,
    ParityAll,
    /// Parity of the last k inputs (zero-padded).
    ParityLast(usize),
    ParityZeros,
    PerfectSquare,
    /// The input k steps back (0 before the start).
    Prev(usize),
    PreviousEqualsCurrent,
    /// t mod k, whatever the input.
    StepMod(i64),
    SumAll,
    /// Sum of the last k inputs (zero-padded).
    SumLast(usize),
}

/// The rule of the built-in task `name`.
pub(crate) fn for_task(name: &str) -> Option<Rule> {
    use Rule::*;
    Some(match name {
        "Abs_Current" => AbsCurrent,
        "Abs_Diff" => AbsDiff,
        "Add_Mod_3" => AddMod(3),
        "Add_Mod_4" => AddMod(4),
        "Add_Mod_5" => AddMod(5),
        "Add_Mod_6" => AddMod(6),
        "Add_Mod_7" => AddMod(7),
        "Add_Mod_8" => AddMod(8),
        "Alternating_Last3" => Alternating(3),
        "Alternating_Last4" => Alternating(4),
        "Balanced_Parenthesis" => BalancedParenthesis,
        "Base_3_Addition" => BaseAddition(3),
        "Base_4_Addition" => BaseAddition(4),
        "Base_5_Addition" => BaseAddition(5),
        "Base_6_Addition" => BaseAddition(6),
        "Base_7_Addition" => BaseAddition(7),
        "Binary_Addition" => BaseAddition(2),
        "Bit_Dot_Prod_Mod2" => BitDotProdMod(2),
        "Bit_Palindrome" => BitPalindrome,
        "Bit_Shift_Right" => Prev(1),
        "Bitwise_And" => BitwiseAnd,
        "Bitwise_Not" => BitwiseNot,
        "Bitwise_Or" => BitwiseOr,
        "Bitwise_Xor" => BitwiseXor,
        "Current_Number" => CurrentNumber,
        "Diff_Abs_Values" => DiffAbsValues,
        "Diff_Last2" => DiffLast2,
        "Dithering" => Dithering,
        "Div_3" => Div(3),
        "Div_5" => Div(5),
        "Div_7" => Div(7),
        "Evens_Counter" => EvensCounter,
        "Evens_Detector" => EvensDetector,
        "Majority_0_1" => Majority(1),
        "Majority_0_2" => Majority(2),
        "Majority_0_3" => Majority(3),
        "Max_Seen" => MaxSeen,
        "Min_Seen" => MinSeen,
        "Newton_Freebody" => Newton { gravity: 0 },
        "Newton_Gravity" => Newton { gravity: -1 },
        "Newton_Magnetic" => NewtonMagnetic,
        "Newton_Spring" => NewtonSpring,
        "Parity_All" => ParityAll,
        "Parity_Bits_Mod2" => StepMod(2),
        "Parity_Last2" => ParityLast(2),
        "Parity_Last3" => ParityLast(3),
        "Parity_Last4" => ParityLast(4),
        "Parity_Zeros" => ParityZeros,
        "Perfect_Square_Detector" => PerfectSquare,
        "Prev1" => Prev(1),
        "Prev2" => Prev(2),
        "Prev3" => Prev(3),
        "Prev4" => Prev(4),
        "Prev5" => Prev(5),
        "Previous_Equals_Current" => PreviousEqualsCurrent,
        "Sum_All" => SumAll,
        "Sum_Last2" => SumLast(2),
        "Sum_Last3" => SumLast(3),
        "Sum_Last4" => SumLast(4),
        "Sum_Last5" => SumLast(5),
        "Sum_Last6" => SumLast(6),
        "Sum_Last7" => SumLast(7),
        _ => return None,
    })
}

/// Integers a growing rule computes with: checked i64 (`None` on overflow) or unbounded.
pub(crate) trait Int: Clone {
    fn of(v: i64) -> Self;
    fn add(&self, other: &Self) -> Option<Self>;
    fn sub(&self, other: &Self) -> Option<Self>;
}

impl Int for i64 {
    fn of(v: i64) -> i64 {
        v
    }
    fn add(&self, other: &i64) -> Option<i64> {
        self.checked_add(*other)
    }
    fn sub(&self, other: &i64) -> Option<i64> {
        self.checked_sub(*other)
    }
}

impl Int for BigInt {
    fn of(v: i64) -> BigInt {
        BigInt::from(v)
    }
    fn add(&self, other: &BigInt) -> Option<BigInt> {
        Some(self + other)
    }
    fn sub(&self, other: &BigInt) -> Option<BigInt> {
        Some(self - other)
    }
}

impl Rule {
    /// Writes the exact outputs for inputs `x` into `y` (unbounded integers). `None` only if a
    /// rule outside the growing ones overflowed i64, which their bounds rule out.
    pub(crate) fn apply_exact(self, x: &[i64], y: &mut [BigInt]) -> Option<()> {
        use Rule::*;
        match self {
            Newton { gravity } => newton(x, y, gravity),
            NewtonMagnetic => newton_magnetic(x, y),
            NewtonSpring => newton_spring(x, y),
            SumAll => running_sum(x, y),
            _ => {
                let mut small = vec![0; y.len()];
                self.apply(x, &mut small)?;
                for (out, v) in y.iter_mut().zip(small) {
                    *out = BigInt::from(v);
                }
                Some(())
            }
        }
    }

    /// Writes the outputs for inputs `x` into `y`; `None` when a value overflows `i64`
    /// (only the growing rules can: see [`Rule::apply_exact`]).
    pub(crate) fn apply(self, x: &[i64], y: &mut [i64]) -> Option<()> {
        use Rule::*;
        match self {
            AbsCurrent => map(x, y, i64::abs),
            AbsDiff => with_previous(x, y, |prev, cur| (cur - prev).abs()),
            AddMod(k) => running_mod(x, y, k),
            Alternating(k) => alternating(x, y, k),
            BalancedParenthesis => balanced_parenthesis(x, y),
            BaseAddition(k) => base_addition(x, y, k),
            BitDotProdMod(k) => bit_dot_prod_mod(x, y, k),
            BitPalindrome => palindromic_prefixes(x, y),
            BitwiseAnd => map_pairs(x, y, |a, b| a & b),
            BitwiseNot => map(x, y, |v| 1 - v),
            BitwiseOr => map_pairs(x, y, |a, b| a | b),
            BitwiseXor => map_pairs(x, y, |a, b| a ^ b),
            CurrentNumber => map(x, y, |v| v),
            DiffAbsValues => with_previous(x, y, |prev, cur| cur.abs() - prev.abs()),
            DiffLast2 => with_previous(x, y, |prev, cur| cur - prev),
            Dithering => dithering(x, y),
            Div(k) => long_division(x, y, k),
            EvensCounter => evens_counter(x, y),
            EvensDetector => map(x, y, |v| i64::from(v % 2 == 0)),
            Majority(k) => majority(x, y, k),
            MaxSeen => running_extreme(x, y, i64::max),
            MinSeen => running_extreme(x, y, i64::min),
            Newton { gravity } => return newton(x, y, gravity),
            NewtonMagnetic => return newton_magnetic(x, y),
            NewtonSpring => return newton_spring(x, y),
            ParityAll => running_mod(x, y, 2),
            ParityLast(k) => window_parity(x, y, k),
            ParityZeros => parity_of_zeros(x, y),
            PerfectSquare => map(x, y, |v| i64::from(is_perfect_square(v))),
            Prev(k) => delay(x, y, k),
            PreviousEqualsCurrent => with_previous(x, y, |prev, cur| i64::from(prev == cur)),
            StepMod(k) => step_mod(y, k),
            SumAll => return running_sum(x, y),
            SumLast(k) => window_sum(x, y, k),
        }
        Some(())
    }
}

/// Stateless 1-D rule.
fn map(x: &[i64], y: &mut [i64], f: impl Fn(i64) -> i64) {
    for (out, &v) in y.iter_mut().zip(x) {
        *out = f(v);
    }
}

/// Stateless rule of 2-D steps `(a, b)`.
fn map_pairs(x: &[i64], y: &mut [i64], f: impl Fn(i64, i64) -> i64) {
    for (out, step) in y.iter_mut().zip(x.chunks_exact(2)) {
        *out = f(step[0], step[1]);
    }
}

/// Rule of the previous and current input, with a virtual previous input 0 at t = 0.
fn with_previous(x: &[i64], y: &mut [i64], f: impl Fn(i64, i64) -> i64) {
    let mut prev = 0;
    for (out, &cur) in y.iter_mut().zip(x) {
        *out = f(prev, cur);
        prev = cur;
    }
}

fn running_mod(x: &[i64], y: &mut [i64], k: i64) {
    let mut acc = 0;
    for (out, &v) in y.iter_mut().zip(x) {
        acc = (acc + v).rem_euclid(k);
        *out = acc;
    }
}

fn running_sum<T: Int>(x: &[i64], y: &mut [T]) -> Option<()> {
    let mut acc = T::of(0);
    for (out, &v) in y.iter_mut().zip(x) {
        acc = acc.add(&T::of(v))?;
        *out = acc.clone();
    }
    Some(())
}

fn running_extreme(x: &[i64], y: &mut [i64], pick: fn(i64, i64) -> i64) {
    let mut best = None;
    for (out, &v) in y.iter_mut().zip(x) {
        let next = best.map_or(v, |b| pick(b, v));
        best = Some(next);
        *out = next;
    }
}

/// Length of the alternating run ending at each step, counting the zero padding as a run of
/// equal values; the window of the last k values alternates when the run spans k - 1 changes.
fn alternating(x: &[i64], y: &mut [i64], k: usize) {
    let mut prev = 0;
    let mut changes = 0usize;
    for (out, &v) in y.iter_mut().zip(x) {
        changes = if v != prev { changes + 1 } else { 0 };
        prev = v;
        *out = i64::from(changes + 1 >= k);
    }
}

/// 0 opens, 1 closes; 1 while the prefix is balanced.
fn balanced_parenthesis(x: &[i64], y: &mut [i64]) {
    let mut depth = 0i64;
    let mut broken = false;
    for (out, &v) in y.iter_mut().zip(x) {
        depth += if v == 0 { 1 } else { -1 };
        broken |= depth < 0;
        *out = i64::from(!broken && depth == 0);
    }
}

fn base_addition(x: &[i64], y: &mut [i64], base: i64) {
    let mut carry = 0;
    for (out, step) in y.iter_mut().zip(x.chunks_exact(2)) {
        let total = step[0] + step[1] + carry;
        *out = total % base;
        carry = total / base;
    }
}

fn bit_dot_prod_mod(x: &[i64], y: &mut [i64], k: i64) {
    let mut acc = 0;
    for (out, step) in y.iter_mut().zip(x.chunks_exact(2)) {
        acc = (acc + step[0] * step[1]).rem_euclid(k);
        *out = acc;
    }
}

fn palindromic_prefixes(x: &[i64], y: &mut [i64]) {
    for (t, out) in y.iter_mut().enumerate() {
        let prefix = &x[..=t];
        let half = prefix.len() / 2;
        let mirrored = (0..half).all(|s| prefix[s] == prefix[t - s]);
        *out = i64::from(mirrored);
    }
}

/// Error diffusion: emit 1 whenever the carried brightness reaches 15.
fn dithering(x: &[i64], y: &mut [i64]) {
    let mut residual = 0;
    for (out, &v) in y.iter_mut().zip(x) {
        let level = residual + v;
        let bit = i64::from(level >= 15);
        residual = level - 15 * bit;
        *out = bit;
    }
}

fn long_division(x: &[i64], y: &mut [i64], divisor: i64) {
    let mut remainder = 0;
    for (out, &bit) in y.iter_mut().zip(x) {
        let value = 2 * remainder + bit;
        *out = value / divisor;
        remainder = value % divisor;
    }
}

fn evens_counter(x: &[i64], y: &mut [i64]) {
    let mut count = 0;
    for (out, &v) in y.iter_mut().zip(x) {
        count += i64::from(v % 2 == 0);
        *out = count;
    }
}

/// Incremental counts of the values 0..=k; the first value with the top count wins.
fn majority(x: &[i64], y: &mut [i64], k: i64) {
    let mut counts = vec![0usize; usize::try_from(k + 1).unwrap_or(0)];
    for (out, &v) in y.iter_mut().zip(x) {
        if let Some(c) = usize::try_from(v).ok().and_then(|i| counts.get_mut(i)) {
            *c += 1;
        }
        let mut best = 0;
        for (value, &c) in counts.iter().enumerate() {
            if c > counts[best] {
                best = value;
            }
        }
        *out = best as i64;
    }
}

/// Velocity and position from force `x + gravity`, zero initial state.
fn newton<T: Int>(x: &[i64], y: &mut [T], gravity: i64) -> Option<()> {
    let (mut v, mut p) = (T::of(0), T::of(0));
    for (out, &force) in y.iter_mut().zip(x) {
        v = v.add(&T::of(force).add(&T::of(gravity))?)?;
        p = p.add(&v)?;
        *out = p.clone();
    }
    Some(())
}

/// Spring with k = 1 pulling toward 0 from the previous position.
fn newton_spring<T: Int>(x: &[i64], y: &mut [T]) -> Option<()> {
    let (mut v, mut p) = (T::of(0), T::of(0));
    for (out, &force) in y.iter_mut().zip(x) {
        v = v.add(&T::of(force).sub(&p)?)?;
        p = p.add(&v)?;
        *out = p.clone();
    }
    Some(())
}

/// 2-D force plus the previous velocity rotated by +90°; outputs the 2-D position.
fn newton_magnetic<T: Int>(x: &[i64], y: &mut [T]) -> Option<()> {
    let (mut vx, mut vy, mut px, mut py) = (T::of(0), T::of(0), T::of(0), T::of(0));
    for (out, force) in y.chunks_exact_mut(2).zip(x.chunks_exact(2)) {
        let ax = T::of(force[0]).sub(&vy)?;
        let ay = T::of(force[1]).add(&vx)?;
        vx = vx.add(&ax)?;
        vy = vy.add(&ay)?;
        px = px.add(&vx)?;
        py = py.add(&vy)?;
        out[0] = px.clone();
        out[1] = py.clone();
    }
    Some(())
}

/// 0, 1, ..., k - 1, 0, 1, ... whatever the input.
fn step_mod(y: &mut [i64], k: i64) {
    for (t, out) in y.iter_mut().enumerate() {
        *out = (t as i64).rem_euclid(k);
    }
}

/// Sliding window of the last k inputs, combined by `+`, with the zero padding.
fn window_sum(x: &[i64], y: &mut [i64], k: usize) {
    let mut acc = 0;
    for (t, out) in y.iter_mut().enumerate() {
        acc += x[t];
        if t >= k {
            acc -= x[t - k];
        }
        *out = acc;
    }
}

fn window_parity(x: &[i64], y: &mut [i64], k: usize) {
    window_sum(x, y, k);
    for out in y.iter_mut() {
        *out = out.rem_euclid(2);
    }
}

fn parity_of_zeros(x: &[i64], y: &mut [i64]) {
    let mut parity = 0;
    for (out, &v) in y.iter_mut().zip(x) {
        parity ^= i64::from(v == 0);
        *out = parity;
    }
}

fn is_perfect_square(v: i64) -> bool {
    if v < 0 {
        return false;
    }
    let root = v.isqrt();
    root * root == v
}

fn delay(x: &[i64], y: &mut [i64], k: usize) {
    for (t, out) in y.iter_mut().enumerate() {
        *out = if t >= k { x[t - k] } else { 0 };
    }
}
