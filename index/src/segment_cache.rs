//! What a search reads from each segment, prepared once per segment and kept
//! while the segment is live: decoded columns and the doc-store reader.
//!
//! # Columns
//!
//! A search over a million documents may match most of them, and for each
//! match it counts five facets and a year and multiplies the score by the
//! document's validity and recency. Read through tantivy's column API that is
//! a dynamic call, an optional-index lookup and a bit-unpacking per value: at
//! 1M documents it was ~40% of the time of a broad query. A segment never
//! changes, so each column it needs is decoded once into a plain array (4 bytes
//! per document per column: ~26 MB for a million documents) and kept while
//! the segment is live. Deletions do not change a segment's values.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::DocId;
use tantivy::SegmentReader;
use tantivy::index::SegmentId;
use tantivy::store::StoreReader;

/// No value for this document.
pub(crate) const NONE: u32 = u32::MAX;

/// Documents read per call when decoding a column.
const CHUNK: usize = 4096;

/// A string column: its terms by ordinal, and each document's (first) ordinal.
pub(crate) struct StrValues {
    pub(crate) terms: Vec<String>,
    pub(crate) ords: Vec<u32>,
}

/// Years of 发布日期: `slots[doc]` is `year - base + 1`, 0 when unknown.
pub(crate) struct YearValues {
    pub(crate) base: i64,
    pub(crate) span: usize,
    pub(crate) slots: Vec<u16>,
}

/// Doc-store blocks kept decompressed per segment (tantivy's default).
const STORE_CACHE_BLOCKS: usize = 100;

/// Per-segment values by (segment, name), kept while the segment is live.
#[derive(Default)]
pub(crate) struct SegmentCache {
    map: Mutex<HashMap<(SegmentId, &'static str), Arc<dyn Any + Send + Sync>>>,
}

impl SegmentCache {
    fn get_or_build<T: Any + Send + Sync>(
        &self,
        segment: &SegmentReader,
        name: &'static str,
        build: impl FnOnce() -> tantivy::Result<T>,
    ) -> tantivy::Result<Arc<T>> {
        let key = (segment.segment_id(), name);
        if let Some(v) = self.map.lock().unwrap_or_else(|p| p.into_inner()).get(&key)
            && let Ok(v) = v.clone().downcast::<T>()
        {
            return Ok(v);
        }
        // Built outside the lock: two searches racing on a new segment both build it once.
        let v = Arc::new(build()?);
        self.map.lock().unwrap_or_else(|p| p.into_inner()).insert(key, v.clone());
        Ok(v)
    }

    /// The string fast field `field` of `segment`; `None` when the segment has no such column.
    pub(crate) fn strings(
        &self,
        segment: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Option<Arc<StrValues>>> {
        let Some(col) = segment.fast_fields().str(field)? else {
            return Ok(None);
        };
        self.get_or_build(segment, field, || {
            let mut terms = Vec::with_capacity(col.num_terms());
            let mut stream = col.dictionary().stream()?;
            while stream.advance() {
                terms.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
            let ords = decode(
                segment.max_doc(),
                NONE,
                |docs, out| col.ords().first_vals(docs, out),
                |o: u64| u32::try_from(o).unwrap_or(NONE),
            );
            Ok(StrValues { terms, ords })
        })
        .map(Some)
    }

    /// The i64 fast field `field` (yyyy) as years.
    pub(crate) fn years(&self, segment: &SegmentReader, field: &'static str) -> tantivy::Result<Arc<YearValues>> {
        let col = segment.fast_fields().i64(field)?;
        self.get_or_build(segment, field, || {
            let raw = decode(segment.max_doc(), 0, |docs, out| col.first_vals(docs, out), |y: i64| y);
            let known = || raw.iter().copied().filter(|y| (1..=9999).contains(y));
            let base = known().min().unwrap_or(1);
            let span = known().max().map_or(0, |m| (m - base + 1) as usize);
            let slots = raw.iter().map(|&y| if (1..=9999).contains(&y) { (y - base + 1) as u16 } else { 0 }).collect();
            Ok(YearValues { base, span, slots })
        })
    }

    /// The ranking multiplier of every document (see `rank::tweak`).
    pub(crate) fn tweaks(&self, segment: &SegmentReader) -> tantivy::Result<Arc<Vec<f32>>> {
        let ff = segment.fast_fields();
        let demoted = ff.u64("demoted")?;
        let day = ff.i64("published_day")?;
        self.get_or_build(segment, "tweak", || {
            let demoted = decode(segment.max_doc(), false, |docs, out| demoted.first_vals(docs, out), |d: u64| d == 1);
            let day = decode(segment.max_doc(), 0, |docs, out| day.first_vals(docs, out), |d: i64| d);
            Ok(demoted.iter().zip(&day).map(|(&dem, &d)| crate::rank::tweak(dem, d)).collect())
        })
    }

    /// The segment's doc-store reader with its block cache (see `stored`).
    pub(crate) fn store(&self, segment: &SegmentReader) -> tantivy::Result<Arc<StoreReader>> {
        self.get_or_build(segment, "store", || Ok(segment.get_store_reader(STORE_CACHE_BLOCKS)?))
    }

    /// Forget segments that are gone (merged or deleted).
    pub(crate) fn retain_live(&self, live: &HashSet<SegmentId>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.keys().any(|(id, _)| !live.contains(id)) {
            map.retain(|(id, _), _| live.contains(id));
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.lock().map_or(0, |m| m.len())
    }
}

/// Every document's first value of a column, read in chunks, mapped by `map`
/// (`none` where a document has no value).
fn decode<V: Copy, T: Copy>(
    max_doc: DocId,
    none: T,
    read: impl Fn(&[DocId], &mut [Option<V>]),
    map: impl Fn(V) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(max_doc as usize);
    let mut docs: Vec<DocId> = Vec::with_capacity(CHUNK);
    let mut vals: Vec<Option<V>> = vec![None; CHUNK];
    let mut start = 0;
    while start < max_doc {
        let end = max_doc.min(start + CHUNK as DocId);
        docs.clear();
        docs.extend(start..end);
        let vals = &mut vals[..docs.len()];
        vals.fill(None);
        read(&docs, vals);
        out.extend(vals.iter().map(|v| v.map_or(none, &map)));
        start = end;
    }
    out
}
