//! The HTTP server: JSON API, public web pages and staff pages on one axum router.
//!
//! Errors: handlers return [`ApiError`], which renders as
//! `{"error":{"code","message"}}` with the right status. User mistakes are 4xx
//! and name the parameter; internal failures are logged with their cause and
//! answered with a generic 500 body.

pub mod admin;
mod api;
mod feed;
mod pages;
pub mod ratelimit;
mod staff;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govsearch_index::Catalogue;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use api::SearchParams;

/// Longest time one request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests handled at once; more wait (and time out) instead of overloading the machine.
pub const MAX_CONCURRENT_REQUESTS: usize = 256;
/// Largest request body accepted (the API takes no large bodies).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub catalogue: Arc<Catalogue>,
    /// The data folder (crawl state, imports, index), when the server has one:
    /// the audit's crawl checks, the crawl gauges of `/metrics` and the admin
    /// jobs read it.
    pub data: Option<crate::data::DataDir>,
    /// Admin token and sites config.
    pub admin: admin::AdminSettings,
    pub started: Instant,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The one origin allowed to call the API from a browser (CORS); off when `None`.
    pub cors_origin: Option<String>,
    /// Per-client request limit; off when `None` (in-process use, benchmarks).
    pub rate_limit: Option<Arc<ratelimit::RateLimiter>>,
}

impl AppState {
    pub fn new(catalogue: Arc<Catalogue>) -> AppState {
        AppState {
            catalogue,
            data: None,
            admin: admin::AdminSettings::default(),
            started: Instant::now(),
            metrics: Arc::default(),
            cors_origin: None,
            rate_limit: None,
        }
    }
}

/// The whole router (tested with `oneshot`, served by `serve`).
pub fn app(state: AppState) -> Router {
    let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
               form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    Router::new()
        .merge(api::routes())
        .merge(admin::routes())
        .merge(pages::routes())
        .merge(feed::routes())
        .merge(staff::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), ratelimit::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // Fastest gzip: answers are small and made per request; level 1 keeps most of
        // the saving (a results page 16.8 → 5.3 KB) at a fraction of the CPU of the default.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(match &state.cors_origin {
            Some(origin) => tower_http::cors::CorsLayer::new().allow_methods([axum::http::Method::GET]).allow_origin(
                origin.parse::<HeaderValue>().map_or(tower_http::cors::AllowOrigin::list([]), Into::into),
            ),
            None => tower_http::cors::CorsLayer::new(),
        })
        .with_state(state)
}

/// Errors made by the layers (body too large, timeout) get the API's JSON shape on `/api/`.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let is_json =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || is_json || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let status = res.status();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", format!("request body larger than {MAX_BODY_BYTES} bytes")),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            ("unavailable", format!("no answer within {} s; try again", REQUEST_TIMEOUT.as_secs()))
        }
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed on this endpoint".to_owned()),
        s => ("error", s.canonical_reason().unwrap_or("error").to_owned()),
    };
    (status, axum::Json(serde_json::json!({ "error": { "code": code, "message": message } }))).into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound(format!("no endpoint {}", uri.path())).into_response()
    } else {
        pages::not_found_page(uri.path())
    }
}

/// An error answered to a client.
#[derive(Debug)]
pub enum ApiError {
    /// A bad parameter: (parameter, message).
    BadRequest(&'static str, String),
    NotFound(String),
    Unauthorized(String),
    /// The operation conflicts with one in progress (e.g. a crawl holds the lock).
    Conflict(String),
    Unavailable(String),
    Internal(anyhow::Error),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::BadRequest(param, m) => write!(f, "{param}: {m}"),
            ApiError::NotFound(m) | ApiError::Unauthorized(m) | ApiError::Conflict(m) | ApiError::Unavailable(m) => {
                f.write_str(m)
            }
            ApiError::Internal(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<govsearch_index::Error> for ApiError {
    fn from(e: govsearch_index::Error) -> Self {
        match e {
            govsearch_index::Error::BadParam { param, message } => ApiError::BadRequest(param, message),
            e => ApiError::Internal(e.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::BadRequest(param, m) => (StatusCode::BAD_REQUEST, "bad_parameter", format!("{param}: {m}")),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            ApiError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m),
            ApiError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong; the error has been logged".into(),
                )
            }
        };
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        (status, axum::Json(body)).into_response()
    }
}

/// Run blocking catalogue work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(anyhow::anyhow!("search task failed: {e}")))?
}

/// Bind the listening socket; a port in use is a one-line error naming the address.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

/// Serve until Ctrl-C (or SIGTERM), then finish the requests in flight.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let listener = bind(addr).await?;
    eprintln!("serving http://{}", listener.local_addr()?);
    serve_on(state, listener).await
}

/// Serve on a bound listener until Ctrl-C (or SIGTERM).
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    // Connection info gives the rate limiter each client's address.
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    eprintln!("stopping");
}
