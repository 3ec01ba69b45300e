//! End-to-end crawls of a fixture site served over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use govsearch_crawler::crawl::{self, CrawlOptions};
use govsearch_crawler::state::CrawlState;
use govsearch_crawler::vocab::{FailureCode, UrlStatus};
use govsearch_crawler::{Config, attachments};

use crate::common;

#[derive(Debug, Clone)]
struct Hit {
    path: String,
    at: Instant,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    user_agent: String,
}

#[derive(Default)]
struct Site {
    hits: Mutex<Vec<Hit>>,
    flaky_calls: AtomicUsize,
    item2_gone: AtomicBool,
}

impl Site {
    fn count(&self, path: &str) -> usize {
        self.hits.lock().unwrap().iter().filter(|h| h.path == path).count()
    }
    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
    fn clear(&self) {
        self.hits.lock().unwrap().clear();
    }
}

const LAST_MODIFIED: &str = "Mon, 01 Jan 2024 00:00:00 GMT";

fn item_page(title: &str, doc: &str, idx: &str, extra: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_测试市人民政府</title>
<meta name="SiteName" content="测试市人民政府"><meta name="ArticleTitle" content="{title}"></head>
<body><div class="nav">当前位置：<a href="/">首页</a></div>
<table class="meta"><tr><td>索 引 号：</td><td>{idx}</td><td>主题分类：</td><td>城乡建设</td></tr>
<tr><td>发布机构：</td><td>测试市住房和城乡建设局</td><td>成文日期：</td><td>2024年1月2日</td></tr>
<tr><td>文　　号：</td><td>{doc}</td><td>发布日期：</td><td>2024-01-03</td></tr>
<tr><td>有 效 性：</td><td>有效</td><td></td><td></td></tr></table>
<div class="TRS_Editor"><p>各有关单位：</p><p>{title}，现予印发，请遵照执行。</p>{extra}</div>
<div class="footer">版权所有 测试市人民政府</div></body></html>"#
    )
}

fn list_page(column: &str, links: &[(&str, &str)], pages: usize) -> String {
    let items: String = links.iter().map(|(href, text)| format!("<li><a href=\"{href}\">{text}</a></li>")).collect();
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{column}</title><meta name="ColumnName" content="{column}"></head>
<body><ul>{items}</ul><script>createPageHTML({pages}, 0, "index", "html");</script></body></html>"#
    )
}

fn respond(status: StatusCode, ctype: &str, body: Vec<u8>, headers: &[(header::HeaderName, String)]) -> Response<Body> {
    let mut r = Response::builder().status(status).header(header::CONTENT_TYPE, ctype);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r.body(Body::from(body)).unwrap()
}

/// An item page with validators; 304 when the client's validator matches.
fn cached(req_headers: &HeaderMap, body: String) -> Response<Body> {
    let etag = format!("\"{:x}\"", body.len() * 31 + body.chars().count());
    if req_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return respond(StatusCode::NOT_MODIFIED, "text/html", Vec::new(), &[(header::ETAG, etag)]);
    }
    respond(
        StatusCode::OK,
        "text/html; charset=utf-8",
        body.into_bytes(),
        &[(header::ETAG, etag), (header::LAST_MODIFIED, LAST_MODIFIED.to_owned())],
    )
}

fn handle(site: &Site, req: &Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let pq = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let h = req.headers();
    let s = |v: Option<&axum::http::HeaderValue>| v.and_then(|v| v.to_str().ok()).map(str::to_owned);
    site.hits.lock().unwrap().push(Hit {
        path: pq.clone(),
        at: Instant::now(),
        if_none_match: s(h.get(header::IF_NONE_MATCH)),
        if_modified_since: s(h.get(header::IF_MODIFIED_SINCE)),
        user_agent: s(h.get(header::USER_AGENT)).unwrap_or_default(),
    });
    let html = |b: String| respond(StatusCode::OK, "text/html; charset=utf-8", b.into_bytes(), &[]);
    let not_found = || respond(StatusCode::NOT_FOUND, "text/html", b"<h1>404</h1>".to_vec(), &[]);
    match path.as_str() {
        "/robots.txt" => {
            let host = s(h.get(header::HOST)).unwrap_or_default();
            let body =
                format!("User-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\nSitemap: http://{host}/sitemap.xml\n");
            respond(StatusCode::OK, "text/plain", body.into_bytes(), &[])
        }
        "/sitemap.xml" => {
            // lists an item no page links to
            let host = s(h.get(header::HOST)).unwrap_or_default();
            let body = format!(
                "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>http://{host}/zwgk/t20240110_10.html</loc></url></urlset>"
            );
            respond(StatusCode::OK, "application/xml", body.into_bytes(), &[])
        }
        "/zwgk/t20240110_10.html" => {
            cached(h, item_page("关于只在站点地图中出现的文件的通知", "测住建〔2024〕10号", "TEST-2024-00010", ""))
        }
        "/zwgk/index.html" => html(list_page(
            "规范性文件",
            &[
                ("t20240101_1.html", "关于加强住房管理的通知"),
                ("t20240102_2.html", "关于调整公积金政策的通知"),
                ("t20240103_3.html", "GBK 页面"),
                ("t20240104_4.html", "已删除的文件"),
                ("/private/secret.html", "内部"),
                ("/loop/a.html", "循环"),
                ("/flaky/t20240105_5.html", "偶尔出错"),
                ("/cal/?month=1", "日历"),
                ("/gi_news/726176697730432", "无规律地址的文件"),
                ("http://example.com/elsewhere.html", "外站"),
            ],
            2,
        )),
        "/" => html("<html><head><title>测试市人民政府</title></head><body>首页</body></html>".to_owned()),
        "/zwgk/index_1.html" => html(list_page("规范性文件", &[("t20240106_6.html", "附件通知")], 2)),
        "/zcjd/index.html" => html(list_page(
            "政策解读",
            &[
                ("t20240107_7.html", "《关于加强住房管理的通知》政策解读"),
                ("t20240101_1.html", "关于加强住房管理的通知"),
            ],
            1,
        )),
        "/zwgk/t20240101_1.html" | "/zcjd/t20240101_1.html" => cached(
            h,
            item_page(
                "关于加强住房管理的通知",
                "测住建〔2024〕1号",
                "TEST-2024-00001",
                r#"<p><a href="/zcjd/t20240107_7.html">《关于加强住房管理的通知》政策解读</a></p>"#,
            ),
        ),
        "/zwgk/t20240102_2.html" => {
            if site.item2_gone.load(Ordering::Relaxed) {
                not_found()
            } else {
                cached(h, item_page("关于调整公积金政策的通知", "测住建〔2024〕2号", "TEST-2024-00002", ""))
            }
        }
        "/zwgk/t20240103_3.html" => {
            let page = item_page("关于规范物业服务收费的通知", "测价〔2024〕3号", "TEST-2024-00003", "<p>镕𠀀</p>")
                .replace(
                    "<meta charset=\"utf-8\">",
                    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
                );
            let (bytes, _, _) = encoding_rs::GB18030.encode(&page);
            respond(StatusCode::OK, "text/html", bytes.into_owned(), &[])
        }
        "/zwgk/t20240106_6.html" => cached(
            h,
            item_page(
                "关于印发管理办法的通知",
                "测住建〔2024〕6号",
                "TEST-2024-00006",
                r#"<p>附件：<a href="/files/att.docx">管理办法.docx</a> <a href="/files/notice.pdf">通知.pdf</a></p>"#,
            ),
        ),
        "/zcjd/t20240107_7.html" => cached(
            h,
            item_page(
                "《关于加强住房管理的通知》政策解读",
                "",
                "TEST-2024-00007",
                r#"<p>原文：<a href="/zwgk/t20240101_1.html">关于加强住房管理的通知</a></p>"#,
            ),
        ),
        "/files/att.docx" => respond(
            StatusCode::OK,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            attachments::docx_bytes(&["第一条 为规范管理，制定本办法。", "第二条 本办法自发布之日起施行。"]).unwrap(),
            &[],
        ),
        "/gi_news/726176697730432" => cached(
            h,
            item_page(
                "关于无规律地址文件的通知",
                "测住建〔2024〕9号",
                "TEST-2024-00009",
                "<p>本文件的地址不符合常见的详情页规则，但页面本身是一篇完整的公开文件，含索引号、发布日期和正文，应当被识别为信息条目。</p><p>第二段：本段文字只为使正文足够长，以便与栏目列表页区分开来，列表页通常只有链接而没有成段的正文。</p>",
            ),
        ),
        "/files/notice.pdf" => respond(
            StatusCode::OK,
            "application/pdf",
            common::minimal_pdf(common::HELVETICA, "(Notice 2024 No. 6) Tj"),
            &[],
        ),
        "/loop/a.html" => {
            respond(StatusCode::FOUND, "text/html", Vec::new(), &[(header::LOCATION, "/loop/b.html".into())])
        }
        "/loop/b.html" => {
            respond(StatusCode::FOUND, "text/html", Vec::new(), &[(header::LOCATION, "/loop/a.html".into())])
        }
        "/flaky/t20240105_5.html" => {
            if site.flaky_calls.fetch_add(1, Ordering::Relaxed) == 0 {
                respond(StatusCode::INTERNAL_SERVER_ERROR, "text/html", b"busy".to_vec(), &[])
            } else {
                cached(h, item_page("关于偶发故障的通知", "测住建〔2024〕5号", "TEST-2024-00005", ""))
            }
        }
        "/cal/" => {
            // a calendar: every month links to thirty more months
            let links: String = (1..=30).map(|m| format!("<a href=\"/cal/?month={m}\">{m}月</a> ")).collect();
            html(format!("<html><body><div class=\"cal\">{links}</div></body></html>"))
        }
        _ => not_found(),
    }
}

async fn serve(site: Arc<Site>) -> String {
    common::serve_fn(move |req| handle(&site, req)).await
}

fn config(base: &str, allow_private: bool, extra: &str) -> Config {
    Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 4
retry_base_ms = 50
timeout_secs = 5

[[site]]
name = "test"
start_urls = ["{base}/zwgk/index.html", "{base}/zcjd/index.html"]
delay_ms = 50
max_depth = 3
allow_private = {allow_private}
[site.columns]
"/zcjd/" = "政策解读"
"规范性文件" = "规范性文件"
{extra}
"#
        ),
        "test config",
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_recrawl_withdraw() {
    let site = Arc::new(Site::default());
    let base = serve(site.clone()).await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base, true, "");

    // ---- run 1: first crawl
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r = &report.sites["test"];
    let hits = site.hits();
    let count = |p: &str| site.count(p);
    assert_eq!(count("/robots.txt"), 1, "robots.txt fetched once");
    assert_eq!(count("/sitemap.xml"), 1, "sitemap named in robots.txt fetched once");
    assert_eq!(count("/zwgk/t20240110_10.html"), 1, "an item only the sitemap lists is found");
    assert_eq!(count("/private/secret.html"), 0, "robots.txt obeyed");
    assert_eq!(r.robots_blocked, 1);
    for p in [
        "/zwgk/index.html",
        "/zwgk/index_1.html",
        "/zcjd/index.html",
        "/zwgk/t20240101_1.html",
        "/zcjd/t20240101_1.html",
        "/zwgk/t20240102_2.html",
        "/zwgk/t20240103_3.html",
        "/zwgk/t20240104_4.html",
        "/zwgk/t20240106_6.html",
        "/zcjd/t20240107_7.html",
        "/files/att.docx",
        "/files/notice.pdf",
        "/loop/a.html",
        "/loop/b.html",
        "/cal/?month=1",
    ] {
        assert_eq!(count(p), 1, "{p} fetched exactly once");
    }
    assert_eq!(count("/flaky/t20240105_5.html"), 2, "500 retried once");
    assert_eq!(count("/elsewhere.html"), 0);
    assert!(hits.iter().all(|h| h.user_agent.starts_with("govsearch/")));
    // politeness: the crawler spaces request starts by the Crawl-delay (100 ms,
    // > delay_ms 50). Arrivals at the server jitter on a loaded machine (seen:
    // an 18 ms gap with a load average of 7 on 2 cores, when one request's
    // arrival was late and the next on time), so no single gap is judged alone:
    // every 5 consecutive arrivals span at least 4 delays less one delay of
    // jitter, and the whole crawl holds the rate: n requests span at least
    // (n - 1) × 95 ms. A crawler ignoring the delay sends 5 within milliseconds.
    let mut times: Vec<Instant> = hits.iter().map(|h| h.at).collect();
    times.sort();
    for w in times.windows(5) {
        let span = w[4] - w[0];
        assert!(span >= Duration::from_millis(300), "5 requests within {span:?}");
    }
    let span = times[times.len() - 1] - times[0];
    let floor = Duration::from_millis(95) * (times.len() as u32 - 1);
    assert!(span >= floor, "{} requests in {span:?}: faster than one per 100 ms", times.len());
    // the calendar trap is cut
    let cal = hits.iter().filter(|h| h.path.starts_with("/cal/")).count();
    assert!(r.traps >= 1, "{report}");
    assert!(cal <= 1 + govsearch_crawler::scope::MAX_CALENDAR_VALUES, "{cal} calendar pages");
    // outcomes
    assert_eq!(r.failed.get("redirect loop"), Some(&1), "{report}");
    assert_eq!(r.gone, 1, "{report}"); // t20240104_4 (404 once)
    assert_eq!(r.updated, 0);
    let flaky = state.url(&format!("{base}/flaky/t20240105_5.html")).unwrap().unwrap();
    assert_eq!((flaky.status.code(), flaky.http_status, flaky.attempts), ("done", Some(200), 2));
    let looped = state.url(&format!("{base}/loop/a.html")).unwrap().unwrap();
    assert_eq!((looped.status, looped.error_code), (UrlStatus::Failed, Some(FailureCode::RedirectLoop)));
    assert_eq!(looped.error_reason.as_deref(), Some("redirect loop"));
    assert_eq!(state.url(&format!("{base}/private/secret.html")).unwrap().unwrap().status, UrlStatus::Blocked);
    let item1 = state.url(&format!("{base}/zwgk/t20240101_1.html")).unwrap().unwrap();
    assert_eq!(item1.kind, "item");
    assert_eq!(item1.column, "规范性文件");
    assert!(item1.etag.is_some());
    assert_eq!(item1.last_modified.as_deref(), Some(LAST_MODIFIED));
    // a page whose URL matches no item pattern but reads like an item becomes one
    assert_eq!(state.url(&format!("{base}/gi_news/726176697730432")).unwrap().unwrap().kind, "item");
    let stored = state.page(&format!("{base}/zwgk/t20240103_3.html")).unwrap().unwrap();
    assert!(encoding_rs::GB18030.decode(&stored.bytes).0.contains("物业服务"), "raw GBK bytes stored");
    let (att_text, att_err) = state.attachment(&format!("{base}/files/att.docx")).unwrap().unwrap();
    assert_eq!(att_text, "第一条 为规范管理，制定本办法。\n第二条 本办法自发布之日起施行。");
    assert_eq!(att_err, "");
    assert!(!report.stopped_early);
    state.integrity_check().unwrap();

    // ---- extraction from the state, no network
    let before = site.hits().len();
    let items = state.extract_items(&cfg).unwrap();
    assert_eq!(site.hits().len(), before);
    // one item per stored page: the copy under another column is its own item,
    // with the same 索引号 (govsearch_index::identity merges them later)
    let copies: Vec<(&[String], &str)> = items
        .iter()
        .filter(|i| i.title == "关于加强住房管理的通知")
        .map(|i| (i.urls.as_slice(), i.index_number.as_str()))
        .collect();
    assert_eq!(
        copies,
        [
            (&[format!("{base}/zcjd/t20240101_1.html")][..], "TEST-2024-00001"),
            (&[format!("{base}/zwgk/t20240101_1.html")][..], "TEST-2024-00001"),
        ],
        "one item per page, not merged by the crawler"
    );
    let by_title: HashMap<&str, _> = items.iter().map(|i| (i.title.as_str(), i)).collect();
    let policy = items.iter().find(|i| i.url == format!("{base}/zcjd/t20240101_1.html")).unwrap();
    assert_eq!(policy.doc_number, "测住建〔2024〕1号");
    assert_eq!(policy.index_number, "TEST-2024-00001");
    assert_eq!(policy.publisher, "测试市住房和城乡建设局");
    assert_eq!(policy.issued_date, "2024-01-02");
    assert_eq!(policy.published_date, "2024-01-03");
    assert_eq!(policy.validity, "有效");
    assert_eq!(policy.topic, "城乡建设");
    assert_eq!(
        policy.body,
        "各有关单位：\n关于加强住房管理的通知，现予印发，请遵照执行。\n《关于加强住房管理的通知》政策解读"
    );
    assert!(policy.related_links.contains(&format!("{base}/zcjd/t20240107_7.html")));
    let interp = by_title["《关于加强住房管理的通知》政策解读"];
    assert_eq!(interp.category, "政策解读");
    assert_eq!(interp.column, "政策解读");
    assert!(interp.related_links.contains(&format!("{base}/zwgk/t20240101_1.html")), "{:?}", interp.related_links);
    assert_eq!(by_title["关于无规律地址文件的通知"].index_number, "TEST-2024-00009");
    let gbk = by_title["关于规范物业服务收费的通知"];
    assert_eq!(gbk.doc_number, "测价〔2024〕3号");
    assert!(gbk.body.contains("镕𠀀"), "GB18030 four-byte character decoded: {}", gbk.body);
    assert_eq!(gbk.category, "规范性文件");
    let with_att = by_title["关于印发管理办法的通知"];
    assert_eq!(with_att.attachments.len(), 2);
    assert_eq!(with_att.attachments[0].kind, "docx");
    assert!(with_att.attachments[0].text.starts_with("第一条"));
    assert_eq!(
        (with_att.attachments[1].kind.as_str(), with_att.attachments[1].text.as_str()),
        ("pdf", "Notice 2024 No. 6")
    );
    assert!(!by_title.contains_key("关于调整公积金政策的通知") || !by_title["关于调整公积金政策的通知"].withdrawn);
    let pages_after_run1 = state.page_count().unwrap();

    // ---- run 2: recrawl; item 2 is taken down
    site.clear();
    site.item2_gone.store(true, Ordering::Relaxed);
    let report2 = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let r2 = &report2.sites["test"];
    assert!(report2.run_id > report.run_id);
    assert_eq!(site.count("/robots.txt"), 1);
    let h1: Vec<Hit> = site.hits().into_iter().filter(|h| h.path == "/zwgk/t20240101_1.html").collect();
    assert_eq!(h1.len(), 1);
    assert!(h1[0].if_none_match.is_some(), "conditional GET sends If-None-Match");
    assert_eq!(h1[0].if_modified_since.as_deref(), Some(LAST_MODIFIED), "and If-Modified-Since");
    assert_eq!(r2.new, 0, "{report2}");
    assert_eq!(r2.updated, 0, "{report2}");
    assert!(r2.unchanged >= 6, "{report2}");
    assert_eq!(r2.withdrawn, 1, "t20240104_4 gone twice: {report2}");
    assert_eq!(r2.gone, 1, "t20240102_2 gone once: {report2}");
    assert_eq!(state.page_count().unwrap(), pages_after_run1, "nothing new stored");
    assert_eq!(state.url(&format!("{base}/zwgk/t20240104_4.html")).unwrap().unwrap().status, UrlStatus::Withdrawn);

    // ---- run 3: item 2 gone a second time → withdrawn, flagged in extraction
    let report3 = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert_eq!(report3.sites["test"].withdrawn, 2, "{report3}");
    let items = state.extract_items(&cfg).unwrap();
    let item2 = items.iter().find(|i| i.title == "关于调整公积金政策的通知").unwrap();
    assert!(item2.withdrawn);
    // the report serialises and prints
    let json = serde_json::to_string(&report3).unwrap();
    assert!(json.contains("\"withdrawn\":2"));
    assert!(report3.to_string().contains("test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_run_resumes_without_refetching() {
    let site = Arc::new(Site::default());
    let base = serve(site.clone()).await;
    let (dir, state) = common::fresh_state();
    let cfg = config(&base, true, "");
    let r1 = crawl::run(&cfg, &state, CrawlOptions { max_pages: Some(4), progress: None, ..Default::default() })
        .await
        .unwrap();
    assert!(r1.stopped_early);
    assert_eq!(r1.sites["test"].fetched, 4);
    drop(state);
    let state = CrawlState::open(&common::state_path(dir.path())).unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let s2 = seen.clone();
    let progress: Arc<dyn Fn(&crawl::Progress) + Send + Sync> = Arc::new(move |_p: &crawl::Progress| {
        s2.fetch_add(1, Ordering::Relaxed);
    });
    let r2 = crawl::run(&cfg, &state, CrawlOptions { max_pages: None, progress: Some(progress), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(r2.run_id, r1.run_id, "the interrupted run is resumed");
    assert!(!r2.stopped_early);
    assert_eq!(seen.load(Ordering::Relaxed) as u64, r2.sites["test"].fetched);
    for p in
        ["/zwgk/index.html", "/zcjd/index.html", "/zwgk/t20240101_1.html", "/zwgk/t20240106_6.html", "/files/att.docx"]
    {
        assert_eq!(site.count(p), 1, "{p} fetched once across the interrupted and resumed run");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_address_refused_without_allow_private() {
    let site = Arc::new(Site::default());
    let base = serve(site.clone()).await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base, false, "");
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert_eq!(site.hits().len(), 0, "no request reached the private address");
    let failed = &report.sites["test"].failed;
    assert_eq!(failed.get("private address refused: 127.0.0.1"), Some(&2), "{report}");
    let row = state.url(&format!("{base}/zwgk/index.html")).unwrap().unwrap();
    assert_eq!(row.error_reason.as_deref(), Some("private address refused: 127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anti_bot_challenge_is_recorded_and_backed_off() {
    let app = Router::new().fallback(|uri: axum::http::Uri| async move {
        if uri.path() == "/robots.txt" {
            return Response::builder().status(404).body(Body::empty()).unwrap();
        }
        Response::builder()
            .status(521)
            .header(header::SET_COOKIE, "__jsl_clearance=1; path=/")
            .body(Body::from("<script>document.cookie='__jsl_clearance=1';location.reload()</script>"))
            .unwrap()
    });
    let hits = Arc::new(AtomicUsize::new(0));
    let h2 = hits.clone();
    let app = app.layer(axum::middleware::from_fn(move |req: Request<Body>, next: axum::middleware::Next| {
        let h = h2.clone();
        async move {
            h.fetch_add(1, Ordering::Relaxed);
            next.run(req).await
        }
    }));
    let base = common::serve(app).await;
    let (_dir, state) = common::fresh_state();
    let cfg = Config::parse(
        &format!("[[site]]\nname = \"waf\"\nstart_urls = [\"{base}/a/\", \"{base}/b/\"]\ndelay_ms = 200\nallow_private = true\n"),
        "t",
    )
    .unwrap();
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let failed = &report.sites["waf"].failed;
    // /a/, /b/ and /sitemap.xml: the first answers with a challenge; requests
    // already past the host gate may meet it too; the rest are not sent
    let challenged = failed.get("anti-bot challenge").copied().unwrap_or(0);
    let backed_off = failed.get("anti-bot challenge (host backed off)").copied().unwrap_or(0);
    assert!(challenged >= 1, "{report}");
    assert_eq!(challenged + backed_off, 3, "{report}");
    // robots.txt (404) + the requests that met the challenge
    assert_eq!(hits.load(Ordering::Relaxed) as u64, 1 + challenged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_crawl_refetches_nothing_finished() {
    let site = Arc::new(Site::default());
    let base = serve(site.clone()).await;
    let (dir, state) = common::fresh_state();
    let cfg = config(&base, true, "");
    // the crawl future is dropped mid-flight, as on a crash or Ctrl-C
    let aborted =
        tokio::time::timeout(Duration::from_millis(900), crawl::run(&cfg, &state, CrawlOptions::default())).await;
    assert!(aborted.is_err(), "the crawl should still be running");
    drop(state);
    let state = CrawlState::open(&common::state_path(dir.path())).unwrap();
    let finished: Vec<String> = state
        .urls()
        .unwrap()
        .into_iter()
        .filter(|u| u.status == UrlStatus::Done && u.kind != "robots")
        .map(|u| u.url.strip_prefix(&base).unwrap().to_owned())
        .collect();
    assert!(!finished.is_empty());
    let in_flight = state.urls().unwrap().into_iter().filter(|u| u.status == UrlStatus::Fetching).count();
    let before: HashMap<&String, usize> = finished.iter().map(|p| (p, site.count(p))).collect();
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert!(!report.stopped_early);
    for path in &finished {
        assert_eq!(
            site.count(path),
            before[path],
            "{path} was finished before the abort and must not be fetched again"
        );
    }
    assert!(
        state.urls().unwrap().iter().all(|u| u.status != UrlStatus::Fetching),
        "{in_flight} in-flight URLs were requeued and finished"
    );
    state.integrity_check().unwrap();
}

/// `max_pages` bounds each host of a site on its own: one host full of links
/// cannot use up the budget of the site's other host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_pages_is_per_host() {
    async fn host(links: usize) -> (String, Arc<Mutex<Vec<String>>>) {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let h = hits.clone();
        let app = Router::new().fallback(move |req: Request<Body>| {
            let h = h.clone();
            async move {
                let path = req.uri().path().to_owned();
                h.lock().unwrap().push(path.clone());
                let body = if path == "/zwgk/index.html" {
                    let items: String =
                        (1..=links).map(|i| format!(r#"<li><a href="/zwgk/t2024010{i}_{i}.html">通知{i}</a></li>"#)).collect();
                    format!(r#"<html><head><meta charset="utf-8"><title>规范性文件</title></head><body><ul>{items}</ul></body></html>"#)
                } else if path.starts_with("/zwgk/t") {
                    item_page(&format!("关于{path}的通知"), "测政〔2024〕1号", "000-2024-1", "")
                } else {
                    return respond(StatusCode::NOT_FOUND, "text/html", Vec::new(), &[]);
                };
                respond(StatusCode::OK, "text/html; charset=utf-8", body.into_bytes(), &[])
            }
        });
        (common::serve(app).await, hits)
    }
    let (a, hits_a) = host(8).await;
    let (b, hits_b) = host(8).await;
    let cfg = Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 4
[[site]]
name = "two-hosts"
start_urls = ["{a}/zwgk/index.html", "{b}/zwgk/index.html"]
delay_ms = 0
max_pages = 3
allow_private = true
"#
        ),
        "test config",
    )
    .unwrap();
    let (_dir, state) = common::fresh_state();
    crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    for (name, hits) in [("a", &hits_a), ("b", &hits_b)] {
        let items = hits.lock().unwrap().iter().filter(|p| p.starts_with("/zwgk/t")).count();
        assert_eq!(items, 3, "host {name}: {items} of its 8 items fetched with max_pages = 3 per host");
    }
}

/// The trap bound counts distinct URLs: a link that every list page repeats
/// (a sidebar, "latest items") uses one place, not one per page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_pages_counts_a_repeated_link_once() {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let h = hits.clone();
    let app = Router::new().fallback(move |req: Request<Body>| {
        let h = h.clone();
        async move {
            let path = req.uri().path().to_owned();
            h.lock().unwrap().push(path.clone());
            let link = |i: usize| format!(r#"<li><a href="/zwgk/t2024010{i}_{i}.html">通知{i}</a></li>"#);
            let body = match path.as_str() {
                // page 1: items 1-3 and page 2; page 2 repeats 1-3, then 4 and 5
                "/zwgk/index.html" => {
                    let items: String = (1..=3).map(link).collect();
                    format!(
                        r#"<html><head><meta charset="utf-8"><title>规范性文件</title></head><body><ul>{items}</ul><a href="/zwgk/index_1.html">下一页</a></body></html>"#
                    )
                }
                "/zwgk/index_1.html" => {
                    let items: String = (1..=5).map(link).collect();
                    format!(r#"<html><head><meta charset="utf-8"><title>规范性文件</title></head><body><ul>{items}</ul></body></html>"#)
                }
                p if p.starts_with("/zwgk/t") => item_page(&format!("关于{p}的通知"), "测政〔2024〕1号", "000-2024-1", ""),
                _ => return respond(StatusCode::NOT_FOUND, "text/html", Vec::new(), &[]),
            };
            respond(StatusCode::OK, "text/html; charset=utf-8", body.into_bytes(), &[])
        }
    });
    let base = common::serve(app).await;
    let cfg = Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 1
[[site]]
name = "repeats"
start_urls = ["{base}/zwgk/index.html"]
delay_ms = 0
max_pages = 6
allow_private = true
"#
        ),
        "test config",
    )
    .unwrap();
    let (_dir, state) = common::fresh_state();
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let mut items: Vec<String> = hits.lock().unwrap().iter().filter(|p| p.starts_with("/zwgk/t")).cloned().collect();
    items.sort();
    items.dedup();
    assert_eq!(items.len(), 5, "page 2 and its five items are six distinct URLs: {items:?}\n{report}");
}

/// Error pages served with 200 are not documents: a soft 404, a 系统繁忙
/// page and a login wall are never extracted, each is recorded with its
/// reason, a real document that quotes 系统繁忙 is kept, and an item already
/// stored survives a later 系统繁忙 answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_served_with_200_are_not_documents() {
    let busy_now = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let b = busy_now.clone();
    let app = Router::new().fallback(move |req: Request<Body>| {
        let b = b.clone();
        async move {
            let path = req.uri().path().to_owned();
            let shell = |title: &str, body: &str| {
                format!(r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="nav"><a href="/">首页</a></div>{body}<div class="footer">版权所有 测试市人民政府</div></body></html>"#)
            };
            let long = "各区人民政府，市政府各部门：为做好网上办事服务，现就有关事项通知如下。".repeat(8);
            let body = match path.as_str() {
                "/zwgk/index.html" => list_page(
                    "通知公告",
                    &[
                        ("/zwgk/t20240101_1.html", "一"),
                        ("/zwgk/t20240101_2.html", "二"),
                        ("/zwgk/t20240101_3.html", "三"),
                        ("/zwgk/t20240101_4.html", "四"),
                        ("/zwgk/t20240101_5.html", "五"),
                    ],
                    1,
                ),
                "/zwgk/t20240101_1.html" if b.load(std::sync::atomic::Ordering::Relaxed) => {
                    shell("提示信息", "<p>系统繁忙，请稍后再试。</p>")
                }
                "/zwgk/t20240101_1.html" => item_page("关于做好网上办事服务的通知", "测政〔2024〕1号", "000-2024-1", ""),
                "/zwgk/t20240101_2.html" => shell("提示信息", "<p>抱歉，页面不存在。</p><a href=\"/\">返回首页</a>"),
                "/zwgk/t20240101_3.html" => shell(
                    "用户登录",
                    r#"<form action="/login"><label>用户名</label><input name="u"><label>密码</label><input type="password" name="p"><button>登录</button></form>"#,
                ),
                "/zwgk/t20240101_4.html" => item_page(
                    "关于网上办事大厅系统繁忙时段分流的通知",
                    "测政〔2024〕4号",
                    "000-2024-4",
                    &format!("<p>{long}高峰时段可能出现系统繁忙提示，请错峰办理。</p>"),
                ),
                "/zwgk/t20240101_5.html" => shell("系统繁忙", "<p>服务器繁忙</p>"),
                _ => return respond(StatusCode::NOT_FOUND, "text/html", Vec::new(), &[]),
            };
            respond(StatusCode::OK, "text/html; charset=utf-8", body.into_bytes(), &[])
        }
    });
    let base = common::serve(app).await;
    let cfg = Config::parse(
        &format!(
            r#"
[crawl]
retry_base_ms = 10
[[site]]
name = "errors"
start_urls = ["{base}/zwgk/index.html"]
delay_ms = 0
allow_private = true
"#
        ),
        "test config",
    )
    .unwrap();
    let (_dir, state) = common::fresh_state();
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let titles = |state: &govsearch_crawler::state::CrawlState| {
        let mut t: Vec<String> = state.extract_items(&cfg).unwrap().into_iter().map(|i| i.title).collect();
        t.sort();
        t
    };
    assert_eq!(
        titles(&state),
        vec!["关于做好网上办事服务的通知", "关于网上办事大厅系统繁忙时段分流的通知"],
        "{report}"
    );
    let failed = &report.sites["errors"].failed;
    assert_eq!(failed.get("error page served with 200 (系统繁忙)"), Some(&1), "{report}");
    assert_eq!(failed.get("login wall"), Some(&1), "{report}");
    let soft = state.urls().unwrap().into_iter().find(|u| u.url.ends_with("t20240101_2.html")).unwrap();
    assert_eq!(soft.http_status, Some(404), "a soft 404 counts as a 404: {soft:?}");

    // the stored item survives its page answering 系统繁忙 on the recrawl
    busy_now.store(true, std::sync::atomic::Ordering::Relaxed);
    let report = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert_eq!(titles(&state).len(), 2, "nothing stored is lost\n{report}");
    assert!(report.sites["errors"].failed.contains_key("error page served with 200 (系统繁忙)"), "{report}");
}
