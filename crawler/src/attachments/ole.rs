//! OLE compound files (DOC, WPS, XLS, ET): which stream holds the text, read
//! with a size bound, then handed to the Word or Excel reader.

use std::io::{Cursor, Read};

use super::MAX_ENTRY_BYTES;

/// The 8 bytes every OLE compound file starts with.
pub(super) const MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

pub(super) type Cfb<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// A stream of the compound file, at most [`MAX_ENTRY_BYTES`]; `None` when
/// there is no such stream.
pub(super) fn stream(cf: &mut Cfb<'_>, kind: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
    let path = format!("/{name}");
    if !cf.is_stream(&path) {
        return Ok(None);
    }
    let s = cf.open_stream(&path).map_err(|e| format!("{kind}: {name} stream: {e}"))?;
    let mut buf = Vec::new();
    s.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut buf).map_err(|e| format!("{kind}: {name} stream: {e}"))?;
    if buf.len() as u64 > MAX_ENTRY_BYTES {
        return Err(format!("{kind}: too large: {name} stream is past {MAX_ENTRY_BYTES} bytes"));
    }
    Ok(Some(buf))
}

/// Names of the streams and storages at the root, for error messages.
fn root_names(cf: &Cfb<'_>) -> String {
    let mut names: Vec<String> = cf.read_root_storage().take(8).map(|e| e.name().to_owned()).collect();
    if names.is_empty() {
        names.push("none".into());
    }
    names.join(", ")
}

/// Text of an OLE attachment: a Word document (`WordDocument` stream: DOC,
/// and the WPS files of Kingsoft WPS Writer, which are Word-compatible) or a
/// BIFF8 workbook (`Workbook` stream: XLS, and Kingsoft ET).
pub(super) fn extract(kind: &str, bytes: &[u8]) -> Result<String, String> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| format!("{kind}: not a readable OLE compound file: {e}"))?;
    if let Some(word) = stream(&mut cf, kind, "WordDocument")? {
        return super::doc::text(kind, &word, &mut cf);
    }
    if let Some(book) = stream(&mut cf, kind, "Workbook")? {
        return super::xls::text(kind, &book);
    }
    if cf.is_stream("/Book") {
        return Err(format!("{kind}: Excel 5.0/95 workbook (BIFF5) is not supported"));
    }
    if cf.is_stream("/EncryptedPackage") {
        return Err(format!("{kind}: encrypted (password-protected) Office document"));
    }
    let names = root_names(&cf);
    if kind == "wps" {
        return Err(format!("wps: unsupported WPS variant: no WordDocument stream (streams: {names})"));
    }
    Err(format!("{kind}: OLE compound file without a WordDocument or Workbook stream (streams: {names})"))
}

pub(super) fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i.checked_add(2)?)?.try_into().ok()?))
}

pub(super) fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i.checked_add(4)?)?.try_into().ok()?))
}
