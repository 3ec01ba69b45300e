//! govsearch crawler.
pub mod attachments;
pub mod charset;
pub mod config;
pub mod crawl;
pub mod dates;
pub mod error;
pub mod extract;
pub mod fetch;
pub mod robots;
pub mod scope;
pub mod state;
pub mod urlnorm;

pub use config::{Config, CrawlSettings, Selectors, SiteConfig};
pub use error::{Error, Result};
pub use extract::{ExtractedAttachment, ExtractedItem};
