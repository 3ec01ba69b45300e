//! As-you-type suggestions from titles and document numbers.
//!
//! Built once per index generation from the title/文号 columns (no doc store
//! reads), then each keystroke is a scan of normalised strings held in memory.

use crate::catalogue::Catalogue;
use crate::error::Result;
use crate::normalize::normalize_collapse;
use crate::query_types::Suggestion;

/// Most suggestions returned.
pub const MAX_SUGGESTIONS: usize = 10;

pub(crate) struct Suggester {
    /// (normalised, as shown, kind)
    entries: Vec<(String, String, &'static str)>,
}

impl Suggester {
    pub(crate) fn build(searcher: &tantivy::Searcher) -> Result<Suggester> {
        let mut entries = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for seg in searcher.segment_readers() {
            for (field, kind) in [("title_raw", "title"), ("doc_number_raw", "doc_number")] {
                let Some(col) = seg.fast_fields().str(field)? else {
                    continue;
                };
                let mut s = String::new();
                for ord in 0..col.num_terms() as u64 {
                    s.clear();
                    if col.ord_to_str(ord, &mut s).unwrap_or(false) && !s.is_empty() && seen.insert((kind, s.clone())) {
                        entries.push((normalize_collapse(&s), s.clone(), kind));
                    }
                }
            }
        }
        entries.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(Suggester { entries })
    }

    pub(crate) fn suggest(&self, q: &str, limit: usize) -> Vec<Suggestion> {
        let q = normalize_collapse(q);
        if q.is_empty() {
            return Vec::new();
        }
        let limit = limit.clamp(1, MAX_SUGGESTIONS);
        let mut prefix = Vec::new();
        let mut inner = Vec::new();
        for (norm, shown, kind) in &self.entries {
            if norm.starts_with(&q) {
                prefix.push(Suggestion { text: shown.clone(), kind: (*kind).to_owned() });
                if prefix.len() >= limit {
                    break;
                }
            } else if inner.len() < limit && norm.contains(&q) {
                inner.push(Suggestion { text: shown.clone(), kind: (*kind).to_owned() });
            }
        }
        prefix.extend(inner);
        prefix.truncate(limit);
        prefix
    }
}

impl Catalogue {
    /// Completions for the search box: titles and 文号 that start with (then contain) `q`.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Vec<Suggestion>> {
        Ok(self.suggester()?.suggest(q, limit))
    }
}
