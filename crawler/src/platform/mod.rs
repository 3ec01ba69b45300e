//! Disclosure platforms whose item lists are loaded by JavaScript from a JSON
//! or XML endpoint, so a link-following crawler sees the column pages and
//! nothing in them. Each platform module reads, from the pages themselves,
//! what the platform's own front end reads — its catalogue and the address of
//! its list endpoint — and parses that endpoint's answers into [`ListPage`]s.
//!
//! Everything here is pure: text in, values out. Fetching (politeness, robots,
//! retries, conditional requests) stays in the crawl loop, which treats a list
//! endpoint's answer as a list page like any other. The protocols, with their
//! sources, are described in `PROTOCOLS.md` of the shared platform notes; each
//! module's doc names the quirks it handles.
//!
//! No vendor name appears in configuration: [`detect`] recognises a platform
//! by what a page carries.

pub mod anhui;
pub mod feed;
pub mod fragment;
pub mod gkmlpt;
pub mod govcn;
pub mod hanweb;
pub mod jpaas;

use serde::{Deserialize, Serialize};
use url::Url;

/// Bounds on what a platform answer may make the crawler do. An endpoint is
/// web input: a catalogue or a list that never ends must end here.
pub mod limits {
    /// Catalogue nodes read from one site's tree (the largest real trees
    /// have a few hundred).
    pub const MAX_NODES: usize = 5_000;
    /// Pages of one list walked before the list is declared endless.
    pub const MAX_PAGES_PER_LIST: u32 = 2_000;
    /// Items taken from one answer.
    pub const MAX_ITEMS_PER_PAGE: usize = 5_000;
    /// Bytes of one field value kept (titles, 文号, …).
    pub const MAX_FIELD_BYTES: usize = 2_000;
}

/// The platforms [`detect`] recognises.
#[derive(Debug, Clone, PartialEq)]
pub enum Platform {
    /// Guangdong's 政府信息公开目录管理平台: `window._CONFIG` with `SID`,
    /// `APP_URL` and the catalogue `TREE`.
    Gkmlpt(Box<gkmlpt::Site>),
    /// Hanweb's classic column pages: `<datastore>` blocks and `dataproxy.jsp`.
    HanwebColumn(Vec<hanweb::Column>),
    /// Hanweb's jpaas column pages: `queryData` and `build/unit`.
    Jpaas(jpaas::Unit),
    /// A page whose scripts query the State Council policy library
    /// (`…/search-gov/data`): the endpoint, walked library by library.
    GovcnLibrary(Url),
    /// The Anhui platform's column lists: `{prefix}/site/label/8888`, label `publicInfoList`.
    AnhuiColumn(anhui::Column),
}

impl Platform {
    /// A short stable code for reports and the crawl state.
    pub fn code(&self) -> &'static str {
        match self {
            Platform::Gkmlpt(_) => "gkmlpt",
            Platform::HanwebColumn(_) => "hanweb-datastore",
            Platform::Jpaas(_) => "hanweb-jpaas",
            Platform::GovcnLibrary(_) => "govcn-library",
            Platform::AnhuiColumn(_) => "anhui-label",
        }
    }
}

/// Which platform, if any, serves `html` (fetched from `page_url`).
pub fn detect(html: &str, page_url: &Url) -> Option<Platform> {
    if let Some(site) = gkmlpt::Site::from_page(html, page_url) {
        return Some(Platform::Gkmlpt(Box::new(site)));
    }
    let columns = hanweb::columns(html, page_url);
    if !columns.is_empty() {
        return Some(Platform::HanwebColumn(columns));
    }
    if let Some(unit) = jpaas::unit(html, page_url) {
        return Some(Platform::Jpaas(unit));
    }
    if let Some(column) = anhui::column(html, page_url) {
        return Some(Platform::AnhuiColumn(column));
    }
    govcn::endpoint_in(html, page_url).map(Platform::GovcnLibrary)
}

/// One item as a platform's list describes it, before its page is fetched.
/// Fields the list does not give are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedItem {
    /// The detail page to fetch (absolute).
    pub url: String,
    /// Other URLs the platform gives for the same post (e.g. gkmlpt's
    /// `post_url` beside `url`).
    pub other_urls: Vec<String>,
    /// The platform's own id of the post, stable across its URLs ("" if none).
    pub post_id: String,
    pub title: String,
    /// 索引号
    pub index_number: String,
    /// 文号
    pub doc_number: String,
    /// 发布机构
    pub publisher: String,
    /// 成文日期, `YYYY-MM-DD`
    pub issued_date: String,
    /// 发布日期, `YYYY-MM-DD`
    pub published_date: String,
    /// 有效性 when the list says it (失效, 废止); "" otherwise.
    pub validity: String,
    /// The catalogue node the platform files the item under.
    pub node: String,
}

/// One answer of a list endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub items: Vec<ListedItem>,
    /// How many items the platform says the list holds (`post_count`,
    /// `totalrecord`, …), when it says.
    pub claimed_total: Option<u64>,
}

/// Why an endpoint's answer could not be read as a list. Recorded as the
/// page's failure reason; the rest of the site is still crawled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListProblem {
    /// The answer is HTML (an error page, a WAF challenge), not the data format.
    #[error("expected {expected}, got an HTML page")]
    Html { expected: &'static str },
    /// The answer does not parse (truncated or invalid).
    #[error("invalid {format}: {message}")]
    Invalid { format: &'static str, message: String },
    /// It parses, but a required part is missing.
    #[error("{format} answer has no {field}")]
    Missing { format: &'static str, field: &'static str },
}

impl ListProblem {
    /// A stable code for the crawl state and reports.
    pub fn code(&self) -> &'static str {
        match self {
            ListProblem::Html { .. } => "list-html",
            ListProblem::Invalid { .. } => "list-invalid",
            ListProblem::Missing { .. } => "list-incomplete",
        }
    }
}

/// Whether a list walk goes on after a page: the rule every platform's paging
/// shares. Ends on an empty page, when the claimed total is reached, when a
/// page brings nothing new (a platform that ignores the page number serves
/// page 1 forever), or at [`limits::MAX_PAGES_PER_LIST`].
#[derive(Debug, Clone, Default)]
pub struct ListWalk {
    seen: std::collections::HashSet<String>,
    pages: u32,
    /// Items served so far (distinct).
    pub served: u64,
    /// The largest total the platform claimed.
    pub claimed: Option<u64>,
    /// Why the walk ended, once it has.
    pub ended: Option<WalkEnd>,
}

/// Why a list walk stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WalkEnd {
    /// A page with no items.
    Empty,
    /// As many items as the platform claimed.
    ClaimedTotal,
    /// A page whose items were all seen before.
    NothingNew,
    /// The endpoint answered "not found" past the end.
    NotFound,
    /// [`limits::MAX_PAGES_PER_LIST`] pages: the list is treated as endless.
    PageLimit,
    /// An answer could not be read.
    Unreadable,
}

impl WalkEnd {
    /// A stable code for reports and the crawl state.
    pub fn code(self) -> &'static str {
        match self {
            WalkEnd::Empty => "empty",
            WalkEnd::ClaimedTotal => "claimed-total",
            WalkEnd::NothingNew => "nothing-new",
            WalkEnd::NotFound => "not-found",
            WalkEnd::PageLimit => "page-limit",
            WalkEnd::Unreadable => "unreadable",
        }
    }
}

/// The paging rule every platform's list shares, for page number `page`
/// (from 1) that held `listed` items of which `fresh` were new to the walk,
/// with `served` distinct items so far and `claimed` the largest total the
/// platform stated: `None` to go on, else why the walk ends. A first page
/// with nothing new goes on: the records a column page embeds are listed
/// before it, and its first answer repeats them.
pub fn walk_end(listed: usize, fresh: usize, served: u64, claimed: Option<u64>, page: u32) -> Option<WalkEnd> {
    if listed == 0 {
        Some(WalkEnd::Empty)
    } else if fresh == 0 && page > 1 {
        Some(WalkEnd::NothingNew)
    } else if claimed.is_some_and(|c| served >= c) {
        Some(WalkEnd::ClaimedTotal)
    } else if page >= limits::MAX_PAGES_PER_LIST {
        Some(WalkEnd::PageLimit)
    } else {
        None
    }
}

impl ListWalk {
    /// Takes one page; returns the items not seen before in this walk and
    /// whether to ask for the next page.
    pub fn take(&mut self, page: ListPage) -> (Vec<ListedItem>, bool) {
        self.pages += 1;
        if let Some(c) = page.claimed_total {
            self.claimed = Some(self.claimed.map_or(c, |old| old.max(c)));
        }
        let listed = page.items.len();
        let mut fresh = Vec::new();
        for it in page.items {
            let key = if it.post_id.is_empty() { it.url.clone() } else { it.post_id.clone() };
            if self.seen.insert(key) {
                fresh.push(it);
            }
        }
        self.served += fresh.len() as u64;
        self.ended = walk_end(listed, fresh.len(), self.served, self.claimed, self.pages);
        let more = self.ended.is_none();
        (fresh, more)
    }

    /// Ends the walk for a reason the caller saw (404, unreadable answer).
    pub fn stop(&mut self, why: WalkEnd) {
        self.ended = Some(why);
    }

    /// Pages taken so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }
}

/// `s` cut to at most `max` bytes on a character boundary, trimmed.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// A JSON answer; an HTML page (error page, WAF challenge) or broken JSON
/// is the [`ListProblem`] that says which.
pub(crate) fn parse_json(body: &str) -> Result<serde_json::Value, ListProblem> {
    serde_json::from_str(body.trim_start_matches('\u{feff}')).map_err(|e| {
        if looks_like_html(body) {
            ListProblem::Html { expected: "JSON" }
        } else {
            ListProblem::Invalid { format: "JSON", message: e.to_string() }
        }
    })
}

/// Whether a body that should be JSON or XML is an HTML page instead.
pub(crate) fn looks_like_html(body: &str) -> bool {
    let head = body.trim_start_matches('\u{feff}').trim_start();
    let head = &head[..head.len().min(256)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.starts_with("<head")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> ListedItem {
        ListedItem { post_id: id.into(), url: format!("http://a.gov.cn/post_{id}.html"), ..Default::default() }
    }

    #[test]
    fn a_walk_ends_at_the_claimed_total() {
        let mut w = ListWalk::default();
        let (new, more) = w.take(ListPage { items: vec![item("1"), item("2")], claimed_total: Some(3) });
        assert_eq!((new.len(), more), (2, true));
        let (new, more) = w.take(ListPage { items: vec![item("3")], claimed_total: Some(3) });
        assert_eq!((new.len(), more), (1, false));
        assert_eq!(w.ended, Some(WalkEnd::ClaimedTotal));
    }

    #[test]
    fn a_platform_that_ignores_the_page_number_ends_the_walk() {
        let mut w = ListWalk::default();
        let page = || ListPage { items: vec![item("1"), item("2")], claimed_total: Some(500) };
        assert!(w.take(page()).1);
        let (new, more) = w.take(page());
        assert!(new.is_empty() && !more);
        assert_eq!(w.ended, Some(WalkEnd::NothingNew));
        assert_eq!(w.served, 2);
    }

    #[test]
    fn groups_that_repeat_the_previous_last_record_count_it_once() {
        let mut w = ListWalk::default();
        w.take(ListPage { items: vec![item("1"), item("2"), item("3")], claimed_total: None });
        let (new, more) = w.take(ListPage { items: vec![item("3"), item("4")], claimed_total: None });
        assert_eq!(new.iter().map(|i| i.post_id.as_str()).collect::<Vec<_>>(), ["4"]);
        assert!(more);
        assert_eq!(w.served, 4);
    }

    #[test]
    fn an_endless_list_stops_at_the_page_limit() {
        let mut w = ListWalk::default();
        let mut n = 0;
        loop {
            n += 1;
            let (_, more) = w.take(ListPage { items: vec![item(&n.to_string())], claimed_total: Some(u64::MAX) });
            if !more {
                break;
            }
        }
        assert_eq!(n, limits::MAX_PAGES_PER_LIST);
        assert_eq!(w.ended, Some(WalkEnd::PageLimit));
    }

    #[test]
    fn bounded_cuts_on_a_character_boundary() {
        assert_eq!(bounded(" 规范性文件 ", 7), "规范");
        assert_eq!(bounded("abc", 10), "abc");
    }
}
