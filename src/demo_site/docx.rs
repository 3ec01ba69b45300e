//! A minimal, valid DOCX (Office Open XML word-processing document) built in
//! memory, so attachment text extraction has real input.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The MIME type of a DOCX file.
pub(super) use crate::docx::DOCX_MIME;
pub(super) use crate::reports::xml_escape;

/// `word/document.xml` with one `<w:p><w:r><w:t>` paragraph per entry.
pub(super) fn document_xml<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for p in paragraphs {
        xml.push_str(r#"<w:p><w:r><w:t xml:space="preserve">"#);
        xml.push_str(&xml_escape(p));
        xml.push_str("</w:t></w:r></w:p>");
    }
    xml.push_str(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#);
    xml
}

/// A DOCX holding `paragraphs`. Deterministic: the same input gives the same bytes.
pub(super) fn build_docx<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> zip::result::ZipResult<Vec<u8>> {
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("[Content_Types].xml", opts)?;
    w.write_all(CONTENT_TYPES.as_bytes())?;
    w.start_file("_rels/.rels", opts)?;
    w.write_all(RELS.as_bytes())?;
    w.start_file("word/document.xml", opts)?;
    w.write_all(document_xml(paragraphs).as_bytes())?;
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Read;

    use super::*;

    #[test]
    fn docx_is_a_zip_with_escaped_paragraphs() {
        let bytes = build_docx(["第一段 <a> & \"b\"", "第二段\u{1}"]).unwrap();
        assert_eq!(bytes, build_docx(["第一段 <a> & \"b\"", "第二段\u{1}"]).unwrap(), "deterministic");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for name in ["[Content_Types].xml", "_rels/.rels"] {
            assert!(zip.by_name(name).is_ok(), "{name}");
        }
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.contains("<w:t xml:space=\"preserve\">第一段 &lt;a&gt; &amp; &quot;b&quot;</w:t>"), "{xml}");
        assert!(xml.contains(">第二段</w:t>"), "{xml}");
    }
}
