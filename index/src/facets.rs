//! Facet counts over every matching document.
//!
//! Per segment we count term ordinals in a flat `Vec<u64>` (no string work per
//! document) read from the segment's decoded columns (`segment_cache::SegmentCache`),
//! and turn ordinals into strings at harvest.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::query_types::FacetCount;
use crate::segment_cache::{SegmentCache, StrValues, YearValues};

/// Values kept per facet in an answer (the most frequent first).
pub const MAX_FACET_VALUES: usize = 50;

/// Counts string facets by name and, optionally, an i64 field (years).
pub(crate) struct FacetCollector {
    fields: Vec<&'static str>,
    year_field: Option<&'static str>,
    cache: Arc<SegmentCache>,
}

impl FacetCollector {
    pub(crate) fn new(fields: &[&'static str], year_field: Option<&'static str>, cache: Arc<SegmentCache>) -> Self {
        Self { fields: fields.to_vec(), year_field, cache }
    }
}

pub(crate) struct FacetSegment {
    columns: Vec<Option<(Arc<StrValues>, Vec<u64>)>>,
    year: Option<(Arc<YearValues>, Vec<u64>)>,
}

impl Collector for FacetCollector {
    /// One list per string field (in order), then the years if asked for.
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            columns.push(self.cache.strings(segment, f)?.map(|v| {
                let n = v.terms.len();
                (v, vec![0u64; n])
            }));
        }
        let year = match self.year_field {
            Some(f) => {
                let v = self.cache.years(segment, f)?;
                let n = v.span + 1;
                Some((v, vec![0u64; n]))
            }
            None => None,
        };
        Ok(FacetSegment { columns, year })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<Self::Fruit> {
        let n = self.fields.len() + usize::from(self.year_field.is_some());
        let mut merged: Vec<HashMap<String, u64>> = vec![HashMap::new(); n];
        for fruit in fruits {
            for (i, m) in fruit.into_iter().enumerate() {
                for (k, v) in m {
                    *merged[i].entry(k).or_default() += v;
                }
            }
        }
        Ok(merged
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let is_year = i == self.fields.len();
                let mut v: Vec<FacetCount> = m.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
                if is_year {
                    v.sort_by(|a, b| b.value.cmp(&a.value));
                } else {
                    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                }
                v.truncate(MAX_FACET_VALUES);
                v
            })
            .collect())
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        let doc = doc as usize;
        for (values, counts) in self.columns.iter_mut().flatten() {
            if let Some(&ord) = values.ords.get(doc)
                && let Some(c) = counts.get_mut(ord as usize)
            {
                *c += 1;
            }
        }
        if let Some((years, counts)) = self.year.as_mut()
            && let Some(&slot) = years.slots.get(doc)
            && slot > 0
            && let Some(c) = counts.get_mut(slot as usize)
        {
            *c += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len() + 1);
        for col in self.columns {
            let mut m = HashMap::new();
            if let Some((values, counts)) = col {
                for (ord, &c) in counts.iter().enumerate() {
                    if c == 0 {
                        continue;
                    }
                    if let Some(s) = values.terms.get(ord).filter(|s| !s.is_empty()) {
                        m.insert(s.clone(), c);
                    }
                }
            }
            out.push(m);
        }
        if let Some((years, counts)) = self.year {
            out.push(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(slot, c)| *slot > 0 && **c > 0)
                    .map(|(slot, &c)| ((years.base + slot as i64 - 1).to_string(), c))
                    .collect(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::{Catalogue, Document, SearchRequest};

    fn doc(id: &str, category: &str) -> Document {
        Document {
            id: id.into(),
            title: format!("关于{category}的通知"),
            body: "通知正文。".into(),
            category: category.into(),
            ..Document::default()
        }
    }

    fn categories(cat: &Catalogue) -> Vec<(String, u64)> {
        let r = cat.search(&SearchRequest { q: "通知".into(), ..SearchRequest::default() }).expect("search");
        r.facets.category.into_iter().map(|f| (f.value, f.count)).collect()
    }

    /// Cached facet values follow the segments: a new segment adds its values,
    /// and segments that are gone are forgotten.
    #[test]
    fn cached_values_follow_new_and_removed_segments() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cat = Catalogue::open(dir.path()).expect("open");
        let mut w = cat.writer().expect("writer");
        w.upsert(&doc("a", "规范性文件")).expect("upsert");
        w.upsert(&doc("b", "政策解读")).expect("upsert");
        w.finish().expect("finish");
        cat.reload().expect("reload");
        assert_eq!(categories(&cat), vec![("政策解读".into(), 1), ("规范性文件".into(), 1)]);
        let cached = cat.segments.len();
        assert!(cached >= 1, "nothing cached");

        let mut w = cat.writer().expect("writer");
        w.upsert(&doc("c", "工作报告")).expect("upsert");
        w.upsert(&doc("d", "规范性文件")).expect("upsert");
        w.finish().expect("finish");
        cat.reload().expect("reload");
        assert_eq!(
            categories(&cat),
            vec![("规范性文件".into(), 2), ("工作报告".into(), 1), ("政策解读".into(), 1)],
            "a second segment's values are counted with their own ordinals"
        );

        let mut w = cat.writer().expect("writer");
        w.delete_all().expect("delete");
        w.upsert(&doc("e", "公告")).expect("upsert");
        w.finish().expect("finish");
        cat.reload().expect("reload");
        assert_eq!(categories(&cat), vec![("公告".into(), 1)]);
        let segments = cat.reader.searcher().segment_readers().len();
        assert!(cat.segments.len() <= segments * 8, "{} entries for {segments} segments", cat.segments.len());
    }
}
