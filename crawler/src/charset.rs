//! Charset decoding from bytes.
//!
//! Order of evidence: a byte-order mark, the HTTP `Content-Type` charset, a
//! `<meta charset>` / `<meta http-equiv="Content-Type">` in the first
//! [`META_SCAN_BYTES`] bytes, then statistical detection (`chardetng`).
//! Labels `gb2312`, `gbk`, `x-gbk` and `gb18030` all decode as GB18030, the
//! superset: pages labelled gb2312 routinely hold GBK characters.

use encoding_rs::{Encoding, GB18030, UTF_8};

/// How many leading bytes are scanned for a `<meta>` charset declaration.
pub const META_SCAN_BYTES: usize = 4096;

/// Decoded text and what it was decoded as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text; malformed sequences are replaced by U+FFFD.
    pub text: String,
    /// Canonical name of the encoding used: "UTF-8", "GB18030", "Big5", …
    pub encoding: &'static str,
    /// Whether malformed sequences were replaced.
    pub had_errors: bool,
}

/// Decode a response body. `content_type` is the HTTP header value, if any.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let (enc, bom_len) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None => (choose(bytes, content_type), 0),
    };
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
    Decoded { text: text.into_owned(), encoding: enc.name(), had_errors }
}

/// The encoding `decode` would use, without decoding.
pub fn choose(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some(enc) = content_type.and_then(charset_param).and_then(|l| from_label(&l)) {
        // A header claiming UTF-8 over bytes that are not UTF-8 is a common
        // server misconfiguration; trust the bytes' own declaration then.
        if enc != UTF_8 || std::str::from_utf8(bytes).is_ok() || meta_charset(bytes).is_none() {
            return enc;
        }
    }
    if let Some(enc) = meta_charset(bytes) {
        if enc == UTF_8 && std::str::from_utf8(bytes).is_err() {
            // Declared UTF-8 but not valid: fall through to detection when the
            // bytes are clearly something else.
            let detected = detect(bytes);
            if detected != UTF_8 && !mostly_utf8(bytes) {
                return detected;
            }
        }
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    detect(bytes)
}

/// Whether bytes that are not valid UTF-8 are UTF-8 with a few broken
/// sequences rather than another encoding: replacement characters are rare
/// among all characters (a long page), or among the non-ASCII ones (a short
/// page). GBK read as UTF-8 is mostly replacement characters: its lead and
/// trail bytes seldom form UTF-8 sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (_, had_errors) = UTF_8.decode_without_bom_handling(bytes);
    if !had_errors {
        return true;
    }
    let text = String::from_utf8_lossy(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    let non_ascii = text.chars().filter(|&c| !c.is_ascii() && c != '\u{FFFD}').count();
    bad * 200 < text.chars().count() || bad * 4 < non_ascii
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(&bytes[..bytes.len().min(256 * 1024)], true);
    widen(det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow))
}

/// Map a charset label to an encoding, widening the GB family to GB18030.
pub fn from_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    Encoding::for_label(label.as_bytes()).map(widen)
}

fn widen(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::GBK { GB18030 } else { enc }
}

/// The `charset=` parameter of a Content-Type value.
fn charset_param(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let pos = lower.find("charset")?;
    let rest = lower[pos + 7..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let value: String = rest
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        .collect();
    (!value.is_empty()).then_some(value)
}

/// The charset declared by a `<meta>` element in the first bytes.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN_BYTES)];
    // ASCII-compatible scan: lowercase bytes, look at each `<meta`.
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut i = 0;
    while let Some(off) = find(&lower[i..], b"<meta") {
        let start = i + off;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = String::from_utf8_lossy(&lower[start..end]);
        if let Some(enc) = charset_param(&tag).and_then(|l| from_label(&l)) {
            // A page that says UTF-16 in ASCII bytes is not UTF-16.
            if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                return Some(UTF_8);
            }
            return Some(enc);
        }
        i = end;
        if i >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn header_then_meta_then_detect() {
        let (gbk, _, _) =
            GB18030.encode("<html><head><meta charset=\"gb2312\"></head><body>政府信息公开 发布日期</body></html>");
        assert_eq!(decode(&gbk, Some("text/html")).encoding, "gb18030");
        assert!(decode(&gbk, Some("text/html")).text.contains("政府信息公开"));
        assert_eq!(decode(&gbk, Some("text/html; charset=GBK")).encoding, "gb18030");
        // no declaration at all: detection
        let (bare, _, _) = GB18030.encode("<p>关于进一步加强住房公积金管理工作的通知，各有关单位：为贯彻落实</p>");
        let d = decode(&bare, None);
        assert_eq!(d.encoding, "gb18030");
        assert!(!d.had_errors);
        // header says utf-8 but bytes are GBK with a meta: meta wins
        let d = decode(&gbk, Some("text/html; charset=utf-8"));
        assert_eq!(d.encoding, "gb18030");
        let utf = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">通知".as_bytes();
        assert_eq!(decode(utf, None).encoding, "UTF-8");
        assert_eq!(decode(utf, None).text.chars().last(), Some('知'));
    }

    #[test]
    fn short_utf8_page_with_broken_bytes_stays_utf8() {
        let page = "<meta charset=\"utf-8\"><title>关于BAD字节的通知</title><p>各有关单位：现予印发，请遵照执行。</p>";
        let bytes = page.replace("BAD", "\u{1}").into_bytes();
        let at = bytes.iter().position(|&b| b == 1).unwrap();
        let mut broken = bytes[..at].to_vec();
        broken.extend_from_slice(b"\xff\xfe\xc3");
        broken.extend_from_slice(&bytes[at + 1..]);
        let d = decode(&broken, Some("text/html; charset=utf-8"));
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.had_errors);
        assert!(d.text.contains("关于\u{FFFD}") && d.text.contains("字节的通知"), "{}", d.text);
        // GBK mislabelled as UTF-8 is still recognised
        let mislabelled = page.replace("BAD", "");
        let (gbk, _, _) = GB18030.encode(&mislabelled);
        assert_eq!(decode(&gbk, Some("text/html; charset=utf-8")).encoding, "gb18030");
    }

    #[test]
    fn charset_param_forms() {
        assert_eq!(charset_param("text/html; charset=\"GB2312\"").as_deref(), Some("gb2312"));
        assert_eq!(charset_param("text/html").as_deref(), None);
        assert_eq!(charset_param("text/html;charset = utf-8").as_deref(), Some("utf-8"));
    }
}
