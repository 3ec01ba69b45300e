//! Word 97–2003 binary documents ([MS-DOC]) and the Word-compatible WPS files
//! of Kingsoft WPS Writer: the FIB at the start of the `WordDocument` stream
//! gives the piece table (CLX) in the `0Table` or `1Table` stream; each piece
//! is a run of character positions stored either as 8-bit cp1252
//! ("compressed") or as UTF-16LE (Chinese text always is).
//!
//! Text kept: the main document, footnotes, endnotes and text boxes (headers,
//! footers and comments are left out). Paragraph marks, line and page breaks
//! become newlines; of a field (`0x13` code `0x14` result `0x15`) only the
//! result is kept; a table cell mark (`0x07`) becomes a tab, or a newline when
//! the paragraph properties of the mark say it ends a table row.

use super::MAX_TEXT_CHARS;
use super::ole::{Cfb, stream, u16_at, u32_at};

/// Most code units decoded (field codes and control characters included).
const MAX_UNITS: usize = MAX_TEXT_CHARS * 2;
/// Deepest field nesting tracked; deeper fields are still balanced by count.
const MAX_FIELD_DEPTH: usize = 64;

/// cp1252 for 0x80..=0x9F; the other bytes of a compressed piece are Latin-1.
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D,
    0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,
    0x017E, 0x0178,
];

#[derive(Debug, Clone, Copy)]
struct Piece {
    cp_start: u32,
    cp_end: u32,
    /// Byte offset of the first character in the WordDocument stream.
    fc: u32,
    compressed: bool,
}

/// What the FIB says.
struct Fib {
    /// Lengths (in characters) of the main text, footnotes, headers, macros,
    /// comments, endnotes, text boxes and header text boxes, in CP order.
    ccp: [u32; 8],
    table_1: bool,
    clx: (u32, u32),
    bte_papx: (u32, u32),
}

fn fib(kind: &str, w: &[u8]) -> Result<Fib, String> {
    let ident = u16_at(w, 0).ok_or_else(|| format!("{kind}: WordDocument stream too short for a FIB"))?;
    if ident != 0xA5EC {
        return Err(format!("{kind}: not a Word document (FIB magic {ident:#06x})"));
    }
    let nfib = u16_at(w, 2).unwrap_or(0);
    match nfib {
        0x0065..=0x0068 => return Err(format!("{kind}: Word 6.0/95 document (nFib {nfib:#x}) is not supported")),
        ..0x0065 => return Err(format!("{kind}: unknown Word version (nFib {nfib:#x})")),
        _ => {}
    }
    let flags = u16_at(w, 0x0A).unwrap_or(0);
    if flags & 0x0100 != 0 {
        return Err(format!("{kind}: encrypted (password-protected) Word document"));
    }
    let truncated = || format!("{kind}: FIB truncated");
    let csw = u16_at(w, 32).ok_or_else(truncated)? as usize;
    let lw_at = 34 + csw * 2;
    let cslw = u16_at(w, lw_at).ok_or_else(truncated)? as usize;
    let lw = |i: usize| if i < cslw { u32_at(w, lw_at + 2 + i * 4) } else { Some(0) };
    let mut ccp = [0u32; 8];
    for (i, c) in ccp.iter_mut().enumerate() {
        *c = lw(3 + i).ok_or_else(truncated)?;
    }
    let fc_at = lw_at + 2 + cslw * 4;
    let cb = u16_at(w, fc_at).ok_or_else(truncated)? as usize;
    let pair = |i: usize| -> Option<(u32, u32)> {
        if i >= cb {
            return None;
        }
        let at = fc_at + 2 + i * 8;
        Some((u32_at(w, at)?, u32_at(w, at + 4)?))
    };
    let clx = pair(33).ok_or_else(|| format!("{kind}: FIB has no piece table (fcClx)"))?;
    Ok(Fib { ccp, table_1: flags & 0x0200 != 0, clx, bte_papx: pair(13).unwrap_or((0, 0)) })
}

fn slice(b: &[u8], (fc, lcb): (u32, u32)) -> Option<&[u8]> {
    let start = fc as usize;
    b.get(start..start.checked_add(lcb as usize)?)
}

/// The piece table of the CLX: skip the `Prc`s, read the `Pcdt`.
fn pieces(kind: &str, clx: &[u8]) -> Result<Vec<Piece>, String> {
    let bad = |what: &str| format!("{kind}: bad piece table: {what}");
    let mut i = 0;
    let plc = loop {
        match clx.get(i) {
            Some(1) => i += 3 + u16_at(clx, i + 1).ok_or_else(|| bad("Prc truncated"))? as usize,
            Some(2) => {
                let lcb = u32_at(clx, i + 1).ok_or_else(|| bad("Pcdt truncated"))?;
                break slice(clx, ((i + 5) as u32, lcb)).ok_or_else(|| bad("PlcPcd truncated"))?;
            }
            Some(t) => return Err(bad(&format!("clxt {t}"))),
            None => return Err(bad("no Pcdt")),
        }
    };
    if plc.len() < 4 || (plc.len() - 4) % 12 != 0 {
        return Err(bad(&format!("PlcPcd of {} bytes", plc.len())));
    }
    let n = (plc.len() - 4) / 12;
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (Some(cp_start), Some(cp_end), Some(raw)) =
            (u32_at(plc, k * 4), u32_at(plc, k * 4 + 4), u32_at(plc, (n + 1) * 4 + k * 8 + 2))
        else {
            return Err(bad("PlcPcd truncated"));
        };
        if cp_end < cp_start {
            return Err(bad("character positions out of order"));
        }
        let compressed = raw & 0x4000_0000 != 0;
        let fc = raw & 0x3FFF_FFFF;
        out.push(Piece { cp_start, cp_end, fc: if compressed { fc / 2 } else { fc }, compressed });
    }
    Ok(out)
}

/// Paragraph properties, enough to tell a table-row end mark from a cell mark.
struct Papx<'a> {
    word: &'a [u8],
    /// (first fc, fc past the end, FKP page number)
    bte: Vec<(u32, u32, u32)>,
}

impl<'a> Papx<'a> {
    fn new(word: &'a [u8], plc: Option<&[u8]>) -> Self {
        let mut bte = Vec::new();
        if let Some(plc) = plc.filter(|p| p.len() >= 12 && (p.len() - 4) % 8 == 0) {
            let n = (plc.len() - 4) / 8;
            for k in 0..n {
                if let (Some(a), Some(b), Some(pn)) =
                    (u32_at(plc, k * 4), u32_at(plc, k * 4 + 4), u32_at(plc, (n + 1) * 4 + k * 4))
                {
                    bte.push((a, b, pn & 0x003F_FFFF));
                }
            }
        }
        Self { word, bte }
    }

    /// Whether the paragraph whose mark is at `fc` ends a table row
    /// (`sprmPFTtp` or `sprmPFInnerTtp` set).
    fn is_row_end(&self, fc: u32) -> bool {
        self.row_end(fc).unwrap_or(false)
    }

    fn row_end(&self, fc: u32) -> Option<bool> {
        let i = self.bte.partition_point(|&(a, _, _)| a <= fc);
        let &(_, b, pn) = self.bte.get(i.checked_sub(1)?)?;
        if fc >= b {
            return None;
        }
        let start = (pn as usize).checked_mul(512)?;
        let fkp = self.word.get(start..start + 512)?;
        let crun = fkp[511] as usize;
        let j = (0..crun).find(
            |&j| matches!((u32_at(fkp, j * 4), u32_at(fkp, j * 4 + 4)), (Some(a), Some(b)) if a <= fc && fc < b),
        )?;
        let b_offset = *fkp.get((crun + 1) * 4 + 13 * j)? as usize * 2;
        if b_offset == 0 {
            return Some(false);
        }
        let cb = *fkp.get(b_offset)? as usize;
        let (from, len) =
            if cb != 0 { (b_offset + 1, 2 * cb - 1) } else { (b_offset + 2, 2 * *fkp.get(b_offset + 1)? as usize) };
        let grp = fkp.get(from..from + len)?;
        Some(sprms_have_ttp(grp.get(2..)?))
    }
}

/// Walk a list of property modifiers looking for `sprmPFTtp` (0x2417) or
/// `sprmPFInnerTtp` (0x244C) with a non-zero operand.
fn sprms_have_ttp(mut g: &[u8]) -> bool {
    while let Some(sprm) = u16_at(g, 0) {
        let op = &g[2..];
        let size = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match sprm {
                // sprmTDefTable: a 2-byte count of the bytes that follow, plus one
                0xD608 => match u16_at(op, 0) {
                    Some(cb) => 2 + (cb as usize).saturating_sub(1),
                    None => return false,
                },
                // sprmPChgTabs with the 255 escape: deleted then added tab stops
                0xC615 if op.first() == Some(&255) => {
                    let Some(&del) = op.get(1) else { return false };
                    let add_at = 2 + 4 * del as usize;
                    let Some(&add) = op.get(add_at) else { return false };
                    add_at + 1 + 3 * add as usize
                }
                _ => match op.first() {
                    Some(&n) => 1 + n as usize,
                    None => return false,
                },
            },
        };
        if (sprm == 0x2417 || sprm == 0x244C) && op.first().is_some_and(|&v| v != 0) {
            return true;
        }
        let Some(rest) = op.get(size..) else { return false };
        g = rest;
    }
    false
}

/// Turns the characters of a document into text.
struct Writer {
    out: String,
    /// Open fields, innermost last: `true` while in the field code.
    fields: Vec<bool>,
    in_code: usize,
    deep: usize,
    high: Option<u16>,
}

impl Writer {
    fn push(&mut self, unit: u16, row_end: impl Fn() -> bool) {
        match unit {
            0x13 => {
                if self.fields.len() < MAX_FIELD_DEPTH {
                    self.fields.push(true);
                    self.in_code += 1;
                } else {
                    self.deep += 1;
                }
                return;
            }
            0x14 => {
                if self.deep == 0
                    && let Some(top) = self.fields.last_mut()
                    && *top
                {
                    *top = false;
                    self.in_code -= 1;
                }
                return;
            }
            0x15 => {
                if self.deep > 0 {
                    self.deep -= 1;
                } else if self.fields.pop() == Some(true) {
                    self.in_code -= 1;
                }
                return;
            }
            _ => {}
        }
        if self.in_code > 0 || self.deep > 0 {
            return;
        }
        let c = match unit {
            0x0B..=0x0E => '\n', // line break, page break, paragraph, column break
            0x07 if row_end() => {
                while self.out.ends_with('\t') {
                    self.out.pop();
                }
                '\n'
            }
            0x07 | 0x09 => '\t',
            0x1E => '-',
            0xA0 => ' ',
            0xD800..=0xDBFF => {
                self.high = Some(unit);
                return;
            }
            0xDC00..=0xDFFF => match self.high.take() {
                Some(h) => {
                    let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    char::from_u32(c).unwrap_or('\u{FFFD}')
                }
                None => return,
            },
            u if u < 0x20 => return,
            u => char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'),
        };
        self.high = None;
        self.out.push(c);
    }
}

/// Lines trimmed (leading spaces and ideographic spaces, not the tabs of
/// empty leading cells), empty lines dropped.
fn tidy(s: &str) -> String {
    s.lines()
        .map(|l| l.trim_start_matches([' ', '\u{3000}']).trim_end())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text of a Word binary document, given its `WordDocument` stream.
pub(super) fn text(kind: &str, word: &[u8], cf: &mut Cfb<'_>) -> Result<String, String> {
    let fib = fib(kind, word)?;
    let table_name = if fib.table_1 { "1Table" } else { "0Table" };
    let table = stream(cf, kind, table_name)?.ok_or_else(|| format!("{kind}: no {table_name} stream"))?;
    let clx = slice(&table, fib.clx).ok_or_else(|| format!("{kind}: piece table outside the {table_name} stream"))?;
    let pieces = pieces(kind, clx)?;
    let papx = Papx::new(word, slice(&table, fib.bte_papx));

    // main text, footnotes, (headers, macros, comments: skipped), endnotes, text boxes
    let mut ranges = Vec::new();
    let mut cp = 0u32;
    for (i, &len) in fib.ccp.iter().enumerate() {
        let end = cp.saturating_add(len);
        if matches!(i, 0 | 1 | 5 | 6) && len > 0 {
            ranges.push((cp, end));
        }
        cp = end;
    }

    let mut w = Writer { out: String::new(), fields: Vec::new(), in_code: 0, deep: 0, high: None };
    let mut units = 0usize;
    'ranges: for (from, to) in ranges {
        w.push(0x0D, || false);
        for p in &pieces {
            let (a, b) = (p.cp_start.max(from), p.cp_end.min(to));
            if a >= b {
                continue;
            }
            let width = if p.compressed { 1 } else { 2 };
            let off = (a - p.cp_start) as usize * width;
            let len = (b - a) as usize * width;
            let start = (p.fc as usize).checked_add(off);
            let Some(bytes) = start.and_then(|s| word.get(s..s.checked_add(len)?)) else {
                return Err(format!("{kind}: piece at {} points outside the WordDocument stream", p.fc));
            };
            for (k, ch) in bytes.chunks_exact(width).enumerate() {
                let unit = match *ch {
                    [b] if (0x80..0xA0).contains(&b) => CP1252_HIGH[usize::from(b - 0x80)],
                    [b] => u16::from(b),
                    [lo, hi] => u16::from_le_bytes([lo, hi]),
                    _ => continue,
                };
                let fc = p.fc as usize + off + k * width;
                w.push(unit, || papx.is_row_end(fc as u32));
                units += 1;
                if units >= MAX_UNITS || w.out.len() > MAX_TEXT_CHARS * 4 {
                    break 'ranges;
                }
            }
        }
    }
    Ok(tidy(&w.out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fields_keep_the_result_only() {
        let mut w = Writer { out: String::new(), fields: Vec::new(), in_code: 0, deep: 0, high: None };
        // "详见" HYPERLINK "u" (nested PAGE field in the code) -> 网站, then a field with no separator
        let s: Vec<u16> = "详见\u{13}HYPERLINK \u{13}PAGE\u{14}1\u{15} \"u\"\u{14}网站\u{15}。\u{13}TOC\u{15}完\u{1}"
            .encode_utf16()
            .collect();
        for u in s {
            w.push(u, || false);
        }
        assert_eq!(w.out, "详见网站。完");
    }

    /// An OLE file holding `streams`.
    pub(crate) fn ole_bytes(streams: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            cf.create_stream(format!("/{name}")).unwrap().write_all(data).unwrap();
        }
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    /// A Word 97 file: FIB, then the pieces' bytes; CLX (after a `Prc` to
    /// skip) in the 0Table stream. Pieces are (text, compressed).
    fn doc_bytes(pieces: &[(&str, bool)], flags: u16, nfib: u16) -> Vec<u8> {
        let mut word = vec![0u8; 1024];
        word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
        word[2..4].copy_from_slice(&nfib.to_le_bytes());
        word[0x0A..0x0C].copy_from_slice(&flags.to_le_bytes());
        word[32..34].copy_from_slice(&14u16.to_le_bytes()); // csw
        word[62..64].copy_from_slice(&22u16.to_le_bytes()); // cslw
        word[152..154].copy_from_slice(&93u16.to_le_bytes()); // cbRgFcLcb
        let (mut cps, mut pcds, mut cp) = (vec![0u32], Vec::new(), 0u32);
        for (text, compressed) in pieces {
            let fc = word.len() as u32;
            let n = if *compressed {
                let bytes: Vec<u8> = text
                    .chars()
                    .map(|c| match c {
                        '€' => 0x80,
                        '“' => 0x93,
                        c => c as u8,
                    })
                    .collect();
                word.extend_from_slice(&bytes);
                bytes.len()
            } else {
                let units: Vec<u16> = text.encode_utf16().collect();
                word.extend(units.iter().flat_map(|u| u.to_le_bytes()));
                units.len()
            } as u32;
            cp += n;
            cps.push(cp);
            let raw = if *compressed { (fc * 2) | 0x4000_0000 } else { fc };
            pcds.extend_from_slice(&[0, 0]);
            pcds.extend_from_slice(&raw.to_le_bytes());
            pcds.extend_from_slice(&[0, 0]);
        }
        word[76..80].copy_from_slice(&cp.to_le_bytes()); // ccpText
        let mut plc: Vec<u8> = cps.iter().flat_map(|c| c.to_le_bytes()).collect();
        plc.extend(pcds);
        let mut clx = vec![1, 3, 0, 0xAA, 0xBB, 0xCC, 2];
        clx.extend_from_slice(&(plc.len() as u32).to_le_bytes());
        clx.extend(plc);
        let mut table = vec![0u8; 16];
        word[418..422].copy_from_slice(&(table.len() as u32).to_le_bytes()); // fcClx
        word[422..426].copy_from_slice(&(clx.len() as u32).to_le_bytes()); // lcbClx
        table.extend(clx);
        ole_bytes(&[("WordDocument", &word), ("0Table", &table)])
    }

    #[test]
    fn compressed_and_unicode_pieces() {
        let b = doc_bytes(
            &[
                ("Notice \u{93}2024\u{94} costs 5\u{80}\r", true),
                ("　　第一条\u{13} PAGE \u{14}1\u{15}。\u{b}第二行\r\r", false),
            ],
            0,
            0xC1,
        );
        assert_eq!(super::super::extract_text("doc", &b).unwrap(), "Notice “2024” costs 5€\n第一条1。\n第二行");
        let enc = doc_bytes(&[("x", false)], 0x0100, 0xC1);
        assert_eq!(
            super::super::extract_text("doc", &enc).unwrap_err(),
            "doc: encrypted (password-protected) Word document"
        );
        let w95 = doc_bytes(&[("x", false)], 0, 0x65);
        assert_eq!(
            super::super::extract_text("doc", &w95).unwrap_err(),
            "doc: Word 6.0/95 document (nFib 0x65) is not supported"
        );
        let one_table = doc_bytes(&[("x", false)], 0x0200, 0xC1);
        assert_eq!(super::super::extract_text("doc", &one_table).unwrap_err(), "doc: no 1Table stream");
    }

    #[test]
    fn wps_without_word_stream() {
        let b = ole_bytes(&[("CONTENTS", b"abc"), ("SPELLING", b"")]);
        assert_eq!(
            super::super::extract_text("wps", &b).unwrap_err(),
            "wps: unsupported WPS variant: no WordDocument stream (streams: CONTENTS, SPELLING)"
        );
        assert!(super::super::extract_text("doc", &b).unwrap_err().starts_with("doc: OLE compound file without"));
        let enc = ole_bytes(&[("EncryptedPackage", b"abc"), ("EncryptionInfo", b"")]);
        assert_eq!(
            super::super::extract_text("docx", &enc).unwrap_err(),
            "docx: encrypted (password-protected) Office document"
        );
    }

    #[test]
    fn row_end_sprm_walk() {
        // sprmPFInTable(1), sprmTDefTable(cb=3 -> 2 more bytes), sprmPFTtp(1)
        let g = [0x16, 0x24, 1, 0x08, 0xD6, 3, 0, 0xAA, 0xBB, 0x17, 0x24, 1];
        assert!(sprms_have_ttp(&g));
        assert!(!sprms_have_ttp(&g[..9]));
        assert!(!sprms_have_ttp(&[0x17, 0x24, 0]));
        assert!(!sprms_have_ttp(&[0x08, 0xD6]));
    }
}
