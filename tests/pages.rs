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

/// Page size and the topic facet: the chosen size survives paging and facet
/// links and is selected in the form; topics are offered as a facet.
#[tokio::test]
async fn page_size_and_topic_survive_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    for i in 0..7 {
        let mut d = doc(&format!("d{i}"), &format!("关于道路交通管理的通知{i}"), "道路交通安全管理。");
        d.topic = if i % 2 == 0 { "公安".into() } else { "交通".into() };
        d.published_date = format!("2020-01-0{}", i + 1);
        w.upsert(&d).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();
    let st = AppState::new(Arc::new(cat));
    let (s, html, _) = get(&st, "/search?q=%E4%BA%A4%E9%80%9A&size=3").await; // 交通
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("主题分类"), "no topic facet: {html}");
    let hrefs: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/search?"))
        .map(|h| h.replace("&amp;", "&"))
        .collect();
    let next = hrefs.iter().find(|h| h.contains("page=2")).unwrap_or_else(|| panic!("no page 2 link: {hrefs:?}"));
    assert!(next.contains("size=3"), "{next}");
    let topic = hrefs.iter().find(|h| h.contains("topic=")).unwrap_or_else(|| panic!("no topic link: {hrefs:?}"));
    assert!(topic.contains("size=3"), "{topic}");
    assert!(html.contains(r#"<option value="3" selected>3</option>"#), "the size in use is not selected");

    // Following the topic link filters to that topic, still three a page.
    let (s, filtered, _) = get(&st, topic).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(filtered.matches("class=\"hit\"").count(), 3, "{filtered}");
    let (_, page3, _) = get(&st, "/search?q=%E4%BA%A4%E9%80%9A&size=3&page=3").await;
    assert_eq!(page3.matches("class=\"hit\"").count(), 1, "7 hits, 3 a page: one on page 3");
}

#[tokio::test]
async fn a_mistyped_word_is_offered_as_a_link_and_pinyin_is_said() {
    let f = crate::common::fixture();
    let (s, html, _) = crate::common::get(&f.state, "/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E5%87%AF").await; // 信息公凯
    assert_eq!(s, 200);
    assert!(
        html.contains(r#"您是不是要找：<a href="/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80">信息公开</a>"#),
        "{html}"
    );
    assert!(html.contains(r#"value="信息公凯""#), "the query as typed stays in the box");
    let (_, j) = crate::common::get_json(&f.state, "/api/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E5%87%AF").await;
    assert_eq!(j["query"]["did_you_mean"], "信息公开", "{j}");

    let (_, html, _) = crate::common::get(&f.state, "/search?q=gongkai").await;
    assert!(html.contains("“gongkai”按拼音也检索了“公开”。"), "{html}");
    let (_, j) = crate::common::get_json(&f.state, "/api/suggest?q=zfxxgk").await;
    let texts: Vec<&str> = j["suggestions"].as_array().unwrap().iter().filter_map(|s| s["text"].as_str()).collect();
    assert!(texts.iter().any(|t| t.starts_with("政府信息公开")), "{j}");
}
