//! Prometheus metrics: requests and latency per endpoint, documents, uptime.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::AppState;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
    by_status: BTreeMap<u16, u64>,
}

/// Request counters, kept per route pattern (never per raw path, which a client controls).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<String, Series>>,
}

impl Metrics {
    fn observe(&self, route: &str, status: u16, secs: f64) {
        let mut m = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = m.entry(route.to_owned()).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
        *s.by_status.entry(status).or_default() += 1;
    }
}

/// Middleware: time every request and log it.
pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let secs = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    st.metrics.observe(&route, status, secs);
    tracing::info!(target: "govsearch::http", %method, route, status, ms = secs * 1000.0, "request");
    res
}

/// `GET /metrics`.
pub async fn render(State(st): State<AppState>) -> Response {
    use std::fmt::Write;
    // Crawl counters from the crawl state, when the server knows its data folder
    // (read before the metrics lock is taken: no lock is held across an await).
    let mut crawl_counts = None;
    if let Some(data) = &st.data {
        let db = data.crawl_db();
        if db.exists() {
            crawl_counts = tokio::task::spawn_blocking(move || {
                govsearch_crawler::CrawlState::open(&db).and_then(|s| s.status_counts()).ok()
            })
            .await
            .ok()
            .flatten();
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "# HELP govsearch_http_requests_total HTTP requests by route and status.");
    let _ = writeln!(out, "# TYPE govsearch_http_requests_total counter");
    let m = st.metrics.series.lock().unwrap_or_else(|p| p.into_inner());
    for (route, s) in m.iter() {
        for (status, n) in &s.by_status {
            let _ = writeln!(out, "govsearch_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
    }
    let _ = writeln!(out, "# HELP govsearch_http_request_duration_seconds Request latency by route.");
    let _ = writeln!(out, "# TYPE govsearch_http_request_duration_seconds histogram");
    for (route, s) in m.iter() {
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "govsearch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                s.buckets[i]
            );
        }
        let _ = writeln!(
            out,
            "govsearch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
            s.count
        );
        let _ = writeln!(out, "govsearch_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", s.sum);
        let _ = writeln!(out, "govsearch_http_request_duration_seconds_count{{route=\"{route}\"}} {}", s.count);
    }
    drop(m);
    let _ = writeln!(out, "# HELP govsearch_documents Documents in the index.");
    let _ = writeln!(out, "# TYPE govsearch_documents gauge");
    let _ = writeln!(out, "govsearch_documents {}", st.catalogue.num_docs());
    if let Some(counts) = crawl_counts {
        let _ = writeln!(out, "# HELP govsearch_crawl_urls URLs in the crawl state by status.");
        let _ = writeln!(out, "# TYPE govsearch_crawl_urls gauge");
        for (status, n) in counts {
            let status: String = status.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let _ = writeln!(out, "govsearch_crawl_urls{{status=\"{status}\"}} {n}");
        }
    }
    let _ = writeln!(out, "# HELP govsearch_uptime_seconds Seconds since the server started.");
    let _ = writeln!(out, "# TYPE govsearch_uptime_seconds gauge");
    let _ = writeln!(out, "govsearch_uptime_seconds {}", st.started.elapsed().as_secs());
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
