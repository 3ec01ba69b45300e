//! Dates as written on government pages, normalised to `YYYY-MM-DD`.

use std::sync::LazyLock;

use regex::Regex;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.|－|—)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.|－|—)\s*(?P<d>\d{1,2})
        |(?P<y2>(?:19|20)\d{2})(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?:\D|$)
        |(?P<y3>[〇○零一二三四五六七八九]{4})年(?P<m3>[一二三四五六七八九十]{1,2})月(?P<d3>[一二三四五六七八九十]{1,3})日
        ",
    )
    .expect("static regex")
});

/// The first plausible date in `s`, as `YYYY-MM-DD`.
///
/// Understands `2020-03-15`, `2020年3月15日`, `2020/3/15`, `2020.03.15`,
/// `20200315` (not inside a longer digit run), `二〇二〇年三月十五日`, with or
/// without a time after it. Impossible dates (month 13, 2月30日) are skipped.
pub fn parse_date(s: &str) -> Option<String> {
    for c in DATE.captures_iter(s) {
        let (y, m, d) = if let (Some(y), Some(m), Some(d)) = (c.name("y"), c.name("m"), c.name("d")) {
            (num(y.as_str())?, num(m.as_str())?, num(d.as_str())?)
        } else if let (Some(y), Some(m), Some(d)) = (c.name("y2"), c.name("m2"), c.name("d2")) {
            // not part of a longer number (an id like 2020031512345)
            let start = y.start();
            if start > 0 && s[..start].chars().next_back().is_some_and(|ch| ch.is_ascii_digit()) {
                continue;
            }
            (num(y.as_str())?, num(m.as_str())?, num(d.as_str())?)
        } else if let (Some(y), Some(m), Some(d)) = (c.name("y3"), c.name("m3"), c.name("d3")) {
            (cn_year(y.as_str())?, cn_num(m.as_str())?, cn_num(d.as_str())?)
        } else {
            continue;
        };
        if valid(y, m, d) {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

/// Days since 1970-01-01 as a proleptic Gregorian date, `YYYY-MM-DD`
/// (spreadsheet serial dates, Unix times of list APIs).
pub fn civil_date(z: i64) -> String {
    let z = z + 719_468;
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

fn num(s: &str) -> Option<u32> {
    s.parse().ok()
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '○' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_year(s: &str) -> Option<u32> {
    s.chars().try_fold(0, |acc, c| Some(acc * 10 + cn_digit(c)?))
}

fn cn_num(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + cn_digit(*u)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', u] => Some(cn_digit(*t)? * 10 + cn_digit(*u)?),
        [u] => cn_digit(*u),
        _ => None,
    }
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    if !(1949..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn forms() {
        let cases = [
            ("2020-03-15", "2020-03-15"),
            ("发布日期：2020年3月5日 10:00", "2020-03-05"),
            ("2020/3/15", "2020-03-15"),
            ("2020.03.15", "2020-03-15"),
            ("t20200315_123.html", "2020-03-15"),
            ("二〇二〇年三月十五日", "2020-03-15"),
            ("2022年 6 月 10 日", "2022-06-10"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(parse_date("2020-13-01"), None);
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("12020031599"), None);
        assert_eq!(parse_date("无"), None);
    }
}
