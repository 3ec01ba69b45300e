//! robots.txt rules for one host (Disallow, Allow, Crawl-delay, Sitemap).
//!
//! Parsing is done by `texting_robots`; this wraps the three outcomes of
//! fetching robots.txt: rules, "allow all" (404 and other 4xx: no robots.txt),
//! and "disallow all for now" (5xx or network failure: back off and retry later).

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::fetch::Fetched;

/// Where the robots.txt of `url`'s host is.
pub fn robots_url(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_path("/robots.txt");
    u.set_query(None);
    u.set_fragment(None);
    u
}

/// Parsed robots.txt for one host.
pub struct Robots {
    robot: Option<texting_robots::Robot>,
    disallow_all: bool,
    /// Why robots.txt could not be read, in the "unreachable" state.
    unreachable_reason: Option<String>,
    /// Crawl-delay for our agent, if given.
    pub crawl_delay: Option<Duration>,
    /// Sitemap URLs listed in the file.
    pub sitemaps: Vec<String>,
}

impl fmt::Debug for Robots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Robots")
            .field("has_rules", &self.robot.is_some())
            .field("disallow_all", &self.disallow_all)
            .field("unreachable_reason", &self.unreachable_reason)
            .field("crawl_delay", &self.crawl_delay)
            .field("sitemaps", &self.sitemaps)
            .finish()
    }
}

/// The product token of a User-Agent string (`govsearch/0.1 (+…)` → `govsearch`).
pub fn agent_token(user_agent: &str) -> &str {
    user_agent.split(['/', ' ']).next().unwrap_or(user_agent)
}

impl Robots {
    /// The rules one answer for robots.txt gives: a body is parsed; 4xx (no
    /// robots.txt), a redirect and 304 allow everything; 5xx and network
    /// failures make the host unreachable until robots.txt can be read.
    pub fn from_answer(user_agent: &str, answer: &Fetched) -> Robots {
        match answer {
            Fetched::Body { bytes, .. } => Robots::parse(user_agent, bytes),
            Fetched::Status { status, .. } if (400..500).contains(status) => Robots::allow_all(),
            Fetched::Status { status, .. } => Robots::unreachable(format!("http {status}")),
            Fetched::Redirect { .. } | Fetched::NotModified => Robots::allow_all(),
            Fetched::Transient(e) | Fetched::Permanent(e) => Robots::unreachable(e.clone()),
        }
    }

    /// Rules from a robots.txt body; an unparsable file allows everything.
    pub fn parse(user_agent: &str, body: &[u8]) -> Robots {
        // Bound what we read: Google reads 500 KiB.
        let body = &body[..body.len().min(512 * 1024)];
        match texting_robots::Robot::new(agent_token(user_agent), body) {
            Ok(robot) => {
                let crawl_delay =
                    robot.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| Duration::from_secs_f32(d.min(120.0)));
                let sitemaps = robot.sitemaps.clone();
                Robots { robot: Some(robot), disallow_all: false, unreachable_reason: None, crawl_delay, sitemaps }
            }
            Err(_) => Robots::allow_all(),
        }
    }

    /// No robots.txt (404 and other 4xx): everything allowed.
    pub fn allow_all() -> Robots {
        Robots { robot: None, disallow_all: false, unreachable_reason: None, crawl_delay: None, sitemaps: Vec::new() }
    }

    /// robots.txt unreachable (5xx, network error): nothing allowed until retried.
    pub fn disallow_all() -> Robots {
        Robots { robot: None, disallow_all: true, unreachable_reason: None, crawl_delay: None, sitemaps: Vec::new() }
    }

    /// robots.txt unreachable for `reason` ("http 503", "connect error: …",
    /// "certificate error: …"): nothing allowed until retried; the reason is
    /// kept to be recorded on the URLs that wait for it.
    pub fn unreachable(reason: impl Into<String>) -> Robots {
        Robots { unreachable_reason: Some(reason.into()), ..Robots::disallow_all() }
    }

    /// Why robots.txt could not be read, when it could not.
    pub fn unreachable_reason(&self) -> Option<&str> {
        self.unreachable_reason.as_deref()
    }

    /// Whether `url` may be fetched. robots.txt itself is always allowed.
    pub fn allowed(&self, url: &url::Url) -> bool {
        if url.path() == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        self.robot.as_ref().is_none_or(|r| r.allowed(url.as_str()))
    }

    /// Whether this is the "unreachable, back off" state.
    pub fn is_unreachable(&self) -> bool {
        self.disallow_all
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_answer_gives_its_rules() {
        let page = Url::parse("http://a.gov.cn/x/y.html?q=1#f").unwrap();
        assert_eq!(robots_url(&page).as_str(), "http://a.gov.cn/robots.txt");
        let body = Fetched::Body {
            status: 200,
            content_type: None,
            etag: None,
            last_modified: None,
            bytes: b"User-agent: *\nDisallow: /x/\n".to_vec(),
        };
        assert!(!Robots::from_answer("govsearch", &body).allowed(&page));
        let status = |s| Fetched::Status { status: s, set_cookie: false, body: Vec::new() };
        assert!(Robots::from_answer("govsearch", &status(404)).allowed(&page), "no robots.txt");
        let busy = Robots::from_answer("govsearch", &status(503));
        assert_eq!((busy.allowed(&page), busy.unreachable_reason()), (false, Some("http 503")));
        let down = Robots::from_answer("govsearch", &Fetched::Transient("connect error".into()));
        assert_eq!((down.allowed(&page), down.unreachable_reason()), (false, Some("connect error")));
        assert!(Robots::from_answer("govsearch", &Fetched::NotModified).allowed(&page));
    }

    #[test]
    fn rules() {
        let txt = b"User-agent: *\nDisallow: /private/\nAllow: /private/open.html\nCrawl-delay: 2\nSitemap: http://x.cn/sitemap.xml\n\nUser-agent: badbot\nDisallow: /\n";
        let r = Robots::parse("govsearch/0.1 (+https://example)", txt);
        let u = |p: &str| url::Url::parse(&format!("http://x.cn{p}")).unwrap();
        assert!(r.allowed(&u("/zwgk/index.html")));
        assert!(!r.allowed(&u("/private/a.html")));
        assert!(r.allowed(&u("/private/open.html")));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        assert_eq!(r.sitemaps, vec!["http://x.cn/sitemap.xml".to_owned()]);
        assert!(Robots::allow_all().allowed(&u("/private/")));
        assert!(!Robots::disallow_all().allowed(&u("/a")));
        assert!(Robots::disallow_all().allowed(&u("/robots.txt")));
        let down = Robots::unreachable("http 503");
        assert!(down.is_unreachable() && !down.allowed(&u("/a")));
        assert_eq!(down.unreachable_reason(), Some("http 503"));
        assert_eq!(agent_token("govsearch/0.1 (+x)"), "govsearch");
    }
}
