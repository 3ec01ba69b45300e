//! Text of attachments: PDF, DOCX, OFD, DOC, WPS, XLS (and ET), XLSX.
//!
//! Reading is bounded: at most [`MAX_ENTRY_BYTES`] are decompressed from one
//! archive member (or read from one OLE stream) and [`MAX_TOTAL_BYTES`] from
//! one archive (zip bombs), and the text is cut at [`MAX_TEXT_CHARS`]. PDF
//! text comes from `pdf-extract`; a PDF whose text fonts have no Unicode map
//! (CID fonts without `ToUnicode`) gives `Err("unreadable: no unicode map")`
//! rather than garbage, a PDF with no text at all (a scan)
//! `Err("unreadable: no text (scanned image?)")`.
//!
//! DOC and WPS (Kingsoft WPS Writer saves Word-compatible binaries) are read
//! with the [MS-DOC] piece table (`doc`), XLS and ET (BIFF8) record by
//! record (`xls`), XLSX part by part through the bounded zip reader
//! (`xlsx`); none of them builds a dense grid or trusts a count in the file.
//! The container is recognised by its bytes, so a DOCX saved under a `.doc`
//! name, or a DOC under `.wps`, is still read. Parsers of hostile bytes that
//! panic give `Err(…: parser failed)` instead. Kinds without a reader
//! (PPT, archives, images) give `Err("unsupported kind: …")`; the crawl
//! records the reason with the attachment.

use std::io::{Cursor, Read};

mod doc;
mod ole;
mod sheet;
mod xls;
mod xlsx;

/// Most bytes decompressed from one archive member.
pub const MAX_ENTRY_BYTES: u64 = 32 * 1024 * 1024;
/// Most bytes decompressed from one archive overall.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// The extracted text is cut at this many characters.
pub const MAX_TEXT_CHARS: usize = 500_000;
const MAX_OFD_PAGES: usize = 2000;

/// Extract the text of an attachment of `kind` (lowercase extension).
/// `Err` carries a short reason: "unsupported kind: pdf", "not a zip archive", …
pub fn extract_text(kind: &str, bytes: &[u8]) -> Result<String, String> {
    let text = match sniff(kind, bytes)? {
        Reader::Docx => docx(bytes)?,
        Reader::Ofd => ofd(bytes)?,
        Reader::Pdf => pdf(bytes)?,
        Reader::Ole => guarded(kind, || ole::extract(kind, bytes))?,
        Reader::Xlsx => guarded(kind, || xlsx::extract(bytes))?,
        Reader::Text => crate::charset::decode(bytes, None).text,
        Reader::None => return Err(format!("unsupported kind: {kind}")),
    };
    Ok(cap(text))
}

/// Kinds whose container is recognised by its bytes rather than trusted
/// from the name ("" is a URL without an extension).
const SNIFFED: &[&str] = &["doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "pdf", ""];

enum Reader {
    Docx,
    Ofd,
    Pdf,
    /// OLE compound files: DOC, WPS, XLS, ET
    Ole,
    Xlsx,
    Text,
    None,
}

/// The reader for an attachment named as `kind`, from the name
/// and, for the kinds in [`SNIFFED`], from the bytes.
fn sniff(kind: &str, bytes: &[u8]) -> Result<Reader, String> {
    let by_name = match kind {
        "docx" => Reader::Docx,
        "ofd" => Reader::Ofd,
        "pdf" => Reader::Pdf,
        "xlsx" => Reader::Xlsx,
        "doc" | "wps" | "xls" | "et" => Reader::Ole,
        "txt" | "csv" => Reader::Text,
        _ => Reader::None,
    };
    if !SNIFFED.contains(&kind) {
        return Ok(by_name);
    }
    if bytes.starts_with(ole::MAGIC) {
        return Ok(Reader::Ole);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let names = Archive::open(bytes).map(|a| a.names()).unwrap_or_default();
        let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
        return Ok(if has("word/document.xml") {
            Reader::Docx
        } else if has("xl/workbook.xml") {
            Reader::Xlsx
        } else if has("OFD.xml") {
            Reader::Ofd
        } else if !matches!(by_name, Reader::Ole) {
            by_name // its own reader says what is missing
        } else {
            return Err(format!("{kind}: a zip archive that is not DOCX, XLSX or OFD"));
        });
    }
    if bytes.starts_with(b"%PDF") {
        return Ok(Reader::Pdf);
    }
    if !matches!(by_name, Reader::Ole) {
        return Ok(by_name);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let what = if head.starts_with("{\\rtf") {
        "an RTF document"
    } else if head.starts_with('<') && (head.contains("<html") || head.contains("<table") || head.contains("<!doctype"))
    {
        "an HTML page"
    } else if head.starts_with("mime-version") {
        "an MHT web archive"
    } else if kind == "wps" {
        return Err("wps: unsupported WPS variant: not an OLE compound file (WPS 2000 or older?)".into());
    } else {
        return Err(format!("{kind}: not an OLE compound file"));
    };
    Err(format!("{kind}: {what} saved under a .{kind} name (not supported)"))
}

/// Run a reader of hostile bytes, turning a panic into an error.
fn guarded(kind: &str, run: impl FnOnce() -> Result<String, String>) -> Result<String, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(format!("{kind}: parser failed (malformed file)")))
}

fn cap(s: String) -> String {
    match s.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => s[..i].to_owned(),
        None => s,
    }
}

struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    read_total: u64,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, String> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip archive: {e}"))?;
        Ok(Self { zip, read_total: 0 })
    }

    fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_owned).collect()
    }

    fn read(&mut self, name: &str) -> Result<String, String> {
        let entry = self.zip.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let budget = MAX_ENTRY_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.read_total));
        let mut buf = Vec::new();
        entry.take(budget + 1).read_to_end(&mut buf).map_err(|e| format!("{name}: {e}"))?;
        if buf.len() as u64 > budget {
            return Err(format!("too large: {name} decompresses past {budget} bytes"));
        }
        self.read_total += buf.len() as u64;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

/// XML entity decoding (the five named ones and numeric references).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // only a short entity: never scan far for its ';' (a run of '&'s would be quadratic)
        let Some(end) = rest.bytes().take(11).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A minimal XML event: a tag (name without namespace prefix, attributes
/// text, closing?, self-closing?) or text.
enum Ev<'a> {
    Open { name: &'a str, attrs: &'a str, empty: bool },
    Close { name: &'a str },
    Text(&'a str),
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn events(xml: &str) -> impl Iterator<Item = Ev<'_>> {
    let mut rest = xml;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            if let Some(after) = rest.strip_prefix('<') {
                let end = after.find('>')?;
                let tag = &after[..end];
                rest = &after[end + 1..];
                if tag.starts_with('?') || tag.starts_with('!') {
                    continue;
                }
                if let Some(name) = tag.strip_prefix('/') {
                    return Some(Ev::Close { name: local(name.trim()) });
                }
                let empty = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
                return Some(Ev::Open { name: local(name), attrs, empty });
            }
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            rest = &rest[end..];
            return Some(Ev::Text(text));
        }
    })
}

fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest[..i].ends_with(char::is_whitespace);
        let after = rest[i + name.len()..].trim_start();
        if before_ok && let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let q = v.chars().next()?;
            if q == '"' || q == '\'' {
                let v = &v[1..];
                return v.find(q).map(|e| &v[..e]);
            }
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// DOCX: paragraphs of `word/document.xml` (`w:t` runs, tabs, breaks), one per line.
fn docx(bytes: &[u8]) -> Result<String, String> {
    let mut ar = Archive::open(bytes)?;
    let xml = ar.read("word/document.xml").map_err(|e| format!("not a DOCX: {e}"))?;
    let mut out = String::new();
    let mut line = String::new();
    let mut in_t = false;
    for ev in events(&xml) {
        match ev {
            Ev::Open { name: "t", empty: false, .. } => in_t = true,
            Ev::Close { name: "t" } => in_t = false,
            Ev::Text(t) if in_t => line.push_str(&unescape(t)),
            Ev::Open { name: "tab", .. } => line.push('\t'),
            Ev::Open { name: "br" | "cr", .. } => line.push('\n'),
            Ev::Close { name: "p" } => {
                let l = line.trim();
                if !l.is_empty() {
                    out.push_str(l);
                    out.push('\n');
                }
                line.clear();
                if out.len() > MAX_TEXT_CHARS * 4 {
                    break;
                }
            }
            _ => {}
        }
    }
    if !line.trim().is_empty() {
        out.push_str(line.trim());
    }
    Ok(out.trim_end().to_owned())
}

/// PDF text via `pdf-extract`, guarded: fonts without a Unicode map are
/// reported instead of decoded to garbage, parser panics become errors.
fn pdf(bytes: &[u8]) -> Result<String, String> {
    use pdf_extract::{Document, Object};
    if !bytes.starts_with(b"%PDF") && !bytes[..bytes.len().min(1024)].windows(4).any(|w| w == b"%PDF") {
        return Err("not a PDF".into());
    }
    let run = || -> Result<String, String> {
        let doc = Document::load_mem(bytes).map_err(|e| format!("unreadable: {e}"))?;
        if doc.is_encrypted() {
            return Err("unreadable: encrypted".into());
        }
        let (mut fonts, mut unmapped) = (0usize, 0usize);
        for (_, page) in doc.get_pages() {
            let Ok(page_fonts) = doc.get_page_fonts(page) else { continue };
            for (_, font) in page_fonts {
                fonts += 1;
                let subtype = font.get(b"Subtype").ok().and_then(|o| o.as_name().ok()).unwrap_or(b"");
                let has_map = font.get(b"ToUnicode").is_ok();
                let encoding = font.get(b"Encoding").ok().and_then(|o| match o {
                    Object::Name(n) => Some(n.clone()),
                    _ => None,
                });
                // CID fonts (Type0) with Identity encodings map codes to glyphs only
                let identity = encoding.as_deref().is_some_and(|e| e.starts_with(b"Identity"));
                if subtype == b"Type0" && !has_map && identity {
                    unmapped += 1;
                }
            }
        }
        if fonts > 0 && unmapped == fonts {
            return Err("unreadable: no unicode map".into());
        }
        let text = pdf_extract::extract_text_from_mem(bytes).map_err(|e| format!("unreadable: {e}"))?;
        let text = text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err("unreadable: no text (scanned image?)".into());
        }
        Ok(text)
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err("unreadable: PDF parser failed".into()))
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace().filter_map(|x| x.parse().ok()).collect()
}

/// OFD (GB/T 33190): text objects of every page, in reading order: pages in
/// order, then lines top to bottom (y within half a line height is one line),
/// then left to right.
fn ofd(bytes: &[u8]) -> Result<String, String> {
    let mut ar = Archive::open(bytes)?;
    let mut pages: Vec<(usize, String)> = ar
        .names()
        .into_iter()
        .filter_map(|n| {
            let lower = n.to_ascii_lowercase();
            if !lower.ends_with("/content.xml") || !lower.contains("/pages/page_") {
                return None;
            }
            let idx = lower.split("/pages/page_").nth(1)?.split('/').next()?.parse().ok()?;
            Some((idx, n))
        })
        .collect();
    if pages.is_empty() {
        return Err("not an OFD: no Pages/Page_N/Content.xml".into());
    }
    pages.sort();
    pages.truncate(MAX_OFD_PAGES);
    let mut out = Vec::new();
    for (_, name) in pages {
        let xml = ar.read(&name)?;
        let page = ofd_page(&xml);
        if !page.is_empty() {
            out.push(page);
        }
    }
    Ok(out.join("\n"))
}

fn ofd_page(xml: &str) -> String {
    // (y, x, size, text)
    let mut pieces: Vec<(f64, f64, f64, String)> = Vec::new();
    let (mut bx, mut by, mut size) = (0.0, 0.0, 3.0);
    let (mut cx, mut cy) = (0.0, 0.0);
    let mut in_code = false;
    for ev in events(xml) {
        match ev {
            Ev::Open { name: "TextObject", attrs, .. } => {
                let b = attr(attrs, "Boundary").map(numbers).unwrap_or_default();
                bx = b.first().copied().unwrap_or(0.0);
                by = b.get(1).copied().unwrap_or(0.0);
                size = attr(attrs, "Size").and_then(|s| s.trim().parse().ok()).unwrap_or(3.0);
            }
            Ev::Open { name: "TextCode", attrs, empty } => {
                cx = attr(attrs, "X").and_then(|s| s.trim().parse().ok()).unwrap_or(0.0);
                cy = attr(attrs, "Y").and_then(|s| s.trim().parse().ok()).unwrap_or(0.0);
                in_code = !empty;
            }
            Ev::Close { name: "TextCode" } => in_code = false,
            Ev::Text(t) if in_code => {
                let t = unescape(t);
                if !t.trim().is_empty() {
                    pieces.push((by + cy, bx + cx, size, t));
                }
            }
            _ => {}
        }
    }
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // group into lines
    let mut lines: Vec<Vec<(f64, String)>> = Vec::new();
    let mut line_y = f64::NEG_INFINITY;
    for (y, x, size, t) in pieces {
        if lines.is_empty() || (y - line_y).abs() > size / 2.0 {
            lines.push(Vec::new());
            line_y = y;
        }
        if let Some(l) = lines.last_mut() {
            l.push((x, t));
        }
    }
    lines
        .into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| a.0.total_cmp(&b.0));
            l.into_iter().map(|(_, t)| t).collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Build a small zip archive from (name, content) pairs. Used by tests and
/// fixture sites.
pub fn zip_bytes(files: &[(&str, &str)]) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files {
        w.start_file(*name, opts).map_err(|e| e.to_string())?;
        w.write_all(content.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

/// A minimal DOCX holding `paragraphs`, for tests and fixture sites.
pub fn docx_bytes(paragraphs: &[&str]) -> Result<Vec<u8>, String> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                p.replace('&', "&amp;").replace('<', "&lt;")
            )
        })
        .collect();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    zip_bytes(&[("[Content_Types].xml", "<Types/>"), ("word/document.xml", &doc)])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn docx_paragraphs() {
        let b = docx_bytes(&["第一条 为了规范管理，制定本办法。", "第二条 A&B <c>"]).unwrap();
        assert_eq!(extract_text("docx", &b).unwrap(), "第一条 为了规范管理，制定本办法。\n第二条 A&B <c>");
        assert!(extract_text("docx", b"not a zip").unwrap_err().starts_with("not a zip archive"));
        assert_eq!(extract_text("ppt", b"\xd0\xcf").unwrap_err(), "unsupported kind: ppt");
        assert_eq!(extract_text("doc", b"\xd0\xcf").unwrap_err(), "doc: not an OLE compound file");
    }

    #[test]
    fn ofd_reading_order() {
        // text objects stored out of order: second line first, right half before left half
        let page0 = r#"<?xml version="1.0"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>
<ofd:TextObject ID="3" Boundary="20 60 100 6" Size="5"><ofd:TextCode X="0" Y="5">第二行</ofd:TextCode></ofd:TextObject>
<ofd:TextObject ID="2" Boundary="60 40 100 6" Size="5"><ofd:TextCode X="0" Y="5">右半</ofd:TextCode></ofd:TextObject>
<ofd:TextObject ID="1" Boundary="20 40.5 40 6" Size="5"><ofd:TextCode X="0" Y="5">左半&amp;</ofd:TextCode></ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"#;
        let page1 = r#"<ofd:Page><ofd:TextObject Boundary="10 10 10 10" Size="4"><ofd:TextCode X="1" Y="4">第二页</ofd:TextCode></ofd:TextObject></ofd:Page>"#;
        let b = zip_bytes(&[
            ("OFD.xml", "<ofd:OFD/>"),
            ("Doc_0/Pages/Page_1/Content.xml", page1),
            ("Doc_0/Pages/Page_0/Content.xml", page0),
        ])
        .unwrap();
        assert_eq!(extract_text("ofd", &b).unwrap(), "左半&右半\n第二行\n第二页");
    }

    #[test]
    fn unescape_is_linear() {
        let t = std::time::Instant::now();
        let s = "&".repeat(2_000_000) + "&amp;&#x4E00;&#19968;&bogus;";
        let u = unescape(&s);
        assert!(u.ends_with("&一一&bogus;"), "{}", &u[u.len() - 20..]);
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = "0".repeat((MAX_ENTRY_BYTES + 10) as usize);
        let b = zip_bytes(&[("word/document.xml", &big)]).unwrap();
        assert!(extract_text("docx", &b).unwrap_err().contains("too large"));
    }
}
