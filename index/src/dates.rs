//! Strict `YYYY-MM-DD` dates, the one format the catalogue stores. One parser
//! for every place that reads them (search filters, tally, audit, import).

/// Year, month and day of a strict `YYYY-MM-DD` date (four, two and two ASCII
/// digits) whose day exists in its month, leap years counted.
pub fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// True for a strict `YYYY-MM-DD` date that exists.
pub fn is_date(s: &str) -> bool {
    parse_ymd(s).is_some()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (None if malformed).
pub fn day_index(date: &str) -> Option<i64> {
    let (y, m, d) = parse_ymd(date)?;
    let (m, d) = (i64::from(m), i64::from(d));
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_real_dates_only() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-04-31"));
        assert!(!is_date("+020-01-01"));
        assert!(!is_date("2020-1-01"));
        assert!(!is_date("2020-13-01"));
        assert!(!is_date("２０２０-01-01"));
        assert_eq!(day_index("1970-01-01"), Some(0));
        assert_eq!(day_index("2024-02-29"), Some(19_782));
        assert_eq!(day_index("2000-03-01").zip(day_index("2000-02-28")).map(|(a, b)| a - b), Some(2));
    }
}
