//! Website faults, one test each. For every fault the crawl must
//!
//! - end in bounded time (the crawl's own timeouts; the bounds asserted here
//!   are sanity bounds for the test, not benchmarks) and bounded memory (a body
//!   is cut at `max_body_bytes`, after decompression);
//! - record the URL's final status and its reason in the crawl state;
//! - retry only transient failures, at most `max_attempts` times;
//! - go on: a good page on the same faulty host and one on a normal (axum)
//!   server in the same crawl are still fetched and stored.
//!
//! The faulty servers are raw tokio `TcpListener`s on 127.0.0.1, because they
//! must misbehave in ways an HTTP library will not: reset mid-body, stay
//! silent, drip one byte at a time, never end, lie in `Content-Length`, send
//! broken gzip. The TLS test makes a CA with rcgen and serves HTTPS with
//! tokio-rustls (ring provider, as the crawler).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use govsearch_crawler::Config;
use govsearch_crawler::crawl::{self, CrawlOptions, CrawlReport};
use govsearch_crawler::state::{CrawlState, UrlRow};
use govsearch_crawler::vocab::UrlStatus;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::common;

/// `max_body_bytes` of every crawl here.
const MAX_BODY: usize = 64 * 1024;
/// `max_attempts` unless a test lowers it.
const MAX_ATTEMPTS: u32 = 3;
/// `max_redirects` of every crawl here.
const MAX_REDIRECTS: usize = 3;
/// Sanity bound on one crawl: every fault here must be cut long before.
const SANITY: Duration = Duration::from_secs(30);
/// The good item page, on the faulty host and on the normal server.
const GOOD_PATH: &str = "/good/t20240101_1.html";

// ---------------------------------------------------------------- servers

/// What the raw server does with one request. Every response says
/// `Connection: close` and the connection is closed after it, so a lying
/// response cannot poison the next one.
enum Reply {
    /// Write these bytes (a whole response, possibly lying), then close.
    Bytes(Vec<u8>),
    /// Write these bytes, then reset the connection (SO_LINGER 0).
    ResetAfter(Vec<u8>),
    /// Say nothing for this long (longer than any test), then close.
    Silent(Duration),
    /// Write the head, then one body byte every `every`, until the client leaves.
    Drip { head: Vec<u8>, every: Duration },
    /// Write the head (chunked), then 16 KiB chunks as fast as the client reads, forever.
    Endless { head: Vec<u8> },
}

/// What a raw server saw.
#[derive(Default)]
struct Seen {
    hits: Mutex<HashMap<String, usize>>,
    /// Body bytes written by `Reply::Endless` and `Reply::Drip`.
    streamed: AtomicU64,
    /// A streaming reply saw its client go away.
    client_left: AtomicBool,
}

impl Seen {
    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

type Routes = Arc<dyn Fn(&str) -> Option<Reply> + Send + Sync>;

/// A response head: status line, headers, `Connection: close`.
fn head(status: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("Connection: close\r\n\r\n");
    h.into_bytes()
}

/// A well-formed response with a true `Content-Length`.
fn whole(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let len = body.len().to_string();
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.push(("Content-Length", &len));
    let mut out = head(status, &all);
    out.extend_from_slice(body);
    out
}

fn html(body: &[u8]) -> Vec<u8> {
    whole("200 OK", &[("Content-Type", "text/html; charset=utf-8")], body)
}

fn redirect(to: &str) -> Reply {
    Reply::Bytes(whole("302 Found", &[("Location", to)], b""))
}

/// A 政府信息公开 item page; its 索引号 and 文号 derive from the title, so
/// pages with different titles are different items.
fn item_page(title: &str) -> String {
    let n = title.chars().fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(c as u32)) % 100_000;
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_测试市人民政府</title></head>
<body><table class="meta"><tr><td>索 引 号：</td><td>TEST-2024-{n:05}</td><td>发布机构：</td><td>测试市人民政府办公室</td></tr>
<tr><td>文　　号：</td><td>测府办〔2024〕{n}号</td><td>发布日期：</td><td>2024-01-03</td></tr></table>
<div class="TRS_Editor"><p>各有关单位：</p><p>{title}，现予印发，请遵照执行。</p></div></body></html>"#
    )
}

/// The request path, after reading the request head (GET: no body).
async fn read_path<S: AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = String::from_utf8_lossy(&buf).lines().next()?.to_owned();
    line.split(' ').nth(1).map(str::to_owned)
}

/// The default answer of a faulty host: no robots.txt, one good page, 404 elsewhere.
fn default_reply(path: &str) -> Reply {
    match path {
        GOOD_PATH => Reply::Bytes(html(item_page("关于故障站点上正常文件的通知").as_bytes())),
        _ => Reply::Bytes(whole("404 Not Found", &[("Content-Type", "text/html")], b"<h1>404</h1>")),
    }
}

async fn answer(mut stream: TcpStream, routes: Routes, seen: Arc<Seen>) {
    let Some(path) = read_path(&mut stream).await else { return };
    *seen.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    match routes(&path).unwrap_or_else(|| default_reply(&path)) {
        Reply::Bytes(b) => {
            let _ = stream.write_all(&b).await;
            let _ = stream.shutdown().await;
        }
        Reply::ResetAfter(b) => {
            let _ = stream.write_all(&b).await;
            let _ = stream.flush().await;
            // let the bytes reach the client before the reset
            tokio::time::sleep(Duration::from_millis(50)).await;
            #[allow(deprecated)] // linger 0 never blocks: it resets at once
            stream.set_linger(Some(Duration::ZERO)).unwrap();
            drop(stream);
        }
        Reply::Silent(d) => {
            tokio::time::sleep(d).await;
        }
        Reply::Drip { head, every } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            loop {
                tokio::time::sleep(every).await;
                if stream.write_all(b"x").await.is_err() {
                    seen.client_left.store(true, Ordering::Relaxed);
                    return;
                }
                seen.streamed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Reply::Endless { head } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let mut chunk = b"4000\r\n".to_vec();
            chunk.extend(std::iter::repeat_n(b'x', 0x4000));
            chunk.extend_from_slice(b"\r\n");
            loop {
                if stream.write_all(&chunk).await.is_err() {
                    seen.client_left.store(true, Ordering::Relaxed);
                    return;
                }
                seen.streamed.fetch_add(0x4000, Ordering::Relaxed);
            }
        }
    }
}

/// A raw HTTP/1.1 server on 127.0.0.1; `routes` answers the faulty paths,
/// [`default_reply`] the rest.
async fn serve_raw(routes: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let routes: Routes = Arc::new(routes);
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(answer(stream, routes.clone(), s.clone()));
        }
    });
    (format!("http://{addr}"), seen)
}

/// A normal server (axum): no robots.txt, one good page.
async fn serve_normal() -> String {
    let app = axum::Router::new().route(
        "/zwgk/t20240101_1.html",
        axum::routing::get(|| async {
            ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], item_page("关于正常站点上文件的通知"))
        }),
    );
    common::serve(app).await
}

/// A loopback port with nothing listening on it.
async fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

// ---------------------------------------------------------------- crawl

/// Two sites: `faulty` (the fault paths on `faulty_base`, plus its good page)
/// and `normal` (one good page on a normal server).
fn config(faulty_base: &str, fault_paths: &[&str], normal_base: &str) -> Config {
    let mut starts: Vec<String> = fault_paths.iter().map(|p| format!("\"{faulty_base}{p}\"")).collect();
    starts.push(format!("\"{faulty_base}{GOOD_PATH}\""));
    Config::parse(
        &format!(
            r#"
[crawl]
concurrency = 4
timeout_secs = 2
connect_timeout_secs = 2
max_attempts = {MAX_ATTEMPTS}
retry_base_ms = 20
max_redirects = {MAX_REDIRECTS}
max_body_bytes = {MAX_BODY}

[[site]]
name = "faulty"
start_urls = [{starts}]
delay_ms = 0
allow_private = true
attachments = false

[[site]]
name = "normal"
start_urls = ["{normal_base}/zwgk/t20240101_1.html"]
delay_ms = 0
allow_private = true
"#,
            starts = starts.join(", ")
        ),
        "fault test config",
    )
    .unwrap()
}

struct Crawled {
    state: CrawlState,
    report: CrawlReport,
    elapsed: Duration,
    _dir: tempfile::TempDir,
}

impl Crawled {
    fn row(&self, url: &str) -> UrlRow {
        self.state.url(url).unwrap().unwrap_or_else(|| panic!("no crawl-state row for {url}"))
    }

    /// The URL failed with a reason starting with `reason` after `attempts` requests, and stored no page.
    fn assert_failed(&self, fault: &str, url: &str, reason: &str, attempts: u32) {
        let row = self.row(url);
        assert_eq!(row.status, UrlStatus::Failed, "{fault}: {url} should be failed: {row:?}");
        let got = row.error_reason.as_deref().unwrap_or("");
        assert!(got.starts_with(reason), "{fault}: {url}: reason {got:?} should start with {reason:?}");
        assert_eq!(row.attempts, attempts, "{fault}: {url}: attempts recorded: {row:?}");
        assert!(self.state.page(url).unwrap().is_none(), "{fault}: {url}: no page stored for a failure");
        let failed = &self.report.sites["faulty"].failed;
        assert_eq!(failed.get(got), Some(&1), "{fault}: the report counts the failure by its reason\n{}", self.report);
    }

    /// The crawl went on: the good page on the faulty host and the one on the normal server are stored.
    fn assert_went_on(&self, fault: &str, faulty_base: Option<&str>, normal_base: &str) {
        let mut good = vec![format!("{normal_base}/zwgk/t20240101_1.html")];
        good.extend(faulty_base.map(|b| format!("{b}{GOOD_PATH}")));
        for url in good {
            let row = self.row(&url);
            assert_eq!(
                (row.status.code(), row.http_status, row.attempts),
                ("done", Some(200), 1),
                "{fault}: the good page {url} is fetched in the same crawl: {row:?}"
            );
            let page = self.state.page(&url).unwrap().unwrap_or_else(|| panic!("{fault}: {url} stored"));
            assert!(String::from_utf8_lossy(&page.bytes).contains("现予印发"), "{fault}: {url} stored whole");
        }
        assert!(self.elapsed < SANITY, "{fault}: the crawl took {:?}: not bounded", self.elapsed);
        assert!(!self.report.stopped_early);
    }
}

async fn crawl(cfg: &Config) -> Crawled {
    let (dir, state) = common::fresh_state();
    let t = Instant::now();
    let report = tokio::time::timeout(SANITY * 2, crawl::run(cfg, &state, CrawlOptions::default()))
        .await
        .expect("the crawl hangs: a fault is not bounded in time")
        .unwrap();
    let elapsed = t.elapsed();
    state.integrity_check().unwrap();
    Crawled { state, report, elapsed, _dir: dir }
}

// ---------------------------------------------------------------- faults

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection() {
    let normal = serve_normal().await;
    let closed = format!("http://{}", closed_port().await);
    let page = "/zwgk/t20240201_1.html";
    let out = crawl(&config(&closed, &[page], &normal)).await;
    // robots.txt comes first: a transient failure, retried, then the host is backed off
    let robots = out.row(&format!("{closed}/robots.txt"));
    let why = robots.error_reason.clone().unwrap_or_default();
    assert_eq!(robots.status, UrlStatus::Failed, "refused: robots.txt row {robots:?}");
    assert!(why.starts_with("robots.txt unreachable: connect error"), "refused: robots.txt reason {why:?}");
    assert!(why.to_lowercase().contains("refused"), "refused: the reason names the refusal: {why:?}");
    assert_eq!(robots.attempts, MAX_ATTEMPTS, "refused: a connect error is transient, retried up to max_attempts");
    let row = out.row(&format!("{closed}{page}"));
    let reason = row.error_reason.clone().unwrap_or_default();
    assert_eq!(row.status, UrlStatus::Failed, "refused: {row:?}");
    assert!(
        reason.starts_with("robots.txt unreachable (connect error") && reason.contains("refused"),
        "refused: the page's reason names the cause: {reason:?}"
    );
    assert_eq!(row.attempts, 0, "refused: no request for the page once its host is backed off");
    out.assert_went_on("refused", None, &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_mid_body() {
    let normal = serve_normal().await;
    let page = "/reset/t20240201_1.html";
    let (base, seen) = serve_raw(move |p| {
        (p == page).then(|| {
            let body = item_page("被重置的文件").into_bytes();
            let mut b = head("200 OK", &[("Content-Type", "text/html"), ("Content-Length", &body.len().to_string())]);
            b.extend_from_slice(&body[..body.len() / 2]);
            Reply::ResetAfter(b)
        })
    })
    .await;
    let out = crawl(&config(&base, &[page], &normal)).await;
    out.assert_failed("reset mid-body", &format!("{base}{page}"), "connection error: ", MAX_ATTEMPTS);
    assert_eq!(seen.hits(page), MAX_ATTEMPTS as usize, "reset mid-body: transient, retried up to max_attempts");
    out.assert_went_on("reset mid-body", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_never_comes() {
    let normal = serve_normal().await;
    let page = "/silent/t20240201_1.html";
    let (base, seen) = serve_raw(move |p| (p == page).then_some(Reply::Silent(Duration::from_secs(60)))).await;
    let mut cfg = config(&base, &[page], &normal);
    cfg.crawl.max_attempts = 2;
    let out = crawl(&cfg).await;
    out.assert_failed("silent server", &format!("{base}{page}"), "timeout", 2);
    assert_eq!(seen.hits(page), 2, "silent server: a timeout is transient, retried up to max_attempts");
    // 2 attempts × timeout_secs 2 and a 20 ms backoff; far under the 60 s the server would take
    assert!(out.elapsed >= Duration::from_secs(4), "silent server: each attempt waited its timeout: {:?}", out.elapsed);
    out.assert_went_on("silent server", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_loris_body() {
    let normal = serve_normal().await;
    let page = "/drip/t20240201_1.html";
    let (base, seen) = serve_raw(move |p| {
        (p == page).then(|| Reply::Drip {
            head: head("200 OK", &[("Content-Type", "text/html"), ("Content-Length", "60000")]),
            every: Duration::from_millis(300),
        })
    })
    .await;
    let mut cfg = config(&base, &[page], &normal);
    cfg.crawl.max_attempts = 2;
    let out = crawl(&cfg).await;
    out.assert_failed("slow loris", &format!("{base}{page}"), "timeout", 2);
    assert_eq!(seen.hits(page), 2, "slow loris: the whole-request timeout cuts the drip; retried up to max_attempts");
    // ~6 bytes per 2 s attempt; the dripping never reached the end of the body
    assert!(seen.streamed.load(Ordering::Relaxed) < 100, "slow loris: the drip was cut");
    out.assert_went_on("slow loris", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_body_and_declared_huge_body() {
    let normal = serve_normal().await;
    let endless = "/endless/t20240201_1.html";
    let huge = "/huge/t20240202_2.html";
    let (base, seen) = serve_raw(move |p| match p {
        _ if p == endless => Some(Reply::Endless {
            head: head("200 OK", &[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
        }),
        // declares 100 MB, sends a little, then waits: refused from the header alone
        _ if p == huge => Some(Reply::Drip {
            head: head("200 OK", &[("Content-Type", "text/html"), ("Content-Length", "100000000")]),
            every: Duration::from_secs(1),
        }),
        _ => None,
    })
    .await;
    let out = crawl(&config(&base, &[endless, huge], &normal)).await;
    out.assert_failed(
        "endless body",
        &format!("{base}{endless}"),
        &format!("too large: more than {MAX_BODY} bytes"),
        1,
    );
    assert_eq!(seen.hits(endless), 1, "endless body: too large is permanent, not retried");
    out.assert_failed(
        "declared huge body",
        &format!("{base}{huge}"),
        &format!("too large: 100000000 bytes > {MAX_BODY}"),
        1,
    );
    assert_eq!(seen.hits(huge), 1, "declared huge body: permanent, not retried");
    // the crawler hung up: the server's next write failed. What it managed to
    // write sat in socket buffers; the crawler kept at most MAX_BODY of it.
    for _ in 0..100 {
        if seen.client_left.load(Ordering::Relaxed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen.client_left.load(Ordering::Relaxed), "endless body: the crawler closed the connection");
    let streamed = seen.streamed.load(Ordering::Relaxed);
    assert!(streamed < 64 * 1024 * 1024, "endless body: {streamed} bytes streamed before the cut");
    out.assert_went_on("endless body", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loop_and_long_chain() {
    let normal = serve_normal().await;
    let (base, seen) = serve_raw(|p| match p {
        "/loop/a.html" => Some(redirect("/loop/b.html")),
        "/loop/b.html" => Some(redirect("/loop/a.html")),
        // /chain/N.html → /chain/(N-1).html … → /chain/0.html, a good page
        _ if p.starts_with("/chain/") => {
            let n: usize = p.trim_start_matches("/chain/").trim_end_matches(".html").parse().ok()?;
            Some(if n == 0 {
                Reply::Bytes(html(item_page("关于重定向链终点的通知").as_bytes()))
            } else {
                redirect(&format!("/chain/{}.html", n - 1))
            })
        }
        _ => None,
    })
    .await;
    let at_limit = format!("/chain/{MAX_REDIRECTS}.html");
    let too_long = format!("/chain/{}.html", MAX_REDIRECTS + 1);
    let out = crawl(&config(&base, &["/loop/a.html", &at_limit, &too_long], &normal)).await;
    out.assert_failed("redirect loop", &format!("{base}/loop/a.html"), "redirect loop", 2);
    assert_eq!(
        (seen.hits("/loop/a.html"), seen.hits("/loop/b.html")),
        (1, 1),
        "redirect loop: each hop requested once, the loop detected before requesting A again"
    );
    // max_redirects hops are followed; one more is refused after max_redirects + 1 requests
    out.assert_failed("redirect chain", &format!("{base}{too_long}"), "too many redirects", MAX_REDIRECTS as u32 + 1);
    let ok = out.row(&format!("{base}{at_limit}"));
    assert_eq!(
        (ok.status.code(), ok.http_status, ok.attempts),
        ("done", Some(200), MAX_REDIRECTS as u32 + 1),
        "redirect chain of exactly max_redirects hops is followed: {ok:?}"
    );
    let page = out.state.page(&format!("{base}{at_limit}")).unwrap().expect("chain end stored under the start URL");
    assert!(String::from_utf8_lossy(&page.bytes).contains("重定向链终点"));
    out.assert_went_on("redirects", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_length() {
    let normal = serve_normal().await;
    let short = "/short/t20240201_1.html";
    // a list page (not an item): a 10-byte page must not be judged as an item
    let long = "/long/index.html";
    let (base, seen) = serve_raw(move |p| {
        let body = item_page("长度不符的文件").into_bytes();
        let with_length = |declared: &str, sent: &[u8]| {
            let mut b = head("200 OK", &[("Content-Type", "text/html; charset=utf-8"), ("Content-Length", declared)]);
            b.extend_from_slice(sent);
            Reply::Bytes(b)
        };
        match p {
            _ if p == short => Some(with_length("10000", &body[..100])),
            _ if p == long => Some(with_length("10", &body)),
            _ => None,
        }
    })
    .await;
    let out = crawl(&config(&base, &[short, long], &normal)).await;
    // declares 10000, sends 100 and closes: a truncated body, transient, retried
    out.assert_failed("short body", &format!("{base}{short}"), "truncated body: ", MAX_ATTEMPTS);
    assert_eq!(seen.hits(short), MAX_ATTEMPTS as usize, "short body: retried up to max_attempts");
    // declares 10, sends more: HTTP framing says the body is 10 bytes; the rest is dropped
    let row = out.row(&format!("{base}{long}"));
    assert_eq!((row.status.code(), row.http_status, row.attempts), ("done", Some(200), 1), "long body: {row:?}");
    let stored = out.state.page(&format!("{base}{long}")).unwrap().expect("long body: page stored");
    assert_eq!(stored.bytes, &item_page("长度不符的文件").as_bytes()[..10], "long body: the declared 10 bytes");
    out.assert_went_on("wrong Content-Length", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_gzip_and_gzip_bomb() {
    let normal = serve_normal().await;
    let garbage = "/garbage/t20240201_1.html";
    let bomb = "/bomb/t20240202_2.html";
    let bomb_bytes = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b' '; 16 * 1024 * 1024]).unwrap();
        gz.finish().unwrap()
    };
    assert!(bomb_bytes.len() < MAX_BODY, "the bomb is small on the wire: {} bytes", bomb_bytes.len());
    let (base, seen) = serve_raw(move |p| {
        let gzipped = |body: &[u8]| {
            Reply::Bytes(whole("200 OK", &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body))
        };
        match p {
            _ if p == garbage => Some(gzipped(b"\x1f\x8b\x08\x00 this is not a gzip stream at all, just bytes")),
            _ if p == bomb => Some(gzipped(&bomb_bytes)),
            _ => None,
        }
    })
    .await;
    let out = crawl(&config(&base, &[garbage, bomb], &normal)).await;
    out.assert_failed("invalid gzip", &format!("{base}{garbage}"), "bad body encoding: ", 1);
    assert_eq!(seen.hits(garbage), 1, "invalid gzip: permanent, not retried");
    out.assert_failed("gzip bomb", &format!("{base}{bomb}"), &format!("too large: more than {MAX_BODY} bytes"), 1);
    assert_eq!(seen.hits(bomb), 1, "gzip bomb: permanent, not retried");
    out.assert_went_on("gzip", Some(&base), &normal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_and_gbk_bytes() {
    let normal = serve_normal().await;
    let utf8 = "/utf8/t20240201_1.html";
    let gbk = "/gbk/t20240202_2.html";
    let (base, _seen) = serve_raw(move |p| {
        // a valid page with a broken byte sequence spliced into its title
        let broken = |encoded: Vec<u8>, bad: &[u8]| {
            let at = encoded.windows(2).position(|w| w == b"XX").unwrap();
            let mut b = encoded[..at].to_vec();
            b.extend_from_slice(bad);
            b.extend_from_slice(&encoded[at + 2..]);
            b
        };
        match p {
            _ if p == utf8 => {
                let page = item_page("关于XX字节的通知");
                let bytes = broken(page.into_bytes(), b"\xff\xfe\xc3");
                Some(Reply::Bytes(whole("200 OK", &[("Content-Type", "text/html; charset=utf-8")], &bytes)))
            }
            _ if p == gbk => {
                let page = item_page("关于XX编码的通知").replace("<meta charset=\"utf-8\">", "<meta charset=\"gbk\">");
                let (encoded, _, _) = encoding_rs::GBK.encode(&page);
                // 0xFF is no GBK lead byte; 0x81 0x20 is a lead byte without its trail
                let bytes = broken(encoded.into_owned(), b"\xff\x81\x20");
                Some(Reply::Bytes(whole("200 OK", &[("Content-Type", "text/html")], &bytes)))
            }
            _ => None,
        }
    })
    .await;
    let cfg = config(&base, &[utf8, gbk], &normal);
    let out = crawl(&cfg).await;
    for (label, path) in [("invalid UTF-8", utf8), ("invalid GBK", gbk)] {
        let url = format!("{base}{path}");
        let row = out.row(&url);
        assert_eq!((row.status.code(), row.http_status, row.attempts), ("done", Some(200), 1), "{label}: {row:?}");
        assert!(out.state.page(&url).unwrap().is_some(), "{label}: raw bytes stored");
    }
    let items = out.state.extract_items(&cfg).unwrap();
    let title_of = |path: &str| {
        let url = format!("{base}{path}");
        items.iter().find(|i| i.urls.contains(&url)).map(|i| i.title.clone()).unwrap_or_default()
    };
    let t = title_of(utf8);
    assert!(
        t.starts_with("关于\u{FFFD}") && t.ends_with("字节的通知"),
        "invalid UTF-8: title extracted with replacement characters: {t:?}"
    );
    let t = title_of(gbk);
    assert!(
        t.starts_with("关于\u{FFFD}") && t.ends_with("编码的通知"),
        "invalid GBK: title extracted (decoded as GB18030) with replacement characters: {t:?}"
    );
    out.assert_went_on("invalid charset bytes", Some(&base), &normal);
}

// ---------------------------------------------------------------- TLS

/// A CA and a server certificate for 127.0.0.1 signed by it.
struct TestCa {
    ca_pem: String,
    server: Arc<tokio_rustls::rustls::ServerConfig>,
}

fn test_ca() -> TestCa {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "govsearch fault-test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf_params.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &*ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    TestCa { ca_pem: ca.pem(), server: Arc::new(server) }
}

/// An HTTPS server on 127.0.0.1 with the test CA's certificate: no robots.txt,
/// one good page. Counts completed TLS handshakes.
async fn serve_https(ca: &TestCa) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(ca.server.clone());
    let seen = Arc::new(Seen::default());
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (acceptor, seen) = (acceptor.clone(), s.clone());
            tokio::spawn(async move {
                // a client that does not trust the certificate aborts the handshake here
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Some(path) = read_path(&mut tls).await else { return };
                *seen.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                if let Reply::Bytes(b) = default_reply(&path) {
                    let _ = tls.write_all(&b).await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    (format!("https://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_trust_is_per_site() {
    let ca = test_ca();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("test-ca.pem");
    std::fs::write(&ca_path, &ca.ca_pem).unwrap();
    let ca_path = ca_path.display().to_string();
    // one server per site: sites on one host share its robots.txt and politeness
    let (plain, plain_seen) = serve_https(&ca).await;
    let (bundle, _) = serve_https(&ca).await;
    let (skip, _) = serve_https(&ca).await;
    let site = |name: &str, base: &str, extra: &str| {
        format!(
            "[[site]]\nname = \"{name}\"\nstart_urls = [\"{base}{GOOD_PATH}\"]\ndelay_ms = 0\nallow_private = true\n{extra}\n"
        )
    };
    let cfg = Config::parse(
        &format!(
            "[crawl]\ntimeout_secs = 2\nconnect_timeout_secs = 2\nmax_attempts = {MAX_ATTEMPTS}\nretry_base_ms = 20\n{}{}{}",
            site("plain", &plain, ""),
            site("bundle", &bundle, &format!("ca_bundle = {ca_path:?}")),
            site("skip", &skip, "insecure_skip_verify = true"),
        ),
        "tls test config",
    )
    .unwrap();
    let out = crawl(&cfg).await;
    assert!(out.elapsed < SANITY, "tls: the crawl took {:?}", out.elapsed);

    // (a) no CA configured: the self-signed chain is refused, with a certificate error as the reason
    let robots = out.row(&format!("{plain}/robots.txt"));
    let why = robots.error_reason.clone().unwrap_or_default();
    assert_eq!(robots.status, UrlStatus::Failed, "tls (a): {robots:?}");
    assert!(why.contains("certificate error") && why.contains("UnknownIssuer"), "tls (a): reason {why:?}");
    assert_eq!(robots.attempts, 1, "tls (a): a certificate error is permanent, not retried");
    let page = out.row(&format!("{plain}{GOOD_PATH}"));
    let why = page.error_reason.clone().unwrap_or_default();
    assert_eq!(page.status, UrlStatus::Failed, "tls (a): {page:?}");
    assert!(why.contains("certificate error") && why.contains("UnknownIssuer"), "tls (a): page reason {why:?}");
    assert_eq!(plain_seen.hits.lock().unwrap().len(), 0, "tls (a): no request got through the handshake");

    // (b) the site's ca_bundle trusts the CA; (c) insecure_skip_verify on that site only
    for (label, base) in [("tls (b) ca_bundle", &bundle), ("tls (c) insecure_skip_verify", &skip)] {
        let url = format!("{base}{GOOD_PATH}");
        let row = out.row(&url);
        assert_eq!((row.status.code(), row.http_status), ("done", Some(200)), "{label}: {row:?}");
        assert!(out.state.page(&url).unwrap().is_some(), "{label}: page stored");
    }

    // (d) the report says which sites trust an extra CA or skip verification
    let r = &out.report.sites;
    assert_eq!((r["plain"].insecure, r["plain"].ca_bundle.as_deref()), (false, None), "tls (d): {}", out.report);
    assert_eq!((r["bundle"].insecure, r["bundle"].ca_bundle.as_deref()), (false, Some(ca_path.as_str())));
    assert_eq!((r["skip"].insecure, r["skip"].ca_bundle.as_deref()), (true, None));
    let json = serde_json::to_value(&out.report).unwrap();
    assert_eq!(json["sites"]["bundle"]["ca_bundle"], serde_json::json!(ca_path), "tls (d): JSON {json}");
    assert_eq!(json["sites"]["skip"]["insecure"], serde_json::json!(true), "tls (d): JSON {json}");
    let text = out.report.to_string();
    assert!(text.contains("TLS verification OFF") && text.contains(&ca_path), "tls (d): printed report:\n{text}");
}
