//! The govsearch catalogue: the [`Document`] record, Chinese analysis (jieba
//! words for ranking, a character n-gram path so any substring is found),
//! the tantivy schema, indexing, search with filters/facets/snippets,
//! suggestions, and the document list the tally and audit count over.
//!
//! ```no_run
//! use govsearch_index::{Catalogue, Document, SearchRequest};
//! # fn main() -> Result<(), govsearch_index::Error> {
//! let cat = Catalogue::open(std::path::Path::new("data/index"))?;
//! let mut w = cat.writer()?;
//! w.upsert(&Document { id: "demo:1".into(), title: "中华人民共和国政府信息公开条例".into(), ..Default::default() })?;
//! w.finish()?;
//! cat.reload()?;
//! let res = cat.search(&SearchRequest { q: "\"人民共和国政府\"".into(), ..Default::default() })?;
//! assert_eq!(res.total, 1);
//! # Ok(()) }
//! ```

pub mod analysis;
mod any_of;
pub mod applications;
pub mod audit;
mod balance;
mod catalogue;
pub mod dates;
pub mod docnum;
mod document;
mod error;
mod facets;
pub mod identity;
pub mod normalize;
pub mod pinyin;
pub mod query;
mod query_types;
mod rank;
pub mod report;
mod schema;
mod search;
mod segment_cache;
pub mod snippet;
mod stored;
mod suggest;
pub mod synonyms;
pub mod tally;
mod tuning;

pub use catalogue::{
    Catalogue, CatalogueWriter, IndexStats, MAX_IN_FLIGHT_BYTES, WRITER_HEAP_BYTES, is_demoted, title_key,
};
pub use document::{Attachment, Document};
pub use error::{Error, Result};
pub use facets::MAX_FACET_VALUES;
pub use identity::{Identity, url_key};
pub use query_types::*;
pub use search::DEFAULT_PAGE_SIZE;
pub use suggest::MAX_SUGGESTIONS;
