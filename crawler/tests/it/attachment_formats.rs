//! DOC, WPS, XLS and XLSX attachments: text of real files, and no panic on
//! damaged ones. PDF: text of a minimal built file, and fonts without a
//! Unicode map.
//!
//! The fixtures in `tests/fixtures/attachments/` were written by LibreOffice
//! 7 from the flat ODF sources beside them:
//! `soffice --headless --convert-to doc notice.fodt`,
//! `soffice --headless --convert-to xls tasks.fods`,
//! `soffice --headless --convert-to xlsx tasks.fods`.
//! No real Kingsoft WPS file is among them: WPS Writer saves the Word binary
//! format, so a `.wps` attachment is checked with the DOC bytes.
#![allow(clippy::unwrap_used)]

use govsearch_crawler::attachments::extract_text;
use proptest::prelude::*;

use crate::common;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/attachments/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const NOTICE: &str = "关于做好2024年政府信息公开工作的通知
各区人民政府，市政府各委、办、局：
为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步提升政务公开质量，现将有关事项通知如下。
一、主动公开重点领域信息。各单位要在门户网站“政府信息公开”专栏及时发布政策文件（GB/T 9704-2012）。
二、做好政策解读。详见中国政府网。
序号\t工作任务\t责任单位\t完成时限
1\t主动公开政策文件\t各区人民政府\t2024年6月30日
2\t做好政策解读\t市政府办公厅
附件：重点工作任务分工表
某某市人民政府办公厅
2024年3月15日";

const TASKS: &str = "【任务分工】
序号\t工作任务\t责任单位\t完成时限\t经费（万元）
1\t主动公开政策文件\t各区人民政府\t2024-06-30\t12.5
2\t做好政策解读\t市政府办公厅\t\t8
\t合计\t\t\t20.5

【说明】
各区人民政府
填报单位：各区人民政府";

/// Paragraphs, the hyperlink field (result kept, `HYPERLINK "…"` code
/// dropped) and the table (cells by tabs, rows by lines) of a Word 97 file.
#[test]
fn doc_text_byte_for_byte() {
    assert_eq!(extract_text("doc", &fixture("notice.doc")).unwrap(), NOTICE);
}

/// A WPS Writer attachment in the Word-compatible format, and the same bytes
/// found under other names: the container decides, not the extension.
#[test]
fn wps_and_misnamed_files() {
    let doc = fixture("notice.doc");
    assert_eq!(extract_text("wps", &doc).unwrap(), NOTICE);
    assert_eq!(extract_text("", &doc).unwrap(), NOTICE);
    assert_eq!(extract_text("docx", &doc).unwrap(), NOTICE);
    assert_eq!(extract_text("doc", &fixture("tasks.xls")).unwrap(), TASKS);
    assert_eq!(extract_text("xls", &fixture("tasks.xlsx")).unwrap(), TASKS);
}

#[test]
fn xls_and_et_text_byte_for_byte() {
    let xls = fixture("tasks.xls");
    assert_eq!(extract_text("xls", &xls).unwrap(), TASKS);
    assert_eq!(extract_text("et", &xls).unwrap(), TASKS);
}

#[test]
fn xlsx_text_byte_for_byte() {
    assert_eq!(extract_text("xlsx", &fixture("tasks.xlsx")).unwrap(), TASKS);
}

#[test]
fn clear_errors() {
    let e = |kind: &str, b: &[u8]| extract_text(kind, b).unwrap_err();
    assert_eq!(
        e("wps", b"WPS2000 binary"),
        "wps: unsupported WPS variant: not an OLE compound file (WPS 2000 or older?)"
    );
    assert_eq!(e("doc", b"{\\rtf1\\ansi hello}"), "doc: an RTF document saved under a .doc name (not supported)");
    assert_eq!(
        e("xls", b"\xef\xbb\xbf <html><table><tr><td>1</td></tr></table>"),
        "xls: an HTML page saved under a .xls name (not supported)"
    );
    assert_eq!(e("xls", b""), "xls: not an OLE compound file");
    assert!(e("xlsx", b"PK\x03\x04 not really").starts_with("xlsx: not a zip archive"), "{}", e("xlsx", b"PK\x03\x04"));
    assert!(e("doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 short").starts_with("doc: not a readable OLE compound file"));
    // a DOCX under a .xls name is read as what it is
    let docx = govsearch_crawler::attachments::docx_bytes(&["第一条"]).unwrap();
    assert_eq!(extract_text("xls", &docx).unwrap(), "第一条");
}

#[test]
fn pdf_text_and_unmapped_fonts() {
    let ok = common::minimal_pdf(common::HELVETICA, "(Notice 2024 No. 3) Tj");
    assert_eq!(extract_text("pdf", &ok).unwrap(), "Notice 2024 No. 3");
    let cid = common::minimal_pdf(
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [] >>",
        "<0001000200030004> Tj",
    );
    assert_eq!(extract_text("pdf", &cid).unwrap_err(), "unreadable: no unicode map");
    assert_eq!(extract_text("pdf", b"<html>").unwrap_err(), "not a PDF");
    assert!(extract_text("pdf", b"%PDF-1.4\ngarbage").unwrap_err().starts_with("unreadable"));
}

/// Whatever the damage, the readers return (text or a reason), never panic:
/// a caught panic would surface as "parser failed".
fn assert_survives(kind: &str, bytes: &[u8]) {
    if let Err(e) = extract_text(kind, bytes) {
        assert!(!e.contains("parser failed"), "{kind}: a reader panicked on damaged bytes: {e}");
        assert!(!e.is_empty());
    }
}

/// Every prefix (in steps) and thousands of single-byte corruptions of each
/// fixture, deterministic.
#[test]
fn truncated_and_bit_flipped_fixtures_never_panic() {
    for (kind, name) in [("doc", "notice.doc"), ("xls", "tasks.xls"), ("xlsx", "tasks.xlsx")] {
        let b = fixture(name);
        for len in (0..b.len()).step_by(61).chain([b.len() - 1]) {
            assert_survives(kind, &b[..len]);
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..1500 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut m = b.clone();
            let i = (x % m.len() as u64) as usize;
            m[i] ^= 1 << ((x >> 32) % 8);
            if x & 0x10_0000 != 0 {
                m[i] = (x >> 40) as u8; // sometimes a whole new byte: 0x00, 0xFF, …
            }
            assert_survives(kind, &m);
        }
    }
}

/// The streams of an OLE fixture.
fn ole_streams(name: &str) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut cf = cfb::CompoundFile::open(std::io::Cursor::new(fixture(name))).unwrap();
    let names: Vec<String> = cf.read_root_storage().filter(|e| e.is_stream()).map(|e| e.name().to_owned()).collect();
    names
        .into_iter()
        .map(|n| {
            let mut b = Vec::new();
            cf.open_stream(format!("/{n}")).unwrap().read_to_end(&mut b).unwrap();
            (n, b)
        })
        .collect()
}

fn ole_bytes(streams: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        cf.create_stream(format!("/{name}")).unwrap().write_all(data).unwrap();
    }
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// The parts of a zip fixture, as text.
fn zip_parts(name: &str) -> Vec<(String, String)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(fixture(name))).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().to_owned(), s)
        })
        .collect()
}

fn overwrite(b: &mut [u8], edits: Vec<(prop::sample::Index, Vec<u8>)>) {
    if b.is_empty() {
        return;
    }
    for (at, bytes) in edits {
        let i = at.index(b.len());
        for (k, v) in bytes.into_iter().enumerate() {
            if let Some(slot) = b.get_mut(i + k) {
                *slot = v;
            }
        }
    }
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, Vec<u8>)>> {
    proptest::collection::vec((any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 1..9)), 1..12)
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    /// Random bursts of bytes written over a fixture file, each reader.
    #[test]
    fn overwritten_fixtures_never_panic(which in 0usize..3, edits in edits()) {
        let (kind, name) = [("doc", "notice.doc"), ("xls", "tasks.xls"), ("xlsx", "tasks.xlsx")][which];
        let mut b = fixture(name);
        overwrite(&mut b, edits);
        assert_survives(kind, &b);
    }

    /// The same inside the streams of the OLE files (FIB, piece table,
    /// paragraph properties, text; BIFF records), in a sound container, so
    /// that the damage reaches the Word and Excel readers.
    #[test]
    fn overwritten_ole_streams_never_panic(which in 0usize..2, stream in any::<prop::sample::Index>(), edits in edits()) {
        let (kind, name) = [("doc", "notice.doc"), ("xls", "tasks.xls")][which];
        let mut streams = ole_streams(name);
        let i = stream.index(streams.len());
        overwrite(&mut streams[i].1, edits);
        assert_survives(kind, &ole_bytes(&streams));
    }

    /// The same inside the XML parts of the XLSX, re-zipped.
    #[test]
    fn overwritten_xlsx_parts_never_panic(part in any::<prop::sample::Index>(), edits in edits()) {
        let mut parts = zip_parts("tasks.xlsx");
        let i = part.index(parts.len());
        let mut b = parts[i].1.clone().into_bytes();
        overwrite(&mut b, edits);
        parts[i].1 = String::from_utf8_lossy(&b).into_owned();
        let refs: Vec<(&str, &str)> = parts.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
        assert_survives("xlsx", &govsearch_crawler::attachments::zip_bytes(&refs).unwrap());
    }
}
