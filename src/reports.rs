//! How the index's reports are shown to people, wherever they are shown: the
//! labels of the audit's severities, the CSV of a list of documents and
//! crawled text made inert in Markdown. The staff pages and the CLI both use
//! these (labels are UI, so they live here, not in the index; the CSV is a
//! format, not HTTP).

use govsearch_index::Document;
use govsearch_index::audit::Severity;

/// The Chinese label of a finding's severity.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "严重",
        Severity::Warning => "警告",
        Severity::Notice => "提示",
    }
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas from crawled text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// CSV (UTF-8 with BOM, so Excel reads the Chinese correctly) of the documents behind a count.
pub fn documents_csv(docs: &[&Document]) -> String {
    let mut out = String::from("\u{feff}id,标题,文号,发布机构,类别,栏目,发布日期,网址\r\n");
    for d in docs {
        let row = [&d.id, &d.title, &d.doc_number, &d.publisher, &d.category, &d.column, &d.published_date, &d.url];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Text for XML character data and attribute values (a feed, a DOCX): the
/// five special characters escaped, characters XML 1.0 cannot hold (most C0
/// controls, U+FFFE, U+FFFF) dropped, so crawled text never breaks the document.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// Crawled text made inert in Markdown: emphasis, links, HTML, tables and
/// headings are escaped, line breaks become spaces.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A crawled URL as a Markdown autolink (`<…>`), or escaped text when it cannot be one.
pub fn markdown_url(u: &str) -> String {
    let plain = (u.starts_with("http://") || u.starts_with("https://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if plain { format!("<{u}>") } else { markdown_text(u) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(xml_escape("a<b>&\"c'\u{0}\u{8}\td\u{FFFF}"), "a&lt;b&gt;&amp;&quot;c&apos;\td");
    }

    #[test]
    fn crawled_text_is_inert_in_markdown() {
        assert_eq!(
            markdown_text("<script>alert(1)</script> *x* [a](b) |c|\n# d"),
            "\\<script\\>alert(1)\\</script\\> \\*x\\* \\[a\\](b) \\|c\\| \\# d"
        );
        assert_eq!(markdown_url("http://a.gov.cn/x_1.html?q=1"), "<http://a.gov.cn/x_1.html?q=1>");
        assert_eq!(markdown_url("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(markdown_url("http://a/<b>"), "http://a/\\<b\\>");
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let d = Document {
            id: "a".into(),
            title: "=HYPERLINK(\"x\")".into(),
            publisher: "某局,二处".into(),
            ..Default::default()
        };
        assert_eq!(
            documents_csv(&[&d]),
            "\u{feff}id,标题,文号,发布机构,类别,栏目,发布日期,网址\r\n\"a\",\"'=HYPERLINK(\"\"x\"\")\",\"\",\"某局,二处\",\"\",\"\",\"\",\"\"\r\n"
        );
        assert_eq!(
            [Severity::Error, Severity::Warning, Severity::Notice].map(severity_label),
            ["严重", "警告", "提示"]
        );
    }
}
