//! govsearch crawler: polite, incremental crawling of government websites
//! (政府信息公开), charset decoding, extraction of items and their metadata,
//! and a crash-safe crawl state.
//!
//! The parts, each usable alone:
//!
//! - [`config`]: `sites.toml` ([`Config`], [`SiteConfig`]).
//! - [`charset`]: bytes → text (HTTP header, `<meta>`, detection; GBK family
//!   decoded as GB18030).
//! - [`extract`]: pure functions from HTML to an [`ExtractedItem`] (title,
//!   metadata table, body, attachments, 政策解读 links) and to page links
//!   (pagination, attachments, redirect stubs).
//! - [`attachments`]: text of PDF, DOCX, OFD, DOC/WPS, XLS/ET and XLSX files (bounded against zip bombs
//!   and hostile counts).
//! - [`category`]: an item's category from what the site shows (catalogue
//!   node, column, breadcrumb, 文号, title), with an extensible vocabulary.
//! - [`dates`], [`urlnorm`], [`robots`], [`scope`] (scope, URL kinds, SSRF
//!   guard, traps).
//! - [`history`]: what counts as a page revision and as a broken link.
//! - [`platform`]: disclosure platforms that load their lists from JSON/XML
//!   endpoints (detection, catalogues, list answers).
//! - [`probe`]: what the crawler would make of a site before a config is
//!   written (`govsearch probe URL`).
//! - [`vocab`]: URL statuses and failure codes, stored as stable codes.
//! - [`state`]: the SQLite crawl state ([`state::CrawlState`]): frontier,
//!   statuses, validators, raw pages, revisions, in crash-safe transactions.
//! - [`stored`]: what the stored pages say, read again without the network
//!   (every item re-extracted, the broken links).
//! - [`lock`]: one job per data folder ([`lock::CrawlLock`]).
//! - [`crawl`]: the crawl loop ([`crawl::run`]).
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//! use govsearch_crawler::{Config, CrawlLock, CrawlState, crawl};
//!
//! # async fn demo() -> govsearch_crawler::Result<()> {
//! let config = Config::from_path(Path::new("sites.toml"))?;
//! let data_dir = Path::new("data");
//! let _lock = CrawlLock::acquire(data_dir)?; // one crawl per data folder
//! let state = CrawlState::open(&data_dir.join("crawl.sqlite"))?;
//! let report = crawl::run(&config, &state, crawl::CrawlOptions::default()).await?;
//! println!("{report}");
//! for item in state.extract_items(&config)? {
//!     println!("{} {} {}", item.published_date, item.doc_number, item.title);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Extraction alone, on bytes you already have:
//!
//! ```
//! use govsearch_crawler::{charset, extract};
//! let url = url::Url::parse("http://www.example.gov.cn/zwgk/t20240101_1.html").unwrap();
//! let bytes = "<html><head><meta charset=utf-8><title>关于某事的通知_某市人民政府</title></head>\
//!     <body><table><tr><td>发文字号：</td><td>某府〔2024〕1号</td></tr></table>\
//!     <div class=TRS_Editor><p>正文。</p></div></body></html>".as_bytes();
//! let page = charset::decode(bytes, Some("text/html"));
//! let item = extract::Page::parse(&url, &page.text).item(None);
//! assert_eq!(item.title, "关于某事的通知");
//! assert_eq!(item.doc_number, "某府〔2024〕1号");
//! assert_eq!(item.body, "正文。");
//! ```

pub mod attachments;
pub mod category;
pub mod charset;
pub mod config;
pub mod crawl;
pub mod dates;
pub mod error;
pub mod extract;
pub mod fetch;
pub mod history;
pub mod listing;
pub mod lock;
pub mod platform;
pub mod probe;
pub mod robots;
pub mod scope;
pub mod state;
pub mod stored;
pub mod urlnorm;
pub mod vocab;

pub use config::{Config, CrawlSettings, Selectors, SiteConfig};
pub use crawl::{CrawlOptions, CrawlReport, Progress, SiteReport};
pub use error::{Error, Result};
pub use extract::{ExtractedAttachment, ExtractedItem};
pub use lock::CrawlLock;
pub use state::CrawlState;
