//! One HTTP request: a per-site client, conditional headers, a streamed body
//! with a size cap, and a classification of what came back. Redirects are not
//! followed here (the crawl follows them within scope).

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::config::{CrawlSettings, SiteConfig};
use crate::error::{Error, Result};

/// Install the ring crypto provider for rustls once per process.
pub fn install_crypto_provider() {
    // Err means a provider is already installed: fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Build the HTTP client of one site: User-Agent, timeouts, no automatic
/// redirects or retries, extra CA bundle or (reported) insecure TLS.
pub fn client_for(site: &SiteConfig, settings: &CrawlSettings) -> Result<reqwest::Client> {
    install_crypto_provider();
    let bad = |message: String| Error::Client { site: site.name.clone(), message };
    let mut b = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .pool_max_idle_per_host(2);
    if let Some(path) = &site.ca_bundle {
        let pem = std::fs::read(path).map_err(|e| bad(format!("ca_bundle {path}: {e}")))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(format!("ca_bundle {path}: {e}")))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if site.insecure_skip_verify {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| bad(e.to_string()))
}

/// Validators for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What one request gave.
#[derive(Debug)]
pub enum Fetched {
    /// 2xx with its body (decompressed).
    Body {
        status: u16,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        bytes: Vec<u8>,
    },
    /// 304.
    NotModified,
    /// 3xx with a Location.
    Redirect { status: u16, location: Url },
    /// Any other status; the body is kept (small) to recognise anti-bot pages.
    Status { status: u16, set_cookie: bool, body: Vec<u8> },
    /// A failure that may pass on retry (timeout, reset, connect error).
    Transient(String),
    /// A failure that will not pass (body too large, bad URL).
    Permanent(String),
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// One GET.
pub async fn get(client: &reqwest::Client, url: &Url, validators: &Validators, max_body: usize) -> Fetched {
    let mut req = client.get(url.as_str());
    if let Some(e) = validators.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
        req = req.header(header::IF_NONE_MATCH, e);
    }
    if let Some(lm) = validators.last_modified.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
        req = req.header(header::IF_MODIFIED_SINCE, lm);
    }
    send(req, url, max_body).await
}

/// One POST of an `application/x-www-form-urlencoded` form (a list endpoint
/// that takes its parameters so, as Hanweb's `dataproxy.jsp` does). Never
/// conditional: servers do not validate POSTs.
pub async fn post_form(client: &reqwest::Client, url: &Url, form: &[(String, String)], max_body: usize) -> Fetched {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let req = client
        .post(url.as_str())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8")
        .header("X-Requested-With", "XMLHttpRequest")
        .body(body);
    send(req, url, max_body).await
}

/// Send `req` (for `url`) and read its answer, bounded by `max_body`.
async fn send(req: reqwest::RequestBuilder, url: &Url, max_body: usize) -> Fetched {
    let mut resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return classify_error(&e),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    if status == 304 {
        return Fetched::NotModified;
    }
    if (300..400).contains(&status) {
        return match header_str(&headers, header::LOCATION).and_then(|l| url.join(&l).ok()) {
            Some(location) => Fetched::Redirect { status, location },
            None => Fetched::Status { status, set_cookie: false, body: Vec::new() },
        };
    }
    let cap = if (200..300).contains(&status) { max_body } else { 64 * 1024 };
    if let Some(len) = resp.content_length()
        && len as usize > cap
        && (200..300).contains(&status)
    {
        return Fetched::Permanent(format!("too large: {len} bytes > {cap}"));
    }
    let mut bytes = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > cap {
                    if (200..300).contains(&status) {
                        return Fetched::Permanent(format!("too large: more than {cap} bytes"));
                    }
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return classify_error(&e),
        }
    }
    if (200..300).contains(&status) {
        Fetched::Body {
            status,
            content_type: header_str(&headers, header::CONTENT_TYPE),
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
            bytes,
        }
    } else {
        Fetched::Status { status, set_cookie: headers.contains_key(header::SET_COOKIE), body: bytes }
    }
}

/// Transient or permanent, with a reason naming what failed. reqwest marks
/// every error met while reading a body as a decode error, so the cause is
/// looked up in the source chain: a connection reset or an early end of the
/// body may pass on retry; a body that does not decompress will not; neither
/// will a certificate the site's trust settings refuse.
fn classify_error(e: &reqwest::Error) -> Fetched {
    if e.is_timeout() {
        Fetched::Transient("timeout".into())
    } else if let Some(tls) = tls_error(e) {
        Fetched::Permanent(match tls {
            rustls::Error::InvalidCertificate(_) => format!("certificate error: {tls}"),
            _ => format!("TLS error: {tls}"),
        })
    } else if e.is_connect() {
        Fetched::Transient(format!("connect error: {}", root_cause(e)))
    } else if e.is_builder() {
        Fetched::Permanent(format!("bad request: {e}"))
    } else if let Some(kind) = transport_io_kind(e) {
        let what = if kind == std::io::ErrorKind::UnexpectedEof { "truncated body" } else { "connection error" };
        Fetched::Transient(format!("{what}: {}", root_cause(e)))
    } else if e.is_decode() {
        Fetched::Permanent(format!("bad body encoding: {}", root_cause(e)))
    } else {
        Fetched::Transient(format!("connection error: {}", root_cause(e)))
    }
}

/// The errors behind `e`, `e` first. An `io::Error` wrapping another error
/// hides it from `source()` (it returns the inner error's source): the inner
/// error is visited too.
fn error_chain<'a>(e: &'a (dyn std::error::Error + 'static)) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut todo = vec![e];
    while let Some(err) = todo.pop() {
        if out.len() >= 32 {
            break;
        }
        out.push(err);
        if let Some(next) = err.source() {
            todo.push(next);
        }
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            todo.push(inner);
        }
    }
    out
}

/// The rustls error (certificate refused, handshake failure) behind `e`, if any.
fn tls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    error_chain(e).into_iter().find_map(|err| err.downcast_ref::<rustls::Error>())
}

/// The kind of the I/O error behind `e` when the connection broke (reset,
/// closed before the declared length): a transport failure, not bad content.
fn transport_io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    use std::io::ErrorKind::*;
    error_chain(e).into_iter().filter_map(|err| err.downcast_ref::<std::io::Error>()).map(|io| io.kind()).find(|k| {
        matches!(k, ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | NotConnected | Interrupted)
    })
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
