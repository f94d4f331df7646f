//! Axis tick labels: short numbers.

/// An axis value: whole numbers plainly, large ones as powers of ten (`1e6`), others with as
/// few decimals as tell neighbouring ticks apart at the plots' scales (up to 3).
pub fn number(v: &f64) -> String {
    let v = *v;
    let text = match v.abs() {
        a if a >= 1e5 => format!("{v:.0e}"),
        a if a >= 10.0 || v == v.round() => format!("{v:.0}"),
        a if a >= 0.1 => format!("{v:.2}"),
        _ => format!("{v:.3e}"),
    };
    let trimmed = if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if trimmed == "-0" { "0".into() } else { trimmed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(number(&1_000_000.0), "1e6");
        assert_eq!(number(&2336.0), "2336");
        assert_eq!(number(&80.0), "80");
        assert_eq!(number(&0.5), "0.5");
        assert_eq!(number(&-0.25), "-0.25");
        assert_eq!(number(&0.00025), "2.500e-4");
        assert_eq!(number(&-0.0), "0");
    }
}
