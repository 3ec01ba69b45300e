//! The body text: the configured or known content container, else the
//! densest block; text walked block by block into lines.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use super::*;

pub(super) static BODY_SELECTORS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        ".TRS_Editor",
        ".TRS_UEDITOR",
        "#UCAP-CONTENT",
        ".article-content",
        "#zoom",
        "#Zoom",
        ".pages_content",
        "#mainText",
        ".mainText",
        ".view",
        ".zw",
        "#zw",
        ".article_con",
        ".content-txt",
        ".news_content",
        ".detail-content",
        "#fontzoom",
        ".bt_content",
        "article",
    ]
    .iter()
    .map(|s| sel(s))
    .collect()
});
pub(super) static CANDIDATES: LazyLock<Selector> = LazyLock::new(|| sel("div, td, article, section"));
/// A line that is a 文号 by itself: `深建规〔2018〕11号`, `京政办发[2013]17号`.
pub(super) static DOC_NUMBER_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[\p{Han}A-Za-z]{1,20}[〔\[［(（]\d{4}[〕\]］)）]第?\d{1,6}号$"));
/// Lines of text under an element: block elements start new lines.
pub(super) fn block_text(e: ElementRef<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut total = 0usize;
    walk_text(*e, &mut lines, &mut cur, &mut total);
    flush(&mut lines, &mut cur);
    cap(lines.join("\n"), MAX_BODY_CHARS)
}

pub(super) fn flush(lines: &mut Vec<String>, cur: &mut String) {
    let l = collapse(cur);
    if !l.is_empty() {
        lines.push(l);
    }
    cur.clear();
}

pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "tr"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "section"
            | "article"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "dd"
            | "dt"
            | "hr"
    )
}

pub(super) fn walk_text(node: NodeRef<'_>, lines: &mut Vec<String>, cur: &mut String, total: &mut usize) {
    for child in node.children() {
        if *total > MAX_BODY_CHARS {
            return;
        }
        match child.value() {
            Node::Text(t) => {
                *total += t.len();
                cur.push_str(t);
            }
            Node::Element(el) => {
                let name = el.name();
                if is_skipped(name) {
                    continue;
                }
                if is_block(name) {
                    flush(lines, cur);
                }
                walk_text(child, lines, cur, total);
                if is_block(name) {
                    flush(lines, cur);
                } else if matches!(name, "td" | "th") {
                    cur.push(' ');
                }
            }
            _ => {}
        }
    }
}

/// Text directly in an element's paragraphs (not in links, not in nested containers).
pub(super) fn density_score(e: ElementRef<'_>) -> usize {
    let mut score = 0usize;
    for child in e.children() {
        match child.value() {
            Node::Text(t) => score += t.trim().chars().count(),
            Node::Element(el) if matches!(el.name(), "p" | "span" | "font" | "strong" | "b" | "br" | "section") => {
                if let Some(ce) = ElementRef::wrap(child) {
                    let link_text: usize =
                        ce.select(&A).map(|a| a.text().map(|t| t.trim().chars().count()).sum::<usize>()).sum();
                    let all: usize = ce.text().map(|t| t.trim().chars().count()).sum();
                    score += all.saturating_sub(link_text * 2);
                }
            }
            _ => {}
        }
    }
    score
}

pub(super) fn body_element<'a>(doc: &'a Html, site: Option<&SiteConfig>) -> Option<ElementRef<'a>> {
    if let Some(s) = site.and_then(|s| s.selectors.body.as_deref()).and_then(|s| Selector::parse(s).ok())
        && let Some(e) = doc.select(&s).next()
    {
        return Some(e);
    }
    for s in BODY_SELECTORS.iter() {
        // the first match with real text; nested matches (.view inside #zoom) are fine
        if let Some(e) = doc.select(s).find(|e| e.text().map(|t| t.trim().chars().count()).sum::<usize>() >= 20) {
            return Some(e);
        }
    }
    // a known container with little text (a one-line notice) beats a guess
    for s in BODY_SELECTORS.iter() {
        if let Some(e) = doc.select(s).find(|e| e.text().any(|t| !t.trim().is_empty())) {
            return Some(e);
        }
    }
    doc.select(&CANDIDATES)
        .map(|e| (density_score(e), e))
        .filter(|(s, _)| *s >= 50)
        .max_by_key(|(s, _)| *s)
        .map(|(_, e)| e)
}

pub(super) fn as_doc_number(text: &str) -> Option<String> {
    let c = compact(text);
    (c.chars().count() <= 40 && DOC_NUMBER_LINE.is_match(&c)).then_some(c)
}

/// The 文号 heading the document text: one of the first lines of the body, or
/// a text just above the body element (a `<h3>` or a cell under the headline),
/// that is a document number by itself.
pub(super) fn doc_number_at_head(body: &str, root: NodeRef<'_>, body_el: Option<ElementRef<'_>>) -> Option<String> {
    if let Some(n) = body.lines().take(3).find_map(as_doc_number) {
        return Some(n);
    }
    let body_el = body_el?;
    let nodes = text_nodes(root);
    let first = nodes.iter().position(|(n, _)| n.ancestors().any(|a| a.id() == body_el.id()))?;
    nodes[first.saturating_sub(8)..first].iter().rev().find_map(|(_, t)| as_doc_number(t))
}
