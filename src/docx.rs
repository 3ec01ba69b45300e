//! Word documents (Office Open XML, `.docx`) built in memory: headings,
//! paragraphs and bordered tables on A4, with Chinese fonts named
//! (宋体 for text, 黑体 for headings, as government documents use), so that
//! the annual report opens in Word and WPS laid out as the national format.
//! Deterministic: the same content gives the same bytes.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::reports::xml_escape;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// 宋体 五号 (10.5 pt) for text, 黑体 三号 (16 pt) for headings.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style></w:styles>"#;

/// The MIME type of a DOCX file.
pub const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A document being written.
#[derive(Default)]
pub struct Docx {
    body: String,
}

fn run(text: &str, bold: bool) -> String {
    let rpr = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    format!(r#"<w:r>{rpr}<w:t xml:space="preserve">{}</w:t></w:r>"#, xml_escape(text))
}

impl Docx {
    pub fn new() -> Docx {
        Docx::default()
    }

    /// A heading: level 1 (centred, the title) or 2.
    pub fn heading(&mut self, level: u8, text: &str) -> &mut Docx {
        let style = if level <= 1 { "Heading1" } else { "Heading2" };
        self.body.push_str(&format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#, run(text, false)));
        self
    }

    pub fn paragraph(&mut self, text: &str) -> &mut Docx {
        self.body.push_str(&format!("<w:p>{}</w:p>", run(text, false)));
        self
    }

    /// A bordered table across the page; the first `header_rows` rows are
    /// bold and repeat on each page. Numbers (cells of digits) are right-aligned.
    pub fn table(&mut self, rows: &[Vec<String>], header_rows: usize) -> &mut Docx {
        let border = |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#);
        let borders: String =
            ["top", "left", "bottom", "right", "insideH", "insideV"].iter().map(|s| border(s)).collect();
        self.body.push_str(&format!(
            r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="autofit"/></w:tblPr>"#
        ));
        for (i, row) in rows.iter().enumerate() {
            let head = i < header_rows;
            self.body.push_str("<w:tr>");
            if head {
                self.body.push_str("<w:trPr><w:tblHeader/></w:trPr>");
            }
            for cell in row {
                let number = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit());
                let jc = if number { r#"<w:pPr><w:jc w:val="right"/></w:pPr>"# } else { "" };
                self.body.push_str(&format!("<w:tc><w:p>{jc}{}</w:p></w:tc>", run(cell, head)));
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl><w:p/>");
        self
    }

    /// `word/document.xml`: the body on A4 (210 × 297 mm) with 2.2 cm side margins.
    pub fn document_xml(&self) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1440" w:left="1247" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
            self.body
        )
    }

    /// The `.docx` file.
    pub fn finish(&self) -> zip::result::ZipResult<Vec<u8>> {
        let opts = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", RELS.to_owned()),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
            ("word/styles.xml", STYLES.to_owned()),
            ("word/document.xml", self.document_xml()),
        ] {
            w.start_file(name, opts)?;
            w.write_all(content.as_bytes())?;
        }
        Ok(w.finish()?.into_inner())
    }
}
