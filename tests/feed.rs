//! `/search.atom`: every search as an Atom 1.0 feed, read back by an XML parser.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use govsearch::server::{AppState, app};
use govsearch_index::Catalogue;
use http_body_util::BodyExt;
use tower::ServiceExt;

const ATOM: &str = "http://www.w3.org/2005/Atom";

async fn ask(
    state: &AppState,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(uri).header(header::HOST, "gov.example.cn");
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let res = app(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, h) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, h, String::from_utf8(body.to_vec()).unwrap())
}

/// The text of the Atom child `name` of `node`.
fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children().find(|c| c.has_tag_name((ATOM, name)))
}

fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(node, name).and_then(|c| c.text()).unwrap_or("")
}

/// Checks what Atom 1.0 (RFC 4287 §4.1) requires of a feed and its entries;
/// returns each entry's (id, title, updated, alternate link).
fn entries(xml: &str) -> Vec<(String, String, String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"));
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "the root is an Atom feed");
    for required in ["id", "title", "updated"] {
        assert!(!text(feed, required).is_empty(), "feed lacks {required}");
    }
    assert!(child(feed, "author").is_some(), "a feed whose entries may lack authors has one");
    let is_self = |l: &roxmltree::Node<'_, '_>| l.attribute("rel") == Some("self");
    let self_link = feed.children().find(|c| c.has_tag_name((ATOM, "link")) && is_self(c)).expect("a self link");
    assert!(self_link.attribute("href").unwrap().starts_with("http://gov.example.cn/search.atom"));
    let date = |s: &str| s.len() == 25 && s.as_bytes()[10] == b'T' && s.ends_with("+08:00");
    assert!(date(text(feed, "updated")), "RFC 3339: {}", text(feed, "updated"));
    let mut ids = std::collections::HashSet::new();
    feed.children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .map(|e| {
            let id = text(e, "id").to_owned();
            assert!(id.starts_with("urn:govsearch:document:"), "{id}");
            assert!(ids.insert(id.clone()), "entry ids are unique: {id}");
            assert!(date(text(e, "updated")), "{}", text(e, "updated"));
            let alt = e
                .children()
                .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some("alternate"))
                .and_then(|l| l.attribute("href"))
                .expect("an alternate link")
                .to_owned();
            (id, text(e, "title").to_owned(), text(e, "updated").to_owned(), alt)
        })
        .collect()
}

#[tokio::test]
async fn a_search_is_a_valid_atom_feed_newest_first() {
    let f = crate::common::fixture();
    let (status, h, xml) = ask(&f.state, "/search.atom", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/atom+xml; charset=utf-8");
    let got = entries(&xml);
    let ids: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        ids,
        ["urn:govsearch:document:b", "urn:govsearch:document:a", "urn:govsearch:document:c"],
        "by 发布日期"
    );
    assert_eq!(
        got[0].1, "<script>alert('x')</script>关于政府信息公开的规定",
        "crawled markup is text, read back as written"
    );
    assert_eq!(got[0].2, "2021-01-02T00:00:00+08:00");
    assert_eq!(got[1].3, "http://gov.example.cn/documents/a");

    // a filtered search is its own feed; the same search gives the same answer
    let (_, _, only) = ask(&f.state, "/search.atom?category=%E8%A7%84%E8%8C%83%E6%80%A7%E6%96%87%E4%BB%B6", &[]).await;
    assert_eq!(entries(&only).iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["urn:govsearch:document:a"]);
    let (_, h2, again) = ask(&f.state, "/search.atom", &[]).await;
    assert_eq!((again.as_str(), &h2[header::ETAG]), (xml.as_str(), &h[header::ETAG]));

    // a results URL's order and page do not apply to a feed
    let (status, _, copied) = ask(&f.state, "/search.atom?sort=whatever&page=0", &[]).await;
    assert_eq!((status, copied.as_str()), (StatusCode::OK, xml.as_str()));

    // a mistake names the parameter, in plain text
    let (status, h, msg) = ask(&f.state, "/search.atom?size=abc", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    assert!(msg.contains("size"), "{msg}");
}

#[tokio::test]
async fn feeds_answer_conditional_requests() {
    let f = crate::common::fixture();
    let (_, h, _) = ask(&f.state, "/search.atom?q=%E6%94%BF%E5%BA%9C", &[]).await;
    let etag = h[header::ETAG].to_str().unwrap().to_owned();
    let modified = h[header::LAST_MODIFIED].to_str().unwrap().to_owned();
    assert!(modified.ends_with(" GMT"), "{modified}");
    let (status, _, body) = ask(&f.state, "/search.atom?q=%E6%94%BF%E5%BA%9C", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
    let (status, _, _) =
        ask(&f.state, "/search.atom?q=%E6%94%BF%E5%BA%9C", &[(header::IF_NONE_MATCH, "\"other\"")]).await;
    assert_eq!(status, StatusCode::OK, "another version");
    let (status, _, _) =
        ask(&f.state, "/search.atom?q=%E6%94%BF%E5%BA%9C", &[(header::IF_MODIFIED_SINCE, &modified)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let old = "Sun, 06 Nov 1994 08:49:37 GMT";
    let (status, _, _) = ask(&f.state, "/search.atom?q=%E6%94%BF%E5%BA%9C", &[(header::IF_MODIFIED_SINCE, old)]).await;
    assert_eq!(status, StatusCode::OK);
    // another search is another answer
    let (_, other, _) = ask(&f.state, "/search.atom?q=%E6%9D%A1%E4%BE%8B", &[]).await;
    assert_ne!(other[header::ETAG], etag);
}

#[tokio::test]
async fn control_characters_from_a_crawled_page_never_break_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    let mut d = crate::common::doc("x", "关于\u{1}印发\u{8}办法的通知 & <b>", "正文\u{0}内容，现予印发。");
    d.published_date = "2024-05-01".into();
    d.publisher = "测试局\u{1b}".into();
    w.upsert(&d).unwrap();
    w.finish().unwrap();
    cat.reload().unwrap();
    let state = AppState::new(Arc::new(cat));
    let (_, _, xml) = ask(&state, "/search.atom", &[]).await;
    let got = entries(&xml);
    assert_eq!(got[0].1, "关于印发办法的通知 & <b>");
}

#[tokio::test]
async fn the_results_page_links_its_feed() {
    let f = crate::common::fixture();
    let (_, html, _) = crate::common::get(&f.state, "/search?q=%E6%94%BF%E5%BA%9C&page=1&sort=relevance").await;
    let href = "/search.atom?q=%E6%94%BF%E5%BA%9C";
    assert!(
        html.contains(&format!(
            r#"<link rel="alternate" type="application/atom+xml" title="订阅此检索（Atom）" href="{href}">"#
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<a href="{href}" type="application/atom+xml">订阅此检索（Atom）</a>"#)),
        "a visible link"
    );
}
