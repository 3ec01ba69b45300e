//! Excel 2007+ workbooks (SpreadsheetML in a zip): sheet names and order
//! from `xl/workbook.xml` and its relationships, shared strings, number
//! formats (to show dates as dates) and the `<c>` cells of each worksheet.
//! Every part is read through [`Archive`], so the zip-bomb bounds hold; the
//! cells are streamed, never laid out as a dense grid.

use std::collections::HashMap;

use super::sheet::{self, Book};
use super::{Archive, Ev, attr, events, unescape};

/// `A1`-style reference → (row, column), both from 0.
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |acc, b| {
        b.is_ascii_alphabetic().then(|| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1)
    })?;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// The `<t>` text of each `<si>` (phonetic runs, `<rPh>`, left out).
fn shared_strings(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut in_t, mut in_ph) = (String::new(), false, false);
    for ev in events(xml) {
        match ev {
            Ev::Open { name: "si", empty, .. } => {
                cur.clear();
                if empty {
                    out.push(String::new());
                }
            }
            Ev::Close { name: "si" } => {
                out.push(std::mem::take(&mut cur));
                if out.len() >= sheet::MAX_CELLS {
                    break;
                }
            }
            Ev::Open { name: "rPh", empty: false, .. } => in_ph = true,
            Ev::Close { name: "rPh" } => in_ph = false,
            Ev::Open { name: "t", empty: false, .. } => in_t = true,
            Ev::Close { name: "t" } => in_t = false,
            Ev::Text(t) if in_t && !in_ph => cur.push_str(&unescape(t)),
            _ => {}
        }
    }
    out
}

/// Number format id of each cell style (`cellXfs`), and the workbook's own format codes.
fn styles(xml: &str) -> (Vec<u32>, HashMap<u32, String>) {
    let (mut xfs, mut codes) = (Vec::new(), HashMap::new());
    let mut in_cell_xfs = false;
    for ev in events(xml) {
        match ev {
            Ev::Open { name: "cellXfs", empty: false, .. } => in_cell_xfs = true,
            Ev::Close { name: "cellXfs" } => in_cell_xfs = false,
            Ev::Open { name: "xf", attrs, .. } if in_cell_xfs => {
                xfs.push(attr(attrs, "numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0));
            }
            Ev::Open { name: "numFmt", attrs, .. } => {
                if let (Some(id), Some(code)) =
                    (attr(attrs, "numFmtId").and_then(|v| v.parse().ok()), attr(attrs, "formatCode"))
                {
                    codes.insert(id, unescape(code));
                }
            }
            _ => {}
        }
    }
    (xfs, codes)
}

/// Zip path of a relationship target relative to `xl/`.
fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(abs) => abs.to_owned(),
        None => format!("xl/{}", target.trim_start_matches("./")),
    }
}

/// Text of an XLSX workbook.
pub(super) fn extract(bytes: &[u8]) -> Result<String, String> {
    let mut ar = Archive::open(bytes).map_err(|e| format!("xlsx: {e}"))?;
    let workbook = ar.read("xl/workbook.xml").map_err(|e| format!("xlsx: not a workbook: {e}"))?;
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    for ev in events(&workbook) {
        match ev {
            Ev::Open { name: "sheet", attrs, .. } if sheets.len() < sheet::MAX_SHEETS => {
                let name = unescape(attr(attrs, "name").unwrap_or_default());
                sheets.push((name, attr(attrs, "r:id").map(str::to_owned)));
            }
            Ev::Open { name: "workbookPr", attrs, .. } => {
                is_1904 = matches!(attr(attrs, "date1904"), Some("1" | "true"));
            }
            _ => {}
        }
    }
    let names = ar.names();
    let rels_xml = if names.iter().any(|n| n == "xl/_rels/workbook.xml.rels") {
        ar.read("xl/_rels/workbook.xml.rels").map_err(|e| format!("xlsx: {e}"))?
    } else {
        String::new()
    };
    let mut rels = HashMap::new();
    let mut strings_part = "xl/sharedStrings.xml".to_owned();
    for ev in events(&rels_xml) {
        if let Ev::Open { name: "Relationship", attrs, .. } = ev
            && let (Some(id), Some(target)) = (attr(attrs, "Id"), attr(attrs, "Target"))
        {
            let path = part_path(&unescape(target));
            if attr(attrs, "Type").is_some_and(|t| t.ends_with("/sharedStrings")) {
                strings_part = path.clone();
            }
            rels.insert(id.to_owned(), path);
        }
    }
    let strings = if names.contains(&strings_part) {
        shared_strings(&ar.read(&strings_part).map_err(|e| format!("xlsx: {e}"))?)
    } else {
        Vec::new()
    };
    let (xfs, codes) = if names.iter().any(|n| n == "xl/styles.xml") {
        styles(&ar.read("xl/styles.xml").map_err(|e| format!("xlsx: {e}"))?)
    } else {
        Default::default()
    };
    let value = |style: u32, v: &str| -> String {
        let Ok(x) = v.trim().parse::<f64>() else { return v.to_owned() };
        let fmt = xfs.get(style as usize).copied().unwrap_or(0);
        if sheet::is_date_format(fmt, codes.get(&fmt).map(String::as_str))
            && let Some(d) = sheet::date(x, is_1904)
        {
            return d;
        }
        sheet::number(x)
    };

    let mut book = Book::default();
    'sheets: for (i, (name, rid)) in sheets.iter().enumerate() {
        let path = match rid.as_ref().and_then(|r| rels.get(r)) {
            Some(p) => p.clone(),
            None => format!("xl/worksheets/sheet{}.xml", i + 1),
        };
        if !names.contains(&path) || !book.sheet(name) {
            continue;
        }
        let xml = ar.read(&path).map_err(|e| format!("xlsx: sheet {name:?}: {e}"))?;
        // current row, next column, and the cell being read
        let (mut row, mut next_col) = (None::<u32>, 0u32);
        let mut cell: Option<(u32, u32, String, u32)> = None;
        let (mut val, mut in_v, mut in_is, mut in_t) = (String::new(), false, false, false);
        for ev in events(&xml) {
            match ev {
                Ev::Open { name: "row", attrs, .. } => {
                    let r = attr(attrs, "r").and_then(|r| r.parse::<u32>().ok());
                    row = Some(match (r, row) {
                        (Some(r), _) => r.saturating_sub(1),
                        (None, Some(prev)) => prev.saturating_add(1),
                        (None, None) => 0,
                    });
                    next_col = 0;
                }
                Ev::Open { name: "c", attrs, empty } => {
                    let (r, c) = attr(attrs, "r").and_then(cell_ref).unwrap_or((row.unwrap_or(0), next_col));
                    next_col = c.saturating_add(1);
                    if !empty {
                        let t = attr(attrs, "t").unwrap_or("n").to_owned();
                        let s = attr(attrs, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                        cell = Some((r, c, t, s));
                        val.clear();
                    }
                }
                Ev::Open { name: "v", empty: false, .. } => in_v = true,
                Ev::Close { name: "v" } => in_v = false,
                Ev::Open { name: "is", empty: false, .. } => in_is = true,
                Ev::Close { name: "is" } => in_is = false,
                Ev::Open { name: "t", empty: false, .. } if in_is => in_t = true,
                Ev::Close { name: "t" } => in_t = false,
                Ev::Text(t) if in_v || (in_is && in_t) => val.push_str(&unescape(t)),
                Ev::Close { name: "c" } => {
                    let Some((r, c, t, s)) = cell.take() else { continue };
                    let text = match t.as_str() {
                        "s" => {
                            val.trim().parse::<usize>().ok().and_then(|i| strings.get(i)).cloned().unwrap_or_default()
                        }
                        "b" => (if val.trim() == "1" { "TRUE" } else { "FALSE" }).to_owned(),
                        "n" => value(s, &val),
                        _ => std::mem::take(&mut val), // str, inlineStr, e, d
                    };
                    if !book.cell(r, c, &text) {
                        break 'sheets;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(book.render())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::zip_bytes;
    use super::*;

    #[test]
    fn refs() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("AB12"), Some((11, 27)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("ZZZZ1"), None);
        assert_eq!(cell_ref("1A"), None);
    }

    /// Parts that make a dense-grid reader allocate terabytes: a huge
    /// `uniqueCount` and two cells at opposite corners of the sheet.
    #[test]
    fn sparse_corners_and_lying_counts() {
        let b = zip_bytes(&[
            ("xl/workbook.xml", r#"<workbook><sheets><sheet name="表&amp;1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<Relationships><Relationship Id="rId1" Type="http://x/worksheet" Target="/xl/worksheets/s.xml"/></Relationships>"#,
            ),
            ("xl/sharedStrings.xml", r#"<sst uniqueCount="100000000000000000"><si><t>通知</t><rPh><t>つうち</t></rPh></si><si/></sst>"#),
            (
                "xl/worksheets/s.xml",
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c t="inlineStr"><is><t>内联</t></is></c></row>
<row r="1048576"><c r="XFD1048576" t="b"><v>1</v></c></row></sheetData></worksheet>"#,
            ),
        ])
        .unwrap();
        let far = format!("【表&1】\n通知\t内联\n{}TRUE", "\t".repeat(64));
        assert_eq!(extract(&b).unwrap(), far);
    }
}
