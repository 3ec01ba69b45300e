//! The tantivy schema: which field holds what, and how it is analysed.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{NGRAM, WORDS};

/// Handles to every field; built once per index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Document id (exact term; delete-by-id uses it).
    pub(crate) id: Field,
    /// The whole `Document` as JSON (stored, LZ4-compressed by the doc store).
    /// A text value, not bytes: tantivy reads a stored text with one copy,
    /// a stored byte array one byte at a time (8% of a search's CPU was that).
    pub(crate) doc: Field,
    /// n-gram paths (positions: phrases and substring matching).
    pub(crate) title_ng: Field,
    pub(crate) body_ng: Field,
    /// 文号, 索引号, 发布机构 as text.
    pub(crate) meta_ng: Field,
    /// jieba words of the title (BM25 ranking, no positions). Bodies have no
    /// word path: their n-gram phrase scores already rank by the same counts,
    /// and segmenting every body with jieba was half of the build's CPU for no
    /// measured gain (README, Performance).
    pub(crate) title_w: Field,
    /// Normalised document-number key (see `docnum::key`).
    pub(crate) doc_number_key: Field,
    /// Normalised whole title, for the "whole title typed" boost.
    pub(crate) title_key: Field,
    /// Title and 文号 as given, column-stored only (suggestions read them without the doc store).
    pub(crate) title_raw: Field,
    pub(crate) doc_number_raw: Field,
    /// Facets and filters (exact strings, fast for counting).
    pub(crate) category: Field,
    pub(crate) publisher: Field,
    pub(crate) site: Field,
    pub(crate) topic: Field,
    pub(crate) validity: Field,
    pub(crate) column: Field,
    /// 发布日期 as yyyymmdd (0 when unknown): range filters and date sort.
    pub(crate) published_day: Field,
    /// Year of 发布日期 (0 when unknown).
    pub(crate) year: Field,
    /// 1 when withdrawn from the site.
    pub(crate) withdrawn: Field,
    /// 1 when 失效/废止: ranked below valid documents of equal relevance.
    pub(crate) demoted: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let ngram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(NGRAM).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(WORDS).set_index_option(IndexRecordOption::WithFreqs),
    );
    let facet = STRING | FAST;
    let num = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        doc: b.add_text_field("doc", STORED),
        title_ng: b.add_text_field("title_ng", ngram.clone()),
        body_ng: b.add_text_field("body_ng", ngram.clone()),
        meta_ng: b.add_text_field("meta_ng", ngram),
        title_w: b.add_text_field("title_w", words),
        doc_number_key: b.add_text_field("doc_number_key", STRING),
        title_key: b.add_text_field("title_key", STRING),
        title_raw: b.add_text_field("title_raw", TextOptions::default().set_fast("raw")),
        doc_number_raw: b.add_text_field("doc_number_raw", TextOptions::default().set_fast("raw")),
        category: b.add_text_field("category", facet.clone()),
        publisher: b.add_text_field("publisher", facet.clone()),
        site: b.add_text_field("site", facet.clone()),
        topic: b.add_text_field("topic", facet.clone()),
        validity: b.add_text_field("validity", facet.clone()),
        column: b.add_text_field("column", facet),
        published_day: b.add_i64_field("published_day", num.clone()),
        year: b.add_i64_field("year", num.clone()),
        withdrawn: b.add_u64_field("withdrawn", num.clone()),
        demoted: b.add_u64_field("demoted", num),
    };
    (b.build(), fields)
}

/// `YYYY-MM-DD` → yyyymmdd, 0 when absent or malformed.
pub(crate) fn day_number(date: &str) -> i64 {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 8 { digits.parse().unwrap_or(0) } else { 0 }
}
