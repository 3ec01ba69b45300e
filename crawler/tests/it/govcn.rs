//! The State Council policy library (`search-gov/data`), walked from a page
//! that queries it, on two loopback hosts: the site (`127.0.0.1`) and the
//! library (`localhost`), which is crawled only when the config names it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions};

use crate::common::{self, answer};

/// 国务院文件: two pages of 250.
const GW: usize = 300;
/// 部门文件: one page.
const BM: usize = 40;
/// The 国务院文件 whose list gives another 文号 than its page.
const MISLISTED: usize = 7;

#[derive(Default)]
struct Fixture {
    site: Mutex<String>,
    library: Mutex<String>,
    /// (host:port, path and query)
    log: Mutex<Vec<(String, String)>>,
}

fn library(t: &str) -> Option<(&'static str, usize, &'static str)> {
    match t {
        "zhengcelibrary_gw" => Some(("gw", GW, "国务院")),
        "zhengcelibrary_bm" => Some(("bm", BM, "教育部")),
        _ => None,
    }
}

fn doc_number(lib: &str, i: usize) -> String {
    if lib == "gw" { format!("国发〔2024〕{i}号") } else { format!("教发〔2024〕{i}号") }
}

fn day(i: usize) -> String {
    format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1)
}

impl Fixture {
    fn handle(&self, req: &Request<Body>) -> Response<Body> {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
        let pq = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
        self.log.lock().unwrap().push((host.clone(), pq.clone()));
        let q: HashMap<String, String> = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let html = "text/html; charset=utf-8";
        let path = req.uri().path();
        if path == "/robots.txt" {
            return answer(StatusCode::OK, "text/plain", "User-agent: *\nAllow: /\n".into());
        }
        if host.starts_with("localhost") {
            return self.library(path, &q);
        }
        if path == "/zhengce/zhengceku/" {
            let api = format!("{}/search-gov/data", self.library.lock().unwrap());
            let page = format!(
                r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>国务院政策文件库</title></head><body>
<div id="list"></div>
<script>$.ajax({{ url: "{api}", data: {{ t: "zhengcelibrary_gw", q: "", p: 1, n: 10 }} }});</script>
</body></html>"#
            );
            return answer(StatusCode::OK, html, page);
        }
        let found = path
            .strip_prefix("/zhengce/zhengceku/")
            .and_then(|r| r.strip_suffix(".htm"))
            .and_then(|r| r.split_once("/content_"))
            .and_then(|(lib, i)| Some((lib.to_owned(), i.parse::<usize>().ok()?)))
            .filter(|(lib, i)| (lib == "gw" && *i < GW) || (lib == "bm" && *i < BM));
        let Some((lib, i)) = found else { return answer(StatusCode::NOT_FOUND, html, "<h1>404</h1>".into()) };
        let number =
            if lib == "gw" && i == MISLISTED { format!("国发〔2024〕{i}0号") } else { doc_number(&lib, i) };
        let org = if lib == "gw" { "国务院" } else { "教育部" };
        answer(
            StatusCode::OK,
            html,
            format!(
                r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>第{i}号{lib}政策文件</title></head><body>
<table><tr><td>索 引 号：</td><td>000014349/2024-{lib}{i:05}</td><td>发文机关：</td><td>{org}</td></tr>
<tr><td>发文字号：</td><td>{number}</td><td>发布日期：</td><td>{d}</td></tr>
<tr><td>标　　题：</td><td>第{i}号{lib}政策文件</td><td>成文日期：</td><td>{d}</td></tr></table>
<div id="UCAP-CONTENT"><p>第{i}号{lib}政策文件的正文，现予公布，自公布之日起施行。</p></div>
</body></html>"#,
                d = day(i)
            ),
        )
    }

    fn library(&self, path: &str, q: &HashMap<String, String>) -> Response<Body> {
        let json = "application/json;charset=UTF-8";
        let Some((lib, total, org)) =
            (path == "/search-gov/data").then(|| q.get("t").and_then(|t| library(t))).flatten()
        else {
            return answer(StatusCode::NOT_FOUND, "text/html", "<h1>404</h1>".into());
        };
        let page = q.get("p").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
        let size = q.get("n").and_then(|p| p.parse::<usize>().ok()).unwrap_or(20).clamp(1, 1000);
        let start = (page - 1) * size;
        if start >= total {
            return answer(
                StatusCode::OK,
                json,
                r#"{"code":1001,"msg":"抱歉，没有找到相关结果","data":[],"searchVO":null}"#.into(),
            );
        }
        let site = self.site.lock().unwrap().clone();
        let items: Vec<serde_json::Value> = (start..(start + size).min(total))
            .map(|i| {
                serde_json::json!({
                    "id": format!("{lib}{i}"),
                    "title": format!("第{i}号<em>{lib}</em>政策文件"),
                    "url": format!("{site}/zhengce/zhengceku/{lib}/content_{i}.htm"),
                    "pcode": doc_number(lib, i),
                    "puborg": org,
                    "pubtimeStr": day(i).replace('-', "."),
                })
            })
            .collect();
        let body = serde_json::json!({"code": 200, "msg": "操作成功", "searchVO": {
            "totalCount": total, "totalpage": total.div_ceil(size), "listVO": items}});
        answer(StatusCode::OK, json, body.to_string())
    }
}

async fn serve() -> Arc<Fixture> {
    let f = Arc::new(Fixture::default());
    let h = f.clone();
    let base = common::serve_fn(move |req| h.handle(req)).await;
    *f.library.lock().unwrap() = base.replace("127.0.0.1", "localhost");
    *f.site.lock().unwrap() = base;
    f
}

fn config(f: &Fixture, library_in_scope: bool) -> Config {
    let hosts = if library_in_scope { r#"["127.0.0.1", "localhost"]"# } else { r#"["127.0.0.1"]"# };
    Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 2
retry_base_ms = 20
timeout_secs = 5

[[site]]
name = "gov"
start_urls = ["{site}/zhengce/zhengceku/"]
hosts = {hosts}
delay_ms = 0
allow_private = true
"#,
            site = f.site.lock().unwrap()
        ),
        "policy library test config",
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_library_is_walked_library_by_library_and_checked_against_the_pages() {
    let f = serve().await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&f, true);
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r = &report.sites["gov"];
    assert_eq!(r.platform.as_deref(), Some("govcn-library"), "{report}");

    let items = state.extract_items(&cfg).unwrap();
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for it in &items {
        *per.entry((it.column.clone(), it.category.clone())).or_default() += 1;
    }
    assert_eq!(
        per,
        BTreeMap::from([
            (("国务院文件".to_owned(), "政策文件".to_owned()), GW),
            (("部门文件".to_owned(), "政策文件".to_owned()), BM)
        ]),
        "{report}"
    );
    // the page's own 文号 wins, and the disagreement is reported
    let mislisted = items.iter().find(|i| i.url.ends_with(&format!("/gw/content_{MISLISTED}.htm"))).unwrap();
    assert_eq!(mislisted.doc_number, format!("国发〔2024〕{MISLISTED}0号"));
    assert_eq!(r.list_disagreements.get("doc_number"), Some(&1), "{report}");
    assert_eq!(r.list_disagreements.len(), 1, "only the 文号 of one item disagrees: {report}");

    let lists: BTreeMap<&str, (&str, Option<u64>, u64)> =
        r.lists.iter().map(|l| (l.column.as_str(), (l.kind.as_str(), l.claimed, l.served))).collect();
    assert_eq!(lists["国务院文件"], ("govcn-library", Some(GW as u64), GW as u64), "{report}");
    assert_eq!(lists["部门文件"], ("govcn-library", Some(BM as u64), BM as u64), "{report}");

    // pages of 250, and no page past the claimed total
    let log = f.log.lock().unwrap().clone();
    let asked: Vec<&String> =
        log.iter().filter(|(_, pq)| pq.starts_with("/search-gov/data")).map(|(_, pq)| pq).collect();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked.iter().all(|pq| pq.contains("n=250")), "{asked:?}");
    assert_eq!(log.iter().filter(|(_, pq)| pq == "/robots.txt").count(), 2, "once per host");

    // a recrawl asks the library again and fetches no item twice
    let before = log.len();
    crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let after = f.log.lock().unwrap()[before..].to_vec();
    assert!(after.iter().any(|(_, pq)| pq.starts_with("/search-gov/data")), "the library is refreshed");
    assert_eq!(state.extract_items(&cfg).unwrap().len(), GW + BM);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_host_the_config_does_not_name_is_never_asked() {
    let f = serve().await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&f, false);
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r = &report.sites["gov"];
    assert!(f.log.lock().unwrap().iter().all(|(host, _)| host.starts_with("127.0.0.1")), "{report}");
    assert_eq!(r.failed.get("catalogue list out of scope"), Some(&2), "{report}");
    assert!(state.extract_items(&cfg).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_url_is_a_start_url_of_its_own() {
    let f = serve().await;
    let (_dir, state) = common::fresh_state();
    let library = f.library.lock().unwrap().clone();
    let cfg = Config::parse(
        &format!(
            r#"
[[site]]
name = "bm"
start_urls = ["{library}/search-gov/data?t=zhengcelibrary_bm&q=&sort=pubtime&sortType=1&n=25"]
hosts = ["127.0.0.1", "localhost"]
delay_ms = 0
allow_private = true
"#
        ),
        "library start url config",
    )
    .unwrap();
    let report = crawl::run(&cfg, &state, CrawlOptions { catalogue_only: true, ..Default::default() }).await.unwrap();
    let items = state.extract_items(&cfg).unwrap();
    assert_eq!(items.len(), BM, "{report}");
    assert!(items.iter().all(|i| i.pending && i.column == "部门文件" && i.doc_number.starts_with("教发")), "{report}");
    let pages: Vec<String> = f
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, pq)| pq.starts_with("/search-gov/data"))
        .map(|(_, pq)| pq.clone())
        .collect();
    assert_eq!(pages.len(), 2, "two pages of 25: {pages:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_names_the_library_host_and_counts_each_library() {
    use govsearch_crawler::probe::{self, ProbeOptions};
    let f = serve().await;
    let start = url::Url::parse(&format!("{}/zhengce/zhengceku/", f.site.lock().unwrap())).unwrap();
    let options = ProbeOptions { count: true, allow_private: true, delay: Some(std::time::Duration::ZERO) };
    let p = probe::probe(&start, &govsearch_crawler::config::CrawlSettings::default(), &options).await.unwrap();
    assert_eq!(p.platform, Some("govcn-library"), "{p}");
    assert_eq!(p.hosts, vec!["127.0.0.1", "localhost"], "{p}");
    let lists: Vec<(&str, &str, Option<u64>)> =
        p.lists.iter().map(|l| (l.column.as_str(), l.category.as_str(), l.claimed)).collect();
    assert_eq!(lists, [("国务院文件", "政策文件", Some(GW as u64)), ("部门文件", "政策文件", Some(BM as u64))], "{p}");
    let text = format!("{}delay_ms = 0\nallow_private = true\n", p.site_block("gov"));
    let cfg = Config::parse(&text, "probe block").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let (_dir, state) = common::fresh_state();
    crawl::run(&cfg, &state, CrawlOptions { catalogue_only: true, ..Default::default() }).await.unwrap();
    assert_eq!(state.extract_items(&cfg).unwrap().len(), GW + BM, "{text}");
}
