//! How the index's reports are shown to people, wherever they are shown: the
//! labels of the audit's severities and the CSV of a list of documents. The
//! staff pages and the CLI both use these (labels are UI, so they live here,
//! not in the index; the CSV is a format, not HTTP).

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

#[cfg(test)]
mod tests {
    use super::*;

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
