//! The public pages through `oneshot`: links that must lead somewhere.

use std::sync::Arc;

use axum::http::StatusCode;
use govsearch::server::AppState;
use govsearch_index::Catalogue;

use crate::common::{doc, get};

/// Every `/documents/…` href in a page.
fn document_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/documents/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn document_links_work_for_ids_with_spaces_and_plus() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    w.upsert(&doc("imp:a b+c/d", "电动自行车登记办法", "电动自行车登记。")).unwrap();
    w.finish().unwrap();
    cat.reload().unwrap();
    let st = AppState::new(Arc::new(cat));
    let (s, html, _) = get(&st, "/search?q=%E7%94%B5%E5%8A%A8").await; // 电动
    assert_eq!(s, StatusCode::OK);
    let links = document_links(&html);
    assert!(!links.is_empty(), "{html}");
    for l in links {
        let (s, page, _) = get(&st, &l).await;
        assert_eq!(s, StatusCode::OK, "{l}");
        assert!(page.contains("电动自行车登记办法"), "{l}");
    }
}

#[tokio::test]
async fn filter_form_keeps_every_active_filter() {
    let f = crate::common::fixture();
    let (s, html, _) =
        get(&f.state, "/search?q=%E6%94%BF%E5%BA%9C&topic=%E5%85%AC%E5%AE%89&validity=%E6%9C%89%E6%95%88").await;
    assert_eq!(s, StatusCode::OK);
    for hidden in [r#"name="topic" value="公安""#, r#"name="validity" value="有效""#] {
        assert!(html.contains(hidden), "the date/sort form drops {hidden}");
    }
}
