//! The Anhui 政务公开 platform (front end `Ls.*`; also outside Anhui): one
//! endpoint, `{prefix}/site/label/8888`, renders server templates named by
//! `labelName`. A column's list is the label `publicInfoList`, paged by
//! `pageIndex`, answered as an HTML fragment of `<a href="/public/{organId}/{id}.html"
//! title="…">` links. Sources disagree on the request mode — GET on some
//! sites, a POSTed form on others — so both are built: GET first, POST when
//! the first page fails or is empty. The `file` template differs by site;
//! when the page itself calls the label, its own parameters are taken as
//! they are, otherwise the list call the sources show is built from the ids
//! the page carries (`organId`, `siteId`, `catId`, in its URL or scripts).
//! No source shows where a fragment states its total: `共 N 条` is read when
//! present, and the walk otherwise ends on an empty page or a page with
//! nothing new.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::{ListPage, ListProblem, bounded, fragment, limits};

/// The label endpoint's path, after the site's prefix.
pub const LABEL_PATH: &str = "/site/label/8888";
/// The label that renders a column's list.
pub const LIST_LABEL: &str = "publicInfoList";
/// Items per page the front ends ask for.
pub const PAGE_SIZE: u32 = 15;
/// The query key that marks a frontier URL to be POSTed as a form (the
/// frontier holds one URL per way of asking; the key itself is never sent).
pub const POST_KEY: &str = "govsearch-post";
/// Detail pages are under this path.
const ITEM_PATH: &str = "/public/";

/// One column's list, as its page tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The label endpoint, absolute.
    pub endpoint: Url,
    /// The list call's parameters, `pageIndex` included.
    pub params: Vec<(String, String)>,
    /// The column's name: the last step of the page's breadcrumb ("" if none).
    pub name: String,
}

static LIST_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"labelName\s*:\s*['"]publicInfoList['"]"#).expect("static regex"));
static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[{,\s])['"]?([A-Za-z_][A-Za-z0-9_]{0,30})['"]?\s*:\s*(?:'([^']{0,300})'|"([^"]{0,300})"|(-?[0-9]{1,20}|true|false)\b)"#)
        .expect("static regex")
});
static ENDPOINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"['"]((?:https?:)?[^'"\s]{0,200}/site/label/8888)['"]"#).expect("static regex"));
static ID_IN_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b_?(organId|siteId|catId)['"]?\s*[:=]\s*['"]?(\d{1,20})\b"#).expect("static regex")
});
static COLUMN_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^/public/column/(\d{1,20})$").expect("static regex"));
static CRUMB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<div[^>]{0,200}(?:crumbs|position)[^>]{0,200}>(.{0,4000}?)</div>"#).expect("static regex")
});
static ANCHOR_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<a\b[^>]{0,1000}>([^<]{1,100})</a>").expect("static regex"));
static TOTAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"共\s*(\d{1,9})\s*条").expect("static regex"));

/// The list parameters the sources show (PROTOCOLS.md §4), before the ids.
const DEFAULTS: [(&str, &str); 15] = [
    ("labelName", LIST_LABEL),
    ("pageSize", "15"),
    ("pageIndex", "1"),
    ("action", "list"),
    ("fuzzySearch", "false"),
    ("fromCode", "title"),
    ("keyWords", ""),
    ("sortType", "1"),
    ("isDate", "true"),
    ("dateFormat", "yyyy-MM-dd"),
    ("length", "80"),
    ("type", "4"),
    ("catIds", ""),
    ("result", "暂无相关信息"),
    ("file", "/xxgk/publicInfoList_newest2020"),
];

/// The `{…}` object around byte `at` of `s` (bounded; braces inside strings are rare here).
fn object_around(s: &str, at: usize) -> &str {
    let start = s[..at].rfind('{').filter(|&i| at - i < 2000).unwrap_or(at);
    let mut depth = 0usize;
    for (i, c) in s[start..].char_indices().take(4000) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &s[start..start + i + 1];
                }
            }
            _ => {}
        }
    }
    &s[start..]
}

/// The column list of a page of the platform, if the page is a column list.
pub fn column(html: &str, page: &Url) -> Option<Column> {
    if !html.contains(LABEL_PATH) {
        return None;
    }
    let ids_in_js =
        |key: &str| ID_IN_JS.captures_iter(html).find(|c| &c[1] == key).map(|c| c[2].to_owned()).unwrap_or_default();
    let query = |key: &str| page.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    let mut params: Vec<(String, String)> = Vec::new();
    let mut endpoint_from = 0;
    if let Some(m) = LIST_CALL.find(html) {
        // the page's own list call: its parameters as written, where literal
        for c in PAIR.captures_iter(object_around(html, m.start())) {
            let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |v| v.as_str());
            if !params.iter().any(|(k, _)| k == &c[1]) {
                params.push((c[1].to_owned(), bounded(value, limits::MAX_FIELD_BYTES)));
            }
        }
        endpoint_from = m.start();
    } else {
        // a column page the platform's URLs name: /public/column/{organId}?catId=…&action=list
        let organ = COLUMN_URL.captures(page.path())?;
        query("catId").filter(|c| !c.is_empty())?;
        params.extend(DEFAULTS.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        params.push(("organId".into(), organ[1].to_owned()));
    }
    for key in ["organId", "siteId", "catId"] {
        let known = params.iter().find(|(k, _)| k == key).is_some_and(|(_, v)| !v.is_empty());
        if known {
            continue;
        }
        let found = query(key).filter(|v| !v.is_empty()).unwrap_or_else(|| ids_in_js(key));
        params.retain(|(k, _)| k != key);
        params.push((key.to_owned(), found));
    }
    let has = |key: &str| params.iter().any(|(k, v)| k == key && !v.is_empty());
    if !has("organId") && !has("catId") {
        return None;
    }
    params.retain(|(k, _)| k != "pageIndex" && k != "url" && k != "dataType");
    params.push(("pageIndex".into(), "1".into()));
    if !params.iter().any(|(k, _)| k == "pageSize") {
        params.push(("pageSize".into(), PAGE_SIZE.to_string()));
    }
    // the endpoint written nearest the list call (or the first one)
    let written = ENDPOINT
        .captures_iter(html)
        .filter_map(|c| c.get(1))
        .min_by_key(|m| m.start().abs_diff(endpoint_from))
        .map(|m| m.as_str().to_owned())?;
    let endpoint = page.join(&written).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
    let name = CRUMB
        .captures(html)
        .and_then(|c| ANCHOR_TEXT.captures_iter(&c[1]).last().map(|a| a[1].trim().to_owned()))
        .map(|n| bounded(&n, limits::MAX_FIELD_BYTES))
        .unwrap_or_default();
    Some(Column { endpoint, params, name })
}

impl Column {
    /// The list's page `page` (from 1), asked by GET.
    pub fn page_url(&self, page: u32) -> Url {
        let mut u = self.endpoint.clone();
        u.set_query(None);
        u.query_pairs_mut().extend_pairs(self.params.iter().map(|(k, v)| {
            if k == "pageIndex" { (k.clone(), page.max(1).to_string()) } else { (k.clone(), v.clone()) }
        }));
        u
    }
}

/// One answer: the fragment's detail links. A whole HTML page (an error
/// page, a WAF challenge) is not a fragment.
pub fn parse_answer(body: &str, base: &Url) -> Result<ListPage, ListProblem> {
    let start = body.trim_start();
    let head: String = start.chars().take(200).collect::<String>().to_ascii_lowercase();
    if head.starts_with("<!doctype") || head.contains("<html") {
        return Err(ListProblem::Html { expected: "a list fragment" });
    }
    let items = fragment::items(body, base, ITEM_PATH);
    let claimed_total = TOTAL.captures(body).and_then(|c| c[1].parse().ok());
    Ok(ListPage { items, claimed_total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_real_detail_page_is_no_column_list() {
        let html = include_str!("../../tests/fixtures/platforms/anhui-sitelabel-1.html");
        assert_eq!(column(html, &url("https://www.chuzhou.gov.cn/public/content/1112245300")), None);
    }

    #[test]
    fn a_column_page_named_by_its_url_gets_the_sources_list_call() {
        let html = r#"<div class="ls-crumbs-box" id="ls-position"><a href="/index.html">首页</a> &gt; <a href="/public/column/152523227?type=4&catId=1&action=list">信息公开</a> &gt; <a href="/public/column/152523227?type=4&catId=170110516&action=list">规范性文件</a></div>
<script>var siteId = 2653861; Ls.ajax({data:{labelName:'publicNav',organId:152523227}, url:"/czxxgk/site/label/8888"});</script>"#;
        let page = url("https://www.chuzhou.gov.cn/public/column/152523227?type=4&catId=170110516&action=list");
        let c = column(html, &page).expect("column");
        assert_eq!(c.endpoint.as_str(), "https://www.chuzhou.gov.cn/czxxgk/site/label/8888");
        assert_eq!(c.name, "规范性文件");
        let u = c.page_url(3);
        let q: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("labelName"), Some("publicInfoList"));
        assert_eq!(
            (get("organId"), get("siteId"), get("catId"), get("pageIndex")),
            (Some("152523227"), Some("2653861"), Some("170110516"), Some("3"))
        );
        assert_eq!(get("file"), Some("/xxgk/publicInfoList_newest2020"));
    }

    #[test]
    fn a_page_that_calls_the_list_itself_is_asked_as_it_asks() {
        let html = r#"<script>Ls.ajax({ url: '/other/site/label/8888', data: { labelName: 'publicNav' } });</script>
<script>Ls.ajax({ dataType: 'html', url: '/xxgk/site/label/8888',
            data: { labelName: 'publicInfoList', siteId: 7071, pageSize: 20, pageIndex: pageIndex, organId: "7071", catId: 33, file: '/gk/list-2024' } });</script>"#;
        let c = column(html, &url("https://ybj.ah.gov.cn/public/column/7071?catId=33")).expect("column");
        assert_eq!(c.endpoint.as_str(), "https://ybj.ah.gov.cn/xxgk/site/label/8888");
        let u = c.page_url(2);
        assert_eq!(
            u.query(),
            Some(
                "labelName=publicInfoList&siteId=7071&pageSize=20&organId=7071&catId=33&file=%2Fgk%2Flist-2024&pageIndex=2"
            )
        );
    }

    #[test]
    fn fragments_give_their_links_and_whole_pages_are_problems() {
        let base = url("https://ybj.ah.gov.cn/site/label/8888?pageIndex=1");
        let body = r#"<ul><li><a href="/public/7071/101.html" title="关于印发某某办法的通知">关于印发…</a><span>2024-03-05</span></li>
            <li><a href="/public/7071/102.html" title="某某政策解读">某某…</a><span>2024-03-04</span></li></ul><div class="page">共 32 条</div>"#;
        let page = parse_answer(body, &base).expect("page");
        let urls: Vec<&str> = page.items.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(urls, ["https://ybj.ah.gov.cn/public/7071/101.html", "https://ybj.ah.gov.cn/public/7071/102.html"]);
        assert_eq!(page.items[0].title, "关于印发某某办法的通知");
        assert_eq!(page.claimed_total, Some(32));
        assert_eq!(parse_answer("暂无相关信息", &base).map(|p| p.items.len()), Ok(0));
        assert_eq!(
            parse_answer("<!DOCTYPE html><html><body>系统繁忙</body></html>", &base),
            Err(ListProblem::Html { expected: "a list fragment" })
        );
    }
}
