//! Per-client rate limiting: one token bucket per client address, answered
//! `429 Too Many Requests` with `Retry-After` when a client goes over.
//!
//! The client is the peer address of the connection, or the right-most
//! `X-Forwarded-For` address when the server is told it sits behind a proxy
//! that sets it (never trusted otherwise: anyone can send the header). IPv6
//! clients are keyed by their /64, since one household or phone gets a whole
//! /64 and could otherwise rotate through it. Health checks and metrics are
//! not limited, so monitoring never trips it.
//!
//! Memory is bounded: at most [`MAX_CLIENTS`] buckets are kept; when full,
//! buckets that have refilled completely (idle clients) are dropped first, and
//! if every client is busy the table is cleared (failing open for a moment
//! rather than growing without bound).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Most client buckets kept at once.
pub const MAX_CLIENTS: usize = 65_536;

/// Token buckets per client.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    trust_forwarded: bool,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Allow,
    /// Over the limit: seconds until one request would be allowed again.
    Deny {
        retry_after_secs: u64,
    },
}

impl RateLimiter {
    /// `per_second` sustained requests per client, bursts of up to `burst`.
    /// `trust_forwarded`: take the client from `X-Forwarded-For` (set only behind a proxy that writes it).
    pub fn new(per_second: f64, burst: u32, trust_forwarded: bool) -> RateLimiter {
        RateLimiter {
            per_second: per_second.max(0.001),
            burst: f64::from(burst.max(1)),
            trust_forwarded,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token for `client` at time `now`.
    pub fn check(&self, client: IpAddr, now: Instant) -> Decision {
        let key = client_key(client);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&key) {
            let full_after = self.burst / self.per_second;
            buckets.retain(|_, b| now.saturating_duration_since(b.at).as_secs_f64() < full_after);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let b = buckets.entry(key).or_insert(Bucket { tokens: self.burst, at: now });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Decision::Allow
        } else {
            let wait = (1.0 - b.tokens) / self.per_second;
            Decision::Deny { retry_after_secs: (wait.ceil() as u64).max(1) }
        }
    }

    /// Buckets currently kept (for tests and metrics).
    pub fn clients(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }

    /// The client of a request: the peer, or the right-most `X-Forwarded-For` entry when trusted.
    fn client_of(&self, req: &Request) -> Option<IpAddr> {
        if self.trust_forwarded {
            // Only the right-most entry: the one our proxy wrote. Earlier ones are the client's to forge.
            let forwarded = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|s| s.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
    }
}

/// IPv4 addresses as they are; IPv6 by their /64 (IPv4-mapped ones as IPv4).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The middleware: 429 with `Retry-After` (JSON on `/api/`, a short page elsewhere).
pub(crate) async fn limit(State(state): State<super::AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = state.rate_limit.as_deref() else { return next.run(req).await };
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    // Without a known client (no ConnectInfo: in-process use) there is nobody to limit.
    let Some(client) = limiter.client_of(&req) else { return next.run(req).await };
    match limiter.check(client, Instant::now()) {
        Decision::Allow => next.run(req).await,
        Decision::Deny { retry_after_secs } => {
            let message = format!(
                "too many requests from {client}: the limit is {} per second; try again in {retry_after_secs} s",
                limiter.per_second
            );
            let mut res = if req.uri().path().starts_with("/api/") {
                let body = serde_json::json!({ "error": { "code": "rate_limited", "message": message } });
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
            } else {
                super::pages::too_many_requests_page(&message)
            };
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies() {
        let l = RateLimiter::new(2.0, 3, false);
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Allow, "request {i} of the burst");
        }
        assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Deny { retry_after_secs: 1 });
        // Another client has its own bucket.
        assert_eq!(l.check(ip("10.0.0.2"), t0), Decision::Allow);
        // Half a second later one token (2 per second) has come back, and only one.
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!(l.check(ip("10.0.0.1"), t1), Decision::Allow);
        assert!(matches!(l.check(ip("10.0.0.1"), t1), Decision::Deny { .. }));
    }

    #[test]
    fn retry_after_is_the_wait_for_one_token() {
        let l = RateLimiter::new(0.1, 1, false);
        let t0 = Instant::now();
        assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Allow);
        assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Deny { retry_after_secs: 10 });
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_v4_is_v4() {
        let l = RateLimiter::new(1.0, 1, false);
        let t0 = Instant::now();
        assert_eq!(l.check(ip("2001:db8:1:2::1"), t0), Decision::Allow);
        assert!(matches!(l.check(ip("2001:db8:1:2:ffff::9"), t0), Decision::Deny { .. }), "same /64");
        assert_eq!(l.check(ip("2001:db8:1:3::1"), t0), Decision::Allow, "another /64");
        assert_eq!(l.check(ip("::ffff:10.0.0.7"), t0), Decision::Allow);
        assert!(matches!(l.check(ip("10.0.0.7"), t0), Decision::Deny { .. }), "mapped address is the same client");
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = RateLimiter::new(1.0, 1, false);
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            l.check(IpAddr::V4(std::net::Ipv4Addr::from(i)), t0);
        }
        assert!(l.clients() <= MAX_CLIENTS, "{} buckets", l.clients());
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted() {
        let req = |trusted: bool| {
            let mut r = Request::builder()
                .uri("/api/search")
                .header("x-forwarded-for", "203.0.113.9, 198.51.100.4")
                .body(axum::body::Body::empty())
                .expect("request");
            r.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
            RateLimiter::new(1.0, 1, trusted).client_of(&r)
        };
        assert_eq!(req(false), Some(ip("127.0.0.1")));
        assert_eq!(req(true), Some(ip("198.51.100.4")), "the right-most entry is the one our proxy wrote");
    }
}
