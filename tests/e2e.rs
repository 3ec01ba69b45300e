//! End to end over real sockets: the bundled demo site on loopback → the real
//! crawler → SQLite → index → the HTTP server → a client.

use std::sync::Arc;

use govsearch::data::DataDir;
use govsearch::demo_site::{DemoData, DemoDoc, DemoSite, demo_documents};
use govsearch::{pipeline, server};
use govsearch_crawler::crawl::CrawlOptions;
use govsearch_crawler::state::CrawlState;

async fn crawl_demo(site: &DemoSite, data: &DataDir) -> govsearch_crawler::crawl::CrawlReport {
    let config = govsearch_crawler::Config::parse(&site.config_toml(), "demo").unwrap();
    let held = pipeline::Held::acquire(data).unwrap();
    let done = pipeline::crawl_then_index(&held, &config, &config, CrawlOptions::default(), Some(None), |_| Ok(()))
        .await
        .unwrap();
    assert!(done.index.is_some());
    done.crawl
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A run of ideographs from the middle of `body` that no other demo document contains.
fn unique_phrase(body: &str, others: &[String]) -> Option<String> {
    let chars: Vec<char> = body.chars().collect();
    for start in (chars.len() / 3..chars.len().saturating_sub(14)).step_by(7) {
        let cand: String = chars[start..start + 12].iter().collect();
        if cand.chars().all(govsearch_index::normalize::is_cjk)
            && others.iter().filter(|b| b.contains(&cand)).count() == 1
        {
            return Some(cand);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_site_crawled_indexed_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path()).unwrap();
    let site = DemoSite::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let report = crawl_demo(&site, &data).await;
    let first = serde_json::to_value(&report).unwrap();

    let cat = Arc::new(govsearch_index::Catalogue::open(&data.index_dir()).unwrap());
    let docs = demo_documents().unwrap();
    assert!(
        cat.num_docs() as usize >= docs.len() * 9 / 10,
        "{} of {} indexed; report {first}",
        cat.num_docs(),
        docs.len()
    );

    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = server::AppState::new(cat.clone());
    tokio::spawn(server::serve_on(state, listener));
    govsearch_crawler::fetch::install_crypto_provider();
    let client = reqwest::Client::new();
    let search = |q: String| {
        let client = client.clone();
        async move {
            let url = format!("http://{addr}/api/search?q={}", enc(&q));
            client.get(url).send().await.unwrap().json::<serde_json::Value>().await.unwrap()
        }
    };

    // 规范性文件: found, highlighted.
    let j = search("规范性文件".into()).await;
    assert!(j["total"].as_u64().unwrap() >= 1, "{j}");
    assert!(
        j["hits"][0]["snippet_html"].as_str().unwrap().contains("<mark>")
            || j["hits"][0]["title_html"].as_str().unwrap().contains("<mark>")
    );

    // A document number, typed without brackets, finds its document first.
    let with_number = docs.iter().find(|d| d.doc_number.contains('〔')).expect("a demo doc with a bracketed 文号");
    let plain: String = with_number.doc_number.replace(['〔', '〕'], " ");
    let j = search(plain.clone()).await;
    assert_eq!(j["hits"][0]["title"].as_str().unwrap(), with_number.title, "{plain}: {j}");
    assert_eq!(j["hits"][0]["doc_number"].as_str().unwrap(), with_number.doc_number);

    // A phrase from a body finds exactly its document, highlighted.
    let bodies: Vec<String> = docs.iter().map(|d| d.body.clone()).collect();
    let (target, phrase) = docs
        .iter()
        .filter(|d| d.body.chars().count() > 300)
        .find_map(|d| unique_phrase(&d.body, &bodies).map(|p| (d, p)))
        .expect("a unique phrase");
    let j = search(format!("\"{phrase}\"")).await;
    assert_eq!(j["total"], 1, "{phrase}: {j}");
    assert_eq!(j["hits"][0]["title"].as_str().unwrap(), target.title);
    assert!(j["hits"][0]["snippet_html"].as_str().unwrap().contains(&format!("<mark>{phrase}</mark>")), "{j}");

    // The web page answers over the socket too.
    let page = client.get(format!("http://{addr}/search?q={}", enc("规范性文件"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<mark>规范性文件</mark>"));

    // Second crawl: incremental — nothing new, everything unchanged.
    let second = serde_json::to_value(crawl_demo(&site, &data).await).unwrap();
    let state = CrawlState::open(&data.crawl_db()).unwrap();
    state.integrity_check().unwrap();
    let s = &second["sites"]["demo"];
    assert_eq!(s["new"], 0, "second crawl: {second}");
    assert!(s["unchanged"].as_u64().unwrap() > 0, "second crawl: {second}");
    site.shutdown().await;
}

/// The crawler's change history and broken links reach the audit: after a
/// crawl, one item's text is edited, another item page and an attachment are
/// taken down while still linked, and the site is crawled again. GET
/// /api/audit then names the edited document (changed after publication) and
/// both dead links, and the staff page shows them.
/// `govsearch demo` serves the data folder it crawled into: after its crawl
/// the audit runs the two crawl-state checks (before, they were listed
/// as not checked: the server found its data folder only through the admin
/// config) and `/metrics` has the crawl gauges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_audits_its_crawl_and_reports_crawl_gauges() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path()).unwrap();
    let site = DemoSite::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let config = govsearch_crawler::Config::parse(&site.config_toml(), "demo").unwrap();
    // Twice, as a second `govsearch demo` does: changes are seen from the second crawl on.
    govsearch::commands::crawl::crawl(&data, &config, CrawlOptions::default(), None, true, true).await.unwrap();
    govsearch::commands::crawl::crawl(&data, &config, CrawlOptions::default(), None, true, true).await.unwrap();
    site.shutdown().await;
    let state = govsearch::commands::demo::demo_state(&data).unwrap();
    let (status, j) = crate::common::get_json(&state, "/api/audit").await;
    assert_eq!(status, 200, "{j}");
    let not_checked: Vec<String> =
        j["not_checked"].as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect();
    assert!(not_checked.is_empty(), "{not_checked:?}");
    let (status, metrics, _) = crate::common::get(&state, "/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("govsearch_crawl_urls{status="), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_reports_pages_changed_after_publication_and_broken_links() {
    let docs: Vec<DemoDoc> = demo_documents().unwrap().into_iter().take(12).collect();
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::open(dir.path()).unwrap();
    let site =
        DemoSite::start_with("127.0.0.1:0".parse().unwrap(), Arc::new(DemoData::new(docs.clone()))).await.unwrap();
    let (addr, base) = (site.addr, site.base_url());
    let first = crawl_demo(&site, &data).await;
    site.shutdown().await;
    assert_eq!(first.sites["demo"].gone, 0, "{first}");

    // Item 11 (宪法, published 1982-12-04) gets a new paragraph; item 2's page
    // and item 10's attachment are taken down, still linked from their pages.
    let mut edited = docs.clone();
    edited[10].body.push_str("\n本文件于发布后作出了修改。");
    let mut changed = DemoData::new(edited);
    let (item2, item10, item11) =
        (changed.items()[1].path.clone(), changed.items()[9].path.clone(), changed.items()[10].path.clone());
    assert_eq!(changed.items()[10].doc.published_date, "1982-12-04");
    assert!(changed.remove(&item2) && changed.remove("/attach/10.docx"));
    let day_before = govsearch_index::dates::today();
    let site = DemoSite::start_with(addr, Arc::new(changed)).await.unwrap();
    let second = crawl_demo(&site, &data).await;
    site.shutdown().await;
    let s = &second.sites["demo"];
    assert_eq!((s.updated, s.gone), (1, 2), "{second}");

    let url = |path: &str| format!("{}{}", base, path.trim_start_matches('/'));
    let doc_id = |path: &str| format!("demo:{}", pipeline::url_key(&url(path)));
    let cat = Arc::new(govsearch_index::Catalogue::open(&data.index_dir()).unwrap());
    let mut state = server::AppState::new(cat);
    state.data = Some(data.clone());
    let (status, j) = crate::common::get_json(&state, "/api/audit").await;
    let day_after = govsearch_index::dates::today();
    assert_eq!(status, 200, "{j}");
    let of = |code: &str| -> Vec<serde_json::Value> {
        j["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).cloned().collect()
    };

    let changed = of("changed-after-publication");
    assert_eq!(changed.len(), 1, "{changed:?}");
    let f = &changed[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["doc_id"], doc_id(&item11));
    assert_eq!(f["url"], url(&item11));
    assert_eq!(f["title"], docs[10].title);
    let dates: Vec<&str> = f["dates"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(dates == [day_before.as_str()] || dates == [day_after.as_str()], "{f}");
    assert_eq!(
        f["message"],
        format!("发布（1982-12-04）后页面内容被修改 1 次，页面未注明更新，请核实：{}（正文）", dates[0])
    );

    let mut broken = of("broken-link");
    broken.sort_by_key(|f| f["link_url"].as_str().unwrap().to_owned());
    let got: Vec<(&str, &str, bool)> = broken
        .iter()
        .map(|f| {
            (
                f["link_url"].as_str().unwrap(),
                f["doc_id"].as_str().unwrap(),
                f["url"].as_str().unwrap().starts_with(&base),
            )
        })
        .collect();
    let (attachment, page) = (url("/attach/10.docx"), url(&item2));
    let item10_id = doc_id(&item10);
    assert_eq!(
        got,
        vec![(attachment.as_str(), item10_id.as_str(), true), (page.as_str(), "", true)],
        "the attachment on item 10's page; item 2 on a list page (no document): {broken:?}"
    );
    assert_eq!(broken[0]["url"], url(&item10));
    for f in &broken {
        assert_eq!(f["severity"], "warning");
        assert!(f["message"].as_str().unwrap().contains("（http 404，"), "{f}");
        assert!(f["message"].as_str().unwrap().contains("此前可以访问"), "both worked on the first crawl: {f}");
    }
    assert_eq!(j["not_checked"], serde_json::json!([]), "both checks ran: {j}");

    // The staff page shows them, escaped.
    let (status, html, _) = crate::common::get(&state, "/staff/audit").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("页面未注明更新，请核实")
            && html.contains(&format!("失效链接：<code class=\"url\">{attachment}</code>")),
        "{html}"
    );
    assert!(!html.contains("未检查的项目"), "nothing left unchecked");

    // Without the data folder the server cannot check either, and says so.
    let (_, j) = crate::common::get_json(&server::AppState::new(state.catalogue.clone()), "/api/audit").await;
    assert_eq!(j["not_checked"].as_array().unwrap().len(), 2, "{j}");
    assert!(j["findings"].as_array().unwrap().iter().all(|f| f["code"] != "broken-link"));
}

/// Over a real socket (the limiter keys on the peer address): a client over its
/// limit gets 429 with Retry-After and the JSON error; another path of the same
/// client is limited too, health checks are not, and the page answer is HTML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_over_their_rate_get_429_with_retry_after() {
    let fx = crate::common::fixture();
    let mut state = fx.state.clone();
    // One request per 100 s, bursts of 3: the fourth request inside the test is over.
    state.rate_limit =
        Some(Arc::new(server::ratelimit::RateLimiter::new(0.01, 3, server::ratelimit::TrustedProxies::none())));
    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::serve_on(state, listener));
    govsearch_crawler::fetch::install_crypto_provider();
    let client = reqwest::Client::new();
    for i in 0..3 {
        let r = client.get(format!("http://{addr}/api/search?q=通知")).send().await.unwrap();
        assert_eq!(r.status(), 200, "request {i} is inside the burst");
    }
    let r = client.get(format!("http://{addr}/api/search?q=通知")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=100).contains(&retry), "Retry-After {retry}");
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["error"]["code"], "rate_limited", "{j}");
    assert!(j["error"]["message"].as_str().unwrap().contains("127.0.0.1"), "{j}");

    let page = client.get(format!("http://{addr}/search?q=通知")).send().await.unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("请求过于频繁"));

    for path in ["/healthz", "/readyz", "/metrics"] {
        let r = client.get(format!("http://{addr}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path} is never limited");
    }
}
