//! gkmlpt, Guangdong's 政府信息公开目录管理平台 (province, cities, departments,
//! districts; one site id per path prefix, several on one host).
//!
//! Every gkmlpt page — the catalogue page and every detail page — carries the
//! whole site configuration in a script, `window._CONFIG = { … }`: the site id
//! `SID`, the API base `APP_URL`, and the catalogue `TREE` (nodes
//! `{id, name, parent, jump_url, children}`). The object is JavaScript, not
//! JSON (unquoted keys, `'' || '…'` expressions), but the values of `TREE`
//! and `DETAIL` are JSON, PHP-escaped (`\u4e1c`, `\u003C`, `\/`).
//!
//! A node's list is `GET {base}/gkmlpt/api/all/{id}?page={n}&sid={SID}` →
//! `{"classify": {…, "post_count": N}, "articles": [{id, title, identifier
//! (索引号), document_number (文号), publisher, date (成文日期, Unix seconds at
//! midnight China time), url, post_url, is_expired, is_abolished, …}]}`.
//! Quirks handled here and in [`super::ListWalk`]: `page=0` is page 1 (walks
//! start at 1); some sites answer 404 past page 1; a list can serve fewer
//! items than its `post_count` (the rest is reached through the site search,
//! [`Site::search_url`] / [`parse_search`]); a non-empty `jump_url` makes a
//! node a link, not a list. `url`, `post_url` and `gkml_url` carry one post id.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use url::Url;

use super::{ListPage, ListProblem, ListedItem, bounded, limits, parse_json};
use crate::dates;

/// Where one gkmlpt site's catalogue and API are.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// What `/gkmlpt/api/…` is appended to: the part of the page's URL before
    /// `/gkmlpt/` when the page is under it (that is where the front end
    /// runs, path prefix and scheme included), else `APP_URL`.
    pub base: Url,
    /// `APP_URL` as the page states it (may differ in scheme from `base`).
    pub app_url: Option<Url>,
    /// The site id every API call needs.
    pub sid: String,
    /// `SEARCH_JSONP_URL`, made absolute (`https://search.gd.gov.cn/jsonp`).
    pub search_jsonp: Option<Url>,
    /// The catalogue, parents before children.
    pub nodes: Vec<Node>,
}

/// One node of the catalogue `TREE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: u64,
    pub name: String,
    /// Names from the root down to this node, this node's last.
    pub path: Vec<String>,
    /// A non-empty `jump_url`: the node links elsewhere and has no list.
    pub link: Option<String>,
    /// Whether the node has children (lists are read at the leaves).
    pub has_children: bool,
}

impl Node {
    /// Whether the node has a list of its own to walk: a leaf that is not a link.
    pub fn is_list(&self) -> bool {
        self.link.is_none() && !self.has_children
    }
}

static CONFIG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"window\._CONFIG\s*=\s*\{").expect("static regex"));
static SID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\bSID\s*:\s*['"](\d{1,12})['"]"#).expect("static regex"));
static APP_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bAPP_URL\s*:\s*['"]([^'"]{1,300})['"]"#).expect("static regex"));
static SEARCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bSEARCH_JSONP_URL\s*:\s*['"]([^'"]{1,300})['"]"#).expect("static regex"));
static TREE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[\s,{])TREE\s*:\s*").expect("static regex"));
static POST_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"/m?post_(\d{1,15})\.html").expect("static regex"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]{0,200}>").expect("static regex"));

/// How much of a page after `window._CONFIG` is read (the real ones are
/// 20–60 KB, most of it the site footer).
const MAX_CONFIG_BYTES: usize = 4 << 20;

impl Site {
    /// The site a gkmlpt page belongs to, read from its `window._CONFIG`;
    /// `None` for pages of other platforms.
    pub fn from_page(html: &str, page_url: &Url) -> Option<Site> {
        let start = CONFIG.find(html)?.end();
        let mut end = (start + MAX_CONFIG_BYTES).min(html.len());
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        let cfg = &html[start..end];
        // The object ends at the first `};` at a line start (JSON values never
        // hold a raw newline); a truncated page keeps what it has.
        let cfg = cfg.find("\n    };").or_else(|| cfg.find("\n};")).map_or(cfg, |i| &cfg[..i]);
        let sid = SID.captures(cfg)?.get(1)?.as_str().to_owned();
        let app_url = APP_URL.captures(cfg).and_then(|c| Url::parse(c.get(1)?.as_str()).ok());
        let base = base_of(page_url).or_else(|| app_url.clone())?;
        let search_jsonp = SEARCH.captures(cfg).and_then(|c| absolute(c.get(1)?.as_str(), &base));
        let nodes =
            TREE.find(cfg).and_then(|m| first_json(&cfg[m.end()..])).map(|tree| flatten(&tree)).unwrap_or_default();
        Some(Site { base, app_url, sid, search_jsonp, nodes })
    }

    /// The nodes whose lists a crawl walks.
    pub fn lists(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.is_list())
    }

    /// Page `page` (from 1) of node `node`'s list.
    pub fn list_url(&self, node: u64, page: u32) -> Url {
        let mut u = self.api_url(&format!("gkmlpt/api/all/{node}"));
        u.query_pairs_mut().append_pair("page", &page.max(1).to_string()).append_pair("sid", &self.sid);
        u
    }

    /// Page `page` (from 1) of the site search listing every item, newest
    /// first (the backfill for lists that serve fewer than their
    /// `post_count`). `None` when the page names no search endpoint.
    pub fn search_url(&self, page: u32, page_size: u32) -> Option<Url> {
        let mut u = self.search_jsonp.clone()?;
        let path = format!("{}/site/{}", u.path().trim_end_matches('/'), self.sid);
        u.set_path(&path);
        u.query_pairs_mut()
            .append_pair("callback", CALLBACK)
            .append_pair("page", &page.max(1).to_string())
            .append_pair("pagesize", &page_size.to_string())
            .append_pair("isgkml", "1")
            .append_pair("text", "")
            .append_pair("order", "1")
            .append_pair("position", "")
            .append_pair("including_url_doc", "1")
            .append_pair("including_attach_doc", "1");
        Some(u)
    }

    /// The detail page of post `id`: `/gkmlpt/content/{id/1e6}/{id/1e3}/post_{id}.html`.
    pub fn content_url(&self, id: u64) -> Url {
        self.api_url(&format!("gkmlpt/content/{}/{}/post_{id}.html", id / 1_000_000, id / 1_000))
    }

    fn api_url(&self, rest: &str) -> Url {
        let mut u = self.base.clone();
        let path = format!("{}/{rest}", u.path().trim_end_matches('/'));
        u.set_path(&path);
        u.set_query(None);
        u.set_fragment(None);
        u
    }
}

/// The JSONP callback name govsearch asks the site search for.
pub const CALLBACK: &str = "govsearch";

/// The URL before `/gkmlpt/` (scheme, host, path prefix), for a page under it.
fn base_of(page: &Url) -> Option<Url> {
    let i = page.path().find("/gkmlpt/")?;
    let mut u = page.clone();
    let prefix = page.path()[..i].to_owned();
    u.set_path(if prefix.is_empty() { "/" } else { &prefix });
    u.set_query(None);
    u.set_fragment(None);
    Some(u)
}

fn absolute(s: &str, base: &Url) -> Option<Url> {
    let s = s.trim();
    if s.starts_with("//") {
        return Url::parse(&format!("https:{s}")).ok();
    }
    base.join(s).ok()
}

/// The first JSON value at the start of `s` (what follows it is ignored).
fn first_json(s: &str) -> Option<Value> {
    serde_json::Deserializer::from_str(s).into_iter::<Value>().next()?.ok()
}

/// The tree as a list, parents first, each id once, at most
/// [`limits::MAX_NODES`] nodes.
fn flatten(tree: &Value) -> Vec<Node> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(&Value, Vec<String>)> = match tree.as_array() {
        Some(a) => a.iter().rev().map(|n| (n, Vec::new())).collect(),
        None => return out,
    };
    while let Some((n, parents)) = stack.pop() {
        if out.len() >= limits::MAX_NODES {
            break;
        }
        let Some(id) = n.get("id").and_then(as_u64) else { continue };
        if !seen.insert(id) {
            continue; // a node listed twice (or a tree that repeats itself)
        }
        let name = bounded(n.get("name").and_then(Value::as_str).unwrap_or(""), limits::MAX_FIELD_BYTES);
        let link =
            n.get("jump_url").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let children = n.get("children").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        let mut path = parents;
        path.push(name.clone());
        for c in children.iter().rev() {
            stack.push((c, path.clone()));
        }
        out.push(Node { id, name, path, link, has_children: !children.is_empty() });
    }
    out
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => bounded(&TAG.replace_all(s, ""), limits::MAX_FIELD_BYTES),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A date the platform gives as Unix seconds (midnight China time for 成文日期)
/// or as text (`2026-02-28`, `2026-02-28 16:29:49`).
fn date(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return unix_date(n);
            }
            dates::parse_date(s).unwrap_or_default()
        }
        Some(v) => as_i64(v).map(unix_date).unwrap_or_default(),
        None => String::new(),
    }
}

/// Unix seconds (or milliseconds) as the date in China (UTC+8); "" for 0 and
/// for values outside 1990–2100.
pub(crate) fn unix_date(n: i64) -> String {
    let secs = if n > 100_000_000_000 { n / 1000 } else { n };
    if !(631_152_000..=4_102_444_800).contains(&secs) {
        return String::new();
    }
    dates::civil_date((secs + 8 * 3600).div_euclid(86_400))
}

fn flag(v: Option<&Value>) -> bool {
    v.is_some_and(|v| match v {
        Value::Bool(b) => *b,
        Value::String(s) => !matches!(s.trim(), "" | "0" | "false"),
        v => as_i64(v).is_some_and(|n| n != 0),
    })
}

/// The post id in a gkmlpt URL (`…/post_7107734.html`, `mpost_…`).
pub fn post_id_of(url: &str) -> Option<String> {
    Some(POST_ID.captures(url)?.get(1)?.as_str().to_owned())
}

/// One article (list API) or result (site search) as a listed item.
fn article(a: &Value, base: &Url) -> Option<ListedItem> {
    let mut urls: Vec<String> = ["url", "post_url", "gkml_url"]
        .iter()
        .filter_map(|k| a.get(*k)?.as_str())
        .filter_map(|s| base.join(s.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
        .collect();
    urls.dedup();
    if urls.is_empty() {
        return None;
    }
    // The gkmlpt view first: it is the page with the metadata table.
    if let Some(i) = urls.iter().position(|u| u.contains("/gkmlpt/")) {
        urls.swap(0, i);
    }
    let url = urls.remove(0);
    let post_id = a.get("id").and_then(as_u64).map(|n| n.to_string()).or_else(|| post_id_of(&url)).unwrap_or_default();
    let published = ["display_publish_time", "publish_time", "first_publish_time", "pub_time", "created_at"]
        .iter()
        .map(|k| date(a.get(*k)))
        .find(|d| !d.is_empty())
        .unwrap_or_default();
    let validity = if flag(a.get("is_abolished")) {
        "废止"
    } else if flag(a.get("is_expired")) {
        "失效"
    } else {
        ""
    };
    Some(ListedItem {
        url,
        other_urls: urls,
        post_id,
        title: text(a.get("title")),
        index_number: text(a.get("identifier")),
        doc_number: text(a.get("document_number")),
        publisher: text(a.get("publisher")),
        issued_date: date(a.get("date")),
        published_date: published,
        validity: validity.to_owned(),
        node: text(a.get("classify_main_name")),
    })
}

fn items(list: &[Value], base: &Url, node: &str) -> Vec<ListedItem> {
    list.iter()
        .take(limits::MAX_ITEMS_PER_PAGE)
        .filter_map(|a| article(a, base))
        .map(|mut it| {
            if it.node.is_empty() {
                it.node = node.to_owned();
            }
            it
        })
        .collect()
}

/// One answer of `/gkmlpt/api/all/{id}`. Relative URLs are resolved against
/// `base`. The claimed total is `classify.post_count` (or a top-level `total`).
pub fn parse_list(body: &str, base: &Url) -> Result<ListPage, ListProblem> {
    let v = parse_json(body)?;
    let articles = v
        .get("articles")
        .and_then(Value::as_array)
        .ok_or(ListProblem::Missing { format: "gkmlpt list", field: "articles" })?;
    let classify = v.get("classify");
    let node = text(classify.and_then(|c| c.get("name")));
    let claimed_total =
        classify.and_then(|c| c.get("post_count")).and_then(as_u64).or_else(|| v.get("total").and_then(as_u64));
    Ok(ListPage { items: items(articles, base, &node), claimed_total })
}

/// One answer of the site search (JSONP: `govsearch({"results": […], "count": N})`).
pub fn parse_search(body: &str, base: &Url) -> Result<ListPage, ListProblem> {
    let t = body.trim().trim_start_matches('\u{feff}');
    let inner = match (t.find('('), t.rfind(')')) {
        (Some(a), Some(b))
            if a < b && t[..a].trim().chars().all(|c| c.is_ascii_alphanumeric() || "_$.".contains(c)) =>
        {
            &t[a + 1..b]
        }
        _ => t, // plain JSON (a server that ignores the callback)
    };
    let v = parse_json(inner)?;
    let Some(results) = v.get("results").and_then(Value::as_array) else {
        return Err(ListProblem::Missing { format: "gkmlpt search", field: "results" });
    };
    Ok(ListPage { items: items(results, base, ""), claimed_total: v.get("count").and_then(as_u64) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    const PAGE: &str = r#"<html><head><script>
    window._CONFIG = {
        isMobile: false,
        APP_URL: 'http://www.example.gov.cn',
        SID: '757016',
        TREE: [{"id":611,"name":"\u653f\u5e9c\u4fe1\u606f\u516c\u5f00\u6307\u5357","parent":0,"jump_url":null,"children":[]},{"id":612,"name":"\u4f9d\u7533\u8bf7","parent":0,"jump_url":"http:\/\/ysq.example.gov.cn\/","children":[]},{"id":604,"name":"\u653f\u7b56","parent":0,"jump_url":"","children":[{"id":617,"name":"\u89c4\u8303\u6027\u6587\u4ef6","parent":604,"jump_url":null,"children":[]}]}],
        SERVICE_AREA_ID: '',
        SEARCH_JSONP_URL: '//search.gd.gov.cn/jsonp',
        MY_FAV_URL: '' || '//service.gd.gov.cn/collection'
    };
    </script></head></html>"#;

    #[test]
    fn reads_the_site_and_its_catalogue_from_the_config_script() {
        let site = Site::from_page(PAGE, &url("https://www.example.gov.cn/gkmlpt/index")).expect("gkmlpt");
        assert_eq!(site.sid, "757016");
        assert_eq!(site.base.as_str(), "https://www.example.gov.cn/");
        assert_eq!(site.app_url.as_ref().map(Url::as_str), Some("http://www.example.gov.cn/"));
        let names: Vec<_> = site.nodes.iter().map(|n| (n.id, n.path.join(" > "))).collect();
        assert_eq!(
            names,
            [
                (611, "政府信息公开指南".into()),
                (612, "依申请".into()),
                (604, "政策".into()),
                (617, "政策 > 规范性文件".into())
            ]
        );
        let lists: Vec<u64> = site.lists().map(|n| n.id).collect();
        assert_eq!(lists, [611, 617], "a jump_url node is a link, a parent has no list of its own");
        assert_eq!(site.list_url(617, 0).as_str(), "https://www.example.gov.cn/gkmlpt/api/all/617?page=1&sid=757016");
        assert_eq!(
            site.content_url(7_107_734).as_str(),
            "https://www.example.gov.cn/gkmlpt/content/7/7107/post_7107734.html"
        );
        let s = site.search_url(2, 50).expect("search").to_string();
        assert!(
            s.starts_with("https://search.gd.gov.cn/jsonp/site/757016?callback=govsearch&page=2&pagesize=50"),
            "{s}"
        );
    }

    #[test]
    fn a_path_prefix_is_kept_and_app_url_is_the_fallback_base() {
        let site =
            Site::from_page(PAGE, &url("http://www.zhaoqing.gov.cn/zqhjj/gkmlpt/content/3/3255/post_3255421.html"))
                .expect("gkmlpt");
        assert_eq!(
            site.list_url(721, 3).as_str(),
            "http://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/721?page=3&sid=757016"
        );
        // A main-site page carrying the config: the API is at APP_URL.
        let site = Site::from_page(PAGE, &url("http://www.example.gov.cn/xxgk/content/post_1.html")).expect("gkmlpt");
        assert_eq!(site.list_url(1, 1).as_str(), "http://www.example.gov.cn/gkmlpt/api/all/1?page=1&sid=757016");
    }

    #[test]
    fn other_pages_are_not_gkmlpt() {
        assert!(Site::from_page("<html><script>var SID = '1';</script></html>", &url("http://a.gov.cn/")).is_none());
        let no_sid = "<script>window._CONFIG = { APP_URL: 'http://a.gov.cn' };</script>";
        assert!(Site::from_page(no_sid, &url("http://a.gov.cn/")).is_none());
    }

    #[test]
    fn a_repeating_or_broken_tree_is_bounded() {
        let page = PAGE.replace(r#"{"id":611,"#, r#"{"id":617,"#);
        let site = Site::from_page(&page, &url("http://a.gov.cn/gkmlpt/index")).expect("gkmlpt");
        assert_eq!(site.nodes.iter().filter(|n| n.id == 617).count(), 1);
        let broken = PAGE.replace("TREE: [", "TREE: [{\"id\":");
        let site = Site::from_page(&broken, &url("http://a.gov.cn/gkmlpt/index")).expect("still gkmlpt");
        assert!(site.nodes.is_empty());
    }

    #[test]
    fn list_answers_give_the_catalogue_metadata() {
        let body = r#"{"classify":{"id":617,"name":"\u89c4\u8303\u6027\u6587\u4ef6","parent":604,"post_count":203},
          "articles":[{"id":3255421,"title":"\u5173\u4e8e<em>\u4f4f\u623f<\/em>\u7684\u901a\u77e5","date":1772208000,
            "publisher":"\u4f5b\u5c71\u5e02\u4f4f\u623f\u516c\u79ef\u91d1\u7ba1\u7406\u4e2d\u5fc3","document_number":"\u4f5b\u623f\u91d1\u7ba1\u30142026\u30153\u53f7",
            "identifier":"124406007254589167\/2026-00220","created_at":"2026-02-28 16:29:49",
            "url":"\/gkmlpt\/content\/3\/3255\/post_3255421.html","post_url":"http:\/\/www.example.gov.cn\/xxgk\/content\/post_3255421.html",
            "is_abolished":0,"is_expired":"1"},
            {"title":"no url"}]}"#;
        let page = parse_list(body, &url("http://www.example.gov.cn/")).expect("list");
        assert_eq!(page.claimed_total, Some(203));
        assert_eq!(page.items.len(), 1, "an article without a URL is skipped");
        let it = &page.items[0];
        assert_eq!(it.url, "http://www.example.gov.cn/gkmlpt/content/3/3255/post_3255421.html");
        assert_eq!(it.other_urls, ["http://www.example.gov.cn/xxgk/content/post_3255421.html"]);
        assert_eq!(it.post_id, "3255421");
        assert_eq!(it.title, "关于住房的通知");
        assert_eq!(it.doc_number, "佛房金管〔2026〕3号");
        assert_eq!(it.index_number, "124406007254589167/2026-00220");
        assert_eq!(it.issued_date, "2026-02-28", "midnight China time is still the 28th");
        assert_eq!(it.published_date, "2026-02-28");
        assert_eq!(it.validity, "失效");
        assert_eq!(it.node, "规范性文件", "the list's node when the article names none");
    }

    #[test]
    fn unreadable_list_answers_say_why() {
        let base = url("http://a.gov.cn/");
        assert_eq!(
            parse_list("<!DOCTYPE html><html><title>系统繁忙</title></html>", &base),
            Err(ListProblem::Html { expected: "JSON" })
        );
        assert!(matches!(parse_list(r#"{"articles":[{"id":1,"#, &base), Err(ListProblem::Invalid { .. })));
        assert_eq!(
            parse_list(r#"{"classify":{}}"#, &base),
            Err(ListProblem::Missing { format: "gkmlpt list", field: "articles" })
        );
        let total = parse_list(r#"{"total":"12","articles":[]}"#, &base).expect("list");
        assert_eq!(total.claimed_total, Some(12));
    }

    #[test]
    fn search_answers_are_jsonp() {
        let body = r#"govsearch({"results":[{"id":"591267","title":"<em>东莞</em>通知","url":"https:\/\/www.dg.gov.cn\/gkmlpt\/content\/0\/591\/post_591267.html",
            "pub_time":"2013-05-02","identifier":"007330010\/2013-00123","classify_main_name":"其他文件","is_abolished":"1"}],"count":4821});"#;
        let page = parse_search(body, &url("https://www.dg.gov.cn/")).expect("search");
        assert_eq!(page.claimed_total, Some(4821));
        let it = &page.items[0];
        assert_eq!(
            (it.post_id.as_str(), it.title.as_str(), it.published_date.as_str()),
            ("591267", "东莞通知", "2013-05-02")
        );
        assert_eq!((it.validity.as_str(), it.node.as_str()), ("废止", "其他文件"));
        assert_eq!(
            parse_search(r#"{"errcode":-1}"#, &url("https://a.gov.cn/")),
            Err(ListProblem::Missing { format: "gkmlpt search", field: "results" })
        );
    }

    #[test]
    fn dates_from_unix_seconds_are_china_dates() {
        assert_eq!(unix_date(1_772_208_000), "2026-02-28");
        assert_eq!(unix_date(1_772_208_000_000), "2026-02-28");
        assert_eq!(unix_date(0), "");
        assert_eq!(post_id_of("http://a.gov.cn/gkmlpt/content/9/9073/mpost_9073424.html").as_deref(), Some("9073424"));
    }

    /// The three saved real gkmlpt pages (Foshan, Dongguan, Guangzhou): the
    /// site id, the API base and the whole catalogue are read from each (node
    /// counts checked by hand against the decoded `TREE`).
    #[test]
    fn real_pages_give_their_site_and_catalogue() {
        let cases = [
            (
                include_str!("../../tests/fixtures/platforms/gkmlpt-1.html"),
                "https://fsgjj.foshan.gov.cn/gkmlpt/content/7/7107/post_7107734.html",
                "757016",
                18,
                13,
            ),
            (
                include_str!("../../tests/fixtures/platforms/gkmlpt-2.html"),
                "https://www.dg.gov.cn/gkmlpt/content/0/591/post_591267.html",
                "769001",
                30,
                18,
            ),
            (
                include_str!("../../tests/fixtures/platforms/gkmlpt-3.html"),
                "https://gjj.gz.gov.cn/gkmlpt/content/10/10464/post_10464777.html",
                "200053",
                26,
                18,
            ),
        ];
        for (html, page, sid, nodes, lists) in cases {
            let page = url(page);
            let site = Site::from_page(html, &page).unwrap_or_else(|| panic!("{page} is gkmlpt"));
            assert_eq!(site.sid, sid, "{page}");
            assert_eq!((site.nodes.len(), site.lists().count()), (nodes, lists), "{page}");
            assert_eq!(site.nodes[0].name, "政府信息公开指南", "{page}");
            assert_eq!(site.base.host_str(), page.host_str());
            assert_eq!(site.search_jsonp.as_ref().map(Url::as_str), Some("https://search.gd.gov.cn/jsonp"));
            assert!(matches!(super::super::detect(html, &page), Some(super::super::Platform::Gkmlpt(_))));
        }
        let foshan = Site::from_page(cases[0].0, &url(cases[0].1)).expect("gkmlpt");
        let other = foshan.nodes.iter().find(|n| n.id == 618).expect("node 618");
        assert_eq!(other.path, ["政策", "其他文件"]);
        assert!(foshan.nodes.iter().any(|n| n.id == 612 && n.link.is_some() && !n.is_list()));
    }

    #[test]
    fn other_platforms_real_pages_are_not_gkmlpt() {
        for html in [
            include_str!("../../tests/fixtures/platforms/hanweb-1.html"),
            include_str!("../../tests/fixtures/platforms/hanweb-2.html"),
            include_str!("../../tests/fixtures/platforms/anhui-sitelabel-1.html"),
        ] {
            assert!(Site::from_page(html, &url("http://a.gov.cn/art/2024/3/14/art_1_2.html")).is_none());
        }
    }
}
