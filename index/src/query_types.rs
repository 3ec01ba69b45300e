//! The request and answer types of a search (shared by the CLI and the HTTP API).

use serde::{Deserialize, Serialize};

/// Largest page size a caller may ask for.
pub const MAX_PAGE_SIZE: usize = 100;
/// Deepest result a caller may page to (page × size).
pub const MAX_DEPTH: usize = 10_000;
/// Longest query kept (characters); the rest is cut and the answer says so.
pub const MAX_QUERY_CHARS: usize = 256;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first (empty query: newest first).
    #[default]
    Relevance,
    /// Newest 发布日期 first.
    Date,
}

/// A search as asked by a user; filters are exact values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    pub category: Option<String>,
    pub publisher: Option<String>,
    pub site: Option<String>,
    pub topic: Option<String>,
    pub validity: Option<String>,
    pub year: Option<i32>,
    /// Published on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Published on or before (YYYY-MM-DD).
    pub to: Option<String>,
    pub sort: SortOrder,
    /// 1-based.
    pub page: usize,
    pub size: usize,
    /// Include withdrawn documents (staff views); public search hides them.
    pub include_withdrawn: bool,
}

/// One hit: the document's fields, where the query matched its title, and a
/// snippet of its text (data, not markup: the edges render the highlights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub url: String,
    pub title: String,
    /// Byte ranges of the matches in `title` (see [`Highlighted`](crate::snippet::Highlighted)).
    pub title_highlights: Vec<std::ops::Range<usize>>,
    /// The passage of the body (or an attachment) that best shows the
    /// matches; empty for related documents.
    pub snippet: crate::snippet::Snippet,
    pub doc_number: String,
    pub index_number: String,
    pub publisher: String,
    pub category: String,
    pub topic: String,
    pub issued_date: String,
    pub published_date: String,
    pub validity: String,
    pub site: String,
    pub score: f32,
}

/// A facet value and how many matching documents have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Facet counts over all matching documents (not just the page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub category: Vec<FacetCount>,
    pub publisher: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub site: Vec<FacetCount>,
    pub validity: Vec<FacetCount>,
    pub topic: Vec<FacetCount>,
}

/// The answer to a `SearchRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub total: u64,
    pub took_ms: f64,
    pub page: usize,
    pub size: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// How the query was understood, for "did you mean" and debugging.
    pub query: QueryInfo,
}

/// What the engine did with the query text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryInfo {
    /// The normalised query.
    pub normalized: String,
    /// True when all words were required and nothing matched, so any word was enough.
    pub relaxed: bool,
    /// True when the query could not be parsed as written and was searched literally.
    pub literal_fallback: bool,
    /// True when the query was longer than `MAX_QUERY_CHARS` and was cut.
    pub truncated: bool,
    /// A document number recognised in the query, normalised.
    pub doc_number: Option<String>,
    /// Human-readable notes (e.g. "unbalanced quote ignored").
    pub notes: Vec<String>,
    /// A query typed in pinyin: the characters it reads as, searched for too.
    pub pinyin: Option<String>,
    /// When few documents match: the query with a wrong homophone replaced
    /// by the catalogue's own term, which finds more. Offered, never applied.
    pub did_you_mean: Option<String>,
}

/// A suggestion for the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    /// "title", "term" or "doc_number".
    pub kind: String,
}
