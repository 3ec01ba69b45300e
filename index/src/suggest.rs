//! As-you-type suggestions from titles and document numbers.
//!
//! Two sources, so that a keystroke never scans every title:
//! * **prefix**: titles and 文号 that *start with* what was typed, by binary
//!   search in a list sorted by normalised text, built once per index
//!   generation from the title/文号 columns (no doc-store reads);
//! * **contains**: when that gives fewer than asked, titles that hold the text
//!   anywhere, and 文号 that do, found through the n-gram index (the same
//!   exact-substring query as search), best first.
//!
//! Building the sorted list takes seconds at a million documents, so for a
//! large index it is built on a background thread and the "contains" path
//! answers alone meanwhile: a keystroke never waits for it (at 1M documents the
//! first suggestion used to wait past the 10 s request limit).

use std::sync::{Arc, Mutex};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};

use crate::catalogue::Catalogue;
use crate::error::Result;
use crate::normalize::normalize_collapse;
use crate::pinyin::{Lexicon, Sources};
use crate::query_types::Suggestion;
use crate::search::NgramPhrase;

/// Most suggestions returned.
pub const MAX_SUGGESTIONS: usize = 10;

/// Prefix matches looked at to choose the shortest (a prefix of one or two
/// characters may start a hundred thousand titles).
const PREFIX_SCAN: usize = 2_000;

/// Below this many documents the sorted list is built in the request (~0.1 s
/// per 10,000 documents); above it, in the background.
pub(crate) const BUILD_INLINE_BELOW: u64 = 100_000;

/// The columns suggestions come from, and what each holds.
const COLUMNS: [(&str, Kind); 2] = [("title_raw", Kind::Title), ("doc_number_raw", Kind::DocNumber)];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    DocNumber,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Title => "title",
            Kind::DocNumber => "doc_number",
        }
    }
}

struct Entry {
    /// The normalised text; empty when it equals `shown` (most titles).
    norm: Box<str>,
    shown: Box<str>,
    kind: Kind,
}

impl Entry {
    fn norm(&self) -> &str {
        if self.norm.is_empty() { &self.shown } else { &self.norm }
    }
}

pub(crate) struct Suggester {
    /// Sorted by normalised text.
    entries: Vec<Entry>,
    /// The same titles and 文号 with their words and 发布机构, by pinyin.
    pub(crate) lexicon: Lexicon,
}

impl Suggester {
    pub(crate) fn build(searcher: &tantivy::Searcher) -> Result<Suggester> {
        let mut entries = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for seg in searcher.segment_readers() {
            for (field, kind) in COLUMNS {
                let Some(col) = seg.fast_fields().str(field)? else {
                    continue;
                };
                let mut s = String::new();
                for ord in 0..col.num_terms() as u64 {
                    s.clear();
                    if col.ord_to_str(ord, &mut s).unwrap_or(false)
                        && !s.is_empty()
                        && seen.insert((kind == Kind::Title, s.clone()))
                    {
                        let norm = normalize_collapse(&s);
                        let norm = if norm == s { Box::default() } else { norm.into_boxed_str() };
                        entries.push(Entry { norm, shown: s.as_str().into(), kind });
                    }
                }
            }
        }
        entries.sort_by(|a, b| a.norm().cmp(b.norm()));
        let mut publishers = Vec::new();
        for seg in searcher.segment_readers() {
            let Some(col) = seg.fast_fields().str("publisher")? else { continue };
            let mut s = String::new();
            for ord in 0..col.num_terms() as u64 {
                s.clear();
                if col.ord_to_str(ord, &mut s).unwrap_or(false) && !s.is_empty() {
                    publishers.push(s.clone());
                }
            }
        }
        publishers.sort();
        publishers.dedup();
        let words = crate::analysis::dictionary_words();
        let started = std::time::Instant::now();
        let lexicon = Lexicon::build(&Sources {
            titles: entries.iter().filter(|e| e.kind == Kind::Title).map(|e| &*e.shown).collect(),
            doc_numbers: entries.iter().filter(|e| e.kind == Kind::DocNumber).map(|e| &*e.shown).collect(),
            publishers: publishers.iter().map(String::as_str).collect(),
            words,
        });
        let (keys, bytes) = lexicon.footprint();
        tracing::info!(
            terms = lexicon.len(),
            keys,
            mb = bytes / 1_000_000,
            ms = started.elapsed().as_millis() as u64,
            "pinyin lexicon built"
        );
        Ok(Suggester { entries, lexicon })
    }

    /// Entries whose normalised text starts with `q` (normalised), shortest first.
    fn prefix(&self, q: &str, limit: usize) -> Vec<Suggestion> {
        let start = self.entries.partition_point(|e| e.norm() < q);
        let mut found: Vec<&Entry> =
            self.entries[start..].iter().take(PREFIX_SCAN).take_while(|e| e.norm().starts_with(q)).collect();
        found.sort_by(|a, b| a.norm().len().cmp(&b.norm().len()).then_with(|| a.norm().cmp(b.norm())));
        found
            .into_iter()
            .take(limit)
            .map(|e| Suggestion { text: e.shown.to_string(), kind: e.kind.name().to_owned() })
            .collect()
    }
}

/// The sorted list of the newest generation built, and the generation being built.
#[derive(Default)]
pub(crate) struct SuggesterSlot {
    ready: Option<(u64, Arc<Suggester>)>,
    building: Option<u64>,
}

impl Catalogue {
    /// Completions for the search box: titles and 文号 that start with, then
    /// contain, `q`.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let q = normalize_collapse(q);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, MAX_SUGGESTIONS);
        let suggester = self.suggester()?;
        let mut out = match &suggester {
            Some(s) => s.prefix(&q, limit),
            None => Vec::new(),
        };
        // typed in pinyin: what reads so (initials or full pinyin)
        if let (Some(s), Some(letters)) = (&suggester, crate::pinyin::as_pinyin(&q)) {
            for (text, kind) in s.lexicon.suggest(&letters, limit) {
                let s = Suggestion { text, kind: kind.name().to_owned() };
                if out.len() < limit && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        if out.len() < limit {
            for s in self.suggest_containing(&q, limit)? {
                if out.len() >= limit {
                    break;
                }
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// Titles and 文号 holding `q` (normalised) anywhere, best first.
    fn suggest_containing(&self, q: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let Some(phrase) = NgramPhrase::new(q) else {
            return Ok(Vec::new());
        };
        let f = &self.fields;
        let parts: Vec<(Occur, Box<dyn Query>)> = [f.title_ng, f.meta_ng]
            .into_iter()
            .filter_map(|field| phrase.query(field))
            .map(|q| (Occur::Should, q))
            .collect();
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(&BooleanQuery::new(parts), &TopDocs::with_limit(limit * 3).order_by_score())?;
        let mut out = Vec::new();
        let mut text = String::new();
        for (_, addr) in top {
            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
            for (field, kind) in COLUMNS {
                let Some(col) = ff.str(field)? else { continue };
                let Some(ord) = col.term_ords(addr.doc_id).next() else { continue };
                text.clear();
                if col.ord_to_str(ord, &mut text).unwrap_or(false) && normalize_collapse(&text).contains(q) {
                    let s = Suggestion { text: text.clone(), kind: kind.name().to_owned() };
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The sorted list for prefixes: the current generation's, built in the
    /// request for a small index; for a large one an older generation's (or
    /// none) while a background thread builds the current one.
    pub(crate) fn suggester(&self) -> Result<Option<Arc<Suggester>>> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let mut slot = self.suggester.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((g, s)) = &slot.ready
            && *g == generation
        {
            return Ok(Some(s.clone()));
        }
        if searcher.num_docs() < self.suggest_inline_below.load(std::sync::atomic::Ordering::Relaxed) {
            let s = Arc::new(Suggester::build(&searcher)?);
            slot.ready = Some((generation, s.clone()));
            return Ok(Some(s));
        }
        if slot.building != Some(generation) {
            slot.building = Some(generation);
            let shared: Arc<Mutex<SuggesterSlot>> = self.suggester.clone();
            let spawned = std::thread::Builder::new().name("govsearch-suggester".into()).spawn(move || {
                let built = Suggester::build(&searcher);
                let mut slot = shared.lock().unwrap_or_else(|p| p.into_inner());
                match built {
                    Ok(s) if slot.ready.as_ref().is_none_or(|(g, _)| *g < generation) => {
                        slot.ready = Some((generation, Arc::new(s)));
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("suggestions: building the title list failed: {e}"),
                }
                if slot.building == Some(generation) {
                    slot.building = None;
                }
            });
            if spawned.is_err() {
                slot.building = None;
            }
        }
        Ok(slot.ready.as_ref().map(|(_, s)| s.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use crate::{Catalogue, Document};

    fn catalogue() -> (tempfile::TempDir, Catalogue) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cat = Catalogue::open(dir.path()).expect("open");
        let mut w = cat.writer().expect("writer");
        for (id, title, number) in [
            ("a", "关于加强管理的通知", ""),
            ("b", "管理条例实施细则", ""),
            ("c", "管理办法", "粤公规〔2020〕3号"),
            ("d", "会议纪要", "国办发〔2021〕7号"),
        ] {
            let doc = Document {
                id: id.into(),
                title: title.into(),
                doc_number: number.into(),
                body: "正文".into(),
                ..Document::default()
            };
            w.upsert(&doc).expect("upsert");
        }
        w.finish().expect("finish");
        cat.reload().expect("reload");
        (dir, cat)
    }

    fn texts(cat: &Catalogue, q: &str) -> Vec<String> {
        cat.suggest(q, 5).expect("suggest").into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn prefixes_shortest_first_then_titles_and_numbers_that_contain() {
        let (_d, cat) = catalogue();
        assert_eq!(texts(&cat, "管理"), ["管理办法", "管理条例实施细则", "关于加强管理的通知"]);
        assert_eq!(texts(&cat, "粤公规"), ["粤公规〔2020〕3号"]);
        assert_eq!(texts(&cat, "〔2021〕"), ["国办发〔2021〕7号"], "a 文号 that contains the text");
        assert_eq!(texts(&cat, "纪要"), ["会议纪要"]);
        assert!(texts(&cat, "不存在的标题").is_empty());
        assert!(texts(&cat, "  ").is_empty());
        assert_eq!(cat.suggest("管理", 1).expect("suggest").len(), 1);
    }

    /// A large index builds its prefix list in the background: the first
    /// keystroke is answered at once from the n-gram index, and once the list
    /// is there the answer is the same as for a small index.
    #[test]
    fn a_large_index_answers_while_its_list_is_built() {
        let (_d, cat) = catalogue();
        cat.suggest_inline_below.store(0, Ordering::Relaxed);
        let first = texts(&cat, "管理");
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, ["关于加强管理的通知", "管理办法", "管理条例实施细则"], "{first:?}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while cat.suggester.lock().map(|s| s.ready.is_none()).unwrap_or(true) {
            assert!(std::time::Instant::now() < deadline, "the list was never built");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(texts(&cat, "管理"), ["管理办法", "管理条例实施细则", "关于加强管理的通知"]);
    }
}
