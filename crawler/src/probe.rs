//! `govsearch probe URL`: what the crawler would make of a site, before any
//! config is written. robots.txt first, then the start page (redirects
//! followed, each target checked like a crawl's); the platform recognised from
//! the page itself; its catalogue listed with the category each list's items
//! would get; optionally page 1 of each list, at the site's politeness delay,
//! for the total the platform claims. The answer is a report and a ready
//! `[[site]]` block naming every host the catalogue uses.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use url::Url;

use crate::config::{CrawlSettings, DEFAULT_DELAY_MS, SiteConfig};
use crate::fetch::{self, Fetched, Validators};
use crate::platform::{self, feed};
use crate::robots::Robots;
use crate::{Error, Result};

/// What to do beyond the start page.
#[derive(Debug, Clone, Default)]
pub struct ProbeOptions {
    /// Ask for page 1 of every list (one request each, at the site's delay)
    /// to show the totals the platform claims.
    pub count: bool,
    /// Allow private and loopback addresses (an intranet site; tests).
    pub allow_private: bool,
    /// Delay between two requests; `None` is the crawl default (robots.txt
    /// Crawl-delay wins when larger).
    pub delay: Option<Duration>,
}

/// One list of a recognised catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedList {
    /// The catalogue path, names joined with ` > ` (the column stored).
    pub column: String,
    /// The category its items get when no `[site.columns]` says otherwise.
    pub category: String,
    /// Its first list page.
    pub url: String,
    /// The total the platform claims, when `count` asked and it said.
    pub claimed: Option<u64>,
    /// Why page 1 gave no total, when `count` asked.
    pub problem: Option<String>,
}

/// What a probe found.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The start page after redirects.
    pub url: Url,
    /// Its `<title>`.
    pub title: String,
    /// The platform's code (`gkmlpt`, `hanweb`, `jpaas`), when recognised.
    pub platform: Option<&'static str>,
    /// Whether the crawler walks this platform's lists (the others are only recognised).
    pub walked: bool,
    pub lists: Vec<ProbedList>,
    /// The site search that reaches items the lists no longer serve.
    pub backfill: Option<String>,
    /// Every host the crawl needs in scope (the start page's, the lists', the search's).
    pub hosts: Vec<String>,
    /// robots.txt's Crawl-delay, when it gives one.
    pub crawl_delay: Option<Duration>,
    /// Requests made.
    pub requests: usize,
}

fn probe_error(url: &Url, message: impl Into<String>) -> Error {
    Error::Probe { url: url.to_string(), message: message.into() }
}

/// Probes `start`. Errors name the URL and what stopped the probe (an
/// address refused, robots.txt unreachable or forbidding the page, a status,
/// too many redirects).
pub async fn probe(start: &Url, settings: &CrawlSettings, options: &ProbeOptions) -> Result<Probe> {
    if !matches!(start.scheme(), "http" | "https") || start.host_str().is_none() {
        return Err(probe_error(start, "not an http(s) URL with a host"));
    }
    let site = probe_site(start, options.allow_private);
    let client = fetch::client_for(&site, settings)?;
    let mut requests = 0;
    let robots = robots_of(&client, start, settings, options, &mut requests).await?;
    let delay =
        options.delay.unwrap_or(Duration::from_millis(DEFAULT_DELAY_MS)).max(robots.crawl_delay.unwrap_or_default());

    // the start page, redirects followed and each target checked
    let mut url = start.clone();
    let mut hops = 0;
    let (bytes, ctype) = loop {
        check(&url, &robots, start, options.allow_private).await?;
        requests += 1;
        match fetch::get(&client, &url, &Validators::default(), settings.max_body_bytes).await {
            Fetched::Body { bytes, content_type, .. } => break (bytes, content_type),
            Fetched::Redirect { location, .. } if hops < settings.max_redirects => {
                hops += 1;
                url = location;
            }
            Fetched::Redirect { location, .. } => {
                return Err(probe_error(start, format!("more than {} redirects (last to {location})", hops)));
            }
            Fetched::NotModified => return Err(probe_error(&url, "304 without a conditional request")),
            Fetched::Status { status, .. } => return Err(probe_error(&url, format!("HTTP {status}"))),
            Fetched::Transient(e) | Fetched::Permanent(e) => return Err(probe_error(&url, e)),
        }
    };
    let text = crate::charset::decode(&bytes, ctype.as_deref()).text;
    let title = title_of(&text);
    let mut hosts = BTreeSet::new();
    hosts.insert(host_of(start));
    hosts.insert(host_of(&url));

    let detected = platform::detect(&text, &url);
    let mut lists = Vec::new();
    let mut backfill = None;
    let (code, walked) = match &detected {
        Some(p) => {
            let starts = feed::feeds_of(p);
            for s in &starts {
                hosts.insert(host_of(&s.url));
                let column = feed::column_of(&s.path);
                let category = crate::extract::category_of_column(None, &column);
                lists.push(ProbedList { column, category, url: s.url.to_string(), claimed: None, problem: None });
            }
            if let Some(b) = feed::backfill_of(p) {
                hosts.insert(host_of(&b));
                backfill = Some(b.to_string());
            }
            (Some(p.code()), !starts.is_empty())
        }
        None => (None, false),
    };

    if options.count {
        for l in &mut lists {
            tokio::time::sleep(delay).await;
            let Ok(u) = Url::parse(&l.url) else { continue };
            let (claimed, problem, asked) = claimed_total(&client, &u, settings, options, delay).await;
            requests += asked;
            l.claimed = claimed;
            l.problem = problem;
        }
    }
    Ok(Probe {
        url,
        title,
        platform: code,
        walked,
        lists,
        backfill,
        hosts: hosts.into_iter().filter(|h| !h.is_empty()).collect(),
        crawl_delay: robots.crawl_delay,
        requests,
    })
}

/// A site config for the probe's HTTP client: no CA bundle, TLS verified.
fn probe_site(start: &Url, allow_private: bool) -> SiteConfig {
    let toml = format!(
        "name = \"probe\"\nstart_urls = [{}]\nallow_private = {allow_private}\n",
        toml::Value::String(start.to_string())
    );
    // a SiteConfig with one start URL and defaults everywhere else always parses
    toml::from_str(&toml).unwrap_or_else(|e| unreachable!("probe site config: {e}"))
}

/// The page's `<title>`, whitespace collapsed, at most 200 characters.
fn title_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let Ok(sel) = scraper::Selector::parse("title") else { return String::new() };
    let raw: String = doc.select(&sel).next().map(|t| t.text().collect()).unwrap_or_default();
    raw.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect()
}

/// A host as `hosts` in the config names it: the name, without a port.
fn host_of(u: &Url) -> String {
    u.host_str().unwrap_or_default().to_owned()
}

async fn check(url: &Url, robots: &Robots, start: &Url, allow_private: bool) -> Result<()> {
    crate::scope::check_address(url, allow_private).await.map_err(|e| probe_error(url, e))?;
    // robots.txt was read for the start host; a redirect elsewhere is reported, not followed blind
    if url.host_str() != start.host_str() || url.port_or_known_default() != start.port_or_known_default() {
        return Err(probe_error(
            start,
            format!("redirects to another host ({url}); probe that URL, and name both hosts in the config"),
        ));
    }
    if !robots.allowed(url) {
        return Err(probe_error(url, "robots.txt forbids this page to the crawler's user agent"));
    }
    Ok(())
}

async fn robots_of(
    client: &reqwest::Client,
    start: &Url,
    settings: &CrawlSettings,
    options: &ProbeOptions,
    requests: &mut usize,
) -> Result<Robots> {
    let u = crate::robots::robots_url(start);
    crate::scope::check_address(&u, options.allow_private).await.map_err(|e| probe_error(&u, e))?;
    *requests += 1;
    let answer = fetch::get(client, &u, &Validators::default(), 512 * 1024).await;
    if let Fetched::Redirect { location, .. } = &answer {
        return Err(probe_error(&u, format!("redirects to {location}")));
    }
    let robots = Robots::from_answer(&settings.user_agent, &answer);
    match robots.unreachable_reason() {
        Some(why) => Err(probe_error(&u, format!("{why}: a crawl would wait until robots.txt can be read"))),
        None => Ok(robots),
    }
}

/// What a list's first page says its total is, asked the way the crawler
/// asks (a POSTed form where the feed is one) and, when that way fails, the
/// other ways in turn ([`feed::Feed::fallback`]). Returns the total or the
/// last problem, and the number of requests made.
async fn claimed_total(
    client: &reqwest::Client,
    first: &Url,
    settings: &CrawlSettings,
    options: &ProbeOptions,
    delay: Duration,
) -> (Option<u64>, Option<String>, usize) {
    /// Ways of asking tried per list (Hanweb has up to six).
    const MAX_TRIES: usize = 6;
    let mut u = first.clone();
    let mut requests = 0;
    let mut problem = String::new();
    while requests < MAX_TRIES {
        if let Err(e) = crate::scope::check_address(&u, options.allow_private).await {
            return (None, Some(e), requests);
        }
        let Some(feed) = feed::Feed::of(&u) else { return (None, Some("not a list endpoint".into()), requests) };
        let req = feed::Feed::request(&u);
        requests += 1;
        let got = match &req.form {
            Some(form) => fetch::post_form(client, &req.url, form, settings.max_body_bytes).await,
            None => fetch::get(client, &req.url, &Validators::default(), settings.max_body_bytes).await,
        };
        let not_found = match got {
            Fetched::Body { bytes, content_type, .. } => {
                let text = crate::charset::decode(&bytes, content_type.as_deref()).text;
                match feed.parse(&text, &u) {
                    Ok(page) if page.claimed_total.is_some() => return (page.claimed_total, None, requests),
                    Ok(page) if !page.items.is_empty() => {
                        return (
                            None,
                            Some(format!("no total given ({} items on page 1)", page.items.len())),
                            requests,
                        );
                    }
                    Ok(_) => problem = "an empty first page".into(),
                    Err(p) => problem = p.to_string(),
                }
                false
            }
            Fetched::Status { status, .. } => {
                problem = format!("HTTP {status}");
                status == 404 || status == 410
            }
            Fetched::Redirect { location, .. } => return (None, Some(format!("redirects to {location}")), requests),
            Fetched::NotModified => return (None, Some("304".into()), requests),
            Fetched::Transient(e) | Fetched::Permanent(e) => return (None, Some(e), requests),
        };
        match feed::Feed::fallback(&u, not_found) {
            Some(next) => {
                tokio::time::sleep(delay).await;
                u = next;
            }
            None => break,
        }
    }
    (None, Some(problem), requests)
}

impl Probe {
    /// A `[[site]]` block for `sites.toml`, commented with what was found.
    pub fn site_block(&self, name: &str) -> String {
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let mut out = String::new();
        match (self.platform, self.walked) {
            (Some(p), true) => out.push_str(&format!(
                "# platform {p}: {} lists, walked through its list endpoint; categories from the catalogue\n",
                self.lists.len()
            )),
            (Some(p), false) => out.push_str(&format!(
                "# platform {p} recognised; its lists are not walked yet: the crawl follows the page's links\n"
            )),
            (None, _) => out.push_str("# no disclosure platform recognised: the crawl follows the page's links\n"),
        }
        out.push_str("[[site]]\n");
        out.push_str(&format!("name = {}\n", q(name)));
        out.push_str(&format!("start_urls = [{}]\n", q(self.url.as_str())));
        let hosts: Vec<String> = self.hosts.iter().map(|h| q(h)).collect();
        out.push_str(&format!("hosts = [{}]\n", hosts.join(", ")));
        if let Some(d) = self.crawl_delay {
            out.push_str(&format!(
                "# robots.txt asks for {} s between requests; the crawl honours it\n",
                d.as_secs_f64()
            ));
        }
        out
    }

    /// A short name for the site: the first label of its host that is not
    /// `www` (`site` for an address).
    pub fn suggested_name(&self) -> String {
        let host = match self.url.host() {
            Some(url::Host::Domain(d)) => d,
            _ => return "site".to_owned(),
        };
        let label = host.split('.').find(|l| *l != "www" && !l.is_empty()).unwrap_or(host);
        label.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>().to_lowercase()
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "page      {}", self.url)?;
        writeln!(f, "title     {}", self.title)?;
        match self.platform {
            Some(p) => writeln!(f, "platform  {p}{}", if self.walked { "" } else { " (recognised, not walked yet)" })?,
            None => writeln!(f, "platform  none recognised (HTML lists, followed link by link)")?,
        }
        for l in &self.lists {
            let claimed = match (&l.claimed, &l.problem) {
                (Some(c), _) => format!("claimed {c:>7}"),
                (None, Some(p)) => format!("claimed       - ({p})"),
                (None, None) => String::new(),
            };
            let category = if l.category.is_empty() { "(no category)" } else { &l.category };
            writeln!(f, "list      {:<32} → {category:<8} {claimed}", l.column)?;
        }
        if let Some(b) = &self.backfill {
            writeln!(f, "search    {b}")?;
        }
        if self.lists.iter().any(|l| l.claimed.is_some()) {
            let total: u64 = self.lists.iter().filter_map(|l| l.claimed).sum();
            writeln!(f, "claimed   {total} listings in all (an item under two lists counts twice)")?;
        }
        writeln!(f, "requests  {}", self.requests)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn probe(url: &str, platform: Option<&'static str>, walked: bool) -> Probe {
        Probe {
            url: Url::parse(url).unwrap(),
            title: String::new(),
            platform,
            walked,
            lists: Vec::new(),
            backfill: None,
            hosts: vec!["www.example.gov.cn".into(), "search.example.gov.cn".into()],
            crawl_delay: Some(Duration::from_secs(3)),
            requests: 2,
        }
    }

    #[test]
    fn the_site_block_parses_as_a_config_and_says_what_was_found() {
        let p = probe("https://www.example.gov.cn/gkml/index.html?a=\"1\"", Some("hanweb"), false);
        assert_eq!(p.suggested_name(), "example");
        let block = p.site_block("gd-test");
        assert!(block.starts_with("# platform hanweb recognised; its lists are not walked yet"), "{block}");
        assert!(block.contains("robots.txt asks for 3 s"), "{block}");
        let cfg = crate::Config::parse(&block, "probe block").unwrap();
        let site = &cfg.sites[0];
        assert_eq!(site.name, "gd-test");
        assert_eq!(site.start_urls, vec!["https://www.example.gov.cn/gkml/index.html?a=%221%22".to_owned()]);
        assert_eq!(site.hosts, vec!["www.example.gov.cn", "search.example.gov.cn"]);
        let none = probe("http://10.1.2.3/", None, false).site_block("x");
        assert!(none.starts_with("# no disclosure platform recognised"), "{none}");
    }
}
