//! Exact rationals over `i128`. Every operation is checked: overflow gives `None`, never a
//! wrong value.

/// A reduced fraction `num / den` with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rational {
    num: i128,
    den: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Both inputs fit i128, so their gcd does unless both are i128::MIN (gcd 2^127).
    i128::try_from(a).unwrap_or(i128::MIN)
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };

    /// The integer `v`.
    pub fn int(v: i128) -> Rational {
        Rational { num: v, den: 1 }
    }

    /// `num / den` reduced; `None` when `den` is zero or the result overflows.
    pub fn new(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den);
        if g <= 0 {
            return None;
        }
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = num.checked_neg()?;
            den = den.checked_neg()?;
        }
        Some(Rational { num, den })
    }

    /// The numerator (sign carrier).
    pub fn num(self) -> i128 {
        self.num
    }

    /// The denominator (positive).
    pub fn den(self) -> i128 {
        self.den
    }

    /// True for zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self + other`.
    pub fn add(self, other: Rational) -> Option<Rational> {
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g)?;
        let right = other.num.checked_mul(self.den / g)?;
        Rational::new(left.checked_add(right)?, (self.den / g).checked_mul(other.den)?)
    }

    /// `self - other`.
    pub fn sub(self, other: Rational) -> Option<Rational> {
        self.add(Rational {
            num: other.num.checked_neg()?,
            den: other.den,
        })
    }

    /// `self * other`.
    pub fn mul(self, other: Rational) -> Option<Rational> {
        let (g1, g2) = (gcd(self.num, other.den), gcd(other.num, self.den));
        let (g1, g2) = (g1.max(1), g2.max(1));
        let num = (self.num / g1).checked_mul(other.num / g2)?;
        let den = (self.den / g2).checked_mul(other.den / g1)?;
        Rational::new(num, den)
    }

    /// `self / other`; `None` for division by zero.
    pub fn div(self, other: Rational) -> Option<Rational> {
        self.mul(Rational::new(other.den, other.num)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn arithmetic_is_exact_and_reduced() {
        assert_eq!(r(2, -4), r(-1, 2));
        assert_eq!(r(1, 2).add(r(1, 3)), Some(r(5, 6)));
        assert_eq!(r(1, 2).sub(r(1, 2)), Some(Rational::ZERO));
        assert_eq!(r(2, 3).mul(r(9, 4)), Some(r(3, 2)));
        assert_eq!(r(2, 3).div(r(4, 9)), Some(r(3, 2)));
        assert_eq!(r(1, 3).den(), 3);
    }

    #[test]
    fn overflow_and_division_by_zero_are_none() {
        assert_eq!(Rational::new(1, 0), None);
        assert_eq!(r(1, 2).div(Rational::ZERO), None);
        assert_eq!(Rational::int(i128::MAX).add(Rational::int(1)), None);
        assert_eq!(Rational::int(i128::MIN).sub(Rational::int(1)), None);
        assert_eq!(Rational::int(i128::MAX).mul(Rational::int(2)), None);
        assert_eq!(Rational::new(i128::MIN, i128::MIN), None);
        assert_eq!(Rational::new(1, i128::MIN), None);
    }
}
