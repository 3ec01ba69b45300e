//! `sites.toml`: what to crawl and how politely.
//!
//! One `[[site]]` table per website. Everything but `name` and `start_urls` has
//! a default, so a site with no selectors still works through generic
//! extraction. See `sites.example.toml` at the repository root for a commented
//! example.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Default delay between two requests to the same host.
pub const DEFAULT_DELAY_MS: u64 = 1000;
/// Default number of requests in flight over all hosts.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Default cap on pages fetched per host in one crawl (trap bound).
pub const DEFAULT_MAX_PAGES_PER_HOST: usize = 50_000;
/// Default link depth from a start URL (trap bound).
pub const DEFAULT_MAX_DEPTH: u32 = 12;
/// Default cap on the bytes of one response body (after decompression).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Default timeout for the whole request, connect to last byte.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// Default User-Agent, naming the crawler and where to learn about it.
pub const DEFAULT_USER_AGENT: &str =
    "govsearch/0.1 (+https://github.com/govsearch/govsearch; government information search crawler)";

/// The whole crawl configuration, as read from `sites.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub crawl: CrawlSettings,
    #[serde(rename = "site")]
    pub sites: Vec<SiteConfig>,
}

/// Settings that apply to every site.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    pub user_agent: String,
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_body_bytes: usize,
    /// Attempts per URL on 5xx, timeouts and resets, with exponential backoff.
    pub max_attempts: u32,
    /// First backoff delay; doubled on each retry.
    pub retry_base_ms: u64,
    pub max_redirects: usize,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        Self {
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            concurrency: DEFAULT_CONCURRENCY,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            connect_timeout_secs: 10,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_attempts: 3,
            retry_base_ms: 500,
            max_redirects: 5,
        }
    }
}

/// One website.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Short stable name; document ids start with it.
    pub name: String,
    pub start_urls: Vec<String>,
    /// Hosts in scope; defaults to the hosts of `start_urls`.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Regexes over the absolute URL: a page matching one is a list page.
    /// Default: URLs ending in `/`, `index.html`, `index_N.html`, `list…`.
    #[serde(default)]
    pub list_patterns: Vec<String>,
    /// Regexes over the absolute URL: a page matching one is an item (detail) page.
    /// Default: typical CMS detail URLs (`t2020…_123.html`, `content/post_…`, `art_…`, `…/\d+.html`).
    #[serde(default)]
    pub item_patterns: Vec<String>,
    /// Regexes: URLs matching one are never fetched.
    #[serde(default)]
    pub exclude_patterns: Vec<String>,
    /// CSS selectors overriding generic extraction.
    #[serde(default)]
    pub selectors: Selectors,
    /// Delay between two requests to one host, in milliseconds (robots.txt
    /// Crawl-delay wins when larger).
    #[serde(default = "default_delay")]
    pub delay_ms: u64,
    /// URLs discovered per host in one crawl (trap bound), counted for each host of the site apart.
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    #[serde(default = "default_max_depth")]
    pub max_depth: u32,
    /// Column (栏目) → category: keys are URL path prefixes (`/zwgk/gfxwj/`)
    /// or column names as shown on the list page; values are categories
    /// (规范性文件, 政策解读, …).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Allow private, loopback and link-local addresses (SSRF guard off for this
    /// site only). Needed for a site on an intranet or on loopback.
    #[serde(default)]
    pub allow_private: bool,
    /// Extra PEM CA bundle for sites with incomplete certificate chains.
    #[serde(default)]
    pub ca_bundle: Option<String>,
    /// Skip certificate verification for this site only (reported).
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// Download and extract attachments (PDF, DOCX, …) linked from items.
    #[serde(default = "default_true")]
    pub attachments: bool,
}

/// Optional CSS selectors; each one that is set replaces generic extraction of that part.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Selectors {
    pub title: Option<String>,
    pub body: Option<String>,
    /// The metadata table (索引号/发布机构/…).
    pub metadata: Option<String>,
    /// Links to items on list pages.
    pub item_links: Option<String>,
}

fn default_delay() -> u64 {
    DEFAULT_DELAY_MS
}
fn default_max_pages() -> usize {
    DEFAULT_MAX_PAGES_PER_HOST
}
fn default_max_depth() -> u32 {
    DEFAULT_MAX_DEPTH
}
fn default_true() -> bool {
    true
}

impl Config {
    /// Read and validate a config file; errors name the file and what is wrong.
    pub fn from_path(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::ConfigRead { path: path.display().to_string(), source })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse and validate config text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        let config: Config =
            toml::from_str(text).map_err(|e| Error::ConfigParse { path: origin.to_owned(), message: e.to_string() })?;
        config.validate(origin)?;
        Ok(config)
    }

    fn validate(&self, origin: &str) -> Result<()> {
        let bad = |message: String| Error::ConfigInvalid { path: origin.to_owned(), message };
        if self.sites.is_empty() {
            return Err(bad("no [[site]] table".into()));
        }
        let mut names = std::collections::HashSet::new();
        for site in &self.sites {
            if site.name.is_empty()
                || !site.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            {
                return Err(bad(format!(
                    "site name {:?} must be non-empty ASCII letters, digits, '-', '_' or '.'",
                    site.name
                )));
            }
            if !names.insert(&site.name) {
                return Err(bad(format!("site name {:?} appears twice", site.name)));
            }
            if site.start_urls.is_empty() {
                return Err(bad(format!("site {:?} has no start_urls", site.name)));
            }
            for u in &site.start_urls {
                let parsed =
                    url::Url::parse(u).map_err(|e| bad(format!("site {:?}: start URL {u:?}: {e}", site.name)))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(bad(format!("site {:?}: start URL {u:?} is not http(s)", site.name)));
                }
            }
            for p in site.list_patterns.iter().chain(&site.item_patterns).chain(&site.exclude_patterns) {
                regex::Regex::new(p).map_err(|e| bad(format!("site {:?}: pattern {p:?}: {e}", site.name)))?;
            }
        }
        if self.crawl.concurrency == 0 {
            return Err(bad("crawl.concurrency must be at least 1".into()));
        }
        Ok(())
    }
}
