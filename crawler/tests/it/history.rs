//! Change history and broken links over real HTTP on loopback: a site whose
//! pages change between crawls, and links to things that are not there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions};
use govsearch_crawler::history::BrokenLink;
use govsearch_crawler::vocab::UrlStatus;

use crate::common;

#[derive(Default)]
struct Site {
    /// Item 1's body text was edited.
    edited: AtomicBool,
    /// Item 4 was taken down (404) while the list still links it.
    item4_removed: AtomicBool,
    /// Item 5's paragraphs are re-wrapped (same text, other breaks).
    rewrapped: AtomicBool,
    /// A view counter in the page chrome: different on every request.
    views: AtomicUsize,
}

fn item_page(title: &str, idx: &str, views: usize, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_测试市人民政府</title></head>
<body><div class="nav">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.html">规范性文件</a></div>
<div class="info">浏览次数：{views}　页面生成时间：2024-05-0{d} 10:0{d}:00</div>
<table class="meta"><tr><td>索 引 号：</td><td>{idx}</td><td>主题分类：</td><td>城乡建设</td></tr>
<tr><td>发布机构：</td><td>测试市住房和城乡建设局</td><td>成文日期：</td><td>2024年1月2日</td></tr>
<tr><td>文　　号：</td><td>测住建〔2024〕{n}号</td><td>发布日期：</td><td>2024-01-03</td></tr>
<tr><td>有 效 性：</td><td>有效</td><td></td><td></td></tr></table>
<div class="TRS_Editor">{body}</div>
<div class="footer">版权所有 测试市人民政府　本页访问量：{views}</div></body></html>"#,
        d = views % 10,
        n = idx.rsplit('-').next().unwrap_or("0"),
    )
}

fn handle(site: &Site, req: &Request<Body>) -> Response<Body> {
    let views = site.views.fetch_add(1, Ordering::Relaxed);
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_owned();
    let ok = |ctype: &str, body: String| {
        Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, ctype).body(Body::from(body)).unwrap()
    };
    let not_found = || {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/html")
            .body(Body::from("<h1>404</h1>"))
            .unwrap()
    };
    let html = |b: String| ok("text/html; charset=utf-8", b);
    match req.uri().path() {
        "/" => html("<html><head><title>测试市人民政府</title></head><body>首页</body></html>".to_owned()),
        "/robots.txt" => ok("text/plain", format!("User-agent: *\nSitemap: http://{host}/sitemap.xml\n")),
        // lists an item no page links to, which is not there: not a broken link
        "/sitemap.xml" => ok(
            "application/xml",
            format!(
                "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <url><loc>http://{host}/zwgk/t20240109_9.html</loc></url></urlset>"
            ),
        ),
        "/zwgk/index.html" => html(
            r#"<html><head><meta charset="utf-8"><title>规范性文件</title><meta name="ColumnName" content="规范性文件"></head><body><ul>
<li><a href="t20240101_1.html">关于加强住房管理的通知</a></li>
<li><a href="t20240102_2.html">关于调整公积金政策的通知</a></li>
<li><a href="t20240103_3.html">从未存在的文件</a></li>
<li><a href="t20240104_4.html">后来撤下的文件</a></li>
<li><a href="t20240105_5.html">重新排版的文件</a></li>
<li><a href="t20240106_6.html">带附件的文件</a></li>
</ul></body></html>"#
                .to_owned(),
        ),
        "/zwgk/t20240101_1.html" => {
            let body = if site.edited.load(Ordering::Relaxed) {
                "<p>各有关单位：</p><p>住房管理办法自2024年3月1日起施行，有效期五年。</p>"
            } else {
                "<p>各有关单位：</p><p>住房管理办法自2024年2月1日起施行，有效期五年。</p>"
            };
            html(item_page("关于加强住房管理的通知", "TEST-2024-1", views, body))
        }
        "/zwgk/t20240102_2.html" => html(item_page(
            "关于调整公积金政策的通知",
            "TEST-2024-2",
            views,
            "<p>各有关单位：</p><p>公积金政策调整如下。</p>",
        )),
        "/zwgk/t20240104_4.html" if !site.item4_removed.load(Ordering::Relaxed) => {
            html(item_page("后来撤下的文件", "TEST-2024-4", views, "<p>本文件后来被撤下。</p>"))
        }
        "/zwgk/t20240105_5.html" => {
            let body = if site.rewrapped.load(Ordering::Relaxed) {
                "<p>　　第一段文字。第二段文字。</p>"
            } else {
                "<p>第一段文字。</p><p>第二段文字。</p>"
            };
            html(item_page("重新排版的文件", "TEST-2024-5", views, body))
        }
        "/zwgk/t20240106_6.html" => html(item_page(
            "带附件的文件",
            "TEST-2024-6",
            views,
            r#"<p>附件：<a href="/files/missing.pdf">实施细则.pdf</a></p>"#,
        )),
        _ => not_found(),
    }
}

fn config(base: &str) -> Config {
    Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 4
retry_base_ms = 20
timeout_secs = 5

[[site]]
name = "test"
start_urls = ["{base}/zwgk/index.html"]
delay_ms = 0
max_depth = 3
allow_private = true
"#
        ),
        "test config",
    )
    .unwrap()
}

/// (dead URL path, linking page path, kind, reason, worked before) of each broken link.
fn summary(links: &[BrokenLink], base: &str) -> Vec<(String, String, String, String, bool)> {
    links
        .iter()
        .map(|l| {
            (
                l.url.trim_start_matches(base).to_owned(),
                l.parent_url.trim_start_matches(base).to_owned(),
                l.kind.clone(),
                l.reason.clone(),
                l.worked_before,
            )
        })
        .collect()
}

fn row(url: &str, parent: &str, kind: &str, reason: &str, worked: bool) -> (String, String, String, String, bool) {
    (url.into(), parent.into(), kind.into(), reason.into(), worked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_body_is_one_revision_and_a_changed_counter_none() {
    let site = Arc::new(Site::default());
    let s = site.clone();
    let base = common::serve_fn(move |req| handle(&s, req)).await;
    let (_dir, state) = common::fresh_state();
    let cfg = config(&base);
    let item1 = format!("{base}/zwgk/t20240101_1.html");

    // ---- run 1: everything new, nothing to compare with
    let r1 = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert_eq!(r1.sites["test"].new, 8, "{r1}"); // home, list, items 1 2 4 5 6, sitemap
    assert_eq!(state.revisions().unwrap(), vec![]);
    assert_eq!(
        summary(&state.broken_links().unwrap(), &base),
        vec![
            row("/zwgk/t20240103_3.html", "/zwgk/index.html", "item", "http 404", false),
            row("/files/missing.pdf", "/zwgk/t20240106_6.html", "attachment", "http 404", false),
        ],
        "a page and an attachment that never worked; the sitemap's dead entry is no link on a page"
    );

    // ---- run 2: item 1's text edited; the counters of every page moved;
    // item 5 re-wrapped; item 4 taken down
    site.edited.store(true, Ordering::Relaxed);
    site.rewrapped.store(true, Ordering::Relaxed);
    site.item4_removed.store(true, Ordering::Relaxed);
    let r2 = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    let s2 = &r2.sites["test"];
    assert_eq!(s2.updated, 2, "item 1 (text) and item 5 (paragraph breaks) re-stored: {r2}");
    assert_eq!(s2.gone, 1, "item 4 (404 once): {r2}");
    assert_eq!(s2.withdrawn, 3, "item 3, the attachment, the sitemap's dead item (404 twice): {r2}");
    let revs = state.revisions().unwrap();
    assert_eq!(revs.len(), 1, "only the edited text is a revision: {revs:?}");
    let rev = &revs[0];
    assert_eq!(rev.url, item1);
    assert_eq!(rev.site, "test");
    assert_eq!(rev.fields, ["body"]);
    assert_eq!((rev.old_title.as_str(), rev.new_title.as_str()), ("关于加强住房管理的通知", "关于加强住房管理的通知"));
    assert_eq!((rev.old_published_date.as_str(), rev.new_published_date.as_str()), ("2024-01-03", "2024-01-03"));
    assert_eq!(rev.run_id, Some(r2.run_id));
    let before = rev.previous_seen_at.expect("the old version was seen");
    assert!(before <= rev.seen_at);
    assert_ne!(rev.old_hash, rev.new_hash);
    let old_text = state.revision_text(rev.id).unwrap().unwrap();
    assert!(
        old_text.contains("自2024年2月1日起施行") && old_text.contains("标题：关于加强住房管理的通知"),
        "{old_text}"
    );
    // the new version is the stored page
    let page = state.page(&item1).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&page.bytes).contains("自2024年3月1日起施行"));
    assert_eq!(
        summary(&state.broken_links().unwrap(), &base),
        vec![
            row("/zwgk/t20240103_3.html", "/zwgk/index.html", "item", "http 404", false),
            row("/zwgk/t20240104_4.html", "/zwgk/index.html", "item", "http 404", true),
            row("/files/missing.pdf", "/zwgk/t20240106_6.html", "attachment", "http 404", false),
        ],
    );
    let item4 = state.broken_links().unwrap().into_iter().find(|l| l.url.ends_with("_4.html")).unwrap();
    assert_eq!(
        (item4.status.code(), item4.http_status, item4.link_text.as_str()),
        ("gone", Some(404), "后来撤下的文件")
    );
    assert!(item4.last_seen.is_some() && item4.checked_at >= item4.last_seen);

    // ---- run 3: only the counters move again: still one revision
    let r3 = crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();
    assert_eq!(r3.sites["test"].updated, 0, "{r3}");
    assert_eq!(state.revisions().unwrap().len(), 1);
    let statuses: Vec<UrlStatus> = state.broken_links().unwrap().iter().map(|l| l.status).collect();
    assert_eq!(statuses, [UrlStatus::Withdrawn; 3], "404 twice");
    state.integrity_check().unwrap();
}
