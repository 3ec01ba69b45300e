//! A **feed** is one page of a platform's list endpoint, as the crawl frontier
//! holds it: a URL whose answer is JSON or XML, not HTML. The URL alone says
//! which endpoint it is, which list it belongs to, which page it is and how
//! to ask for it, so a feed needs no state beside the frontier: [`Feed::of`]
//! reads it back, [`Feed::page_url`] makes the next page, [`Feed::request`]
//! says what to send (a GET, or for Hanweb's record ranges a POST whose form
//! is the frontier URL's other parameters), [`Feed::fallback`] the other way
//! to ask when a list's first page fails, and [`Feed::parse`] reads the answer.
//!
//! Feeds are found by [`feeds_of`] on a page that [`super::detect`] recognised,
//! and are refreshed on every recrawl like any list page (conditional
//! requests make an unchanged GET answer cheap).

use url::Url;

use super::{ListPage, ListProblem, Platform, anhui, gkmlpt, govcn, hanweb, jpaas};

/// Which endpoint a feed URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// gkmlpt `/gkmlpt/api/all/{node}?page=&sid=`: one catalogue node's list.
    GkmlptList,
    /// gkmlpt site search (JSONP `…/site/{sid}?callback=govsearch&isgkml=1…`):
    /// every item of the site, the backfill for short lists.
    GkmlptSearch,
    /// Hanweb `…/dataproxy.jsp?page={n}&{params}` (GET, the `<nextgroup>` link).
    HanwebPage,
    /// Hanweb `…/dataproxy.jsp?startrecord={s}&endrecord={e}&perpage={p}`,
    /// POSTed with the column's parameters as a form (the jpage client).
    HanwebRange,
    /// Hanweb jpaas `…/build/unit?…&paramJson={"pageNo":n,"pageSize":m}` (GET).
    JpaasUnit,
    /// The State Council policy library `…/search-gov/data?t={library}&p={n}&n={size}` (GET).
    GovcnLibrary,
    /// The Anhui platform's `…/site/label/8888?labelName=publicInfoList&pageIndex={n}&…`,
    /// a GET, or POSTed as a form when marked with [`anhui::POST_KEY`].
    AnhuiLabel,
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
            FeedKind::HanwebPage => "hanweb-page",
            FeedKind::HanwebRange => "hanweb-range",
            FeedKind::JpaasUnit => "jpaas-unit",
            FeedKind::GovcnLibrary => "govcn-library",
            FeedKind::AnhuiLabel => "anhui-label",
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
        if path.ends_with("/dataproxy.jsp") {
            if let Some((start, end)) = range_of(url) {
                let size = end - start + 1;
                let page = u32::try_from((start - 1) / size + 1).unwrap_or(u32::MAX);
                return Some(Feed { kind: FeedKind::HanwebRange, page });
            }
            if has("page") {
                return Some(Feed { kind: FeedKind::HanwebPage, page: page() });
            }
        }
        if path.ends_with(jpaas::UNIT_PATH)
            && let Some((page_no, _)) = jpaas_paging(url)
        {
            return Some(Feed { kind: FeedKind::JpaasUnit, page: page_no.max(1) });
        }
        if path.ends_with(anhui::LABEL_PATH)
            && url.query_pairs().any(|(k, v)| k == "labelName" && v == anhui::LIST_LABEL)
        {
            let p = url.query_pairs().find(|(k, _)| k == "pageIndex").and_then(|(_, v)| v.parse::<u32>().ok());
            return Some(Feed { kind: FeedKind::AnhuiLabel, page: p.unwrap_or(1).max(1) });
        }
        if path.ends_with(govcn::PATH) && has("t") {
            let p = url.query_pairs().find(|(k, _)| k == "p").and_then(|(_, v)| v.parse::<u32>().ok());
            return Some(Feed { kind: FeedKind::GovcnLibrary, page: p.unwrap_or(1).max(1) });
        }
        None
    }

    /// The same feed's page `page` (from 1): `url` with its page number (its
    /// record range, its `paramJson`) replaced. A URL that is no feed is returned as is.
    pub fn page_url(url: &Url, page: u32) -> Url {
        let page = page.max(1);
        let kind = Feed::of(url).map(|f| f.kind);
        let replace = |key: &str, value: &dyn Fn(&str) -> String| -> Url {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| if k == key { (k.into_owned(), value(&v)) } else { (k.into_owned(), v.into_owned()) })
                .collect();
            let mut u = url.clone();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            u
        };
        match kind {
            Some(FeedKind::HanwebRange) => {
                let Some((start, end)) = range_of(url) else { return url.clone() };
                let size = end - start + 1;
                let new_start = u64::from(page - 1) * size + 1;
                let u = replace("startrecord", &|_| new_start.to_string());
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        if k == "endrecord" {
                            (k.into_owned(), (new_start + size - 1).to_string())
                        } else {
                            (k.into_owned(), v.into_owned())
                        }
                    })
                    .collect();
                let mut out = u.clone();
                out.query_pairs_mut().clear().extend_pairs(pairs);
                out
            }
            Some(FeedKind::JpaasUnit) => {
                let size = jpaas_paging(url).map_or(jpaas::DEFAULT_PAGE_SIZE, |(_, s)| s);
                replace("paramJson", &|_| jpaas::param_json(page, size))
            }
            Some(FeedKind::AnhuiLabel) => replace("pageIndex", &|_| page.to_string()),
            Some(FeedKind::GovcnLibrary) if url.query_pairs().any(|(k, _)| k == "p") => {
                replace("p", &|_| page.to_string())
            }
            Some(FeedKind::GovcnLibrary) => {
                let mut u = url.clone();
                u.query_pairs_mut().append_pair("p", &page.to_string());
                u
            }
            Some(_) => replace("page", &|_| page.to_string()),
            None => url.clone(),
        }
    }

    /// What to send for a feed URL: the URL to ask and, for a Hanweb record
    /// range, the form to POST there (the frontier URL's parameters other
    /// than the range). Every other feed is a GET of the URL itself.
    pub fn request(url: &Url) -> FeedRequest {
        let kind = Feed::of(url).map(|f| f.kind);
        if kind == Some(FeedKind::AnhuiLabel) && url.query_pairs().any(|(k, _)| k == anhui::POST_KEY) {
            let form = url
                .query_pairs()
                .filter(|(k, _)| k != anhui::POST_KEY)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            return FeedRequest { url: strip_query(url), form: Some(form) };
        }
        if kind != Some(FeedKind::HanwebRange) {
            return FeedRequest { url: url.clone(), form: None };
        }
        let (range, form): (Vec<(String, String)>, Vec<(String, String)>) = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .partition(|(k, _)| RANGE_KEYS.contains(&k.as_str()));
        let mut u = url.clone();
        u.query_pairs_mut().clear().extend_pairs(range);
        FeedRequest { url: u, form: Some(form) }
    }

    /// Another way to ask for a list whose first page failed (`not_found`: it
    /// answered 404, so the endpoint's path is wrong), or `None` when there is
    /// none left. Deployments disagree and the sources with them
    /// (PROTOCOLS.md, "Not confirmed"), so each is tried in turn:
    /// - Hanweb: GET by page, then POST by record range, at the page's proxy
    ///   and then at each of [`hanweb::PROXY_PATHS`] after it (a 404 skips to the
    ///   next path);
    /// - jpaas: `parseType` spelled as in [`jpaas::PARSE_TYPES`], in turn.
    pub fn fallback(url: &Url, not_found: bool) -> Option<Url> {
        let feed = Feed::of(url)?;
        match feed.kind {
            FeedKind::HanwebPage if !not_found => {
                let proxy = strip_query(url);
                let params: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "page")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let mut u = proxy;
                {
                    let mut q = u.query_pairs_mut();
                    q.append_pair("startrecord", "1")
                        .append_pair("endrecord", &hanweb::DEFAULT_GROUP.to_string())
                        .append_pair("perpage", &hanweb::DEFAULT_PER_PAGE.to_string());
                    q.extend_pairs(params);
                }
                Some(u)
            }
            FeedKind::HanwebPage | FeedKind::HanwebRange => {
                let next = hanweb::next_proxy_path(url.path())?;
                let params: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "page" && !RANGE_KEYS.contains(&k.as_ref()))
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let mut u = url.join(next).ok()?;
                u.query_pairs_mut().clear().append_pair("page", "1").extend_pairs(params);
                Some(u)
            }
            FeedKind::JpaasUnit => {
                let current = url.query_pairs().find(|(k, _)| k == "parseType").map(|(_, v)| v.into_owned())?;
                let at = jpaas::PARSE_TYPES.iter().position(|t| *t == current)?;
                let next = jpaas::PARSE_TYPES.get(at + 1)?;
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| {
                        if k == "parseType" {
                            (k.into_owned(), (*next).to_owned())
                        } else {
                            (k.into_owned(), v.into_owned())
                        }
                    })
                    .collect();
                let mut u = url.clone();
                u.query_pairs_mut().clear().extend_pairs(pairs);
                Some(u)
            }
            FeedKind::AnhuiLabel if url.query_pairs().any(|(k, _)| k == anhui::POST_KEY) => None,
            FeedKind::AnhuiLabel => {
                let mut u = url.clone();
                u.query_pairs_mut().append_pair(anhui::POST_KEY, "1");
                Some(u)
            }
            FeedKind::GkmlptList | FeedKind::GkmlptSearch | FeedKind::GovcnLibrary => None,
        }
    }

    /// The list a feed page belongs to: its URL with what pages it left out
    /// (the page number; for Hanweb also the record range and the proxy path,
    /// for jpaas the paging and the `parseType`, so every way of asking for
    /// one list is one list).
    pub fn list_key(url: &Url) -> String {
        let kind = Feed::of(url).map(|f| f.kind);
        let drop: &[&str] = match kind {
            Some(FeedKind::HanwebPage | FeedKind::HanwebRange) => &["page", "startrecord", "endrecord", "perpage"],
            Some(FeedKind::JpaasUnit) => &["paramJson", "parseType"],
            Some(FeedKind::GovcnLibrary) => &["p"],
            Some(FeedKind::AnhuiLabel) => &["pageIndex", anhui::POST_KEY, "_"],
            _ => &["page"],
        };
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !drop.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut u = url.clone();
        if matches!(kind, Some(FeedKind::HanwebPage | FeedKind::HanwebRange)) {
            u.set_path("/dataproxy.jsp");
        }
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    }

    /// Reads an answer fetched from `url`; relative item URLs resolve against it.
    pub fn parse(&self, body: &str, url: &Url) -> Result<ListPage, ListProblem> {
        match self.kind {
            FeedKind::GkmlptList => gkmlpt::parse_list(body, url),
            FeedKind::GkmlptSearch => gkmlpt::parse_search(body, url),
            FeedKind::HanwebPage | FeedKind::HanwebRange => hanweb::parse_answer(body, url),
            FeedKind::JpaasUnit => jpaas::parse_answer(body, url),
            FeedKind::GovcnLibrary => {
                let t = url.query_pairs().find(|(k, _)| k == "t").map(|(_, v)| v.into_owned()).unwrap_or_default();
                govcn::parse_answer(body, url, govcn::library_name(&t))
            }
            FeedKind::AnhuiLabel => anhui::parse_answer(body, url),
        }
    }
}

/// What to send for one feed page ([`Feed::request`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRequest {
    pub url: Url,
    /// `Some`: POST this `application/x-www-form-urlencoded` form; `None`: GET.
    pub form: Option<Vec<(String, String)>>,
}

/// The query keys of a Hanweb record range.
const RANGE_KEYS: [&str; 3] = ["startrecord", "endrecord", "perpage"];

/// `startrecord` and `endrecord` of a Hanweb range URL (start ≥ 1, end ≥ start).
fn range_of(url: &Url) -> Option<(u64, u64)> {
    let get = |key: &str| url.query_pairs().find(|(k, _)| k == key).and_then(|(_, v)| v.trim().parse::<u64>().ok());
    let (start, end) = (get("startrecord")?.max(1), get("endrecord")?);
    (end >= start && end - start < 100_000).then_some((start, end))
}

/// `pageNo` and `pageSize` of a jpaas URL's `paramJson`.
fn jpaas_paging(url: &Url) -> Option<(u32, u32)> {
    let (_, json) = url.query_pairs().find(|(k, _)| k == "paramJson")?;
    let v: serde_json::Value = serde_json::from_str(&json).ok()?;
    let n = |k: &str| v.get(k).and_then(|x| x.as_u64().or_else(|| x.as_str()?.parse().ok()));
    let page = u32::try_from(n("pageNo").unwrap_or(1)).ok()?;
    let size = u32::try_from(n("pageSize").unwrap_or(u64::from(jpaas::DEFAULT_PAGE_SIZE))).ok()?;
    Some((page, size.max(1)))
}

fn strip_query(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_query(None);
    u
}

/// A feed to walk, found on a platform page: its first page, and the catalogue
/// path of the list (root first) that names the column its items are filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStart {
    pub url: Url,
    pub path: Vec<String>,
    /// The first records of this list that the page itself carries (Hanweb
    /// embeds them in the column page), listed before the list's page 1.
    pub embedded: Vec<super::ListedItem>,
}

/// The lists of a recognised platform page, each as its first feed page.
/// A Hanweb list starts with a GET by page at the proxy the page names (else
/// the first known path); a jpaas list with the field's majority spelling.
/// Hanweb and jpaas lists have no catalogue path: their items are filed
/// under the column page's own column.
pub fn feeds_of(platform: &Platform) -> Vec<FeedStart> {
    match platform {
        Platform::Gkmlpt(site) => site
            .lists()
            .map(|n| FeedStart { url: site.list_url(n.id, 1), path: n.path.clone(), embedded: Vec::new() })
            .collect(),
        Platform::HanwebColumn(columns) => columns
            .iter()
            .filter_map(|c| {
                let proxy = c.proxies().into_iter().next()?;
                Some(FeedStart {
                    url: c.page_request(&proxy, 1).url,
                    path: Vec::new(),
                    embedded: c.embedded.items.clone(),
                })
            })
            .collect(),
        Platform::Jpaas(unit) => {
            vec![FeedStart {
                url: unit.request(1, jpaas::DEFAULT_PAGE_SIZE, jpaas::PARSE_TYPES[0]),
                path: Vec::new(),
                embedded: Vec::new(),
            }]
        }
        Platform::GovcnLibrary(endpoint) => govcn::LIBRARIES
            .iter()
            .map(|(t, name)| FeedStart {
                url: govcn::library_url(endpoint, t, 1, govcn::PAGE_SIZE),
                path: vec![(*name).to_owned()],
                embedded: Vec::new(),
            })
            .collect(),
        Platform::AnhuiColumn(c) => {
            let path = if c.name.is_empty() { Vec::new() } else { vec![c.name.clone()] };
            vec![FeedStart { url: c.page_url(1), path, embedded: Vec::new() }]
        }
    }
}

/// The backfill feed of a recognised platform page, when it has one.
pub fn backfill_of(platform: &Platform) -> Option<Url> {
    match platform {
        Platform::Gkmlpt(site) => site.search_url(1, SEARCH_PAGE_SIZE),
        Platform::HanwebColumn(_) | Platform::Jpaas(_) | Platform::GovcnLibrary(_) | Platform::AnhuiColumn(_) => None,
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
    fn hanweb_feeds_page_post_and_fall_back() {
        let get = url("http://a.gov.cn/module/web/jpage/dataproxy.jsp?page=1&col=1&webid=2&columnid=7&unitid=u7");
        assert_eq!(Feed::of(&get), Some(Feed { kind: FeedKind::HanwebPage, page: 1 }));
        assert_eq!(Feed::request(&get), FeedRequest { url: get.clone(), form: None });
        let page3 = Feed::page_url(&get, 3);
        assert_eq!(page3.query(), Some("page=3&col=1&webid=2&columnid=7&unitid=u7"));
        // an unreadable first page: the same proxy by record range, POSTed
        let post = Feed::fallback(&get, false).expect("range");
        assert_eq!(Feed::of(&post), Some(Feed { kind: FeedKind::HanwebRange, page: 1 }));
        let req = Feed::request(&post);
        assert_eq!(
            req.url.as_str(),
            "http://a.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
        );
        let form = req.form.expect("form");
        assert_eq!(form.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["col", "webid", "columnid", "unitid"]);
        let group2 = Feed::page_url(&post, 2);
        assert_eq!(Feed::of(&group2).map(|f| f.page), Some(2));
        assert!(group2.as_str().contains("startrecord=46&endrecord=90&perpage=15"), "{group2}");
        // every way of asking is one list
        assert_eq!(Feed::list_key(&get), Feed::list_key(&post));
        assert_eq!(Feed::list_key(&get), Feed::list_key(&group2));
        // a range that failed, or a path that 404s: GET at the next known path, until none is left
        let next = Feed::fallback(&post, false).expect("next path");
        assert_eq!(next.path(), hanweb::PROXY_PATHS[1]);
        assert_eq!(next.query(), Some("page=1&col=1&webid=2&columnid=7&unitid=u7"));
        let last = Feed::fallback(&next, true).expect("last path");
        assert_eq!(last.path(), hanweb::PROXY_PATHS[2]);
        assert!(Feed::fallback(&Feed::fallback(&last, false).expect("post"), false).is_none());
        // a proxy the page named that is not a known path is followed by the known ones
        let own = url("http://a.gov.cn/site/proxy/dataproxy.jsp?page=1&columnid=7");
        assert_eq!(Feed::fallback(&own, true).map(|u| u.path().to_owned()).as_deref(), Some(hanweb::PROXY_PATHS[0]));
        // not a range: reversed or absurd bounds
        for q in ["startrecord=9&endrecord=3", "startrecord=1&endrecord=9999999", "startrecord=x&endrecord=3"] {
            let u = url(&format!("http://a.gov.cn/module/web/jpage/dataproxy.jsp?{q}"));
            assert_eq!(Feed::of(&u), None, "{q}");
        }
    }

    #[test]
    fn each_hanweb_list_starts_with_its_own_embedded_records() {
        let block = |unit: &str, col: &str, art: &str| {
            format!(
                r#"<div id="{unit}"><script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href="/art/2024/1/1/art_{col}_{art}.html" title="第{art}号">第{art}号</a></li>]]></record></recordset></datastore></script></div>
<script>var param_{unit} = {{col:1, appid:1, webid:'1', path:'/', columnid:'{col}', unitid:'{unit}', webname:'测试', permissiontype:0}};</script>"#
            )
        };
        let html = format!("{}{}", block("u1", "11", "1"), block("u2", "22", "2"));
        let page = url("http://www.x.gov.cn/col/col11/index.html");
        let Some(platform @ Platform::HanwebColumn(_)) = super::super::detect(&html, &page) else {
            panic!("not Hanweb")
        };
        let starts = feeds_of(&platform);
        assert_eq!(starts.len(), 2);
        let own: Vec<Vec<&str>> = starts.iter().map(|s| s.embedded.iter().map(|i| i.url.as_str()).collect()).collect();
        assert_eq!(
            own,
            [
                vec!["http://www.x.gov.cn/art/2024/1/1/art_11_1.html"],
                vec!["http://www.x.gov.cn/art/2024/1/1/art_22_2.html"]
            ]
        );
    }

    #[test]
    fn library_feeds_page_by_p_and_are_one_list_per_library() {
        let first = url("https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_bm&q=&n=25");
        assert_eq!(Feed::of(&first), Some(Feed { kind: FeedKind::GovcnLibrary, page: 1 }));
        let third = Feed::page_url(&first, 3);
        assert_eq!(third.query(), Some("t=zhengcelibrary_bm&q=&n=25&p=3"));
        assert_eq!(Feed::page_url(&third, 4).query(), Some("t=zhengcelibrary_bm&q=&n=25&p=4"));
        assert_eq!(Feed::of(&third).map(|f| f.page), Some(3));
        assert_eq!(Feed::list_key(&third), Feed::list_key(&first));
        assert_ne!(
            Feed::list_key(&first),
            Feed::list_key(&url("https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=&n=25"))
        );
        assert_eq!(Feed::of(&url("https://sousuo.www.gov.cn/search-gov/data?q=x")), None, "no library named");
        assert_eq!(Feed::fallback(&first, true), None);
        let page = Platform::GovcnLibrary(url("https://sousuo.www.gov.cn/search-gov/data"));
        let starts = feeds_of(&page);
        let names: Vec<&str> = starts.iter().map(|s| s.path[0].as_str()).collect();
        assert_eq!(names, ["国务院文件", "部门文件"]);
        assert!(starts.iter().all(|s| Feed::of(&s.url).is_some_and(|f| f.page == 1)));
    }

    #[test]
    fn jpaas_feeds_page_by_param_json_and_try_both_spellings() {
        let html = r#"<div id="pagination" count="386" rows="15" queryData="{'webId':'3185','pageId':'1229063389','tagId':'信息列表','tplSetId':'t1'}"></div>"#;
        let p = super::super::detect(html, &url("https://www.hangzhou.gov.cn/col/col1229063389/index.html"))
            .expect("jpaas");
        let starts = feeds_of(&p);
        assert_eq!(starts.len(), 1);
        let first = &starts[0].url;
        assert_eq!(Feed::of(first), Some(Feed { kind: FeedKind::JpaasUnit, page: 1 }));
        let second = Feed::page_url(first, 2);
        assert_eq!(Feed::of(&second).map(|f| f.page), Some(2));
        let (_, json) = second.query_pairs().find(|(k, _)| k == "paramJson").expect("paramJson");
        assert_eq!(json, r#"{"pageNo":2,"pageSize":50}"#);
        let other = Feed::fallback(first, false).expect("other spelling");
        assert!(other.query_pairs().any(|(k, v)| k == "parseType" && v == jpaas::PARSE_TYPES[1]));
        assert_eq!(Feed::list_key(first), Feed::list_key(&other));
        assert!(Feed::fallback(&other, false).is_none());
        assert_eq!(Feed::request(first).form, None);
    }

    #[test]
    fn column_names_carry_the_catalogue_path() {
        let path = vec!["政策".to_owned(), "规范性文件".to_owned()];
        assert_eq!(column_of(&path), "政策 > 规范性文件");
        assert_eq!(path_of(&column_of(&path)), path);
        assert_eq!(path_of("规范性文件"), ["规范性文件"]);
    }
}
