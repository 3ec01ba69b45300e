//! Ranking policy as numbers: the weight of a match in each field, the boosts
//! of the query plan (see `search`'s module doc for how they combine) and
//! `tweak`, the per-document multiplier. A leaf module, so what caches a
//! document's multiplier (`segment_cache`) does not import the search.

use tantivy::Score;

/// A match in the title (n-gram field).
pub(crate) const TITLE: Score = 3.0;
/// A match in 文号 / 发布机构 / 索引号.
pub(crate) const META: Score = 2.0;
/// A match in the body or the attachments.
pub(crate) const BODY: Score = 1.0;
/// A match of a synonym instead of the word typed.
pub(crate) const SYNONYM: Score = 0.8;
/// BM25 over jieba words in the title (also for related documents).
pub(crate) const TITLE_WORDS: Score = 2.0;
/// The whole unquoted term as a phrase in the title.
pub(crate) const TITLE_PHRASE: Score = 4.0;
/// The whole unquoted term as a phrase in the body (top hits only, rescored).
pub(crate) const BODY_PHRASE: Score = 1.5;
/// The whole query equal to the whole title.
pub(crate) const WHOLE_TITLE: Score = 12.0;
/// A document number recognised in the query equal to the document's.
pub(crate) const DOC_NUMBER: Score = 40.0;

/// Multiplier of a 失效/废止 document: still found, below valid ones of equal relevance.
pub(crate) const DEMOTED: f32 = 0.7;
/// Most a document gains for being recent (a 2026 document over a 1950 one): ties go to newer ones.
pub(crate) const RECENCY: f32 = 0.02;

/// The ranking multiplier of a document: [`DEMOTED`] when 失效/废止 and up
/// to [`RECENCY`] more for recency (`day` is yyyymmdd, 0 when unknown).
pub(crate) fn tweak(demoted: bool, day: i64) -> f32 {
    let mut s = 1.0;
    if demoted {
        s *= DEMOTED;
    }
    if day > 0 {
        let years = ((day / 10_000) - 1950).clamp(0, 100) as f32;
        s *= 1.0 + RECENCY * years / 100.0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demoted_and_recent() {
        assert_eq!(tweak(false, 0), 1.0);
        assert_eq!(tweak(true, 0), 0.7);
        assert!((tweak(false, 20500101) - 1.02).abs() < 1e-6);
        assert_eq!(tweak(false, 19000101), 1.0, "before 1950 counts as 1950");
        assert!(tweak(false, 20240101) > tweak(false, 20200101));
        assert!(tweak(true, 20500101) < tweak(false, 19000101), "validity outweighs recency");
    }
}
