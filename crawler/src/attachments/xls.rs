//! Excel 97–2003 workbooks ([MS-XLS] BIFF8, the `Workbook` stream; Kingsoft
//! ET writes the same): sheet names from `BoundSheet8`, strings from the
//! shared string table (`SST`, continued across `Continue` records), cells
//! from `LabelSst`, `Label`, `Number`, `RK`, `MulRk`, `BoolErr` and the cached
//! values of `Formula` (with the `String` record that follows a string result).

use std::collections::HashMap;

use super::ole::{u16_at, u32_at};
use super::sheet::{self, Book};

/// BIFF records from `pos`: (type, data, offset of the record). Stops at the
/// end of the stream or at a record that runs past it.
fn records(s: &[u8], mut pos: usize) -> impl Iterator<Item = (u16, &[u8], usize)> {
    std::iter::from_fn(move || {
        let typ = u16_at(s, pos)?;
        let len = u16_at(s, pos + 2)? as usize;
        let data = s.get(pos + 4..pos + 4 + len)?;
        let at = pos;
        pos += 4 + len;
        Some((typ, data, at))
    })
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const CONTINUE: u16 = 0x003C;

/// Bytes of a record and the `Continue` records after it, read across the
/// record boundaries; a string's characters re-read their width flag at
/// each boundary.
struct Segs<'a> {
    segs: Vec<&'a [u8]>,
    seg: usize,
    pos: usize,
}

impl<'a> Segs<'a> {
    fn at_boundary(&mut self) -> bool {
        while self.seg < self.segs.len() && self.pos >= self.segs[self.seg].len() {
            self.seg += 1;
            self.pos = 0;
        }
        self.pos == 0 && self.seg > 0
    }

    fn u8(&mut self) -> Option<u8> {
        self.at_boundary();
        let b = *self.segs.get(self.seg)?.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([self.u8()?, self.u8()?, self.u8()?, self.u8()?]))
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            self.at_boundary();
            let seg = self.segs.get(self.seg)?;
            let step = n.min(seg.len() - self.pos);
            self.pos += step;
            n -= step;
        }
        Some(())
    }

    /// `cch` characters, 1 or 2 bytes each as the flags say, re-reading the
    /// flags byte where a `Continue` record starts.
    fn chars(&mut self, cch: usize, mut high: bool) -> Option<String> {
        let mut units = Vec::with_capacity(cch.min(4096));
        while units.len() < cch {
            if self.at_boundary() && !units.is_empty() {
                high = self.u8()? & 1 != 0;
            }
            let unit = if high { self.u16()? } else { u16::from(self.u8()?) };
            units.push(unit);
        }
        Some(String::from_utf16_lossy(&units))
    }

    /// An `XLUnicodeRichExtendedString` of the shared string table.
    fn rich_string(&mut self) -> Option<String> {
        let cch = self.u16()? as usize;
        let flags = self.u8()?;
        let runs = if flags & 0x08 != 0 { self.u16()? as usize } else { 0 };
        let ext = if flags & 0x04 != 0 { self.u32()? as usize } else { 0 };
        let s = self.chars(cch, flags & 1 != 0)?;
        self.skip(runs * 4)?;
        self.skip(ext)?;
        Some(s)
    }
}

/// An `XLUnicodeString` (`wide` length) or `ShortXLUnicodeString` in one record.
fn unicode_string(b: &[u8], wide: bool) -> Option<String> {
    let (cch, at) = if wide { (u16_at(b, 0)? as usize, 2) } else { (*b.first()? as usize, 1) };
    let mut s = Segs { segs: vec![b.get(at + 1..)?], seg: 0, pos: 0 };
    s.chars(cch, b.get(at)? & 1 != 0)
}

/// RK: a 30-bit integer or the top of a double, maybe divided by 100.
fn rk(v: u32) -> f64 {
    let x = if v & 2 != 0 { f64::from((v as i32) >> 2) } else { f64::from_bits(u64::from(v & 0xFFFF_FFFC) << 32) };
    if v & 1 != 0 { x / 100.0 } else { x }
}

fn error_text(code: u8) -> &'static str {
    match code {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x0F => "#VALUE!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        _ => "#N/A",
    }
}

/// What the globals substream says about cells and sheets.
struct Globals {
    sst: Vec<String>,
    /// Number format of each XF record, in order.
    xf_formats: Vec<u16>,
    formats: HashMap<u16, String>,
    is_1904: bool,
    /// (name, offset of the sheet's BOF) of worksheets.
    sheets: Vec<(String, usize)>,
}

impl Globals {
    fn value(&self, xf: u16, v: f64) -> String {
        let fmt = self.xf_formats.get(xf as usize).copied().unwrap_or(0);
        if sheet::is_date_format(u32::from(fmt), self.formats.get(&fmt).map(String::as_str))
            && let Some(d) = sheet::date(v, self.is_1904)
        {
            return d;
        }
        sheet::number(v)
    }
}

fn globals(kind: &str, s: &[u8]) -> Result<Globals, String> {
    let mut g = Globals {
        sst: Vec::new(),
        xf_formats: Vec::new(),
        formats: HashMap::new(),
        is_1904: false,
        sheets: Vec::new(),
    };
    let mut recs = records(s, 0).peekable();
    match recs.next() {
        Some((BOF, d, _)) => match u16_at(d, 0) {
            Some(0x0600) => {}
            Some(0x0500) => return Err(format!("{kind}: Excel 5.0/95 workbook (BIFF5) is not supported")),
            v => return Err(format!("{kind}: unsupported BIFF version {:#06x}", v.unwrap_or(0))),
        },
        _ => return Err(format!("{kind}: Workbook stream does not start with a BOF record")),
    }
    while let Some((typ, d, _)) = recs.next() {
        match typ {
            EOF => break,
            0x002F => return Err(format!("{kind}: encrypted (password-protected) workbook")),
            0x0022 => g.is_1904 = u16_at(d, 0) == Some(1),
            0x00E0 => g.xf_formats.push(u16_at(d, 2).unwrap_or(0)),
            0x041E => {
                if let (Some(id), Some(code)) = (u16_at(d, 0), d.get(2..).and_then(|b| unicode_string(b, true))) {
                    g.formats.insert(id, code);
                }
            }
            0x0085 => {
                // BoundSheet8: lbPlyPos, hsState, dt (0 = worksheet), name
                let (Some(pos), Some(&dt)) = (u32_at(d, 0), d.get(5)) else { continue };
                if dt == 0
                    && g.sheets.len() < sheet::MAX_SHEETS
                    && let Some(name) = d.get(6..).and_then(|b| unicode_string(b, false))
                {
                    g.sheets.push((name, pos as usize));
                }
            }
            0x00FC => {
                let mut segs = vec![d.get(8..).unwrap_or_default()];
                while let Some((CONTINUE, c, _)) = recs.peek() {
                    segs.push(c);
                    recs.next();
                }
                let total = u32_at(d, 4).unwrap_or(0) as usize;
                let mut r = Segs { segs, seg: 0, pos: 0 };
                while g.sst.len() < total.min(sheet::MAX_CELLS) {
                    let Some(s) = r.rich_string() else { break };
                    g.sst.push(s);
                }
            }
            _ => {}
        }
    }
    Ok(g)
}

/// Text of a BIFF8 workbook stream.
pub(super) fn text(kind: &str, stream: &[u8]) -> Result<String, String> {
    let g = globals(kind, stream)?;
    let mut book = Book::default();
    // records visited over all sheets: twice as many as the stream can hold
    let mut budget = stream.len() / 2;
    let mut seen = std::collections::HashSet::new();
    'sheets: for (name, pos) in &g.sheets {
        if !seen.insert(*pos) || !book.sheet(name) {
            continue;
        }
        let mut depth = 0usize;
        // the row and column of the last formula, for a `String` record that follows
        let mut formula_at: Option<(u32, u32)> = None;
        for (typ, d, at) in records(stream, *pos) {
            budget = match budget.checked_sub(1) {
                Some(b) => b,
                None => break 'sheets,
            };
            let cell = |d: &[u8]| Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?), u16_at(d, 4)?));
            let ok = match typ {
                BOF if at == *pos => continue,
                BOF => {
                    depth += 1;
                    continue;
                }
                EOF if depth == 0 => break,
                EOF => {
                    depth -= 1;
                    continue;
                }
                // not a sheet substream: skip it
                _ if at == *pos => break,
                _ if depth > 0 => continue,
                // LabelSst
                0x00FD => match (cell(d), u32_at(d, 6)) {
                    (Some((r, c, _)), Some(i)) => book.cell(r, c, g.sst.get(i as usize).map_or("", String::as_str)),
                    _ => true,
                },
                // Label, RString
                0x0204 | 0x00D6 => match (cell(d), d.get(6..).and_then(|b| unicode_string(b, true))) {
                    (Some((r, c, _)), Some(s)) => book.cell(r, c, &s),
                    _ => true,
                },
                // Number
                0x0203 => match (cell(d), d.get(6..14)) {
                    (Some((r, c, xf)), Some(v)) => {
                        let v = f64::from_le_bytes(v.try_into().unwrap_or_default());
                        book.cell(r, c, &g.value(xf, v))
                    }
                    _ => true,
                },
                // RK
                0x027E => match (cell(d), u32_at(d, 6)) {
                    (Some((r, c, xf)), Some(v)) => book.cell(r, c, &g.value(xf, rk(v))),
                    _ => true,
                },
                // MulRk: row, first column, (xf, rk)…, last column
                0x00BD => {
                    let (Some(r), Some(c0)) = (u16_at(d, 0), u16_at(d, 2)) else { continue };
                    let n = d.len().saturating_sub(6) / 6;
                    let mut ok = true;
                    for k in 0..n {
                        if let (Some(xf), Some(v)) = (u16_at(d, 4 + k * 6), u32_at(d, 6 + k * 6)) {
                            ok &= book.cell(u32::from(r), u32::from(c0) + k as u32, &g.value(xf, rk(v)));
                        }
                    }
                    ok
                }
                // BoolErr
                0x0205 => match (cell(d), d.get(6), d.get(7)) {
                    (Some((r, c, _)), Some(&v), Some(&is_err)) => {
                        let t = match (is_err, v) {
                            (0, 0) => "FALSE",
                            (0, _) => "TRUE",
                            (_, code) => error_text(code),
                        };
                        book.cell(r, c, t)
                    }
                    _ => true,
                },
                // Formula: the cached value; a string comes in the next String record
                0x0006 => {
                    let (Some((r, c, xf)), Some(v)) = (cell(d), d.get(6..14)) else { continue };
                    formula_at = None;
                    if v[6..8] == [0xFF, 0xFF] {
                        match v[0] {
                            0 => {
                                formula_at = Some((r, c));
                                true
                            }
                            1 => book.cell(r, c, if v[2] != 0 { "TRUE" } else { "FALSE" }),
                            2 => book.cell(r, c, error_text(v[2])),
                            _ => true,
                        }
                    } else {
                        let v = f64::from_le_bytes(v.try_into().unwrap_or_default());
                        book.cell(r, c, &g.value(xf, v))
                    }
                }
                // String (a formula's string result)
                0x0207 => match (formula_at.take(), unicode_string(d, true)) {
                    (Some((r, c)), Some(s)) => book.cell(r, c, &s),
                    _ => true,
                },
                _ => true,
            };
            if !ok {
                break 'sheets;
            }
        }
    }
    Ok(book.render())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    /// A shared string split across a `Continue` record changes from 8-bit
    /// to UTF-16 characters there; a rich run list and an extension follow.
    #[test]
    fn sst_across_continue_and_cells() {
        let bof = rec(BOF, &[0x00, 0x06, 0x05, 0x00]);
        // SST: total 2, unique 2; "ab" + (continue, 16-bit) "通知"; then rich "表" with 1 run
        let mut sst = vec![2, 0, 0, 0, 2, 0, 0, 0];
        sst.extend_from_slice(&[4, 0, 0, b'a', b'b']);
        let mut cont = vec![1];
        cont.extend("通知".encode_utf16().flat_map(u16::to_le_bytes));
        cont.extend_from_slice(&[1, 0, 0x09, 1, 0]);
        cont.extend("表".encode_utf16().flat_map(u16::to_le_bytes));
        cont.extend_from_slice(&[0, 0, 0, 0]);
        let mut globals = [bof, rec(0x00FC, &sst), rec(CONTINUE, &cont)].concat();
        // sheet name "S" at an offset filled in below
        let sheet_at = globals.len() + rec(0x0085, &[0; 9]).len() + rec(EOF, &[]).len();
        let mut bs = (sheet_at as u32).to_le_bytes().to_vec();
        bs.extend_from_slice(&[0, 0, 1, 0, b'S']);
        globals.extend(rec(0x0085, &bs));
        globals.extend(rec(EOF, &[]));
        let mut sheet = rec(BOF, &[0x00, 0x06, 0x10, 0x00]);
        sheet.extend(rec(0x00FD, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        sheet.extend(rec(0x00FD, &[0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
        sheet.extend(rec(0x027E, &[1, 0, 0, 0, 0, 0, 0x3A, 0, 0, 0])); // RK integer 14
        sheet.extend(rec(0x0203, &[[1, 0, 2, 0, 0, 0].as_slice(), &2.5f64.to_le_bytes()].concat()));
        // Formula with a string result, then its String record
        sheet.extend(rec(0x0006, &[[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF].as_slice(), &[0; 8]].concat()));
        sheet.extend(rec(
            0x0207,
            &[[2, 0, 1].as_slice(), &"合计".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<_>>()].concat(),
        ));
        sheet.extend(rec(EOF, &[]));
        let stream = [globals, sheet].concat();
        assert_eq!(text("xls", &stream).unwrap(), "【S】\nab通知\t表\n14\t\t2.5\n合计");
    }

    #[test]
    fn rk_values() {
        assert_eq!(rk(0x3A), 14.0);
        assert_eq!(rk(0x3B), 0.14);
        assert_eq!(rk(0x3FF0_0000), 1.0);
    }
}
