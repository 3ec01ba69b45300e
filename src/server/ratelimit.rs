//! Per-client rate limiting: one token bucket per client address, answered
//! `429 Too Many Requests` with `Retry-After` when a client goes over.
//!
//! The client is the peer address of the connection — unless that peer is a
//! trusted proxy ([`TrustedProxies`]: loopback by default, since `serve`
//! binds to loopback and a real deployment puts a reverse proxy in front).
//! Then the client is read from `X-Forwarded-For`, right to left: the first
//! address that is not itself a trusted proxy. A header from any other peer
//! is ignored (anyone can send it), and so are the entries left of the one
//! the trusted proxy wrote (the client's to forge). IPv6
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

/// One address or network (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether `ip` is in this network (IPv4-mapped IPv6 addresses as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = unmap(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<IpNet, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let written: IpAddr =
            addr.parse().map_err(|_| format!("{s:?} is not an IP address or network (e.g. 10.0.0.0/8)"))?;
        // an IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 network it maps
        let mapped = matches!(written, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some());
        let max = if written.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max && (!mapped || *p >= 96)).ok_or_else(|| {
                if mapped {
                    format!("{s:?}: an IPv4-mapped network's prefix length must be 96 to 128")
                } else {
                    format!("{s:?}: the prefix length must be 0 to {max}")
                }
            })?,
        };
        Ok(IpNet { addr: unmap(written), prefix: if mapped { prefix - 96 } else { prefix } })
    }
}

/// The peers whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Loopback (`127.0.0.0/8`, `::1`): a proxy on the same machine.
    pub fn loopback() -> TrustedProxies {
        TrustedProxies(vec![
            IpNet { addr: IpAddr::from([127, 0, 0, 0]), prefix: 8 },
            IpNet { addr: IpAddr::V6(Ipv6Addr::LOCALHOST), prefix: 128 },
        ])
    }

    /// No peer: the header is never read.
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    /// These networks (an empty list trusts no one).
    pub fn of(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(nets)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a request from `peer` carrying `forwarded` (the
    /// `X-Forwarded-For` values in order): the peer unless it is trusted;
    /// else, right to left, the first address that is not a trusted proxy
    /// (the left-most when every one is). An entry that is not an address
    /// stops the walk there: the peer's own claim ends at what it wrote.
    pub fn client(&self, peer: IpAddr, forwarded: &[&str]) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for entry in forwarded.iter().rev().flat_map(|v| v.rsplit(',')) {
            let Some(ip) = forwarded_ip(entry) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry as proxies write it: an address, or an
/// address with a port (`203.0.113.9:52814`, `[2001:db8::1]:443`).
/// `unknown`, obfuscated names and anything else are no address.
fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    if let Ok(ip) = e.parse() {
        return Some(ip);
    }
    if let Some(rest) = e.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = e.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Token buckets per client.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    trusted: TrustedProxies,
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
    /// `per_second` sustained requests per client, bursts of up to `burst`;
    /// `trusted`: the proxies whose `X-Forwarded-For` names the client.
    pub fn new(per_second: f64, burst: u32, trusted: TrustedProxies) -> RateLimiter {
        RateLimiter {
            per_second: per_second.max(0.001),
            burst: f64::from(burst.max(1)),
            trusted,
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

    /// The client of a request ([`TrustedProxies::client`]).
    fn client_of(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
        let forwarded: Vec<&str> =
            req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        Some(self.trusted.client(peer, &forwarded))
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
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies() {
        let l = RateLimiter::new(2.0, 3, TrustedProxies::none());
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
        let l = RateLimiter::new(0.1, 1, TrustedProxies::none());
        let t0 = Instant::now();
        assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Allow);
        assert_eq!(l.check(ip("10.0.0.1"), t0), Decision::Deny { retry_after_secs: 10 });
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_v4_is_v4() {
        let l = RateLimiter::new(1.0, 1, TrustedProxies::none());
        let t0 = Instant::now();
        assert_eq!(l.check(ip("2001:db8:1:2::1"), t0), Decision::Allow);
        assert!(matches!(l.check(ip("2001:db8:1:2:ffff::9"), t0), Decision::Deny { .. }), "same /64");
        assert_eq!(l.check(ip("2001:db8:1:3::1"), t0), Decision::Allow, "another /64");
        assert_eq!(l.check(ip("::ffff:10.0.0.7"), t0), Decision::Allow);
        assert!(matches!(l.check(ip("10.0.0.7"), t0), Decision::Deny { .. }), "mapped address is the same client");
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = RateLimiter::new(1.0, 1, TrustedProxies::none());
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            l.check(IpAddr::V4(std::net::Ipv4Addr::from(i)), t0);
        }
        assert!(l.clients() <= MAX_CLIENTS, "{} buckets", l.clients());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let client = |trusted: TrustedProxies, peer: &str, xff: &[&str]| trusted.client(ip(peer), xff);
        let lo = TrustedProxies::loopback;
        let xff = ["203.0.113.9, 198.51.100.4"];
        assert_eq!(client(lo(), "127.0.0.1", &xff), ip("198.51.100.4"), "the entry our proxy wrote");
        assert_eq!(client(lo(), "::1", &xff), ip("198.51.100.4"));
        assert_eq!(client(lo(), "::ffff:127.0.0.1", &xff), ip("198.51.100.4"), "mapped loopback");
        assert_eq!(client(lo(), "192.0.2.7", &xff), ip("192.0.2.7"), "a spoofed header from anyone else");
        assert_eq!(client(TrustedProxies::none(), "127.0.0.1", &xff), ip("127.0.0.1"));
        assert_eq!(client(lo(), "127.0.0.1", &[]), ip("127.0.0.1"), "no header: the proxy itself");
        // a chain of trusted proxies: the first untrusted address from the right
        let nets = TrustedProxies::of(vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1".parse().unwrap()]);
        assert_eq!(client(nets.clone(), "127.0.0.1", &["198.51.100.4, 10.1.2.3"]), ip("198.51.100.4"));
        assert_eq!(client(nets.clone(), "127.0.0.1", &["198.51.100.4", "10.1.2.3"]), ip("198.51.100.4"), "two headers");
        assert_eq!(client(nets.clone(), "127.0.0.2", &xff), ip("127.0.0.2"), "only the named address");
        assert_eq!(client(nets, "127.0.0.1", &["garbage, 10.1.2.3"]), ip("10.1.2.3"), "stops at what is no address");
        // proxies that write ports
        assert_eq!(client(lo(), "127.0.0.1", &["203.0.113.9:52814"]), ip("203.0.113.9"));
        assert_eq!(client(lo(), "127.0.0.1", &["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(client(lo(), "127.0.0.1", &["unknown"]), ip("127.0.0.1"), "no address: the peer");
    }

    #[test]
    fn networks_parse_and_match_or_name_what_is_wrong() {
        let net: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.255.0.1")) && !net.contains(ip("11.0.0.1")) && !net.contains(ip("::1")));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("198.51.100.4")));
        assert!("::ffff:10.0.0.1".parse::<IpNet>().unwrap().contains(ip("10.0.0.1")));
        let mapped: IpNet = "::ffff:10.0.0.0/104".parse().unwrap();
        assert!(mapped.contains(ip("10.9.8.7")) && !mapped.contains(ip("11.0.0.1")), "the IPv4 network it maps");
        assert!("::ffff:10.0.0.0/64".parse::<IpNet>().unwrap_err().contains("96 to 128"));
        assert!("10.0.0.0/33".parse::<IpNet>().unwrap_err().contains("0 to 32"));
        assert!("proxy.local".parse::<IpNet>().unwrap_err().contains("\"proxy.local\""));
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
            RateLimiter::new(1.0, 1, if trusted { TrustedProxies::loopback() } else { TrustedProxies::none() })
                .client_of(&r)
        };
        assert_eq!(req(false), Some(ip("127.0.0.1")));
        assert_eq!(req(true), Some(ip("198.51.100.4")), "the right-most entry is the one our proxy wrote");
    }
}
