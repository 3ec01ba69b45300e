//! A **feed** is one page of a platform's list endpoint, as the crawl frontier
//! holds it: a URL whose answer is JSON, not HTML. The URL alone says which
//! endpoint it is, which list it belongs to and which page it is, so a feed
//! needs no state beside the frontier: [`Feed::of`] reads it back, [`Feed::page_url`]
//! makes the next page, [`Feed::parse`] reads the answer.
//!
//! Feeds are found by [`feeds_of`] on a page that [`super::detect`] recognised,
//! and are refreshed on every recrawl like any list page (conditional
//! requests make an unchanged answer cheap).

use url::Url;

use super::{ListPage, ListProblem, Platform, gkmlpt};

/// Which endpoint a feed URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// gkmlpt `/gkmlpt/api/all/{node}?page=&sid=`: one catalogue node's list.
    GkmlptList,
    /// gkmlpt site search (JSONP `…/site/{sid}?callback=govsearch&isgkml=1…`):
    /// every item of the site, the backfill for short lists.
    GkmlptSearch,
}

/// One page of one list endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub kind: FeedKind,
    /// The page number, from 1.
    pub page: u32,
}

/// Items asked for per page of the gkmlpt site search.
pub const SEARCH_PAGE_SIZE: u32 = 50;

impl FeedKind {
    /// A stable code for reports and the crawl state.
    pub fn code(self) -> &'static str {
        match self {
            FeedKind::GkmlptList => "gkmlpt-list",
            FeedKind::GkmlptSearch => "gkmlpt-search",
        }
    }

    /// Whether this endpoint is a backfill (items only it reaches are counted apart).
    pub fn is_backfill(self) -> bool {
        matches!(self, FeedKind::GkmlptSearch)
    }
}

impl Feed {
    /// The feed a frontier URL is, or `None` for an ordinary page.
    pub fn of(url: &Url) -> Option<Feed> {
        let page = || {
            url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse::<u32>().ok()).unwrap_or(1).max(1)
        };
        let path = url.path();
        let has = |k: &str| url.query_pairs().any(|(q, _)| q == k);
        if let Some(rest) = path.rsplit_once("/gkmlpt/api/all/").map(|(_, r)| r)
            && !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit())
            && has("sid")
        {
            return Some(Feed { kind: FeedKind::GkmlptList, page: page() });
        }
        let callback = url.query_pairs().any(|(k, v)| k == "callback" && v == gkmlpt::CALLBACK);
        if callback && has("isgkml") && path.contains("/site/") {
            return Some(Feed { kind: FeedKind::GkmlptSearch, page: page() });
        }
        None
    }

    /// The same feed's page `page` (from 1): `url` with its page number replaced.
    pub fn page_url(url: &Url, page: u32) -> Url {
        let pairs: Vec<(String, String)> =
            url.query_pairs()
                .map(|(k, v)| {
                    if k == "page" {
                        (k.into_owned(), page.max(1).to_string())
                    } else {
                        (k.into_owned(), v.into_owned())
                    }
                })
                .collect();
        let mut u = url.clone();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    }

    /// The list a feed page belongs to: its URL with the page number left out.
    pub fn list_key(url: &Url) -> String {
        let pairs: Vec<(String, String)> =
            url.query_pairs().filter(|(k, _)| k != "page").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut u = url.clone();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    }

    /// Reads an answer fetched from `url`; relative item URLs resolve against it.
    pub fn parse(&self, body: &str, url: &Url) -> Result<ListPage, ListProblem> {
        match self.kind {
            FeedKind::GkmlptList => gkmlpt::parse_list(body, url),
            FeedKind::GkmlptSearch => gkmlpt::parse_search(body, url),
        }
    }
}

/// A feed to walk, found on a platform page: its first page, and the catalogue
/// path of the list (root first) that names the column its items are filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStart {
    pub url: Url,
    pub path: Vec<String>,
}

/// The lists of a recognised platform page, each as its first feed page.
/// (Platforms whose endpoints need a POST are not walked yet.)
pub fn feeds_of(platform: &Platform) -> Vec<FeedStart> {
    match platform {
        Platform::Gkmlpt(site) => {
            site.lists().map(|n| FeedStart { url: site.list_url(n.id, 1), path: n.path.clone() }).collect()
        }
        Platform::HanwebColumn(_) | Platform::Jpaas(_) => Vec::new(),
    }
}

/// The backfill feed of a recognised platform page, when it has one.
pub fn backfill_of(platform: &Platform) -> Option<Url> {
    match platform {
        Platform::Gkmlpt(site) => site.search_url(1, SEARCH_PAGE_SIZE),
        Platform::HanwebColumn(_) | Platform::Jpaas(_) => None,
    }
}

/// The column name stored for a catalogue path: the names joined with ` > `.
pub fn column_of(path: &[String]) -> String {
    path.join(" > ")
}

/// The catalogue path a stored column name stands for (inverse of [`column_of`]).
pub fn path_of(column: &str) -> Vec<String> {
    column.split(" > ").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn feed_urls_read_back_and_page_on() {
        let u = url("https://www.example.gov.cn/gkmlpt/api/all/617?page=1&sid=757016");
        assert_eq!(Feed::of(&u), Some(Feed { kind: FeedKind::GkmlptList, page: 1 }));
        let next = Feed::page_url(&u, 2);
        assert_eq!(next.as_str(), "https://www.example.gov.cn/gkmlpt/api/all/617?page=2&sid=757016");
        assert_eq!(Feed::of(&next).map(|f| f.page), Some(2));
        assert_eq!(Feed::list_key(&u), Feed::list_key(&next));
        assert_ne!(
            Feed::list_key(&u),
            Feed::list_key(&url("https://www.example.gov.cn/gkmlpt/api/all/618?page=1&sid=757016"))
        );
        let zero = url("https://www.example.gov.cn/gkmlpt/api/all/617?page=0&sid=757016");
        assert_eq!(Feed::of(&zero).map(|f| f.page), Some(1), "page=0 is page 1");
    }

    #[test]
    fn ordinary_pages_are_not_feeds() {
        for s in [
            "https://www.example.gov.cn/gkmlpt/index",
            "https://www.example.gov.cn/gkmlpt/api/all/617?page=1",
            "https://www.example.gov.cn/gkmlpt/api/all/x?page=1&sid=1",
            "https://www.example.gov.cn/gkmlpt/content/7/7107/post_7107734.html",
            "https://search.example.gov.cn/jsonp/site/1?callback=jQuery123&isgkml=1",
        ] {
            assert_eq!(Feed::of(&url(s)), None, "{s}");
        }
    }

    #[test]
    fn the_search_backfill_is_a_feed() {
        let page = r#"<script>window._CONFIG = { SID: '757016', SEARCH_JSONP_URL: '//search.example.gov.cn/jsonp',
            TREE: [{"id":617,"name":"\u89c4\u8303\u6027\u6587\u4ef6","parent":0,"jump_url":null,"children":[]}] };</script>"#;
        let p = super::super::detect(page, &url("https://www.example.gov.cn/gkmlpt/index")).expect("gkmlpt");
        let starts = feeds_of(&p);
        assert_eq!(starts.len(), 1);
        assert_eq!(starts[0].path, ["规范性文件"]);
        let search = backfill_of(&p).expect("search");
        assert_eq!(Feed::of(&search), Some(Feed { kind: FeedKind::GkmlptSearch, page: 1 }));
        assert_eq!(Feed::of(&Feed::page_url(&search, 3)).map(|f| f.page), Some(3));
    }

    #[test]
    fn column_names_carry_the_catalogue_path() {
        let path = vec!["政策".to_owned(), "规范性文件".to_owned()];
        assert_eq!(column_of(&path), "政策 > 规范性文件");
        assert_eq!(path_of(&column_of(&path)), path);
        assert_eq!(path_of("规范性文件"), ["规范性文件"]);
    }
}
