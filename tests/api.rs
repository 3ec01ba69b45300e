//! The JSON API through `oneshot`: every endpoint and its errors.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::common::{fixture, get, get_json};

#[tokio::test]
async fn search_returns_highlighted_hits_and_facets() {
    let f = fixture();
    let (s, j) = get_json(&f.state, "/api/search?q=%E7%94%B5%E5%8A%A8%E8%87%AA%E8%A1%8C%E8%BD%A6").await; // 电动自行车
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["total"], 1);
    let h = &j["hits"][0];
    assert_eq!(h["id"], "a");
    assert_eq!(h["doc_number"], "粤公规〔2020〕3号");
    assert!(h["snippet_html"].as_str().unwrap().contains("<mark>电动自行车</mark>"));
    assert!(h["title_html"].as_str().unwrap().contains("<mark>电动自行车</mark>"));
    for key in [
        "url",
        "title",
        "publisher",
        "category",
        "published_date",
        "index_number",
        "topic",
        "issued_date",
        "validity",
        "site",
        "score",
    ] {
        assert!(h.get(key).is_some(), "hit lacks {key}");
    }
    assert_eq!(j["facets"]["category"][0]["value"], "规范性文件");
    assert!(j["took_ms"].as_f64().is_some());
}

/// The hit shape of the API is what it was when the index made the HTML: the
/// same keys in the same order, `title_html`/`snippet_html` escaped with
/// `<mark>` only, 附件： before a snippet from an attachment, and the related
/// hits of a document in the same shape (no snippet).
#[tokio::test]
async fn hit_json_keeps_its_shape() {
    let f = fixture();
    let (s, body, _) = get(&f.state, "/api/search?q=%22%E7%99%BB%E8%AE%B0%E8%A1%A8%22").await; // "登记表": only in a's attachment
    assert_eq!(s, StatusCode::OK, "{body}");
    let keys = [
        "id",
        "url",
        "title",
        "title_html",
        "snippet_html",
        "doc_number",
        "index_number",
        "publisher",
        "category",
        "topic",
        "issued_date",
        "published_date",
        "validity",
        "site",
        "score",
    ];
    let hit = &body[body.find("\"hits\":[{").unwrap()..];
    let at: Vec<usize> = keys.iter().map(|k| hit.find(&format!("\"{k}\":")).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "key order {at:?}: {hit}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    let h = j["hits"][0].as_object().unwrap();
    assert_eq!(h.keys().count(), keys.len(), "no other keys: {h:?}");
    let snippet = h["snippet_html"].as_str().unwrap();
    assert!(snippet.starts_with("附件：") && snippet.contains("<mark>"), "{snippet}");

    let (_, j) = get_json(&f.state, "/api/search?q=%E8%A7%84%E5%AE%9A").await; // 规定: b's title
    let h = &j["hits"][0];
    assert_eq!(h["id"], "b");
    assert_eq!(
        h["title_html"], "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;关于政府信息公开的<mark>规定</mark>",
        "{h}"
    );
    let (_, j) = get_json(&f.state, "/api/documents/c").await;
    let related = j["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{j}");
    for r in related {
        assert_eq!(r.as_object().unwrap().keys().count(), keys.len(), "{r}");
        assert_eq!(r["snippet_html"], "", "{r}");
        assert!(!r["title_html"].as_str().unwrap().contains("<script"), "{r}");
    }
}

#[tokio::test]
async fn document_number_in_any_bracket_style() {
    let f = fixture();
    for q in ["粤公规〔2020〕3号", "粤公规[2020]3号", "粤公规2020 3号"] {
        let uri = format!("/api/search?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
        let (_, j) = get_json(&f.state, &uri).await;
        assert_eq!(j["hits"][0]["id"], "a", "{q}");
    }
}

#[tokio::test]
async fn empty_query_lists_newest_first() {
    let f = fixture();
    let (_, j) = get_json(&f.state, "/api/search").await;
    let ids: Vec<&str> = j["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b", "a", "c"]);
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let f = fixture();
    for (uri, param) in [
        ("/api/search?size=abc", "size"),
        ("/api/search?size=1000", "size"),
        ("/api/search?page=0", "page"),
        ("/api/search?page=99999", "page"),
        ("/api/search?page=18446744073709551615", "page"),
        ("/api/search?page=1844674407370955162&size=10", "page"),
        ("/api/search?from=2020-02-30x", "from"),
        ("/api/search?from=2021-01-01&to=2020-01-01", "from"),
        ("/api/search?sort=popular", "sort"),
        ("/api/search?year=twenty", "year"),
    ] {
        let (s, j) = get_json(&f.state, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(j["error"]["code"], "bad_parameter", "{uri}");
        assert!(j["error"]["message"].as_str().unwrap().starts_with(param), "{uri}: {j}");
    }
}

#[tokio::test]
async fn hostile_input_never_500() {
    let f = fixture();
    let long = "%E6%94%BF".repeat(5000);
    for uri in [
        "/api/search?q=%",
        "/api/search?q=%FF%FE",
        "/api/search?q=%22",
        "/api/search?q=-",
        "/api/search?q=title%3A",
        &format!("/api/search?q={long}"),
        "/api/search?q=%00%1b",
        "/api/suggest?q=%",
        "/api/documents/%FF",
    ] {
        let (s, _, _) = get(&f.state, uri).await;
        assert!(s.is_success() || s.is_client_error(), "{uri}: {s}");
    }
}

#[tokio::test]
async fn document_endpoint_and_404() {
    let f = fixture();
    let (s, j) = get_json(&f.state, "/api/documents/a").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["title"], "广东省公安厅关于电动自行车登记的通告");
    assert_eq!(j["attachments_summary"][0]["text_chars"], 8);
    assert!(j["body"].as_str().unwrap().contains("登记管理"));
    let (s, j) = get_json(&f.state, "/api/documents/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(j["error"]["code"], "not_found");
    let (s, j) = get_json(&f.state, "/api/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(j["error"]["code"], "not_found");
}

#[tokio::test]
async fn suggest_stats_health_metrics_openapi() {
    let f = fixture();
    let (_, j) = get_json(&f.state, "/api/suggest?q=%E5%B9%BF%E4%B8%9C").await; // 广东
    assert_eq!(j["suggestions"][0]["text"], "广东省公安厅关于电动自行车登记的通告");
    let (_, j) = get_json(&f.state, "/api/stats").await;
    assert_eq!(j["documents"], 3);
    assert_eq!(j["by_site"][0]["value"], "test");
    let (s, b, _) = get(&f.state, "/healthz").await;
    assert_eq!((s, b.as_str()), (StatusCode::OK, "ok"));
    let (_, j) = get_json(&f.state, "/readyz").await;
    assert_eq!(j["documents"], 3);
    let _ = get(&f.state, "/api/search?q=x").await;
    let (s, b, h) = get(&f.state, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(b.contains("govsearch_documents 3"), "{b}");
    assert!(b.contains("govsearch_http_requests_total{route=\"/api/search\",status=\"200\"}"), "{b}");
    let (_, j) = get_json(&f.state, "/api/openapi.json").await;
    assert_eq!(j["openapi"], "3.0.3");
    assert!(j["paths"]["/api/search"].is_object());
}

#[tokio::test]
async fn admin_needs_the_token() {
    let mut f = fixture();
    let post = |state: govsearch::server::AppState, auth: Option<&'static str>| async move {
        let mut req = Request::post("/api/admin/reload");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        govsearch::server::app(state).oneshot(req.body(Body::empty()).unwrap()).await.unwrap().status()
    };
    assert_eq!(post(f.state.clone(), None).await, StatusCode::NOT_FOUND, "off without a token");
    f.state.admin.token = Some("s3cret".into());
    assert_eq!(post(f.state.clone(), None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(post(f.state.clone(), Some("Bearer wrong")).await, StatusCode::UNAUTHORIZED);
    assert_eq!(post(f.state.clone(), Some("Bearer s3cret")).await, StatusCode::OK);
}

#[tokio::test]
async fn pages_escape_crawled_text_and_send_csp() {
    let f = fixture();
    let (s, html, h) = get(&f.state, "/search?q=%E6%94%BF%E5%BA%9C").await; // 政府
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(!html.contains("<script>alert"), "title script must be escaped");
    assert!(!html.contains("<img src=x"), "snippet markup must be escaped");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("<mark>政府</mark>"));
    assert!(html.contains("失效"), "validity badge shown");
    let (s, html, _) = get(&f.state, "/documents/b").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));
    let (s, html, _) = get(&f.state, "/documents/a").await;
    assert_eq!(s, StatusCode::OK);
    for label in [
        "发布机构",
        "发文字号",
        "发布日期",
        "粤公规〔2020〕3号",
        "统一编号",
        "GDGA-2020-0003",
        "电动自行车登记表",
        "查看原网页",
    ] {
        assert!(html.contains(label), "document page lacks {label}");
    }
    let (s, _, _) = get(&f.state, "/documents/none").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html, _) = get(&f.state, "/search?size=9999").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("size"));
}

#[tokio::test]
async fn no_results_page_helps() {
    let f = fixture();
    let (s, html, _) = get(&f.state, "/search?q=%E7%81%AB%E6%98%9F%E5%9F%BA%E5%9C%B0").await; // 火星基地
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("没有找到相关信息"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_answer_while_the_index_is_rebuilt() {
    let f = fixture();
    let cat = f.state.catalogue.clone();
    let writer = std::thread::spawn(move || {
        for round in 0..4 {
            let mut w = cat.writer().unwrap();
            w.delete_all().unwrap();
            let n = if round % 2 == 0 { 50 } else { 3 };
            for i in 0..n {
                w.upsert(&crate::common::doc(&format!("r{i}"), &format!("第{i}号通知"), "政府信息公开")).unwrap();
            }
            w.commit().unwrap();
        }
    });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..100 {
        let (s, j) = get_json(&f.state, "/api/search?q=").await;
        assert_eq!(s, StatusCode::OK);
        seen.insert(j["total"].as_u64().unwrap());
    }
    writer.join().unwrap();
    // Readers only ever see a committed state: the 3 fixture documents, or a whole round.
    assert!(seen.iter().all(|t| [3, 50].contains(t)), "{seen:?}");
}

#[tokio::test]
async fn wrong_methods_get_the_json_error_shape() {
    let f = fixture();
    let res = govsearch::server::app(f.state.clone())
        .oneshot(Request::post("/api/search").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(j["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn cors_is_off_by_default_and_configurable() {
    let f = fixture();
    let req = || {
        Request::get("/api/search?q=x").header("origin", "https://portal.example.gov.cn").body(Body::empty()).unwrap()
    };
    let res = govsearch::server::app(f.state.clone()).oneshot(req()).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let mut st = f.state.clone();
    st.cors_origin = Some("https://portal.example.gov.cn".into());
    let res = govsearch::server::app(st).oneshot(req()).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://portal.example.gov.cn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reindex_and_crawl_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let data = govsearch::data::DataDir::open(dir.path()).unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/docs.jsonl.gz");
    govsearch::pipeline::import(&data, &corpus, "import").unwrap();
    let cat = std::sync::Arc::new(govsearch_index::Catalogue::open(&data.index_dir()).unwrap());
    let mut st = govsearch::server::AppState::new(cat.clone());
    st.admin.token = Some("tok".into());
    let post = |st: govsearch::server::AppState, uri: &'static str| async move {
        let res = govsearch::server::app(st)
            .oneshot(Request::post(uri).header("authorization", "Bearer tok").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        (status, serde_json::from_slice::<serde_json::Value>(&body).unwrap())
    };
    // Without a data folder the jobs are unavailable, not a 500.
    assert_eq!(post(st.clone(), "/api/admin/reindex").await.0, StatusCode::SERVICE_UNAVAILABLE);
    st.data = Some(data.clone());
    // Empty the index: the rebuild must bring the 291 imported documents back.
    let mut w = cat.writer().unwrap();
    w.delete_all().unwrap();
    w.finish().unwrap();
    cat.reload().unwrap();
    assert_eq!(cat.num_docs(), 0);
    // While a crawl holds the data folder a rebuild is refused, not queued.
    let held = govsearch_crawler::CrawlLock::acquire(&data.root).unwrap();
    let (s, j) = post(st.clone(), "/api/admin/reindex").await;
    assert_eq!(s, StatusCode::CONFLICT, "{j}");
    drop(held);
    let (s, j) = post(st.clone(), "/api/admin/reindex").await;
    assert_eq!(s, StatusCode::ACCEPTED, "{j}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while cat.num_docs() < 291 {
        assert!(std::time::Instant::now() < deadline, "reindex did not land: {} documents", cat.num_docs());
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(cat.num_docs(), 291);
    // The lock is released when the rebuild ends: the crawl below can take it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while govsearch_crawler::CrawlLock::acquire(&data.root).is_err() {
        assert!(std::time::Instant::now() < deadline, "the reindex kept the data folder locked");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (s, j) = post(st.clone(), "/api/admin/crawl?site=demo").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "no config: {j}");
    // With the demo site configured: unknown site 400, known site 202 and the documents arrive.
    let site = govsearch::demo_site::DemoSite::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let config = govsearch_crawler::Config::parse(&site.config_toml(), "demo").unwrap();
    st.data = Some(data.clone());
    st.admin.sites = Some(std::sync::Arc::new(config));
    let (s, j) = post(st.clone(), "/api/admin/crawl?site=nope").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(j["error"]["message"].as_str().unwrap().starts_with("site"), "{j}");
    let (s, _) = post(st.clone(), "/api/admin/crawl?site=demo").await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        cat.reload().unwrap();
        let r =
            cat.search(&govsearch_index::SearchRequest { site: Some("demo".into()), ..Default::default() }).unwrap();
        if r.total >= 280 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "crawl did not land: {} demo documents", r.total);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_crawled_urls_by_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = govsearch::data::DataDir::open(dir.path()).unwrap();
    let site = govsearch::demo_site::DemoSite::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let config = govsearch_crawler::Config::parse(&site.config_toml(), "demo").unwrap();
    let state = govsearch_crawler::CrawlState::open(&data.crawl_db()).unwrap();
    govsearch_crawler::crawl::run(
        &config,
        &state,
        govsearch_crawler::CrawlOptions { max_pages: Some(20), progress: None, ..Default::default() },
    )
    .await
    .unwrap();
    drop(state);
    site.shutdown().await;
    let cat = std::sync::Arc::new(govsearch_index::Catalogue::open(&data.index_dir()).unwrap());
    let mut st = govsearch::server::AppState::new(cat);
    st.data = Some(data);
    let (s, body, _) = get(&st, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    let fetched: u64 = body
        .lines()
        .filter(|l| l.starts_with("govsearch_crawl_urls{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert!(fetched >= 20, "{body}");
}

/// The OpenAPI document and the router name the same machine routes: every
/// documented path and method is routed (not 404 / 405 through the real
/// router), and every machine route in the server's source is documented.
#[tokio::test]
async fn openapi_and_the_router_name_the_same_routes() {
    let f = fixture();
    // with a token the admin routes answer (401 without it); with none they hide as 404
    let mut state = f.state.clone();
    state.admin.token = Some("secret".into());
    let spec: serde_json::Value = serde_json::from_str(include_str!("../assets/openapi.json")).unwrap();
    let mut documented = std::collections::BTreeSet::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((path.clone(), method.to_uppercase()));
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(path.replace("{id}", "x"))
                .body(Body::empty())
                .unwrap();
            let status = govsearch::server::app(state.clone()).oneshot(req).await.unwrap().status();
            assert!(
                status != StatusCode::NOT_FOUND || path.contains("{id}"),
                "{method} {path} is documented but not routed ({status})"
            );
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
    let mut routed = std::collections::BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // `.route("/api/search", get(search))`
        for rest in text.split(".route(\"").skip(1) {
            let Some((path, after)) = rest.split_once('"') else { continue };
            let method: String =
                after.trim_start_matches([',', ' ', '\n']).chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let machine = ["/api/", "/healthz", "/readyz", "/metrics"].iter().any(|p| path.starts_with(p));
            if machine && path != "/api/openapi.json" {
                routed.insert((path.to_owned(), method.to_uppercase()));
            }
        }
    }
    assert!(routed.len() >= 10, "{routed:?}");
    assert_eq!(routed, documented, "routed (left) and documented (right) differ");
}
