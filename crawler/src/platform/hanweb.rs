//! Hanweb's classic column pages (`/col/col{N}/index.html`, Jiangsu, many
//! ministries, Shandong, Jiangxi, Gansu, older Zhejiang).
//!
//! The first group of records is in the column page itself:
//! `<div id="{unitid}"><script type="text/xml"><datastore><nextgroup>…
//! <recordset><record><![CDATA[<li>…</li>]]></record>…`. More come from a
//! `dataproxy.jsp` whose path varies by deployment (read from the page:
//! `proxyUrl`, the `<nextgroup>` link; else the three known paths in order,
//! a wrong one answers 404). Two request modes exist and deployments honour
//! one or the other, so both are built: GET `?page={n}&{params}` (the
//! `<nextgroup>` link) and POST `?startrecord={s}&endrecord={e}&perpage={p}`
//! with the parameters as a form (the jpage client). Answers are the same
//! `<datastore>` with `<totalrecord>`; some groups repeat the previous
//! group's last record, which [`super::ListWalk`] counts once.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::{ListPage, ListProblem, bounded, fragment, limits, looks_like_html};

/// The proxy paths seen in the field, newest first.
pub const PROXY_PATHS: [&str; 3] =
    ["/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp", "/module/jslib/jquery/jpage/dataproxy.jsp"];

/// Records per POST group when the page does not say (3 pages of 15).
pub const DEFAULT_GROUP: u32 = 45;
/// Records per UI page when the page does not say.
pub const DEFAULT_PER_PAGE: u32 = 15;

/// The known proxy path to try after `path` (the path of a proxy that
/// failed), or `None` after the last. A path the page named that is not a
/// known one is followed by the first known one.
pub fn next_proxy_path(path: &str) -> Option<&'static str> {
    match PROXY_PATHS.iter().position(|p| *p == path) {
        Some(i) => PROXY_PATHS.get(i + 1).copied(),
        None => PROXY_PATHS.first().copied(),
    }
}

/// One list block (`unitid`) of a column page.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column page the block is on.
    pub page: Url,
    pub unit_id: String,
    /// The request parameters the page gives (`col, appid, webid, path,
    /// columnid, sourceContentType, unitid, webname, permissiontype`), in
    /// the page's order and spelling.
    pub params: Vec<(String, String)>,
    /// The proxy the page names (`proxyUrl`, or the `<nextgroup>` link's
    /// path); `None` when it names none.
    pub proxy: Option<Url>,
    /// `totalRecord` of the page (or `<totalrecord>` of the block).
    pub total: Option<u64>,
    /// Records per UI page (`perPage`).
    pub per_page: Option<u32>,
    /// The records already in the page.
    pub embedded: ListPage,
}

/// An HTTP request for a list: GET, or POST with a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub url: Url,
    /// `Some` for a POST with this `application/x-www-form-urlencoded` body.
    pub form: Option<Vec<(String, String)>>,
}

static DATASTORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<datastore>(.*?)(?:</datastore>|$)").expect("static regex"));
static UNIT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<div[^>]*\bid\s*=\s*["']?([0-9A-Za-z_]{1,40})["']?[^>]*>\s*<script[^>]*text/xml"#)
        .expect("static regex")
});
static NEXTGROUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<nextgroup>\s*<!\[CDATA\[.*?href\s*=\s*(?:"([^"]{1,2000})"|'([^']{1,2000})')"#)
        .expect("static regex")
});
static RECORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>").expect("static regex"));
static TOTALRECORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<totalrecord>\s*(\d{1,12})\s*</totalrecord>").expect("static regex"));
static TOTAL_JS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"totalRecord["']?\s*[:=]\s*["']?(\d{1,12})"#).expect("static regex"));
static PER_PAGE_JS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"perPage["']?\s*[:=]\s*["']?(\d{1,6})"#).expect("static regex"));
static PROXY_JS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"proxyUrl\s*:\s*["']([^"']{1,300}dataproxy\.jsp)["']"#).expect("static regex"));
static PARAM_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)(?:var\s+param_[0-9A-Za-z_]+\s*=|ajaxParam\s*:)\s*\{([^{}]{1,2000})\}").expect("static regex")
});
static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?([A-Za-z_][A-Za-z0-9_]{0,40})["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|([^,\s}]+))"#)
        .expect("static regex")
});

/// The list blocks of a Hanweb column page (none for other pages).
pub fn columns(html: &str, page: &Url) -> Vec<Column> {
    let mut out = Vec::new();
    let page_total = TOTAL_JS.captures(html).and_then(|c| c[1].parse().ok());
    let per_page = PER_PAGE_JS.captures(html).and_then(|c| c[1].parse().ok());
    let js_proxy = PROXY_JS.captures(html).and_then(|c| page.join(&c[1]).ok());
    let js_params: Vec<(String, String)> = PARAM_JS.captures(html).map(|c| pairs(&c[1])).unwrap_or_default();
    for m in DATASTORE.captures_iter(html).take(20) {
        let whole = m.get(0).expect("match");
        let block = &m[1];
        let unit_before = UNIT_BEFORE
            .captures_iter(&html[whole.start().saturating_sub(400)..whole.start()])
            .last()
            .map(|c| c[1].to_owned());
        let next = NEXTGROUP
            .captures(block)
            .and_then(|c| c.get(1).or(c.get(2)))
            .and_then(|m| page.join(&unescape_amp(m.as_str())).ok());
        let mut params: Vec<(String, String)> = next
            .as_ref()
            .map(|u| {
                u.query_pairs().filter(|(k, _)| k != "page").map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
            })
            .unwrap_or_default();
        if params.is_empty() {
            params = js_params.clone();
        }
        dedup_keys(&mut params);
        let unit_id =
            params.iter().find(|(k, _)| k == "unitid").map(|(_, v)| v.clone()).or(unit_before).unwrap_or_default();
        if unit_id.is_empty() && params.is_empty() {
            continue; // a datastore with nothing to page with: the embedded records only
        }
        let proxy = js_proxy.clone().or_else(|| {
            next.as_ref().map(|u| {
                let mut p = u.clone();
                p.set_query(None);
                p
            })
        });
        let embedded = parse_answer(whole.as_str(), page).unwrap_or_default();
        let total = TOTALRECORD.captures(block).and_then(|c| c[1].parse().ok()).or(page_total);
        out.push(Column { page: page.clone(), unit_id, params, proxy, total, per_page, embedded });
    }
    out
}

fn unescape_amp(s: &str) -> String {
    s.replace("&amp;", "&")
}

/// `key:value` pairs of a JS object literal body (`col:1, webid:'3', path:'/'`).
fn pairs(body: &str) -> Vec<(String, String)> {
    PAIR.captures_iter(body)
        .take(40)
        .map(|c| {
            let v = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
            (c[1].to_owned(), bounded(v, limits::MAX_FIELD_BYTES))
        })
        .collect()
}

fn dedup_keys(params: &mut Vec<(String, String)>) {
    let mut seen = std::collections::HashSet::new();
    params.retain(|(k, _)| seen.insert(k.clone()));
}

impl Column {
    /// The proxies to try, the page's own first.
    pub fn proxies(&self) -> Vec<Url> {
        let mut out: Vec<Url> = self.proxy.iter().cloned().collect();
        for p in PROXY_PATHS {
            if let Ok(u) = self.page.join(p)
                && !out.contains(&u)
            {
                out.push(u);
            }
        }
        out
    }

    /// GET mode: page `page` (from 1) through `proxy`.
    pub fn page_request(&self, proxy: &Url, page: u32) -> ListRequest {
        let mut u = proxy.clone();
        {
            let mut q = u.query_pairs_mut();
            q.clear().append_pair("page", &page.max(1).to_string());
            for (k, v) in &self.params {
                q.append_pair(k, v);
            }
        }
        ListRequest { url: u, form: None }
    }

    /// POST mode: group `group` (from 0) of `size` records through `proxy`.
    pub fn range_request(&self, proxy: &Url, group: u32, size: u32) -> ListRequest {
        let size = size.max(1);
        let start = u64::from(group) * u64::from(size) + 1;
        let end = start + u64::from(size) - 1;
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE).min(size);
        let mut u = proxy.clone();
        u.query_pairs_mut()
            .clear()
            .append_pair("startrecord", &start.to_string())
            .append_pair("endrecord", &end.to_string())
            .append_pair("perpage", &per_page.to_string());
        ListRequest { url: u, form: Some(self.params.clone()) }
    }
}

/// One `dataproxy.jsp` answer (or an embedded block): its records' items and
/// `<totalrecord>`.
pub fn parse_answer(body: &str, base: &Url) -> Result<ListPage, ListProblem> {
    if !body.contains("<datastore>") {
        if looks_like_html(body) {
            return Err(ListProblem::Html { expected: "XML" });
        }
        return Err(ListProblem::Missing { format: "datastore", field: "<datastore>" });
    }
    let records: Vec<&str> = RECORD
        .captures_iter(body)
        .take(limits::MAX_ITEMS_PER_PAGE)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str())
        .collect();
    if records.is_empty() && !body.contains("<recordset") && !body.contains("</datastore>") {
        return Err(ListProblem::Invalid { format: "XML", message: "datastore ends before its recordset".into() });
    }
    let items = records.iter().flat_map(|r| fragment::items(r, base, "/art/")).collect();
    let claimed_total = TOTALRECORD.captures(body).and_then(|c| c[1].parse().ok());
    Ok(ListPage { items, claimed_total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMN: &str = r#"<html><body><div id="80325"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/jslib/jquery/jpage/dataproxy.jsp?page=1&appid=1&appid=1&webid=60&path='/'&columnid=31685&unitid=80325&webname='南通市政府采购网'&permissiontype=0"></a>]]></nextgroup>
<recordset>
<table cellpadding='0' cellspacing='0' border='0' width='95%' align=center style="vertical-align:middle"></table><record><![CDATA[
<tr><td width=15 valign="middle"><IMG src="http://daj.nantong.gov.cn/picture/0/090604143856634.gif" align=absMiddle></td><td><a href='/art/2017/4/24/art_31685_2451995.html' title='南通市公安局交警支队空调设备询价2017XJ3018' target='_blank'>南通市公安局交警支队空调设备询价2017XJ301...</a></td><td width='100' align='right'>[2017-04-24]</td></tr>]]></record>
<record><![CDATA[
<tr><td><a href='/art/2017/4/20/art_31685_2451309.html' title='2017XJ3017' target='_blank' style='font-size:10.5pt'>2017XJ3017</a></td><td>[2017-04-20]</td></tr>]]></record>
</recordset></datastore></script></div>
<script>$('#80325').jpage({ totalRecord:1928, perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp' });</script>
</body></html>"#;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    /// The embedded block is the 2017 南通 bytes quoted in the protocol notes.
    #[test]
    fn a_column_page_gives_its_block_records_and_parameters() {
        let page = url("http://zfcg.nantong.gov.cn/col/col31685/index.html");
        let cols = columns(COLUMN, &page);
        assert_eq!(cols.len(), 1);
        let c = &cols[0];
        assert_eq!(c.unit_id, "80325");
        assert_eq!(c.total, Some(1928));
        assert_eq!(c.per_page, Some(15));
        let keys: Vec<&str> = c.params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype"]);
        let items = &c.embedded.items;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].url, "http://zfcg.nantong.gov.cn/art/2017/4/24/art_31685_2451995.html");
        assert_eq!(
            items[0].title, "南通市公安局交警支队空调设备询价2017XJ3018",
            "the title attribute, not the cut text"
        );
        assert_eq!(items[0].published_date, "2017-04-24");
        // proxyUrl of the page first, then the known paths (the nextgroup's among them).
        let proxies: Vec<String> = c.proxies().iter().map(|u| u.path().to_owned()).collect();
        assert_eq!(proxies, PROXY_PATHS);
    }

    #[test]
    fn both_request_modes_are_built_from_the_page() {
        let page = url("http://zfcg.nantong.gov.cn/col/col31685/index.html");
        let c = &columns(COLUMN, &page)[0];
        let proxy = &c.proxies()[0];
        let get = c.page_request(proxy, 3);
        assert!(get.form.is_none());
        assert!(
            get.url
                .as_str()
                .starts_with("http://zfcg.nantong.gov.cn/module/web/jpage/dataproxy.jsp?page=3&appid=1&webid=60")
        );
        let post = c.range_request(proxy, 1, DEFAULT_GROUP);
        assert_eq!(post.url.query(), Some("startrecord=46&endrecord=90&perpage=15"));
        assert_eq!(post.form.as_ref().map(Vec::len), Some(7));
    }

    #[test]
    fn parameters_from_the_param_object_when_there_is_no_nextgroup() {
        let html = r#"<div id="u1"><script type="text/xml"><datastore><recordset></recordset></datastore></script></div>
            <script>var param_u1 = {col:1, appid:1, webid:'27', path:'/', columnid:'147', sourceContentType:1, unitid:'u1', webname:'国家医疗保障局', permissiontype:0};</script>"#;
        let c = &columns(html, &url("http://www.nhsa.gov.cn/col/col147/index.html"))[0];
        assert_eq!(c.unit_id, "u1");
        assert!(c.params.contains(&("webname".into(), "国家医疗保障局".into())));
        assert!(c.params.contains(&("col".into(), "1".into())));
    }

    #[test]
    fn proxy_answers_and_their_failures() {
        let base = url("http://jshrss.jiangsu.gov.cn/");
        let body = r#"<datastore><totalrecord>1928</totalrecord><totalpage>20</totalpage>
<recordset><record><![CDATA[<li class="cf"><a target="_blank" href="/art/2026/9/16/art_77278_11830771.html" title="省人力资源社会保障厅关于印发的通知">省人力…</a><span>2026-09-16</span></li>]]></record></recordset></datastore>"#;
        let page = parse_answer(body, &base).expect("answer");
        assert_eq!(page.claimed_total, Some(1928));
        assert_eq!(page.items[0].published_date, "2026-09-16");
        assert_eq!(parse_answer("<html><body>404</body></html>", &base), Err(ListProblem::Html { expected: "XML" }));
        assert!(matches!(
            parse_answer("<datastore><totalrecord>3</totalrecord>", &base),
            Err(ListProblem::Invalid { .. })
        ));
        assert_eq!(parse_answer("<datastore><recordset></recordset></datastore>", &base).map(|p| p.items.len()), Ok(0));
    }

    #[test]
    fn pages_without_a_datastore_have_no_columns() {
        for html in [
            include_str!("../../tests/fixtures/platforms/hanweb-1.html"),
            include_str!("../../tests/fixtures/platforms/gkmlpt-1.html"),
        ] {
            assert!(columns(html, &url("http://a.gov.cn/")).is_empty());
        }
    }
}
