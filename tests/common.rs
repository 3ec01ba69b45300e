//! Shared helpers: a catalogue with known documents, requests through `oneshot`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use govsearch::server::{AppState, app};
use govsearch_index::{Attachment, Catalogue, Document};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub(crate) fn doc(id: &str, title: &str, body: &str) -> Document {
    Document {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        site: "test".into(),
        url: format!("http://example.gov.cn/{id}.html"),
        ..Default::default()
    }
}

/// A small catalogue of real-looking documents; keeps its temp dir alive.
pub(crate) struct Fixture {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) state: AppState,
}

pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    let mut a = doc(
        "a",
        "广东省公安厅关于电动自行车登记的通告",
        "广东省公安厅决定，自2020年起对电动自行车实行登记管理。本通告为规范性文件。",
    );
    a.doc_number = "粤公规〔2020〕3号".into();
    a.registration_number = "GDGA-2020-0003".into();
    a.publisher = "广东省公安厅".into();
    a.category = "规范性文件".into();
    a.published_date = "2020-03-15".into();
    a.validity = "有效".into();
    a.attachments = vec![Attachment {
        name: "登记表.docx".into(),
        url: "http://example.gov.cn/a.docx".into(),
        kind: "docx".into(),
        text: "电动自行车登记表".into(),
        error: String::new(),
    }];
    let mut b = doc(
        "b",
        "<script>alert('x')</script>关于政府信息公开的规定",
        "政府信息<img src=x onerror=alert(1)>公开条例的解读。",
    );
    b.category = "政策解读".into();
    b.published_date = "2021-01-02".into();
    b.validity = "失效".into();
    let mut c =
        doc("c", "中华人民共和国政府信息公开条例", "为了保障公民、法人和其他组织依法获取政府信息，制定本条例。");
    c.category = "行政法规".into();
    c.published_date = "2019-05-15".into();
    for d in [a, b, c] {
        w.upsert(&d).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();
    Fixture { _dir: dir, state: AppState::new(Arc::new(cat)) }
}

pub(crate) async fn get(state: &AppState, uri: &str) -> (StatusCode, String, axum::http::HeaderMap) {
    let res = app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

pub(crate) async fn get_json(state: &AppState, uri: &str) -> (StatusCode, serde_json::Value) {
    let (s, b, _) = get(state, uri).await;
    (s, serde_json::from_str(&b).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {b}")))
}
