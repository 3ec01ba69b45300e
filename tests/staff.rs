//! The tally and the audit through the API and the staff pages, on a catalogue
//! with known contents and on a crawled fixture site with the same kinds of
//! contents (`tally_and_audit_of_a_crawled_fixture_site`): duplicates across columns and sites (merged by the
//! pipeline's dedup), a withdrawn item, an item without a date, an abolished
//! normative document, interpretations with and without their policy.

use std::sync::Arc;

use axum::http::StatusCode;
use govsearch::server::AppState;
use govsearch_index::{Catalogue, Document};

use crate::common::{get, get_json};

fn d(id: &str, site: &str, column: &str, cat: &str, title: &str, published: &str) -> Document {
    Document {
        id: id.into(),
        url: format!("http://{site}.gov.cn/{column}/{id}.html"),
        urls: vec![format!("http://{site}.gov.cn/{column}/{id}.html")],
        site: site.into(),
        column: column.into(),
        category: cat.into(),
        title: title.into(),
        published_date: published.into(),
        publisher: "示例市人民政府".into(),
        index_number: format!("IDX-{id}"),
        body: format!("{title}的正文。"),
        ..Default::default()
    }
}

pub(crate) fn staff_fixture() -> (tempfile::TempDir, AppState) {
    let mut docs = vec![
        d("n1", "a", "gfxwj", "规范性文件", "示例市电动自行车管理办法", "2024-03-01"),
        // The same item again under another column of site a, and on site b: one item.
        d("n1-copy", "a", "tzgg", "规范性文件", "示例市电动自行车管理办法", "2024-03-01"),
        d("n1-mirror", "b", "zcwj", "规范性文件", "示例市电动自行车管理办法", "2024-03-01"),
        d("n2", "a", "gfxwj", "规范性文件", "示例市停车场管理规定", "2024-06-10"),
        d("old", "a", "gfxwj", "规范性文件", "示例市旧办法", "2019-01-01"),
        d("i1", "a", "zcjd", "政策解读", "《示例市电动自行车管理办法》政策解读", "2024-03-05"),
        d("i2", "a", "zcjd", "政策解读", "一图读懂营商环境", "2024-07-01"),
        d("w", "a", "tzgg", "通知公告", "关于停水的通知", "2024-08-08"),
        d("nodate", "a", "tzgg", "通知公告", "关于开展检查的通知", ""),
        d("y23", "a", "tzgg", "通知公告", "2023年的通知", "2023-12-31"),
    ];
    for x in &mut docs[1..3] {
        x.index_number = "IDX-n1".into();
    }
    docs[4].validity = "废止".into();
    docs[4].expiry_date = "2024-09-30".into();
    docs[4].issued_date = "2019-01-01".into();
    docs[5].related_links = vec!["http://a.gov.cn/gfxwj/n1.html".into()];
    docs[7].withdrawn = true;
    let (docs, merged) = govsearch::pipeline::dedup(docs);
    assert_eq!(merged, 2);
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    for x in &docs {
        w.upsert(x).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();
    (dir, AppState::new(Arc::new(cat)))
}

fn count(j: &serde_json::Value, value: &str) -> u64 {
    j["groups"].as_array().unwrap().iter().find(|g| g["value"] == value).map_or(0, |g| g["count"].as_u64().unwrap())
}

#[tokio::test]
async fn tally_counts_each_item_once_and_lists_undated() {
    let (_d, st) = staff_fixture();
    let (s, j) = get_json(&st, "/api/tally?year=2024").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["total"], 5, "{j}"); // n1 (once), n2, i1, i2, w (withdrawn still counts), nothing from 2023
    assert_eq!(j["withdrawn"], 1);
    assert_eq!(count(&j, "规范性文件"), 2);
    assert_eq!(count(&j, "政策解读"), 2);
    assert_eq!(count(&j, "通知公告"), 1);
    assert_eq!(j["undated"], serde_json::json!(["nodate"]));
    // n1 was seen at three URLs.
    assert_eq!(j["multi_url"].as_array().unwrap().len(), 1);
    // Table 二: issued in 2024 = n1, n2; abolished in 2024 = old; in force at year end = n1, n2.
    assert_eq!(j["normative"]["issued"].as_array().unwrap().len(), 2);
    assert_eq!(j["normative"]["abolished"], serde_json::json!(["old"]));
    assert_eq!(j["normative"]["in_force"].as_array().unwrap().len(), 2);
    let (_, j) = get_json(&st, "/api/tally?year=2024&group=channel").await;
    assert_eq!(count(&j, "a"), 5);
    let (_, j) = get_json(&st, "/api/tally?from=2024-03-01&to=2024-03-31&group=month").await;
    assert_eq!(j["groups"], serde_json::json!([{"value": "2024-03", "count": 2, "ids": ["i1", "n1"]}]));
}

/// The answers' shapes (keys in order), and the CLI's JSON and CSV the same
/// as the API's for the same query.
#[tokio::test]
async fn report_shapes_and_the_cli_agree_with_the_api() {
    use govsearch_index::tally::{GroupBy, Period, TallyQuery};
    let (_d, st) = staff_fixture();
    let keys_in_order = |body: &str, keys: &[&str]| {
        let at: Vec<usize> = keys.iter().map(|k| body.find(&format!("\"{k}\":")).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{keys:?} at {at:?}: {body}");
        let j: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(j.as_object().unwrap().keys().count(), keys.len(), "{body}");
        j
    };
    let (_, body, _) = get(&st, "/api/tally?year=2024&site=a").await;
    let tally_keys = [
        "from",
        "to",
        "group_by",
        "total",
        "withdrawn",
        "pending",
        "groups",
        "undated",
        "multi_url",
        "year",
        "rules",
        "normative",
    ];
    let api = keys_in_order(&body, &tally_keys);
    assert_eq!(api["group_by"], "category");
    assert_eq!(api["groups"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["count", "ids", "value"]);
    assert_eq!(api["normative"].as_object().unwrap().keys().count(), 3);
    let (_, body, _) = get(&st, "/api/tally?from=2024-01-01&to=2024-06-30").await;
    let days = keys_in_order(&body, &tally_keys);
    assert_eq!(
        (&days["year"], &days["rules"], &days["normative"]),
        (&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::Value::Null)
    );
    let (_, body, _) = get(&st, "/api/audit?as_of=2024-12-31").await;
    let audit = keys_in_order(&body, &["as_of", "sites", "documents", "kinds", "findings", "not_checked"]);
    // The first finding and the first kind, as sent (a Value sorts its keys).
    let first = |list: &str| {
        let at = body.find(&format!("\"{list}\":[{{")).unwrap() + list.len() + 4;
        body[at..at + body[at..].find('}').unwrap() + 1].to_owned()
    };
    let finding = first("findings");
    keys_in_order(&finding, &["severity", "code", "message", "doc_id", "url", "title", "link_url", "dates"]);
    let kind = first("kinds");
    keys_in_order(&kind, &["id", "name", "count", "latest", "status", "evidence"]);
    assert_eq!(audit["kinds"].as_array().unwrap().len(), 15);

    // The CLI: the same JSON, and the CSV of the total is the API's list=all.
    let q = TallyQuery {
        period: Period::Year(2024),
        sites: vec!["a".into()],
        publisher: None,
        group_by: GroupBy::Category,
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    let json = govsearch::commands::tally::tally(&st.catalogue, &q, true, Some(&csv)).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), api);
    let (_, api_csv, _) = get(&st, "/api/tally.csv?year=2024&site=a&list=all").await;
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), api_csv);
    let e =
        govsearch::commands::tally::tally(&st.catalogue, &TallyQuery { sites: vec!["zz".into()], ..q }, false, None)
            .unwrap_err();
    assert!(format!("{e:#}").starts_with("site: \"zz\""), "worded as the API words it: {e:#}");
}

#[tokio::test]
async fn tally_csv_has_a_bom_and_the_chinese_text() {
    let (_d, st) = staff_fixture();
    let (s, body, h) = get(&st, "/api/tally.csv?year=2024&value=%E8%A7%84%E8%8C%83%E6%80%A7%E6%96%87%E4%BB%B6").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(body.starts_with('\u{feff}'), "BOM first");
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "\u{feff}id,标题,文号,发布机构,类别,栏目,发布日期,网址");
    assert_eq!(lines.len(), 3, "{body}");
    assert!(body.contains("\"示例市电动自行车管理办法\""));
    let (_, body, _) = get(&st, "/api/tally.csv?year=2024&list=undated").await;
    assert!(body.contains("\"nodate\""));
}

#[tokio::test]
async fn tally_bad_parameters() {
    let (_d, st) = staff_fixture();
    for (uri, param) in [
        ("/api/tally?year=twenty", "year"),
        ("/api/tally?from=2024-02-30x&to=2024-03-01", "from"),
        ("/api/tally?from=2024-05-01&to=2024-01-01", "from"),
        ("/api/tally?from=2024-01-01", "to"),
        ("/api/tally?site=nowhere", "site"),
        ("/api/tally?group=colour", "group"),
        ("/api/tally.csv?year=2024&value=nothing", "value"),
        ("/api/audit?as_of=yesterday", "as_of"),
        ("/api/audit?site=nowhere", "site"),
        ("/api/audit?site=a&site=nowhere", "site"),
        ("/api/tally?year=2024&site=a&site=nowhere", "site"),
    ] {
        let (s, j) = get_json(&st, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {j}");
        assert!(j["error"]["message"].as_str().unwrap().starts_with(param), "{uri}: {j}");
    }
}

#[tokio::test]
async fn audit_findings_item_by_item() {
    let (_d, st) = staff_fixture();
    let (s, j) = get_json(&st, "/api/audit?as_of=2024-12-31").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let has =
        |code: &str, id: &str| j["findings"].as_array().unwrap().iter().any(|f| f["code"] == code && f["doc_id"] == id);
    assert!(!has("normative-without-interpretation", "n1"), "n1 has its interpretation: {j}");
    assert!(has("normative-without-interpretation", "n2"));
    assert!(has("interpretation-without-policy", "i2"));
    assert!(has("missing-metadata", "nodate"));
    assert!(j["findings"].as_array().unwrap().iter().any(|f| f["code"] == "missing-kind"));
    let kinds = j["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 15);
    assert_eq!(kinds[0]["status"], "ok");
}

#[tokio::test]
async fn staff_pages_draw_charts_and_link_every_number() {
    let (_d, st) = staff_fixture();
    let (s, html, _) = get(&st, "/staff/tally?year=2024").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("role=\"img\""), "inline SVG chart");
    assert!(html.contains("/staff/tally/list?year=2024&amp;value="), "counts link to their lists");
    assert!(html.contains("本年制发件数"));
    let (s, html, _) = get(&st, "/staff/tally/list?year=2024&list=normative-abolished").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("示例市旧办法"));
    let (s, html, _) = get(&st, "/staff/audit?as_of=2024-12-31").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("规范性文件没有对应的政策解读"));
}

#[tokio::test]
async fn tally_publisher_filter_applies_to_table_two() {
    let (_d, st) = staff_fixture();
    let (s, j) = get_json(&st, "/api/tally?year=2024&publisher=%E5%85%B6%E4%BB%96%E6%9C%BA%E5%85%B3").await; // 其他机关
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["total"], 0, "{j}");
    for col in ["issued", "abolished", "in_force"] {
        assert_eq!(j["normative"][col], serde_json::json!([]), "{col}: {j}");
    }
    let (_, j) =
        get_json(&st, "/api/tally?year=2024&publisher=%E7%A4%BA%E4%BE%8B%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C")
            .await; // 示例市人民政府
    assert_eq!(j["normative"]["issued"].as_array().unwrap().len(), 2, "{j}");
}

/// Crawled text in the two crawl checks (an old title, a link's text) is
/// shown as text on the staff page and made inert in the Markdown report.
#[tokio::test]
async fn crawl_findings_are_escaped_on_the_staff_page_and_in_markdown() {
    use govsearch_crawler::history::Change;
    use govsearch_crawler::scope::UrlKind;
    use govsearch_crawler::state::{CrawlState, FetchRecord, NewUrl, Outcome};

    let (_d, mut st) = staff_fixture();
    let dir = tempfile::tempdir().unwrap();
    let data = govsearch::data::DataDir::open(dir.path()).unwrap();
    let state = CrawlState::open(&data.crawl_db()).unwrap();
    let (list, page, dead) =
        ("http://a.gov.cn/gfxwj/index.html", "http://a.gov.cn/gfxwj/n2.html", "http://a.gov.cn/files/x.pdf");
    let nu = |url: &str, kind: UrlKind, parent: Option<&str>, text: &str| NewUrl {
        url: url.into(),
        site: "a".into(),
        kind,
        depth: 0,
        parent: parent.map(str::to_owned),
        column: String::new(),
        link_text: text.into(),
    };
    let ok = |url: &str, html: &str, hash: &str, revision: Option<Change>| FetchRecord {
        url: url.into(),
        http_status: Some(200),
        body: Some(html.as_bytes().to_vec()),
        content_type: Some("text/html; charset=utf-8".into()),
        content_hash: Some(hash.into()),
        revision,
        ..Default::default()
    };
    let run = state.begin_run().unwrap();
    state
        .enqueue(&[
            nu(list, UrlKind::List, None, ""),
            nu(page, UrlKind::Item, Some(list), "n2"),
            nu(dead, UrlKind::Attachment, Some(page), "<script>alert(1)</script>细则.pdf"),
        ])
        .unwrap();
    let item_html = r#"<p>附件：<a href="/files/x.pdf">细则.pdf</a></p>"#;
    state.record(run, ok(list, r#"<a href="n2.html">n2</a>"#, "l", None)).unwrap();
    state.record(run, ok(page, item_html, "h1", None)).unwrap();
    let change = Change {
        fields: vec!["title".into()],
        old_title: "<img src=x onerror=alert(1)>旧标题".into(),
        new_title: "示例市停车场管理规定".into(),
        old_published_date: "2024-06-10".into(),
        new_published_date: "2024-06-10".into(),
        ..Default::default()
    };
    assert_eq!(state.record(run, ok(page, item_html, "h2", Some(change))).unwrap(), Outcome::Updated);
    state.record(run, FetchRecord { url: dead.into(), http_status: Some(404), ..Default::default() }).unwrap();
    state.finish_run(run).unwrap();
    drop(state);
    st.data = Some(data.clone());

    let (_, j) = get_json(&st, "/api/audit").await;
    let codes: Vec<(&str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "broken-link" || f["code"] == "changed-after-publication")
        .map(|f| (f["code"].as_str().unwrap(), f["doc_id"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("broken-link", "n2"), ("changed-after-publication", "n2")], "{j}");

    let (s, html, _) = get(&st, "/staff/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("原标题“&lt;img src=x onerror=alert(1)&gt;旧标题”"), "{html}");
    assert!(html.contains("“&lt;script&gt;alert(1)&lt;/script&gt;细则.pdf”"), "{html}");
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "{html}");
    assert!(html.contains("失效链接：<code class=\"url\">http://a.gov.cn/files/x.pdf</code>"));

    let (md, _) =
        govsearch::commands::audit::audit(&st.catalogue, &data, &govsearch_index::audit::AuditQuery::default(), false)
            .unwrap();
    assert!(md.contains("“\\<script\\>alert(1)\\</script\\>细则.pdf”"), "{md}");
    assert!(md.contains("原标题“\\<img src=x onerror=alert(1)\\>旧标题”"), "{md}");
    assert!(md.contains("→ 失效链接 <http://a.gov.cn/files/x.pdf>"), "{md}");
    assert!(!md.contains("“<") && !md.contains("(<"), "no crawled tag left unescaped: {md}");
}

/// One page of the crawled fixture site: the 信息公开 metadata table (rows
/// left out when empty), a body, and extra HTML (links).
#[allow(clippy::too_many_arguments)] // one argument per metadata row reads better here than a struct
fn fixture_item(
    title: &str,
    idx: &str,
    num: &str,
    publisher: &str,
    published: &str,
    validity: &str,
    expiry: &str,
    extra: &str,
) -> String {
    let row = |label: &str, v: &str| {
        if v.is_empty() { String::new() } else { format!("<tr><td>{label}：</td><td>{v}</td></tr>") }
    };
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_测试市人民政府</title>
<meta name="ArticleTitle" content="{title}"></head><body><div class="nav">当前位置：<a href="/">首页</a></div>
<table class="meta">{}{}{}{}{}{}</table>
<div class="TRS_Editor"><p>{title}。</p><p>本文件自发布之日起施行，由测试市人民政府负责解释。编号{idx}。</p>{extra}</div>
<div class="footer">版权所有 测试市人民政府</div></body></html>"#,
        row("索 引 号", idx),
        row("发布机构", publisher),
        row("文　　号", num),
        row("发布日期", published),
        row("有 效 性", validity),
        row("失效日期", expiry),
    )
}

/// The tally and the audit over a real crawl: two loopback sites with a
/// normative document listed in two columns, the same document on the second
/// site, an item withdrawn after the first crawl, an item without 发布日期, a
/// normative document abolished this year, and interpretations with and
/// without their policy — then exact counts and findings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tally_and_audit_of_a_crawled_fixture_site() {
    use axum::response::IntoResponse;
    let gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pub_a = "测试市司法局";
    let n1 = fixture_item(
        "测试市行政规范性文件管理办法",
        "11-2024-001",
        "测司规〔2024〕1号",
        pub_a,
        "2024-03-10",
        "有效",
        "",
        "",
    );
    let n2 =
        fixture_item("测试市公共法律服务办法", "11-2024-002", "测司规〔2024〕2号", pub_a, "2024-05-12", "有效", "", "");
    let old =
        fixture_item("测试市旧规定", "11-2020-003", "测司规〔2020〕3号", pub_a, "2020-01-06", "废止", "2024-06-30", "");
    let g1 = fixture_item("关于开展法治宣传月活动的通知", "11-2024-004", "", pub_a, "2024-04-01", "", "", "");
    let nodate = fixture_item("关于调整办公地址的公告", "11-2024-005", "", pub_a, "", "", "", "");
    let w = fixture_item("关于征集意见的通知", "11-2024-006", "", pub_a, "2024-06-01", "", "", "");
    let i1 = fixture_item(
        "《测试市行政规范性文件管理办法》政策解读",
        "11-2024-007",
        "",
        pub_a,
        "2024-03-12",
        "",
        "",
        r#"<p>相关文件：<a href="/gfxwj/t20240310_1.html">测试市行政规范性文件管理办法</a></p>"#,
    );
    let i2 = fixture_item("《某省条例》解读", "11-2024-008", "", pub_a, "2024-07-01", "", "", "");
    let list = |links: &[(&str, &str)]| {
        let items: String = links.iter().map(|(h, t)| format!(r#"<li><a href="{h}">{t}</a></li>"#)).collect();
        format!(r#"<html><head><meta charset="utf-8"><title>列表</title></head><body><ul>{items}</ul></body></html>"#)
    };
    let mut pages_a: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    pages_a.insert(
        "/gfxwj/index.html",
        list(&[
            ("/gfxwj/t20240310_1.html", "n1"),
            ("/gfxwj/t20240512_2.html", "n2"),
            ("/gfxwj/t20200106_3.html", "old"),
        ]),
    );
    pages_a.insert(
        "/tzgg/index.html",
        list(&[
            ("/tzgg/t20240310_9.html", "n1 again"),
            ("/tzgg/t20240401_4.html", "g1"),
            ("/tzgg/content_5.html", "nodate"),
            ("/tzgg/t20240601_6.html", "w"),
        ]),
    );
    pages_a.insert("/zcjd/index.html", list(&[("/zcjd/t20240312_7.html", "i1"), ("/zcjd/t20240701_8.html", "i2")]));
    for (p, h) in [
        ("/gfxwj/t20240310_1.html", &n1),
        ("/tzgg/t20240310_9.html", &n1),
        ("/gfxwj/t20240512_2.html", &n2),
        ("/gfxwj/t20200106_3.html", &old),
        ("/tzgg/t20240401_4.html", &g1),
        ("/tzgg/content_5.html", &nodate),
        ("/tzgg/t20240601_6.html", &w),
        ("/zcjd/t20240312_7.html", &i1),
        ("/zcjd/t20240701_8.html", &i2),
    ] {
        pages_a.insert(p, h.clone());
    }
    let mut pages_b: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    pages_b.insert("/gfxwj/index.html", list(&[("/gfxwj/t20240512_1.html", "n2 on b")]));
    pages_b.insert("/gfxwj/t20240512_1.html", n2.clone());
    let serve = |pages: std::collections::HashMap<&'static str, String>, gone: Arc<std::sync::atomic::AtomicBool>| async move {
        let pages = Arc::new(pages);
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let (pages, gone) = (pages.clone(), gone.clone());
            async move {
                let p = uri.path();
                if p == "/tzgg/t20240601_6.html" && gone.load(std::sync::atomic::Ordering::SeqCst) {
                    return StatusCode::NOT_FOUND.into_response();
                }
                match pages.get(p) {
                    Some(h) => {
                        ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], h.clone()).into_response()
                    }
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{a}")
    };
    let a = serve(pages_a, gone.clone()).await;
    let b = serve(pages_b, Arc::new(std::sync::atomic::AtomicBool::new(false))).await;
    let config = govsearch_crawler::Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 4
retry_base_ms = 10
[[site]]
name = "a"
start_urls = ["{a}/gfxwj/index.html", "{a}/tzgg/index.html", "{a}/zcjd/index.html"]
item_patterns = ['/t\d{{8}}_\d+\.html$', '/content_\d+\.html$']
delay_ms = 0
allow_private = true
[site.columns]
"/gfxwj/" = "规范性文件"
"/tzgg/" = "通知公告"
"/zcjd/" = "政策解读"
[[site]]
name = "b"
start_urls = ["{b}/gfxwj/index.html"]
delay_ms = 0
allow_private = true
[site.columns]
"/gfxwj/" = "规范性文件"
"#
        ),
        "fixture",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = govsearch::data::DataDir::open(dir.path()).unwrap();
    let state = govsearch_crawler::CrawlState::open(&data.crawl_db()).unwrap();
    govsearch_crawler::crawl::run(&config, &state, govsearch_crawler::CrawlOptions::default()).await.unwrap();
    // w is taken down; gone twice, it is withdrawn.
    gone.store(true, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..2 {
        govsearch_crawler::crawl::run(&config, &state, govsearch_crawler::CrawlOptions::default()).await.unwrap();
    }
    drop(state);
    let d2 = data.clone();
    let c2 = config.clone();
    tokio::task::spawn_blocking(move || {
        let held = govsearch::pipeline::Held::acquire(&d2).unwrap();
        govsearch::pipeline::rebuild_index(&held, Some(&c2), None)
    })
    .await
    .unwrap()
    .unwrap();
    let cat = Arc::new(Catalogue::open(&data.index_dir()).unwrap());
    let id_of = |title: &str| {
        cat.documents()
            .unwrap()
            .into_iter()
            .find(|d| d.title == title)
            .unwrap_or_else(|| panic!("{title} not indexed"))
            .id
    };
    let st = AppState::new(cat.clone());

    let (s, j) = get_json(&st, "/api/tally?year=2024").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    // n1 (two columns), n2 (two sites), g1, w (withdrawn, still counted), i1, i2.
    assert_eq!(j["total"], 6, "{j}");
    assert_eq!(j["withdrawn"], 1, "{j}");
    assert_eq!(count(&j, "规范性文件"), 2, "{j}");
    assert_eq!(count(&j, "通知公告"), 2, "{j}");
    assert_eq!(count(&j, "政策解读"), 2, "{j}");
    assert_eq!(j["undated"], serde_json::json!([id_of("关于调整办公地址的公告")]), "{j}");
    let mut issued: Vec<String> =
        j["normative"]["issued"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    issued.sort();
    let mut want = vec![id_of("测试市行政规范性文件管理办法"), id_of("测试市公共法律服务办法")];
    want.sort();
    assert_eq!(issued, want, "{j}");
    assert_eq!(j["normative"]["abolished"], serde_json::json!([id_of("测试市旧规定")]), "{j}");
    assert_eq!(j["normative"]["in_force"].as_array().unwrap().len(), 2, "{j}");
    // Where the merged ones appeared: n1 in two columns, n2 on two sites.
    let multi = j["multi_url"].to_string();
    assert_eq!(j["multi_url"].as_array().unwrap().len(), 2, "{j}");
    for (title, paths) in [
        ("测试市行政规范性文件管理办法", [format!("{a}/gfxwj/t20240310_1.html"), format!("{a}/tzgg/t20240310_9.html")]),
        ("测试市公共法律服务办法", [format!("{a}/gfxwj/t20240512_2.html"), format!("{b}/gfxwj/t20240512_1.html")]),
    ] {
        assert!(multi.contains(&id_of(title)), "{title}: {multi}");
        let doc = cat.documents().unwrap().into_iter().find(|d| d.title == title).unwrap();
        for p in &paths {
            assert!(doc.urls.contains(p), "{title} does not list {p}: {:?}", doc.urls);
        }
    }
    let (_, j) = get_json(&st, "/api/tally?year=2024&group=channel").await;
    assert_eq!(count(&j, "a") + count(&j, "b"), 6, "each document counts for one channel: {j}");

    let (s, j) = get_json(&st, "/api/audit?as_of=2024-12-31").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let has = |code: &str, title: &str| {
        let id = id_of(title);
        j["findings"].as_array().unwrap().iter().any(|f| f["code"] == code && f["doc_id"] == id.as_str())
    };
    assert!(has("interpretation-without-policy", "《某省条例》解读"), "{j}");
    assert!(!has("interpretation-without-policy", "《测试市行政规范性文件管理办法》政策解读"), "{j}");
    assert!(has("normative-without-interpretation", "测试市公共法律服务办法"), "{j}");
    assert!(!has("normative-without-interpretation", "测试市行政规范性文件管理办法"), "interpreted: {j}");
}

/// Items counted from a platform catalogue before their pages are fetched:
/// counted, named apart on the page, the API and the CSV, and noted on the
/// document page.
#[tokio::test]
async fn pending_items_are_counted_and_said_to_be_pending() {
    let mut listed = d("p1", "a", "gfxwj", "规范性文件", "示例市据目录计入的办法", "2024-04-01");
    listed.pending = true;
    listed.body = String::new();
    let docs = vec![d("n1", "a", "gfxwj", "规范性文件", "示例市电动自行车管理办法", "2024-03-01"), listed];
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    for x in &docs {
        w.upsert(x).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();
    let st = AppState::new(Arc::new(cat));

    let (s, j) = get_json(&st, "/api/tally?year=2024").await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!((j["total"].as_u64(), &j["pending"]), (Some(2), &serde_json::json!(["p1"])), "{j}");
    let (_, html, _) = get(&st, "/staff/tally?year=2024").await;
    assert!(html.contains("正文待抓取"), "the page says a count rests on listings");
    assert!(html.contains("/staff/tally/list?year=2024&amp;list=pending"), "and links to them");
    let (s, csv, _) = get(&st, "/api/tally.csv?year=2024&list=pending").await;
    assert_eq!(s, StatusCode::OK, "{csv}");
    assert!(csv.contains("p1") && !csv.contains("n1"), "{csv}");
    let (_, html, _) = get(&st, "/staff/tally?year=2023").await;
    assert!(!html.contains("正文待抓取"), "no row when nothing is pending");
    let (s, page, _) = get(&st, "/documents/p1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("正文尚待抓取"), "the document page says its text is not fetched yet");
    let (_, page, _) = get(&st, "/documents/n1").await;
    assert!(!page.contains("正文尚待抓取"));
}
