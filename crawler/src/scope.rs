//! What is in scope for a site, what kind of page a URL is, the SSRF guard and
//! crawler-trap detection.

use std::collections::HashMap;
use std::net::IpAddr;

use regex::Regex;
use url::Url;

use crate::config::SiteConfig;
use crate::extract::ATTACHMENT_KINDS;

/// What a URL is to the crawler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    /// A page listing items (a column, its further pages); crawled for links.
    List,
    /// One page of a platform's list endpoint (JSON), see [`crate::platform::feed`].
    Feed,
    /// An item (detail) page: extracted into a document.
    Item,
    /// A file linked from an item (PDF, DOCX, …).
    Attachment,
    Robots,
    Sitemap,
}

impl UrlKind {
    /// The name stored in the state (`list`, `item`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            UrlKind::List => "list",
            UrlKind::Feed => "feed",
            UrlKind::Item => "item",
            UrlKind::Attachment => "attachment",
            UrlKind::Robots => "robots",
            UrlKind::Sitemap => "sitemap",
        }
    }

    /// Inverse of [`UrlKind::as_str`].
    pub fn parse(s: &str) -> Option<UrlKind> {
        Some(match s {
            "list" => UrlKind::List,
            "feed" => UrlKind::Feed,
            "item" => UrlKind::Item,
            "attachment" => UrlKind::Attachment,
            "robots" => UrlKind::Robots,
            "sitemap" => UrlKind::Sitemap,
            _ => return None,
        })
    }
}

/// Default item (detail page) patterns of the usual government CMSs.
pub const DEFAULT_ITEM_PATTERNS: &[&str] = &[
    r"/t\d{8}_\d+\.s?html?$",
    r"/content/post_\d+\.html$",
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\w+\.html$",
    r"/\d{6}/[0-9a-f]{32}\.s?html$",
    r"/content_\d+\.s?html?$",
    r"/\d{4,}\.(s|j)?html?$",
    r"/(info_show|show|detail|article)\.(asp|aspx|jsp|php)\?",
    r"[?&](infoid|articleid|newsid|docid)=\w+",
    r"/post_\d+\.html$",
];

/// Default list page patterns.
pub const DEFAULT_LIST_PATTERNS: &[&str] = &[r"/$", r"/(index|list|default)(_\d+)?\.(s|j)?html?$", r"/list[^/]*$"];

/// Scope rules of one site, compiled.
#[derive(Debug, Clone)]
pub struct SiteScope {
    pub name: String,
    pub hosts: Vec<String>,
    list: Vec<Regex>,
    item: Vec<Regex>,
    exclude: Vec<Regex>,
    pub allow_private: bool,
    pub max_depth: u32,
}

fn compile(patterns: &[String], defaults: &[&str]) -> Vec<Regex> {
    let src: Vec<String> =
        if patterns.is_empty() { defaults.iter().map(|s| (*s).to_owned()).collect() } else { patterns.to_vec() };
    // Patterns were validated by Config::parse; a bad one here is skipped.
    src.iter().filter_map(|p| Regex::new(p).ok()).collect()
}

impl SiteScope {
    /// Compile a site's scope. Hosts default to the start URLs' hosts.
    pub fn new(site: &SiteConfig) -> SiteScope {
        let mut hosts: Vec<String> = site.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
        if hosts.is_empty() {
            for u in &site.start_urls {
                if let Some(h) = Url::parse(u).ok().and_then(|u| u.host_str().map(str::to_owned))
                    && !hosts.contains(&h)
                {
                    hosts.push(h);
                }
            }
        }
        SiteScope {
            name: site.name.clone(),
            hosts,
            list: compile(&site.list_patterns, DEFAULT_LIST_PATTERNS),
            item: compile(&site.item_patterns, DEFAULT_ITEM_PATTERNS),
            exclude: compile(&site.exclude_patterns, &[]),
            allow_private: site.allow_private,
            max_depth: site.max_depth,
        }
    }

    /// Whether the URL's host belongs to the site.
    pub fn owns_host(&self, url: &Url) -> bool {
        url.host_str().is_some_and(|h| self.hosts.iter().any(|x| x.eq_ignore_ascii_case(h)))
    }

    /// In scope: http(s), a site host, not excluded, not a trap.
    pub fn in_scope(&self, url: &Url) -> Result<(), &'static str> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err("not http");
        }
        if !self.owns_host(url) {
            return Err("off site");
        }
        if self.exclude.iter().any(|r| r.is_match(url.as_str())) {
            return Err("excluded");
        }
        if let Some(t) = static_trap(url) {
            return Err(t);
        }
        Ok(())
    }

    /// List, item or attachment (by extension, then item patterns, then list patterns; unknown pages are lists).
    pub fn classify(&self, url: &Url) -> UrlKind {
        if url.path() == "/robots.txt" {
            return UrlKind::Robots;
        }
        let last = url.path().rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        if last.ends_with(".xml") && last.contains("sitemap") {
            return UrlKind::Sitemap;
        }
        if let Some((_, ext)) = last.rsplit_once('.')
            && ATTACHMENT_KINDS.contains(&ext)
        {
            return UrlKind::Attachment;
        }
        let s = url.as_str();
        if self.item.iter().any(|r| r.is_match(s)) {
            return UrlKind::Item;
        }
        // unknown pages are crawled for links like lists
        let _ = &self.list;
        UrlKind::List
    }

    /// Whether the URL matches a list pattern (explicit list pages).
    pub fn is_list(&self, url: &Url) -> bool {
        self.list.iter().any(|r| r.is_match(url.as_str()))
    }
}

/// A trap visible from the URL alone.
pub fn static_trap(url: &Url) -> Option<&'static str> {
    if url.as_str().len() > 1000 {
        return Some("trap: URL too long");
    }
    let segs: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() > 20 {
        return Some("trap: path too deep");
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in &segs {
        let c = counts.entry(s).or_default();
        *c += 1;
        if *c >= 3 {
            return Some("trap: repeating path segment");
        }
    }
    None
}

fn calendar_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "date"
            | "day"
            | "month"
            | "year"
            | "ym"
            | "ymd"
            | "cal"
            | "calendar"
            | "week"
            | "d"
            | "m"
            | "y"
            | "time"
            | "riqi"
    ) || k.ends_with("date")
}

/// Detects URL families that grow without end: the same path with a calendar-like
/// query parameter taking ever new values (a calendar's "next month" link).
#[derive(Debug, Default)]
pub struct TrapDetector {
    seen: HashMap<(String, String, String), usize>,
}

/// Distinct values one calendar-like parameter may take on one path.
pub const MAX_CALENDAR_VALUES: usize = 24;
/// Distinct values any parameter may take on one path.
pub const MAX_PARAM_VALUES: usize = 5000;

impl TrapDetector {
    /// Record a newly discovered URL (call once per new URL); `Some(reason)` if it belongs to a trap.
    pub fn check(&mut self, url: &Url) -> Option<&'static str> {
        if let Some(t) = static_trap(url) {
            return Some(t);
        }
        let host = url.host_str().unwrap_or("").to_owned();
        for (k, _) in url.query_pairs() {
            let key = (host.clone(), url.path().to_owned(), k.to_string());
            let n = self.seen.entry(key).or_default();
            *n += 1;
            let limit = if calendar_key(&k) { MAX_CALENDAR_VALUES } else { MAX_PARAM_VALUES };
            if *n > limit {
                return Some("trap: calendar-like parameter");
            }
        }
        None
    }
}

/// Private, loopback, link-local, unspecified, multicast or otherwise non-public.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
        }
    }
}

/// SSRF guard: resolve the URL's host and refuse it if any address is not
/// public, unless `allow_private`. Returns the reason on refusal.
pub async fn check_address(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let host = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            return if is_private(IpAddr::V4(ip)) { Err(format!("private address refused: {ip}")) } else { Ok(()) };
        }
        Some(url::Host::Ipv6(ip)) => {
            return if is_private(IpAddr::V6(ip)) { Err(format!("private address refused: {ip}")) } else { Ok(()) };
        }
        Some(url::Host::Domain(d)) => d.to_owned(),
        None => return Err("no host".into()),
    };
    if host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost") {
        return Err(format!("private address refused: {host}"));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = tokio::net::lookup_host((host.as_str(), port)).await.map_err(|e| format!("dns: {e}"))?;
    let mut any = false;
    for a in addrs {
        any = true;
        if is_private(a.ip()) {
            return Err(format!("private address refused: {host} resolves to {}", a.ip()));
        }
    }
    if any { Ok(()) } else { Err(format!("dns: no address for {host}")) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn site() -> SiteConfig {
        let cfg = crate::Config::parse(
            "[[site]]\nname = \"x\"\nstart_urls = [\"http://www.x.gov.cn/zwgk/\"]\nexclude_patterns = [\"/search/\"]\n",
            "test",
        )
        .unwrap();
        cfg.sites[0].clone()
    }

    #[test]
    fn scope_and_kinds() {
        let s = SiteScope::new(&site());
        let u = |p: &str| Url::parse(p).unwrap();
        assert!(s.in_scope(&u("http://www.x.gov.cn/zwgk/t20200101_1.html")).is_ok());
        assert_eq!(s.in_scope(&u("http://evil.cn/a")), Err("off site"));
        assert_eq!(s.in_scope(&u("http://www.x.gov.cn/search/?q=1")), Err("excluded"));
        assert_eq!(s.in_scope(&u("http://www.x.gov.cn/a/b/a/b/a/x.html")), Err("trap: repeating path segment"));
        assert_eq!(s.classify(&u("http://www.x.gov.cn/zwgk/t20200101_1.html")), UrlKind::Item);
        assert_eq!(s.classify(&u("http://www.x.gov.cn/gkmlpt/content/7/7107/post_7107734.html")), UrlKind::Item);
        assert_eq!(s.classify(&u("http://www.x.gov.cn/art/2022/6/15/art_1229287759_1820957.html")), UrlKind::Item);
        assert_eq!(s.classify(&u("http://www.x.gov.cn/zwgk/index_2.html")), UrlKind::List);
        assert_eq!(s.classify(&u("http://www.x.gov.cn/zwgk/")), UrlKind::List);
        assert_eq!(s.classify(&u("http://www.x.gov.cn/files/P0200.pdf")), UrlKind::Attachment);
    }

    #[test]
    fn calendar_trap() {
        let mut t = TrapDetector::default();
        let mut hit = None;
        for m in 0..100 {
            if let Some(r) = t.check(&Url::parse(&format!("http://x.cn/cal.php?month=2020-{m}")).unwrap()) {
                hit = Some((m, r));
                break;
            }
        }
        assert_eq!(hit, Some((MAX_CALENDAR_VALUES, "trap: calendar-like parameter")));
    }

    #[tokio::test]
    async fn ssrf_guard() {
        let u = |p: &str| Url::parse(p).unwrap();
        assert!(
            check_address(&u("http://127.0.0.1:8080/"), false)
                .await
                .unwrap_err()
                .starts_with("private address refused")
        );
        assert!(check_address(&u("http://[::1]/"), false).await.is_err());
        assert!(check_address(&u("http://10.1.2.3/"), false).await.is_err());
        assert!(check_address(&u("http://169.254.169.254/latest/meta-data"), false).await.is_err());
        assert!(check_address(&u("http://localhost/"), false).await.is_err());
        assert!(check_address(&u("http://127.0.0.1/"), true).await.is_ok());
        assert!(check_address(&u("http://8.8.8.8/"), false).await.is_ok());
    }
}
