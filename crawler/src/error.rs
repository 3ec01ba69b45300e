//! The crawler's one error type. Messages name the failing file, URL or value.
//!
//! Per-URL failures during a crawl (timeouts, 404s, bad bytes) are not errors
//! of the crawl: they are recorded in the crawl state with their reason and the
//! crawl goes on. `Error` is for what stops a command: bad config, an unusable
//! state database, a lock held by another crawl.

/// Result alias for the crawler.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot read config {path}: {source}")]
    ConfigRead { path: String, source: std::io::Error },
    #[error("config {path} does not parse: {message}")]
    ConfigParse { path: String, message: String },
    #[error("config {path}: {message}")]
    ConfigInvalid { path: String, message: String },
    #[error("crawl state {path}: {source}")]
    State { path: String, source: rusqlite::Error },
    #[error(
        "crawl state {path} is locked by another crawl (pid {pid}); wait for it or remove the stale lock file {lock}"
    )]
    Locked { path: String, pid: String, lock: String },
    #[error("I/O error on {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("probe of {url}: {message}")]
    Probe { url: String, message: String },
    #[error("HTTP client setup for site {site}: {message}")]
    Client { site: String, message: String },
}
