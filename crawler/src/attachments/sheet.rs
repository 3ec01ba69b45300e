//! What XLS and XLSX have in common: cells collected per sheet under caps,
//! rendered as the sheet name in 【】 on its own line, then one line per row
//! with the cells tab-separated; numbers as Excel shows them in the General
//! format, dates (numbers with a date format) as `YYYY-MM-DD[ HH:MM[:SS]]`.

use super::MAX_TEXT_CHARS;

/// Most cells kept from one workbook.
pub(super) const MAX_CELLS: usize = 1_000_000;
/// Most sheets read from one workbook.
pub(super) const MAX_SHEETS: usize = 256;
/// Most tabs written for a run of empty columns.
const MAX_GAP: u32 = 64;

struct Sheet {
    name: String,
    /// (row, column, text) in the order read.
    cells: Vec<(u32, u32, String)>,
}

#[derive(Default)]
pub(super) struct Book {
    sheets: Vec<Sheet>,
    cells: usize,
    chars: usize,
}

impl Book {
    /// Start a sheet; `false` when the workbook has too many to read more.
    pub(super) fn sheet(&mut self, name: &str) -> bool {
        if self.sheets.len() >= MAX_SHEETS || self.full() {
            return false;
        }
        self.chars += name.chars().count() + 4;
        self.sheets.push(Sheet { name: clean(name), cells: Vec::new() });
        true
    }

    /// Add a cell to the current sheet; `false` once the caps are reached
    /// (the reader then stops: the text is cut, not refused).
    pub(super) fn cell(&mut self, row: u32, col: u32, text: &str) -> bool {
        if self.full() {
            return false;
        }
        let text = clean(text);
        if text.is_empty() {
            return true;
        }
        let Some(sheet) = self.sheets.last_mut() else { return false };
        self.cells += 1;
        self.chars += text.chars().count() + 1;
        sheet.cells.push((row, col, text));
        true
    }

    pub(super) fn full(&self) -> bool {
        self.cells >= MAX_CELLS || self.chars > MAX_TEXT_CHARS
    }

    pub(super) fn render(self) -> String {
        let mut out = Vec::new();
        for mut sheet in self.sheets {
            if sheet.cells.is_empty() {
                continue;
            }
            sheet.cells.sort_by_key(|&(r, c, _)| (r, c));
            let min_col = sheet.cells.iter().map(|&(_, c, _)| c).min().unwrap_or(0);
            let mut lines = vec![format!("【{}】", sheet.name)];
            let mut line = String::new();
            let mut cur: Option<(u32, u32)> = None;
            for (r, c, text) in sheet.cells {
                let gap = match cur {
                    Some((cr, cc)) if cr == r => c.saturating_sub(cc),
                    Some(_) => {
                        lines.push(std::mem::take(&mut line));
                        c - min_col
                    }
                    None => c - min_col,
                };
                line.extend(std::iter::repeat_n('\t', gap.min(MAX_GAP) as usize));
                line.push_str(&text);
                cur = Some((r, c));
            }
            lines.push(line);
            out.push(lines.join("\n"));
        }
        out.join("\n\n")
    }
}

/// Cell text on one line: tabs and line breaks become spaces, ends trimmed.
fn clean(s: &str) -> String {
    let s = s.trim();
    if s.contains(['\t', '\n', '\r']) {
        s.split(['\t', '\n', '\r']).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    } else {
        s.to_owned()
    }
}

/// A number as Excel's General format shows it: integers without a decimal
/// point, at most 15 significant digits.
pub(super) fn number(v: f64) -> String {
    if !v.is_finite() {
        return "#NUM!".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    format!("{rounded}")
}

/// Whether number format `id` (with its format code, when the workbook
/// defines one) shows dates or times.
pub(super) fn is_date_format(id: u32, code: Option<&str>) -> bool {
    match code {
        Some(code) => code_is_date(code),
        None => matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58),
    }
}

fn code_is_date(code: &str) -> bool {
    let mut chars = code.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                // [h], [mm], [ss]: elapsed time; [Red], [$-804], [DBNum1]: not
                if !inner.is_empty() && inner.chars().all(|c| matches!(c, 'h' | 'H' | 'm' | 'M' | 's' | 'S')) {
                    return true;
                }
            }
            ';' => return false,
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// A date serial as `YYYY-MM-DD`, with ` HH:MM[:SS]` when it has a time of
/// day, or the time alone below 1. `None` outside Excel's date range.
pub(super) fn date(serial: f64, is_1904: bool) -> Option<String> {
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    let mut secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs >= 86_400 {
        days += 1;
        secs -= 86_400;
    }
    let time = if secs % 60 == 0 {
        format!("{:02}:{:02}", secs / 3600, secs / 60 % 60)
    } else {
        format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    };
    if days == 0 && !is_1904 {
        return Some(time);
    }
    let day = if is_1904 {
        crate::dates::civil_date(days - 24_107)
    } else if days == 60 {
        "1900-02-29".to_owned() // Excel's phantom leap day
    } else if days > 60 {
        crate::dates::civil_date(days - 25_569)
    } else {
        crate::dates::civil_date(days - 25_568)
    };
    Some(if secs == 0 { day } else { format!("{day} {time}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-12.5), "-12.5");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(f64::NAN), "#NUM!");
        assert_eq!(date(45473.0, false).as_deref(), Some("2024-06-30"));
        assert_eq!(date(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(date(60.0, false).as_deref(), Some("1900-02-29"));
        assert_eq!(date(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(date(45473.5, false).as_deref(), Some("2024-06-30 12:00"));
        assert_eq!(date(0.75, false).as_deref(), Some("18:00"));
        assert_eq!(date(0.0, true).as_deref(), Some("1904-01-01"));
        assert_eq!(date(-1.0, false), None);
        assert!(is_date_format(14, None));
        assert!(is_date_format(31, None)); // yyyy"年"m"月"d"日" in zh-CN
        assert!(!is_date_format(2, None));
        assert!(is_date_format(176, Some("yyyy\"年\"m\"月\"d\"日\";@")));
        assert!(is_date_format(177, Some("[$-804]m/d")));
        assert!(is_date_format(178, Some("[h]:mm")));
        assert!(!is_date_format(179, Some("#,##0.00\"万元\";[Red]-#,##0.00")));
        assert!(!is_date_format(180, Some("General")));
        assert!(!is_date_format(181, Some("0.00E+00")));
    }

    #[test]
    fn rows_gaps_and_headings() {
        let mut b = Book::default();
        assert!(b.sheet("表一"));
        for (r, c, t) in [(2, 3, "c"), (0, 1, "a\tx"), (0, 3, "b"), (1, 1, "")] {
            assert!(b.cell(r, c, t));
        }
        assert!(b.sheet("empty"));
        assert!(b.sheet("far"));
        assert!(b.cell(5, 16_000, "z"));
        assert!(b.cell(6, 10, "y"));
        let far = format!("【far】\n{}z\ny", "\t".repeat(64));
        assert_eq!(b.render(), format!("【表一】\na x\t\tb\n\t\tc\n\n{far}"));
    }
}
