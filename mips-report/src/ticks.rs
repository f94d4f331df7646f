//! Axis tick labels: short numbers.

/// An axis value: whole numbers plainly, from 10 000 on as powers of ten (`1e6`), others with two
/// significant decimals (ticks fall on round values), and values within rounding of 0 as `0`.
pub fn number(v: &f64) -> String {
    let v = *v;
    let a = v.abs();
    if a < 1e-12 {
        return "0".into();
    }
    if a >= 1e4 {
        return format!("{v:.0e}");
    }
    if a >= 10.0 || v == v.round() {
        return format!("{v:.0}");
    }
    let decimals = (1 - a.log10().floor() as i32).clamp(1, 12) as usize;
    let text = format!("{v:.decimals$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(number(&1_000_000.0), "1e6");
        assert_eq!(number(&2336.0), "2336");
        assert_eq!(number(&10_000.0), "1e4");
        assert_eq!(number(&80.0), "80");
        assert_eq!(number(&0.5), "0.5");
        assert_eq!(number(&-0.25), "-0.25");
        assert_eq!(number(&0.00025), "0.00025");
        assert_eq!(number(&0.09999999999), "0.1");
        assert_eq!(number(&0.15), "0.15");
        assert_eq!(number(&-2.776e-17), "0");
        assert_eq!(number(&-0.0), "0");
    }
}
