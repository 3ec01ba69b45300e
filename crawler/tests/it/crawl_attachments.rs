//! A crawl stores the text of DOC, WPS, XLS and XLSX attachments, as it does
//! for PDF and DOCX: a fixture site on loopback whose item links one of each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions};

use crate::common;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/attachments/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn respond(status: StatusCode, ctype: &str, body: Vec<u8>) -> Response<Body> {
    Response::builder().status(status).header(header::CONTENT_TYPE, ctype).body(Body::from(body)).unwrap()
}

const ITEM: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于做好2024年政府信息公开工作的通知</title>
<meta name="ArticleTitle" content="关于做好2024年政府信息公开工作的通知"></head><body>
<table class="meta"><tr><td>索 引 号：</td><td>TEST-2024-00001</td><td>发布机构：</td><td>测试市人民政府办公厅</td></tr>
<tr><td>文　　号：</td><td>测政办〔2024〕1号</td><td>发布日期：</td><td>2024-03-15</td></tr></table>
<div class="TRS_Editor"><p>各区人民政府，市政府各委、办、局：</p><p>现将有关事项通知如下，请遵照执行。</p>
<p>附件：<a href="/files/notice.doc">通知.doc</a> <a href="/files/notice.wps">通知.wps</a>
<a href="/files/tasks.xls">分工表.xls</a> <a href="/files/tasks.xlsx">分工表.xlsx</a></p></div></body></html>"#;

fn handle(req: &Request<Body>) -> Response<Body> {
    match req.uri().path() {
        "/zwgk/index.html" => respond(
            StatusCode::OK,
            "text/html; charset=utf-8",
            r#"<html><body><ul><li><a href="/zwgk/t20240315_1.html">关于做好2024年政府信息公开工作的通知</a></li></ul></body></html>"#.into(),
        ),
        "/zwgk/t20240315_1.html" => respond(StatusCode::OK, "text/html; charset=utf-8", ITEM.into()),
        "/files/notice.doc" => respond(StatusCode::OK, "application/msword", fixture("notice.doc")),
        // WPS Writer's own type; the bytes are the Word-compatible format it saves
        "/files/notice.wps" => respond(StatusCode::OK, "application/kswps", fixture("notice.doc")),
        "/files/tasks.xls" => respond(StatusCode::OK, "application/vnd.ms-excel", fixture("tasks.xls")),
        "/files/tasks.xlsx" => respond(
            StatusCode::OK,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fixture("tasks.xlsx"),
        ),
        _ => respond(StatusCode::NOT_FOUND, "text/plain", b"not found".to_vec()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_stores_office_attachment_text() {
    let base = common::serve_fn(handle).await;

    let cfg = Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 2
retry_base_ms = 50
timeout_secs = 5

[[site]]
name = "test"
start_urls = ["{base}/zwgk/index.html"]
delay_ms = 20
max_depth = 3
allow_private = true
"#
        ),
        "test config",
    )
    .unwrap();
    let (_dir, state) = common::fresh_state();
    crawl::run(&cfg, &state, CrawlOptions::default()).await.unwrap();

    for (file, first, last) in [
        ("notice.doc", "关于做好2024年政府信息公开工作的通知\n", "\n2\t做好政策解读\t市政府办公厅"),
        ("notice.wps", "关于做好2024年政府信息公开工作的通知\n", "某某市人民政府办公厅\n2024年3月15日"),
        ("tasks.xls", "【任务分工】\n序号\t工作任务", "【说明】\n各区人民政府\n填报单位：各区人民政府"),
        ("tasks.xlsx", "【任务分工】\n序号\t工作任务", "1\t主动公开政策文件\t各区人民政府\t2024-06-30\t12.5"),
    ] {
        let (text, error) = state
            .attachment(&format!("{base}/files/{file}"))
            .unwrap()
            .unwrap_or_else(|| panic!("{file}: no attachment row"));
        assert_eq!(error, "", "{file}");
        assert!(text.starts_with(first), "{file}: {text}");
        assert!(text.contains(last), "{file}: {text}");
    }
}
