//! Setup shared by the crawler's integration tests: fixture servers on
//! loopback, a crawl state in a temporary directory, a minimal PDF.
// each test crate uses a different subset of these helpers
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, Response, StatusCode, Uri, header};
use govsearch_crawler::state::CrawlState;

/// A Type1 Helvetica font object, for [`minimal_pdf`].
pub(crate) const HELVETICA: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// A one-page PDF with one font (object 5, `font`) and one line of text
/// (`text_op`, e.g. `"(Notice) Tj"`); xref offsets computed.
pub(crate) fn minimal_pdf(font: &str, text_op: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 712 Td {text_op} ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        font.to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes(),
    );
    out
}

/// Serve `app` on a free port of 127.0.0.1 (in a spawned task, for the rest
/// of the test); the base URL, `http://127.0.0.1:PORT`.
pub(crate) async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// [`serve`] an app that answers every request with `handle`.
pub(crate) async fn serve_fn<F>(handle: F) -> String
where
    F: Fn(&Request<Body>) -> Response<Body> + Clone + Send + Sync + 'static,
{
    serve(Router::new().fallback(move |req: Request<Body>| {
        let handle = handle.clone();
        async move { handle(&req) }
    }))
    .await
}

/// [`serve`] an app that answers every request with `handle(method, uri,
/// body)`: for fixtures that read POSTed forms.
pub(crate) async fn serve_with_body<F>(handle: F) -> String
where
    F: Fn(&Method, &Uri, &[u8]) -> Response<Body> + Clone + Send + Sync + 'static,
{
    serve(Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
        let handle = handle.clone();
        async move { handle(&method, &uri, &body) }
    }))
    .await
}

/// An answer with `status`, a `Content-Type` and `body`.
pub(crate) fn answer(status: StatusCode, ctype: &str, body: String) -> Response<Body> {
    Response::builder().status(status).header(header::CONTENT_TYPE, ctype).body(Body::from(body)).unwrap()
}

/// The crawl-state database in `dir`.
pub(crate) fn state_path(dir: &Path) -> PathBuf {
    dir.join("crawl.sqlite")
}

/// An empty crawl state in a new temporary directory, which must be kept
/// alive as long as the state (bind it to `_dir`, not `_`).
pub(crate) fn fresh_state() -> (tempfile::TempDir, CrawlState) {
    let dir = tempfile::tempdir().unwrap();
    let state = CrawlState::open(&state_path(dir.path())).unwrap();
    (dir, state)
}
