//! The Anhui platform's `site/label/8888` lists, on a loopback fixture: one
//! column page calls the list itself (GET, its own parameters, a platform
//! that repeats the last page past the end); one names the list only by its
//! URL and ids, and its deployment answers only a POSTed form. One item is
//! listed under both columns.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Response, StatusCode, Uri};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions};

use crate::common;

/// 规范性文件 (catId 101): GET, pages of 15.
const GET_ITEMS: usize = 40;
/// 政策解读 (catId 102): POST only, plus the first item of 101.
const POST_ITEMS: usize = 20;

type Log = Mutex<Vec<(String, String, String)>>;

fn item_path(cat: usize, i: usize) -> String {
    format!("/public/7071/{}.html", cat * 1000 + i)
}

fn column_page(cat: usize) -> String {
    let name = if cat == 101 { "规范性文件" } else { "政策解读" };
    let call = if cat == 101 {
        r#"Ls.ajax({ dataType: 'html', url: '/xxgk/site/label/8888', data: { labelName: 'publicInfoList', siteId: 2653861, pageSize: 15, pageIndex: pageIndex, organId: 7071, catId: 101, type: 4, file: '/xxgk/list-2024' } });"#
    } else {
        r#"var siteId = 2653861; Ls.ajax({ dataType: 'html', data: { labelName: 'publicNav', organId: 7071, type: 6 }, url: "/xxgk/site/label/8888" });"#
    };
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body>
<div class="ls-crumbs-box" id="ls-position"><a href="/index.html">首页</a> &gt; <a href="/public/column/7071?type=4&action=rel">信息公开</a> &gt; <a href="/public/column/7071?type=4&catId={cat}&action=list">{name}</a></div>
<div id="list"></div><script>var pageIndex = 1; {call}</script></body></html>"#
    )
}

fn fragment(cat: usize, items: &[usize], total: usize) -> String {
    let lis: String = items
        .iter()
        .map(|&i| {
            let (c, n) = if cat == 102 && i == POST_ITEMS { (101, 0) } else { (cat, i) };
            format!(r#"<li><a href="{}" title="测试厅第{c}类第{n}号文件" target="_blank">测试厅第{c}类…</a><span>2024-03-{:02}</span></li>"#, item_path(c, n), n % 28 + 1)
        })
        .collect();
    // only the POST deployment's template states its total
    let pages = if cat == 102 { format!(r#"<div class="pagination">共 {total} 条</div>"#) } else { String::new() };
    format!(r#"<ul class="clearfix xxgk_nav_list">{lis}</ul>{pages}"#)
}

fn detail_page(cat: usize, i: usize) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试厅第{cat}类第{i}号文件</title></head><body>
<table class="table_suoyin"><tr><th>索<i></i>引<i></i>号：</th><td>002986323/2024-{cat}{i:04}</td><th>发布机构：</th><td>测试厅</td></tr>
<tr><th>文<i></i>号：</th><td>测厅〔2024〕{i}号</td><th>发布日期：</th><td>2024-03-{:02}</td></tr></table>
<div class="gkwz_contnet j-fontContent"><p>测试厅第{cat}类第{i}号文件的正文，现予公布，请遵照执行。</p></div></body></html>"#,
        i % 28 + 1
    )
}

use common::answer;

fn handle(log: &Log, method: &Method, uri: &Uri, body: &[u8]) -> Response<Body> {
    let pq = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    log.lock().unwrap().push((method.to_string(), pq, String::from_utf8_lossy(body).into_owned()));
    let parse = |b: &[u8]| -> HashMap<String, String> {
        url::form_urlencoded::parse(b).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    };
    let q = parse(uri.query().unwrap_or("").as_bytes());
    let html = "text/html; charset=utf-8";
    match uri.path() {
        "/robots.txt" => answer(StatusCode::OK, "text/plain", "User-agent: *\nAllow: /\n".into()),
        "/public/column/7071" => match q.get("catId").map(String::as_str) {
            Some("101") => answer(StatusCode::OK, html, column_page(101)),
            Some("102") => answer(StatusCode::OK, html, column_page(102)),
            _ => answer(StatusCode::OK, html, "<html><body>信息公开</body></html>".into()),
        },
        "/xxgk/site/label/8888" => {
            let p = if method == Method::POST { parse(body) } else { q };
            let num = |k: &str| p.get(k).and_then(|v| v.parse::<usize>().ok());
            if p.get("labelName").map(String::as_str) != Some("publicInfoList")
                || p.get("organId").map(String::as_str) != Some("7071")
            {
                return answer(StatusCode::OK, html, "暂无相关信息".into());
            }
            let size = num("pageSize").unwrap_or(15).clamp(1, 100);
            let index = num("pageIndex").unwrap_or(1).max(1);
            match (num("catId"), method == Method::POST) {
                (Some(101), false) if p.get("file").map(String::as_str) == Some("/xxgk/list-2024") => {
                    // past the end, the last page again
                    let last = GET_ITEMS.div_ceil(size);
                    let start = (index.min(last) - 1) * size;
                    let page: Vec<usize> = (start..(start + size).min(GET_ITEMS)).collect();
                    answer(StatusCode::OK, html, fragment(101, &page, GET_ITEMS))
                }
                (Some(102), true) => {
                    let start = (index - 1) * size;
                    let page: Vec<usize> = (start..(start + size).min(POST_ITEMS + 1)).collect();
                    if page.is_empty() {
                        return answer(StatusCode::OK, html, "暂无相关信息".into());
                    }
                    answer(StatusCode::OK, html, fragment(102, &page, POST_ITEMS + 1))
                }
                _ => answer(StatusCode::OK, html, "暂无相关信息".into()),
            }
        }
        path => {
            for (cat, n) in [(101, GET_ITEMS), (102, POST_ITEMS)] {
                if let Some(i) = (0..n).find(|&i| item_path(cat, i) == path) {
                    return answer(StatusCode::OK, html, detail_page(cat, i));
                }
            }
            answer(StatusCode::NOT_FOUND, html, "<h1>404</h1>".into())
        }
    }
}

async fn serve() -> (String, Arc<Log>) {
    let log: Arc<Log> = Arc::default();
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
name = "ah"
start_urls = ["{base}/public/column/7071?type=4&catId=101&action=list", "{base}/public/column/7071?type=4&catId=102&action=list"]
delay_ms = 0
allow_private = true
"#
        ),
        "anhui test config",
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_lists_are_walked_by_get_or_by_posted_form() {
    let (base, log) = serve().await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base);
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r = &report.sites["ah"];
    assert_eq!(r.platform.as_deref(), Some("anhui-label"), "{report}");

    let items = state.extract_items(&cfg).unwrap();
    assert_eq!(items.len(), GET_ITEMS + POST_ITEMS, "the item listed twice is one item\n{report}");
    let by_column = |c: &str| items.iter().filter(|i| i.column == c).count();
    assert_eq!(by_column("规范性文件") + by_column("政策解读"), items.len(), "{report}");
    assert!(by_column("政策解读") >= POST_ITEMS, "{report}");
    assert!(items.iter().filter(|i| i.column == "政策解读").all(|i| i.category == "政策解读"), "{report}");
    // the labels written 索<i></i>引<i></i>号 are read
    assert!(items.iter().all(|i| i.index_number.starts_with("002986323/2024-")), "{:?}", items[0]);

    let requests = log.lock().unwrap().clone();
    let mut fetched: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, pq, _) in &requests {
        if pq.starts_with("/public/7071/") {
            *fetched.entry(pq.as_str()).or_default() += 1;
        }
    }
    assert_eq!(fetched.len(), GET_ITEMS + POST_ITEMS);
    assert!(fetched.values().all(|&n| n == 1), "an item page fetched twice: {fetched:?}");

    // 102: GET answered nothing, then POSTed forms with the page's ids, the marker never sent
    let posts: Vec<&(String, String, String)> = requests.iter().filter(|(m, _, _)| m == "POST").collect();
    assert_eq!(posts.len(), 2, "21 records in pages of 15: {posts:?}");
    assert!(posts.iter().all(|(_, pq, form)| pq == "/xxgk/site/label/8888"
        && form.contains("labelName=publicInfoList")
        && form.contains("catId=102")
        && form.contains("siteId=2653861")
        && !form.contains("govsearch")));
    // 101 states no total: three pages and the repeated last page that ends the walk
    let gets101 = requests
        .iter()
        .filter(|(m, pq, _)| m == "GET" && pq.contains("/site/label/8888") && pq.contains("catId=101"))
        .count();
    assert_eq!(gets101, 4, "{requests:?}");

    let lists: BTreeMap<&str, (&str, Option<u64>, u64)> =
        r.lists.iter().map(|l| (l.column.as_str(), (l.kind.as_str(), l.claimed, l.served))).collect();
    assert_eq!(lists["规范性文件"], ("anhui-label", None, GET_ITEMS as u64), "{report}");
    assert_eq!(lists["政策解读"], ("anhui-label", Some(POST_ITEMS as u64 + 1), POST_ITEMS as u64 + 1), "{report}");

    // a recrawl refreshes the lists and fetches nothing new
    let before = log.lock().unwrap().len();
    crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let after = log.lock().unwrap()[before..].to_vec();
    assert!(after.iter().any(|(_, pq, _)| pq.contains("/site/label/8888")), "the lists are refreshed");
    assert_eq!(state.extract_items(&cfg).unwrap().len(), items.len());
}
