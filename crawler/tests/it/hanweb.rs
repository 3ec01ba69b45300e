//! Hanweb catalogues walked through their own endpoints, on a loopback
//! fixture that behaves as the deployments the protocol notes describe
//! disagree: one column honours GET by page at the proxy its page names; one
//! names no proxy, is not at the first known path (404), answers GET with an
//! empty body and serves only POSTed record ranges, each group repeating the
//! previous group's last record; one jpaas column refuses the majority
//! spelling `parseType=bulidstatic` and pages by `paramJson`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Response, StatusCode, Uri};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions};

use crate::common;

/// Column 1: GET by page at `/module/web/jpage/dataproxy.jsp`.
const GET_ITEMS: usize = 100;
/// Column 2: POST by range at `/module/jpage/dataproxy.jsp` only.
const POST_ITEMS: usize = 70;
/// Column 3: jpaas.
const JPAAS_ITEMS: usize = 120;
/// Records a column page embeds.
const EMBEDDED: usize = 15;
/// Records per GET page (a group of 3 UI pages of 15).
const GROUP: usize = 45;

#[derive(Default)]
struct Log {
    /// (method, path and query, form body)
    requests: Vec<(String, String, String)>,
}

fn item_path(col: usize, i: usize) -> String {
    format!("/art/2024/{col}/{}/art_{col}_{i}.html", i % 28 + 1)
}

fn record(col: usize, i: usize) -> String {
    format!(
        "<record><![CDATA[<li><a href='{}' title='测试市第{col}栏目第{i}号文件的通知' target='_blank'>测试市第{col}栏目…</a><span>2024-{:02}-{:02}</span></li>]]></record>",
        item_path(col, i),
        i % 12 + 1,
        i % 28 + 1
    )
}

fn datastore(col: usize, range: std::ops::Range<usize>, total: usize) -> String {
    let records: String = range.map(|i| record(col, i)).collect();
    format!("<datastore><totalrecord>{total}</totalrecord><recordset>{records}</recordset></datastore>")
}

fn column_page(col: usize) -> String {
    match col {
        1 => format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ColumnName" content="规范性文件"><title>规范性文件</title></head><body>
<div id="u1"><script type="text/xml">{store}</script></div>
<script>$('#u1').jpage({{ totalRecord:{GET_ITEMS}, perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{{col:1, appid:1, webid:'1', path:'/', columnid:'1', unitid:'u1', webname:'测试市', permissiontype:0}} }});</script>
</body></html>"#,
            store = datastore(1, 0..EMBEDDED, GET_ITEMS).replace(
                "<recordset>",
                "<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=1&unitid=u1&webname=测试市&permissiontype=0\"></a>]]></nextgroup><recordset>"
            ),
        ),
        2 => format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ColumnName" content="政策解读"><title>政策解读</title></head><body>
<div id="u2"><script type="text/xml">{store}</script></div>
<script>var param_u2 = {{col:1, appid:1, webid:'1', path:'/', columnid:'2', sourceContentType:1, unitid:'u2', webname:'测试市', permissiontype:0}};</script>
</body></html>"#,
            store = datastore(2, 0..EMBEDDED, POST_ITEMS),
        ),
        _ => r#"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ColumnName" content="通知公告"><title>通知公告</title></head><body>
<div class="list"></div><div id="pagination" count="120" rows="15" pageNo="1" unitUrl="/api-gateway/jpaas-publish-server/front/page/build/unit" queryData="{'webId':'3185','pageId':'3','tagId':'信息列表','tplSetId':'tpl1'}"></div>
</body></html>"#
            .to_owned(),
    }
}

fn detail_page(col: usize, i: usize) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试市第{col}栏目第{i}号文件的通知</title></head><body>
<table><tr><td>索引号：</td><td>11320000-{col}-{i:04}</td><td>发布机构：</td><td>测试市人民政府</td></tr>
<tr><td>文号：</td><td>测政发〔2024〕{i}号</td><td>发布日期：</td><td>2024-{:02}-{:02}</td></tr></table>
<div class="TRS_Editor"><p>测试市第{col}栏目第{i}号文件的通知，现予印发，请认真贯彻执行。本文件自印发之日起施行。</p></div>
</body></html>"#,
        i % 12 + 1,
        i % 28 + 1
    )
}

use common::answer;

fn handle(log: &Mutex<Log>, method: &Method, uri: &Uri, body: &[u8]) -> Response<Body> {
    let path = uri.path();
    let pq = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let form_text = String::from_utf8_lossy(body).into_owned();
    log.lock().unwrap().requests.push((method.to_string(), pq, form_text.clone()));
    let q: HashMap<String, String> = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let form: HashMap<String, String> =
        url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let num = |m: &HashMap<String, String>, k: &str| m.get(k).and_then(|v| v.parse::<usize>().ok());
    let xml = "text/xml; charset=utf-8";
    let not_found = || answer(StatusCode::NOT_FOUND, "text/html", "<h1>404</h1>".into());
    match path {
        "/robots.txt" => answer(StatusCode::OK, "text/plain", "User-agent: *\nAllow: /\n".into()),
        "/col/col1/index.html" => answer(StatusCode::OK, "text/html; charset=utf-8", column_page(1)),
        "/col/col2/index.html" => answer(StatusCode::OK, "text/html; charset=utf-8", column_page(2)),
        "/col/col3/index.html" => answer(StatusCode::OK, "text/html; charset=utf-8", column_page(3)),
        "/module/web/jpage/dataproxy.jsp" => {
            // column 1 lives here, GET only; column 2 is not here
            if q.get("columnid").map(String::as_str) != Some("1") {
                return not_found();
            }
            if method != Method::GET || q.get("webid").map(String::as_str) != Some("1") {
                return answer(StatusCode::METHOD_NOT_ALLOWED, "text/html", "<h1>405</h1>".into());
            }
            let page = num(&q, "page").unwrap_or(1).max(1);
            let start = ((page - 1) * GROUP).min(GET_ITEMS);
            answer(StatusCode::OK, xml, datastore(1, start..(start + GROUP).min(GET_ITEMS), GET_ITEMS))
        }
        "/module/jpage/dataproxy.jsp" => {
            if method == Method::GET {
                // the empty 54-byte body some deployments give a GET
                return answer(StatusCode::OK, xml, " ".repeat(54));
            }
            if form.get("columnid").map(String::as_str) != Some("2")
                || form.get("webid").map(String::as_str) != Some("1")
            {
                return answer(StatusCode::BAD_REQUEST, "text/html", "missing parameters".into());
            }
            let (Some(s), Some(e)) = (num(&q, "startrecord"), num(&q, "endrecord")) else {
                return answer(StatusCode::BAD_REQUEST, "text/html", "no range".into());
            };
            // groups after the first repeat the previous group's last record
            let from = if s > 1 { s - 2 } else { 0 };
            let to = e.min(POST_ITEMS);
            answer(StatusCode::OK, xml, datastore(2, from.min(to)..to, POST_ITEMS))
        }
        "/api-gateway/jpaas-publish-server/front/page/build/unit" => {
            if q.get("parseType").map(String::as_str) != Some("buildstatic") {
                return answer(StatusCode::OK, "application/json", r#"{"success":false,"data":null}"#.into());
            }
            let v: serde_json::Value = serde_json::from_str(q.get("paramJson").map_or("{}", String::as_str)).unwrap();
            let page = v["pageNo"].as_u64().unwrap_or(1).max(1) as usize;
            let size = v["pageSize"].as_u64().unwrap_or(15).clamp(1, 100) as usize;
            let start = ((page - 1) * size).min(JPAAS_ITEMS);
            let lis: String = (start..(start + size).min(JPAAS_ITEMS))
                .map(|i| {
                    format!("<li><a href=\"{}\" title=\"测试市第3栏目第{i}号文件的通知\">测试市第3栏目…</a><span>2024-01-01</span></li>", item_path(3, i))
                })
                .collect();
            let html = format!(
                r#"<ul>{lis}</ul><div id="pagination" count="{JPAAS_ITEMS}" rows="{size}" pageNo="{page}"></div>"#
            );
            answer(
                StatusCode::OK,
                "application/json",
                serde_json::json!({"success": true, "data": {"html": html}}).to_string(),
            )
        }
        _ => {
            for (col, n) in [(1, GET_ITEMS), (2, POST_ITEMS), (3, JPAAS_ITEMS)] {
                if let Some(i) = (0..n).find(|&i| item_path(col, i) == path) {
                    return answer(StatusCode::OK, "text/html; charset=utf-8", detail_page(col, i));
                }
            }
            not_found()
        }
    }
}

async fn serve() -> (String, Arc<Mutex<Log>>) {
    let log = Arc::new(Mutex::new(Log::default()));
    let l = log.clone();
    (common::serve_with_body(move |method: &Method, uri: &Uri, body: &[u8]| handle(&l, method, uri, body)).await, log)
}

fn config(base: &str) -> Config {
    Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 2
retry_base_ms = 20
timeout_secs = 5

[[site]]
name = "hw"
start_urls = ["{base}/col/col1/index.html", "{base}/col/col2/index.html", "{base}/col/col3/index.html"]
delay_ms = 0
allow_private = true
"#
        ),
        "hanweb test config",
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanweb_lists_are_walked_whichever_way_the_deployment_answers() {
    let (base, log) = serve().await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base);
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r = &report.sites["hw"];

    // every item of every column, each page fetched once
    let items = state.extract_items(&cfg).unwrap();
    let mut per_column: BTreeMap<String, usize> = BTreeMap::new();
    for it in &items {
        *per_column.entry(it.column.clone()).or_default() += 1;
    }
    assert_eq!(
        per_column,
        BTreeMap::from([
            ("规范性文件".to_owned(), GET_ITEMS),
            ("政策解读".to_owned(), POST_ITEMS),
            ("通知公告".to_owned(), JPAAS_ITEMS)
        ]),
        "{report}"
    );
    let requests = log.lock().unwrap().requests.clone();
    let mut fetched: HashMap<&str, usize> = HashMap::new();
    for (_, pq, _) in &requests {
        if pq.starts_with("/art/") {
            *fetched.entry(pq.as_str()).or_default() += 1;
        }
    }
    assert_eq!(fetched.len(), GET_ITEMS + POST_ITEMS + JPAAS_ITEMS);
    assert!(fetched.values().all(|&n| n == 1), "an item page fetched twice");
    // the category comes from the column page's own column name
    assert!(items.iter().filter(|i| i.column == "规范性文件").all(|i| i.category == "规范性文件"));

    // per list: what it claimed, what it served, how it was asked
    let lists: BTreeMap<&str, (&str, Option<u64>, u64)> =
        r.lists.iter().map(|l| (l.column.as_str(), (l.kind.as_str(), l.claimed, l.served))).collect();
    assert_eq!(lists["规范性文件"], ("hanweb-page", Some(GET_ITEMS as u64), GET_ITEMS as u64), "{report}");
    assert_eq!(lists["政策解读"], ("hanweb-range", Some(POST_ITEMS as u64), POST_ITEMS as u64), "{report}");
    assert_eq!(lists["通知公告"], ("jpaas-unit", Some(JPAAS_ITEMS as u64), JPAAS_ITEMS as u64), "{report}");

    // column 2: the first known path 404s, GET gives nothing readable, POST
    // ranges carry the page's parameters as a form
    let posts: Vec<&(String, String, String)> = requests.iter().filter(|(m, _, _)| m == "POST").collect();
    assert!(!posts.is_empty());
    assert!(posts.iter().all(|(_, pq, form)| pq.starts_with("/module/jpage/dataproxy.jsp?startrecord=")
        && form.contains("columnid=2")
        && form.contains("unitid=u2")
        && !form.contains("startrecord")));
    assert!(requests.iter().any(|(m, pq, _)| m == "GET"
        && pq.starts_with("/module/web/jpage/dataproxy.jsp?page=1")
        && pq.contains("columnid=2")));
    // 70 records in groups of 45 (one repeated): two POSTs, and a third that ends the walk at most
    assert!(posts.len() <= 3, "{posts:?}");
    // jpaas: the refused spelling once, then pages of 50 with the accepted one
    let units: Vec<&String> = requests.iter().map(|(_, pq, _)| pq).filter(|pq| pq.contains("/build/unit")).collect();
    assert_eq!(units.iter().filter(|pq| pq.contains("parseType=bulidstatic")).count(), 1, "{units:?}");
    assert_eq!(units.iter().filter(|pq| pq.contains("parseType=buildstatic")).count(), 3, "{units:?}");

    // a recrawl asks the lists again and finds nothing new to fetch
    let before = log.lock().unwrap().requests.len();
    let again = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let after: Vec<(String, String, String)> = log.lock().unwrap().requests[before..].to_vec();
    assert!(after.iter().any(|(_, pq, _)| pq.contains("dataproxy.jsp")), "the lists are refreshed");
    assert_eq!(state.extract_items(&cfg).unwrap().len(), items.len(), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_only_crawl_counts_hanweb_lists_without_fetching_items() {
    let (base, log) = serve().await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base);
    crawl::run(&cfg, &state, CrawlOptions { catalogue_only: true, ..Default::default() }).await.unwrap();
    assert!(!log.lock().unwrap().requests.iter().any(|(_, pq, _)| pq.starts_with("/art/")), "no item fetched");
    let items = state.extract_items(&cfg).unwrap();
    assert_eq!(items.len(), GET_ITEMS + POST_ITEMS + JPAAS_ITEMS);
    assert!(items.iter().all(|i| i.pending));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_counts_a_list_only_the_other_way_of_asking_serves() {
    use govsearch_crawler::probe::{self, ProbeOptions};
    let (base, log) = serve().await;
    let options = ProbeOptions { count: true, allow_private: true, delay: Some(std::time::Duration::ZERO) };
    let settings = govsearch_crawler::config::CrawlSettings::default();
    for (col, platform, total) in [(2, "hanweb-datastore", POST_ITEMS), (3, "hanweb-jpaas", JPAAS_ITEMS)] {
        let start = url::Url::parse(&format!("{base}/col/col{col}/index.html")).unwrap();
        let p = probe::probe(&start, &settings, &options).await.unwrap();
        assert_eq!(p.platform, Some(platform), "{p}");
        assert_eq!(p.lists.len(), 1, "{p}");
        assert_eq!((p.lists[0].claimed, p.lists[0].problem.as_deref()), (Some(total as u64), None), "{p}");
    }
    // column 2: the 404 path, then GET and POST at the second path
    let asked: Vec<(String, String)> = log
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|(_, pq, _)| pq.contains("dataproxy.jsp"))
        .map(|(m, pq, _)| (m.clone(), pq.split('?').next().unwrap().to_owned()))
        .collect();
    let want = [
        ("GET", "/module/web/jpage/dataproxy.jsp"),
        ("GET", "/module/jpage/dataproxy.jsp"),
        ("POST", "/module/jpage/dataproxy.jsp"),
    ];
    assert_eq!(asked, want.map(|(m, p)| (m.to_owned(), p.to_owned())));
}
