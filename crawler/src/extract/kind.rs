//! What kind of page this is: an item, a soft 404, a busy page, a login
//! wall or an anti-bot challenge.

use std::sync::LazyLock;

use regex::Regex;

use super::*;

/// Whether an extracted page reads like an item (a detail page) rather than a
/// list: a date and real text, and either catalogue metadata (索引号/文号) or
/// an `ArticleTitle` meta. Used for pages whose URL matched no item pattern.
pub fn looks_like_item(item: &ExtractedItem, html: &str) -> bool {
    let mut end = html.len().min(8192);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let head = &html[..end];
    let article_meta = head.contains("name=\"ArticleTitle\"") || head.contains("name='ArticleTitle'");
    !item.published_date.is_empty()
        && item.body.chars().count() >= 100
        && (article_meta || !item.index_number.is_empty() || !item.doc_number.is_empty())
}

/// Why a page served with status 200 is not a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDocument {
    /// "页面不存在": a soft 404, counted as a 404 (withdrawn after two).
    NotFound,
    /// "系统繁忙": the site's error page; a failure, tried again by the next crawl.
    Busy,
    /// A login form where the document should be.
    LoginWall,
}

impl NotDocument {
    /// The failure recorded for a busy page or a login wall; `None` for a
    /// soft 404, which is recorded as a 404.
    pub fn failure(self) -> Option<crate::vocab::Failure> {
        use crate::vocab::{Failure, FailureCode};
        let code = match self {
            NotDocument::NotFound => return None,
            NotDocument::Busy => FailureCode::BusyPage,
            NotDocument::LoginWall => FailureCode::LoginWall,
        };
        Some(Failure::new(code, self.reason()))
    }

    /// The reason recorded in the crawl state and the report.
    pub fn reason(self) -> &'static str {
        match self {
            NotDocument::NotFound => "soft 404 (a not-found page served with 200)",
            NotDocument::Busy => "error page served with 200 (系统繁忙)",
            NotDocument::LoginWall => "login wall",
        }
    }
}

/// Phrases only a not-found page says: they decide wherever they stand.
pub(super) const NOT_FOUND_STRONG: &[&str] =
    &["您访问的页面不存在", "页面不存在或已删除", "该页面已被删除", "您访问的页面已删除", "信息已撤销", "页面找不到了"];
/// Phrases a document may quote: they decide at the start of the `<title>`
/// or `<h1>`, or on a page with almost no text of its own.
pub(super) const NOT_FOUND_WEAK: &[&str] = &[
    "页面不存在",
    "页面未找到",
    "找不到页面",
    "信息不存在",
    "文章不存在",
    "该信息已删除",
    "404 Not Found",
    "Not Found",
];
pub(super) const BUSY: &[&str] =
    &["系统繁忙", "服务器繁忙", "请稍后再试", "访问过于频繁", "服务暂不可用", "Service Unavailable"];
/// Below this many characters of body text a page has no text of its own.
pub(super) const SHORT_BODY_CHARS: usize = 200;

/// Whether an item page is an error page, a soft 404 or a login wall rather
/// than a document. `item` is what extraction made of `html`.
pub fn not_a_document(html: &str, item: &ExtractedItem) -> Option<NotDocument> {
    let head: String = html.chars().take(60_000).collect();
    if NOT_FOUND_STRONG.iter().any(|m| head.contains(m)) {
        return Some(NotDocument::NotFound);
    }
    let headings = headings(&head);
    let short = item.body.chars().count() < SHORT_BODY_CHARS;
    // a heading that opens with the phrase ("系统繁忙", "404 Not Found - …"),
    // not a document's title that mentions it
    let says = |markers: &[&str]| {
        markers.iter().any(|m| headings.iter().any(|h| h.starts_with(m)) || (short && head.contains(m)))
    };
    if says(NOT_FOUND_WEAK) {
        return Some(NotDocument::NotFound);
    }
    if says(BUSY) {
        return Some(NotDocument::Busy);
    }
    let password =
        head.contains("type=\"password\"") || head.contains("type='password'") || head.contains("type=password");
    if short && password && (head.contains("登录") || head.contains("登陆")) {
        return Some(NotDocument::LoginWall);
    }
    None
}

/// The texts of the page's `<title>` and `<h1>` elements, trimmed, for the markers above.
pub(super) fn headings(html: &str) -> Vec<String> {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<(title|h1)[^>]*>(.{0,300}?)</(title|h1)>"));
    HEADING.captures_iter(html).filter_map(|c| c.get(2)).map(|m| m.as_str().trim().to_owned()).collect()
}

/// An anti-bot interstitial (a WAF challenge that sets a cookie by script).
/// The crawler records it and backs off; it never tries to pass it.
pub fn is_anti_bot(html: &str) -> bool {
    let head: String = html.chars().take(20_000).collect();
    let markers = [
        "Virtual Container Shield",
        "__jsl_clearance",
        "acw_sc__v2",
        "yunsuo_session_verify",
        "_waf_bd8ce2ce37",
        "安全验证",
    ];
    if markers.iter().any(|m| head.contains(m)) {
        return true;
    }
    html.len() < 8192 && head.contains("document.cookie") && (head.contains("location") || head.contains("reload"))
}
