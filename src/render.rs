//! Search highlights rendered at the edges. The index returns text with the
//! byte ranges of its matches ([`Highlighted`](govsearch_index::snippet::Highlighted), [`Snippet`]); the web page and
//! the JSON API show them as HTML — everything escaped, the matches in
//! `<mark>` — and the CLI with 【】. The label of a snippet taken from an
//! attachment (附件：) is UI too, so it is added here.

use std::fmt::{self, Write};
use std::ops::Range;

use govsearch_index::snippet::{Snippet, SnippetSource};
use govsearch_index::{Facets, Hit, QueryInfo, SearchResponse};
use serde::Serialize;

/// What a snippet from an attachment is prefixed with.
const ATTACHMENT_LABEL: &str = "附件：";

/// Writes a plain part of a highlighted text.
type Plain<W> = fn(&str, &mut W) -> fmt::Result;

/// HTML-escape `s` into `out`; line breaks become spaces.
pub fn escape_into<W: Write>(s: &str, out: &mut W) -> fmt::Result {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'', '\n', '\r']) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => " ",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest)
}

fn flat_into<W: Write>(s: &str, out: &mut W) -> fmt::Result {
    let mut parts = s.split(['\n', '\r']);
    out.write_str(parts.next().unwrap_or(""))?;
    for p in parts {
        out.write_char(' ')?;
        out.write_str(p)?;
    }
    Ok(())
}

/// `text` with the parts in `ranges` between `open` and `close`, each plain
/// part written by `plain`. Ranges that are out of order, outside the text or
/// not on character boundaries are skipped, never a panic.
fn marked_into<W: Write>(
    text: &str,
    ranges: &[Range<usize>],
    out: &mut W,
    (open, close): (&str, &str),
    plain: Plain<W>,
) -> fmt::Result {
    let mut pos = 0;
    for r in ranges {
        let (Some(before), Some(inside)) = (text.get(pos..r.start), text.get(r.clone())) else { continue };
        plain(before, out)?;
        out.write_str(open)?;
        plain(inside, out)?;
        out.write_str(close)?;
        pos = r.end;
    }
    plain(text.get(pos..).unwrap_or(""), out)
}

fn snippet_into<W: Write>(s: &Snippet, out: &mut W, marks: (&str, &str), plain: Plain<W>) -> fmt::Result {
    if s.passage.text.is_empty() {
        return Ok(());
    }
    if let SnippetSource::Attachment { .. } = s.from {
        out.write_str(ATTACHMENT_LABEL)?;
    }
    if s.cut_before {
        out.write_char('…')?;
    }
    marked_into(&s.passage.text, &s.passage.ranges, out, marks, plain)?;
    if s.cut_after {
        out.write_char('…')?;
    }
    Ok(())
}

/// `text` as HTML with its `ranges` in `<mark>`, written into `out`.
pub fn html_marked_into(text: &str, ranges: &[Range<usize>], out: &mut String) {
    let _ = marked_into(text, ranges, out, ("<mark>", "</mark>"), escape_into); // a String never fails
}

/// A snippet as HTML (escaped, matches in `<mark>`), written into `out`.
pub fn snippet_html_into(s: &Snippet, out: &mut String) {
    let _ = snippet_into(s, out, ("<mark>", "</mark>"), escape_into);
}

/// A snippet for a terminal: matches in 【】, on one line.
pub fn snippet_terminal(s: &Snippet) -> String {
    let mut out = String::with_capacity(s.passage.text.len() + 16);
    let _ = snippet_into(s, &mut out, ("【", "】"), flat_into);
    out
}

/// A highlighted text as HTML, written as it is serialised (no string of its own).
#[derive(Debug, Clone, Copy)]
pub struct TitleHtml<'a>(pub &'a str, pub &'a [Range<usize>]);

impl fmt::Display for TitleHtml<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        marked_into(self.0, self.1, f, ("<mark>", "</mark>"), escape_into)
    }
}

impl Serialize for TitleHtml<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A snippet as HTML, written as it is serialised.
#[derive(Debug, Clone, Copy)]
pub struct SnippetHtmlText<'a>(pub &'a Snippet);

impl fmt::Display for SnippetHtmlText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        snippet_into(self.0, f, ("<mark>", "</mark>"), escape_into)
    }
}

impl Serialize for SnippetHtmlText<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Escaped text with its highlights in `<mark>`, for maud templates.
pub struct MarkedHtml<'a>(pub &'a str, pub &'a [Range<usize>]);

impl maud::Render for MarkedHtml<'_> {
    fn render_to(&self, buffer: &mut String) {
        html_marked_into(self.0, self.1, buffer);
    }
}

/// A snippet as HTML, for maud templates.
pub struct SnippetHtml<'a>(pub &'a Snippet);

impl maud::Render for SnippetHtml<'_> {
    fn render_to(&self, buffer: &mut String) {
        snippet_html_into(self.0, buffer);
    }
}

/// A hit as the JSON API (and `govsearch search --json`) answers it: the
/// document's fields with `title_html` and `snippet_html` — escaped HTML,
/// `<mark>` the only markup — in the order the API has always had. The HTML
/// is written straight into the JSON, with no string per hit of its own.
#[derive(Debug, Serialize)]
pub struct ApiHit<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    pub title_html: TitleHtml<'a>,
    pub snippet_html: SnippetHtmlText<'a>,
    pub doc_number: &'a str,
    pub index_number: &'a str,
    pub publisher: &'a str,
    pub category: &'a str,
    pub topic: &'a str,
    pub issued_date: &'a str,
    pub published_date: &'a str,
    pub validity: &'a str,
    pub site: &'a str,
    pub score: f32,
}

impl<'a> From<&'a Hit> for ApiHit<'a> {
    fn from(h: &'a Hit) -> ApiHit<'a> {
        ApiHit {
            id: &h.id,
            url: &h.url,
            title: &h.title,
            title_html: TitleHtml(&h.title, &h.title_highlights),
            snippet_html: SnippetHtmlText(&h.snippet),
            doc_number: &h.doc_number,
            index_number: &h.index_number,
            publisher: &h.publisher,
            category: &h.category,
            topic: &h.topic,
            issued_date: &h.issued_date,
            published_date: &h.published_date,
            validity: &h.validity,
            site: &h.site,
            score: h.score,
        }
    }
}

/// A search answer as the JSON API gives it (hits as [`ApiHit`]).
#[derive(Debug, Serialize)]
pub struct ApiSearchResponse<'a> {
    pub total: u64,
    pub took_ms: f64,
    pub page: usize,
    pub size: usize,
    pub hits: Vec<ApiHit<'a>>,
    pub facets: &'a Facets,
    pub query: &'a QueryInfo,
}

impl<'a> From<&'a SearchResponse> for ApiSearchResponse<'a> {
    fn from(r: &'a SearchResponse) -> ApiSearchResponse<'a> {
        ApiSearchResponse {
            total: r.total,
            took_ms: r.took_ms,
            page: r.page,
            size: r.size,
            hits: r.hits.iter().map(ApiHit::from).collect(),
            facets: &r.facets,
            query: &r.query,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::single_range_in_vec_init)]
    use govsearch_index::snippet::Highlighted;

    use super::*;

    fn snippet(text: &str, ranges: Vec<Range<usize>>, from: SnippetSource, cut: (bool, bool)) -> Snippet {
        Snippet { passage: Highlighted { text: text.into(), ranges }, from, cut_before: cut.0, cut_after: cut.1 }
    }

    #[test]
    fn html_escapes_everything_but_the_marks() {
        let t = "<script>alert(1)</script>规范性文件\n'\"&";
        let at = t.find("规范").unwrap();
        let mut out = String::new();
        html_marked_into(t, &[at..at + "规范性文件".len()], &mut out);
        assert_eq!(out, "&lt;script&gt;alert(1)&lt;/script&gt;<mark>规范性文件</mark> &#39;&quot;&amp;");
        let s = snippet(t, vec![0..8], SnippetSource::Attachment { name: "a.pdf".into() }, (true, true));
        let mut out = String::new();
        snippet_html_into(&s, &mut out);
        assert_eq!(out, "附件：…<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;规范性文件 &#39;&quot;&amp;…");
        assert_eq!(snippet_terminal(&s), "附件：…【<script>】alert(1)</script>规范性文件 '\"&…");
        let body = snippet("短文本", Vec::new(), SnippetSource::Body, (false, false));
        assert_eq!(snippet_terminal(&body), "短文本");
        assert_eq!(snippet_terminal(&Snippet::default()), "");
        let mut html = String::new();
        snippet_html_into(&s, &mut html);
        assert_eq!(SnippetHtmlText(&s).to_string(), html, "the JSON's form is the page's");
        assert_eq!(
            TitleHtml(t, &[at..at + 3]).to_string(),
            "&lt;script&gt;alert(1)&lt;/script&gt;<mark>规</mark>范性文件 &#39;&quot;&amp;"
        );
        assert_eq!(serde_json::to_string(&TitleHtml("a\"<", &[])).unwrap(), "\"a&quot;&lt;\"");
    }

    #[test]
    fn bad_ranges_are_skipped_and_script_never_survives() {
        // Every split of a hostile text, with ranges good and bad: no panic,
        // no tag left, and the text itself always there.
        let t = "a<script>龘</script>😀&\"'";
        let n = t.len();
        for a in 0..=n + 1 {
            for b in 0..=n + 1 {
                let ranges = [a..b, b..a, 0..a, b..n + 2];
                let mut out = String::new();
                html_marked_into(t, &ranges, &mut out);
                let stripped = out.replace("<mark>", "").replace("</mark>", "");
                assert!(!stripped.contains('<') && !stripped.contains('>'), "{a} {b}: {out}");
                let plain = stripped
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                assert_eq!(plain, t, "{a} {b}: {out}");
            }
        }
    }
}
