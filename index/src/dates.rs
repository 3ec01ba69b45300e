//! Strict `YYYY-MM-DD` dates, the one format the catalogue stores. One parser
//! for every place that reads them (search filters, tally, audit, import), and
//! one formatter for every place that writes one (a Unix time's day, today).

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

/// The `YYYY-MM-DD` date of a day index (days since 1970-01-01), the inverse
/// of [`day_index`].
pub fn from_day_index(day: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The `YYYY-MM-DD` (UTC) day of a Unix time in seconds.
pub fn utc_day(unix_seconds: i64) -> String {
    from_day_index(unix_seconds.div_euclid(86_400))
}

/// Today's date (UTC) as `YYYY-MM-DD`: the clock the reports' callers read
/// (the reports themselves take the date as a value, so tests pass one).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    utc_day(secs)
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

    #[test]
    fn day_index_round_trips() {
        for d in ["1970-01-01", "1969-12-31", "2000-02-29", "2024-12-31", "1900-03-01", "2999-12-31"] {
            assert_eq!(day_index(d).map(from_day_index).as_deref(), Some(d));
        }
        for i in -25_567..376_000 {
            if i % 997 == 0 {
                assert_eq!(day_index(&from_day_index(i)), Some(i));
            }
        }
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(-1), "1969-12-31");
        assert_eq!(utc_day(1_735_689_599), "2024-12-31");
        assert!(is_date(&today()));
    }
}
