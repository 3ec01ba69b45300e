//! Change history and broken links: what the crawl state knows about item
//! pages that changed after they were published, and about links on published
//! pages that lead nowhere. The policies are here, as pure functions; the
//! storage is in [`crate::state`] (`revisions` table, `urls` rows).
//!
//! # Revisions: when a page counts as changed
//!
//! A recrawl of an item (detail) page that answers 200 with a body whose
//! content hash differs from the stored one is an *update* (the new bytes are
//! stored). It is also a *revision* — a change a reader could see, kept in the
//! `revisions` table with the previous version's text — only when
//! [`compare`] finds a difference between the two versions' **extracted
//! text**:
//!
//! - **Extracted, not raw bytes.** View counters (浏览次数), "page generated
//!   at" stamps, rotating banners, session tokens and scripts live in the page
//!   chrome and change the bytes on every visit; they are not part of the
//!   extracted title, metadata or body.
//! - **Both versions by today's extractor.** The stored `content_hash` was made
//!   by the extractor of the crawl that stored the page; an improved extractor
//!   would make every page look changed. So the previous stored page is
//!   extracted again, with the same code and site selectors as the new one.
//! - **Whitespace ignored.** A CMS that re-renders a page with other paragraph
//!   breaks or indentation (全角空格, `&nbsp;`) has not changed its text.
//! - **The fields of the content hash**: title, 文号, 索引号, 发布机构,
//!   发布日期, 有效性 and body ([`FIELDS`]). 主题分类, 成文日期 and 失效日期
//!   are not compared (a page changing only those is not re-stored either);
//!   attachments are files at their own URLs.
//!
//! The crawl cannot know *when* a page was edited, only between which two
//! visits: a revision keeps the last time the old version was seen and the
//! time the new one was first seen.
//!
//! # Broken links: what counts
//!
//! A broken link is a link **on a published page that is still online** (an
//! item or list page whose last visit succeeded, and whose stored copy still
//! contains the link) to a page, list or attachment whose **last visit
//! failed for a reason a reader would meet too** ([`broken_reason`]):
//!
//! - HTTP 404 or 410 (status `gone` the first time, `withdrawn` from the
//!   second): counted at once;
//! - another HTTP 4xx, except 401, 403, 407, 408, 412 and 429 (access control,
//!   anti-bot challenges and rate limits answer the crawler, not the link);
//! - a redirect loop or a redirect chain too long to follow.
//!
//! Not counted: 5xx and network failures (timeouts, resets, refused
//! connections; transient by nature and retried — they are in the crawl
//! report), URLs refused by robots.txt, scope or the SSRF guard, and entries of
//! a sitemap that no page links to. A link that worked on an earlier visit (a
//! page or file taken down while still linked) is told apart from one that
//! never worked ([`BrokenLink::worked_before`]).
//!
//! Only one linking page is known per URL: the page it was first found on, or
//! the first page that linked it after it was found in a sitemap.

use std::collections::HashSet;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::extract::{ExtractedItem, PageLinks};
use crate::vocab::{FailureCode, UrlStatus};

/// The compared fields, by their stable names (stored in `revisions.fields`).
pub const FIELDS: [&str; 7] =
    ["title", "doc_number", "index_number", "publisher", "published_date", "validity", "body"];

/// HTTP statuses that answer the crawler rather than the link: not broken links.
pub const ACCESS_CONTROL_STATUSES: [u16; 6] = [401, 403, 407, 408, 412, 429];

fn field<'a>(item: &'a ExtractedItem, name: &str) -> &'a str {
    match name {
        "title" => &item.title,
        "doc_number" => &item.doc_number,
        "index_number" => &item.index_number,
        "publisher" => &item.publisher,
        "published_date" => &item.published_date,
        "validity" => &item.validity,
        "body" => &item.body,
        _ => "",
    }
}

/// Text without any whitespace (ASCII, 全角空格, no-break space, …).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '\u{200b}').collect()
}

/// SHA-256 (hex) of the compared fields, whitespace removed: equal for two
/// versions [`compare`] finds equal.
pub fn text_hash(item: &ExtractedItem) -> String {
    let mut h = Sha256::new();
    for f in FIELDS {
        h.update(squeeze(field(item, f)).as_bytes());
        h.update([0u8]);
    }
    crate::extract::hex(&h.finalize())
}

/// The extracted text of an item as kept for a previous version: one line
/// per metadata field, a blank line, the body.
pub fn item_text(item: &ExtractedItem) -> String {
    format!(
        "标题：{}\n文号：{}\n索引号：{}\n发布机构：{}\n发布日期：{}\n有效性：{}\n\n{}",
        item.title, item.doc_number, item.index_number, item.publisher, item.published_date, item.validity, item.body
    )
}

/// How a new version of an item page differs from the previous one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// [`text_hash`] of the previous and the new version.
    pub old_hash: String,
    pub new_hash: String,
    /// Names (from [`FIELDS`]) of the fields whose text changed.
    pub fields: Vec<String>,
    pub old_title: String,
    pub new_title: String,
    pub old_published_date: String,
    pub new_published_date: String,
    /// The previous version's text ([`item_text`]).
    pub old_text: String,
}

/// The change from `old` to `new`, or `None` when their extracted text is the
/// same (whitespace ignored). Pure.
pub fn compare(old: &ExtractedItem, new: &ExtractedItem) -> Option<Change> {
    let fields: Vec<String> =
        FIELDS.iter().filter(|f| squeeze(field(old, f)) != squeeze(field(new, f))).map(|f| (*f).to_owned()).collect();
    if fields.is_empty() {
        return None;
    }
    Some(Change {
        old_hash: text_hash(old),
        new_hash: text_hash(new),
        fields,
        old_title: old.title.clone(),
        new_title: new.title.clone(),
        old_published_date: old.published_date.clone(),
        new_published_date: new.published_date.clone(),
        old_text: item_text(old),
    })
}

/// One recorded revision of an item page (a row of `revisions`, without the old text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub id: i64,
    pub url: String,
    pub site: String,
    /// The crawl run that saw the new version.
    pub run_id: Option<i64>,
    /// When the new version was first fetched (Unix seconds).
    pub seen_at: i64,
    /// When the previous version was last seen (Unix seconds): the page changed after it.
    pub previous_seen_at: Option<i64>,
    pub old_hash: String,
    pub new_hash: String,
    /// Names (from [`FIELDS`]) of the fields whose text changed.
    pub fields: Vec<String>,
    pub old_title: String,
    pub new_title: String,
    pub old_published_date: String,
    pub new_published_date: String,
}

/// A link on a published page to something that is not there (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The dead link's target.
    pub url: String,
    /// What the target was taken for: `item`, `list` or `attachment`.
    pub kind: String,
    pub site: String,
    /// The published page that links it.
    pub parent_url: String,
    /// `item` or `list`.
    pub parent_kind: String,
    /// The anchor text the link was found with.
    pub link_text: String,
    /// The target's status in the crawl state: `gone`, `withdrawn` or `failed`.
    pub status: UrlStatus,
    pub http_status: Option<u16>,
    /// `http 404`, `redirect loop`, …
    pub reason: String,
    /// The target was fetched successfully on an earlier visit (taken down
    /// while still linked); `false`: it never worked.
    pub worked_before: bool,
    /// Last successful fetch of the target (Unix seconds), if any.
    pub last_seen: Option<i64>,
    /// The failing visit (Unix seconds); `None` for rows written before this was kept.
    pub checked_at: Option<i64>,
}

/// Why a URL whose last visit ended with `status` / `http_status` /
/// `failure` is a broken link, or `None` when it is not one.
pub fn broken_reason(status: UrlStatus, http_status: Option<u16>, failure: Option<FailureCode>) -> Option<String> {
    match status {
        UrlStatus::Gone | UrlStatus::Withdrawn => Some(format!("http {}", http_status.unwrap_or(404))),
        UrlStatus::Failed => match (http_status, failure) {
            (Some(code), _) if (400..500).contains(&code) && !ACCESS_CONTROL_STATUSES.contains(&code) => {
                Some(format!("http {code}"))
            }
            (_, Some(f)) if f.breaks_a_link() => Some(f.code().replace('-', " ")),
            _ => None,
        },
        _ => None,
    }
}

/// Every URL a page links to (links, pagination, attachments, redirect), as stored in the state.
pub fn link_targets(links: &PageLinks) -> HashSet<String> {
    let mut out: HashSet<String> = links.links.iter().map(|l| l.url.to_string()).collect();
    out.extend(links.pagination.iter().map(|u| u.to_string()));
    out.extend(links.attachments.iter().map(|a| a.url.to_string()));
    out.extend(links.redirect.iter().map(|u| u.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, body: &str) -> ExtractedItem {
        ExtractedItem {
            title: title.into(),
            body: body.into(),
            published_date: "2024-01-03".into(),
            publisher: "某局".into(),
            ..Default::default()
        }
    }

    #[test]
    fn whitespace_is_not_a_change() {
        let a = item("关于某事的通知", "第一段。\n第二段。");
        let b = item("关于某事的 通知", "　　第一段。第二段。\n");
        assert_eq!(compare(&a, &b), None);
        assert_eq!(text_hash(&a), text_hash(&b));
    }

    #[test]
    fn changed_fields_are_named() {
        let a = item("关于某事的通知", "第一段。");
        let mut b = item("关于某事的通知（修订）", "第一段，已修改。");
        b.validity = "失效".into();
        let c = compare(&a, &b).expect("a change");
        assert_eq!(c.fields, ["title", "validity", "body"]);
        assert_eq!((c.old_title.as_str(), c.new_title.as_str()), ("关于某事的通知", "关于某事的通知（修订）"));
        assert_ne!(c.old_hash, c.new_hash);
        assert_eq!(
            c.old_text,
            "标题：关于某事的通知\n文号：\n索引号：\n发布机构：某局\n发布日期：2024-01-03\n有效性：\n\n第一段。"
        );
    }

    #[test]
    fn which_failures_are_broken_links() {
        assert_eq!(broken_reason(UrlStatus::Gone, Some(404), None).as_deref(), Some("http 404"));
        assert_eq!(broken_reason(UrlStatus::Withdrawn, Some(410), None).as_deref(), Some("http 410"));
        assert_eq!(broken_reason(UrlStatus::Failed, Some(400), Some(FailureCode::Http)).as_deref(), Some("http 400"));
        assert_eq!(
            broken_reason(UrlStatus::Failed, None, Some(FailureCode::RedirectLoop)).as_deref(),
            Some("redirect loop")
        );
        assert_eq!(broken_reason(UrlStatus::Failed, Some(403), Some(FailureCode::Http)), None);
        assert_eq!(broken_reason(UrlStatus::Failed, Some(412), Some(FailureCode::AntiBot)), None);
        assert_eq!(broken_reason(UrlStatus::Failed, Some(503), Some(FailureCode::Http)), None);
        assert_eq!(broken_reason(UrlStatus::Failed, None, Some(FailureCode::Network)), None);
        assert_eq!(broken_reason(UrlStatus::Blocked, None, Some(FailureCode::Robots)), None);
        assert_eq!(broken_reason(UrlStatus::Done, Some(200), None), None);
    }
}
