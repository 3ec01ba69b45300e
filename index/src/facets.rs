//! Facet counts over every matching document, from the fast-field columns.
//!
//! Per segment we count term ordinals in a flat `Vec<u64>` (no string work per
//! document) and turn ordinals into strings once, at harvest.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::query_types::FacetCount;

/// Values kept per facet in an answer (the most frequent first).
pub const MAX_FACET_VALUES: usize = 50;

/// Counts string facets by name and, optionally, an i64 field (years).
pub(crate) struct FacetCollector {
    fields: Vec<&'static str>,
    year_field: Option<&'static str>,
}

impl FacetCollector {
    pub(crate) fn new(fields: &[&'static str], year_field: Option<&'static str>) -> Self {
        Self { fields: fields.to_vec(), year_field }
    }
}

pub(crate) struct FacetSegment {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
    year: Option<(Column<i64>, HashMap<i64, u64>)>,
}

impl Collector for FacetCollector {
    /// One list per string field (in order), then the years if asked for.
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let mut columns = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            columns.push(ff.str(f)?.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }));
        }
        let year = match self.year_field {
            Some(f) => Some((ff.i64(f)?, HashMap::new())),
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

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (col, counts) in self.columns.iter_mut().flatten() {
            for ord in col.term_ords(doc) {
                if let Some(c) = counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
        if let Some((col, counts)) = self.year.as_mut()
            && let Some(y) = col.first(doc)
            && y > 0
        {
            *counts.entry(y).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len() + 1);
        for col in self.columns {
            let mut m = HashMap::new();
            if let Some((col, counts)) = col {
                let mut s = String::new();
                for (ord, &c) in counts.iter().enumerate() {
                    if c == 0 {
                        continue;
                    }
                    s.clear();
                    if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) && !s.is_empty() {
                        m.insert(s.clone(), c);
                    }
                }
            }
            out.push(m);
        }
        if let Some((_, years)) = self.year {
            out.push(years.into_iter().map(|(y, c)| (y.to_string(), c)).collect());
        }
        out
    }
}
