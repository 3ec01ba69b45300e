//! The catalogue: one tantivy index folder, opened for search and for writing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{NGRAM, NgramTokenizer, WORDS, WordTokenizer};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::schema::{self, Fields, day_number};
use crate::suggest::SuggesterSlot;
use crate::{docnum, normalize};

/// Memory the writer may use before it flushes a segment (split over its threads).
pub const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;
/// Least budget per indexing thread (tantivy refuses one under 15 MB).
pub(crate) const MIN_HEAP_PER_THREAD: usize = 16 * 1024 * 1024;

/// An open catalogue (index folder). Cheap to share behind an `Arc`; searches
/// run concurrently; one writer at a time (tantivy's lock, across processes).
pub struct Catalogue {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    path: PathBuf,
    pub(crate) suggester: Arc<Mutex<SuggesterSlot>>,
    /// Below this many documents the suggestion list is built in the request
    /// (see `suggest`); a field so a test can take the background path.
    pub(crate) suggest_inline_below: AtomicU64,
    records: Mutex<Option<(u64, Arc<Vec<Document>>)>>,
    /// Bytes the indexing threads have analysed on the n-gram path (backpressure).
    analysed: Arc<AtomicU64>,
    /// Decoded columns and doc-store readers per live segment (see `segment_cache`).
    pub(crate) segments: Arc<crate::segment_cache::SegmentCache>,
    /// Threads for searching the segments of a large index at once, started
    /// by the first search that needs them (see `search::run`).
    pub(crate) executor: std::sync::OnceLock<tantivy::Executor>,
}

/// Counts for `/api/stats`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndexStats {
    pub documents: u64,
    pub segments: usize,
    pub size_bytes: u64,
    pub by_site: Vec<crate::FacetCount>,
    pub by_category: Vec<crate::FacetCount>,
}

impl Catalogue {
    /// Open the index in `dir`, creating an empty one if the folder has none.
    pub fn open(dir: &Path) -> Result<Catalogue> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.display().to_string(), source })?;
        let (schema, fields) = schema::build();
        let path_s = dir.display().to_string();
        let mmap = MmapDirectory::open(dir).map_err(|e| Error::Open { path: path_s.clone(), source: e.into() })?;
        let index = Index::open_or_create(mmap, schema).map_err(|e| match e {
            tantivy::TantivyError::SchemaError(_) => Error::SchemaMismatch { path: path_s.clone() },
            source => Error::Open { path: path_s.clone(), source },
        })?;
        let analysed = Arc::new(AtomicU64::new(0));
        index.tokenizers().register(NGRAM, NgramTokenizer::counting(analysed.clone()));
        index.tokenizers().register(WORDS, WordTokenizer::default());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| Error::Open { path: path_s, source })?;
        crate::normalize::warm_up();
        Ok(Catalogue {
            executor: std::sync::OnceLock::new(),
            index,
            reader,
            fields,
            path: dir.to_owned(),
            suggester: Arc::default(),
            suggest_inline_below: AtomicU64::new(crate::suggest::BUILD_INLINE_BELOW),
            records: Mutex::new(None),
            analysed,
            segments: Arc::default(),
        })
    }

    /// The folder this catalogue lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Take the writer (fails with [`Error::Locked`] if another process holds it).
    ///
    /// The memory budget is [`WRITER_HEAP_BYTES`] unless `GOVSEARCH_WRITER_HEAP_MB`
    /// says otherwise (at least 15 MB per indexing thread).
    pub fn writer(&self) -> Result<CatalogueWriter> {
        let heap = std::env::var("GOVSEARCH_WRITER_HEAP_MB")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(WRITER_HEAP_BYTES, |mb| (mb * 1024 * 1024).max(MIN_HEAP_PER_THREAD));
        // As many indexing threads as cores, but never under tantivy's minimum
        // each (at 8 cores the default budget makes 6 threads).
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
        let threads = writer_threads(cores, heap);
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(heap / threads)
            .num_worker_threads(threads)
            // One merge at a time: merges are memory-hungry and the machine has few cores.
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = self.index.writer_with_options(options).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked { path: self.path.display().to_string() },
            e => Error::Tantivy(e),
        })?;
        writer.set_merge_policy(Box::new(crate::balance::merge_policy()));
        let analysed_at_start = self.analysed.load(Ordering::Relaxed);
        Ok(CatalogueWriter {
            writer,
            reader: self.reader.clone(),
            fields: self.fields,
            analysed: self.analysed.clone(),
            produced: analysed_at_start,
        })
    }

    /// See the latest commit now (the reader also reloads by itself shortly after a commit).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// Number of documents searchable now.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The stored document with this id.
    pub fn get(&self, id: &str) -> Result<Option<Document>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(self.load(&searcher, *addr)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn load(&self, searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Result<Document> {
        let segment = searcher.segment_reader(addr.segment_ord);
        let store = self.segments.store(segment)?;
        self.decode(&store.get_document_bytes(addr.doc_id)?)
    }

    /// The `Document` kept as JSON in a stored document's bytes (see `stored`).
    fn decode(&self, bytes: &[u8]) -> Result<Document> {
        let id = || crate::stored::text_field(bytes, self.fields.id.field_id()).unwrap_or("?").to_owned();
        let json = crate::stored::text_field(bytes, self.fields.doc.field_id())
            .map_err(|message| Error::Stored { id: id(), message })?;
        serde_json::from_str(json).map_err(|e| Error::Stored { id: id(), message: e.to_string() })
    }

    /// Every document in the catalogue, withdrawn ones included (for the tally and audit).
    pub fn documents(&self) -> Result<Vec<Document>> {
        self.each_document(|d| d)
    }

    /// Every document, each passed through `keep` as it is read (so a caller
    /// that drops the text never holds all of it), sorted by id.
    fn each_document(&self, keep: impl Fn(Document) -> Document) -> Result<Vec<Document>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64).map_err(tantivy::TantivyError::from)?;
            for doc_id in segment.doc_ids_alive() {
                out.push(keep(self.decode(&store.get_document_bytes(doc_id)?)?));
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every document without its body and attachment text (the tally and
    /// audit need only metadata), read once per index generation and shared.
    /// The text is dropped document by document: at a million documents,
    /// reading them all first would hold ~17 GB (found in review).
    pub fn records(&self) -> Result<Arc<Vec<Document>>> {
        let generation = self.reader.searcher().generation().generation_id();
        let mut slot = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((g, r)) = slot.as_ref()
            && *g == generation
        {
            return Ok(r.clone());
        }
        let docs = Arc::new(self.each_document(|mut d| {
            d.body = String::new();
            for a in &mut d.attachments {
                a.text = String::new();
            }
            d
        })?);
        *slot = Some((generation, docs.clone()));
        Ok(docs)
    }

    /// Documents by site and category, and the index size.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.reader.searcher();
        let facets = crate::facets::FacetCollector::new(&["site", "category"], None, self.segments.clone());
        let (count, counts) = searcher.search(&AllQuery, &(Count, facets))?;
        let mut counts = counts.into_iter();
        let size_bytes = std::fs::read_dir(&self.path)
            .map(|rd| rd.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0);
        Ok(IndexStats {
            documents: count as u64,
            segments: searcher.segment_readers().len(),
            size_bytes,
            by_site: counts.next().unwrap_or_default(),
            by_category: counts.next().unwrap_or_default(),
        })
    }
}

/// Most n-gram text handed to the indexing threads and not yet analysed. tantivy
/// queues up to 10,000 documents between `add_document` and its threads; with
/// long bodies (each held three times: stored JSON, n-gram and word fields) an
/// unthrottled bulk load would sit hundreds of MB in that queue.
pub const MAX_IN_FLIGHT_BYTES: u64 = 8 * 1024 * 1024;

/// Adds, replaces and deletes documents; nothing is visible until `commit`.
pub struct CatalogueWriter {
    writer: IndexWriter,
    /// The catalogue's reader: moved off merged-away segments so their files can go.
    reader: IndexReader,
    fields: Fields,
    analysed: Arc<AtomicU64>,
    /// n-gram bytes handed over so far (same origin as `analysed`).
    produced: u64,
}

impl CatalogueWriter {
    /// Add `doc`, replacing any document with the same id (tantivy has no
    /// primary key: delete the id term, then add).
    pub fn upsert(&mut self, doc: &Document) -> Result<()> {
        let f = &self.fields;
        self.writer.delete_term(Term::from_field_text(f.id, &doc.id));
        let mut d = TantivyDocument::new();
        d.add_text(f.id, &doc.id);
        let json =
            serde_json::to_string(doc).map_err(|e| Error::Stored { id: doc.id.clone(), message: e.to_string() })?;
        d.add_text(f.doc, &json);
        d.add_text(f.title_ng, &doc.title);
        d.add_text(f.title_w, &doc.title);
        d.add_text(f.body_ng, &doc.body);
        for a in &doc.attachments {
            if !a.text.is_empty() {
                d.add_text(f.body_ng, &a.text);
            }
            if !a.name.is_empty() {
                d.add_text(f.meta_ng, &a.name);
            }
        }
        for meta in [&doc.doc_number, &doc.index_number, &doc.registration_number, &doc.publisher] {
            if !meta.is_empty() {
                d.add_text(f.meta_ng, meta);
            }
        }
        let key = docnum::key(&doc.doc_number);
        if !key.is_empty() {
            d.add_text(f.doc_number_key, &key);
        }
        d.add_text(f.title_key, title_key(&doc.title));
        d.add_text(f.title_raw, &doc.title);
        d.add_text(f.doc_number_raw, &doc.doc_number);
        for (field, value) in [
            (f.category, &doc.category),
            (f.publisher, &doc.publisher),
            (f.site, &doc.site),
            (f.topic, &doc.topic),
            (f.validity, &doc.validity),
            (f.column, &doc.column),
        ] {
            d.add_text(field, value);
        }
        let day = day_number(&doc.published_date);
        d.add_i64(f.published_day, day);
        d.add_i64(f.year, day / 10_000);
        d.add_u64(f.withdrawn, u64::from(doc.withdrawn));
        d.add_u64(f.demoted, u64::from(is_demoted(&doc.validity)));
        self.produced += ngram_bytes(doc);
        self.writer.add_document(d)?;
        self.wait_for_indexers();
        Ok(())
    }

    /// Backpressure: wait while more than [`MAX_IN_FLIGHT_BYTES`] of text is
    /// queued but not analysed yet (bounded wait, so it can never hang).
    fn wait_for_indexers(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.produced.saturating_sub(self.analysed.load(Ordering::Relaxed)) > MAX_IN_FLIGHT_BYTES
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_micros(500));
        }
    }

    /// Remove the document with this id (if any).
    pub fn delete(&mut self, id: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.id, id));
    }

    /// Remove every document (a rebuild starts with this; nothing is lost until commit).
    pub fn delete_all(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Make everything added so far durable and visible.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        Ok(())
    }

    /// No background merges from now on (tests that need many segments).
    #[cfg(test)]
    pub(crate) fn without_merges(&self) {
        self.writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }

    /// Commit and wait for background merges (call at the end of a batch job).
    /// A catalogue big enough to be searched on several cores then gets one
    /// segment per core, of about equal size (see `balance`).
    pub fn finish(self) -> Result<()> {
        self.finish_with(&crate::balance::Layout::for_this_machine())
    }

    /// [`finish`](Self::finish) with a given layout.
    pub(crate) fn finish_with(mut self, layout: &crate::balance::Layout) -> Result<()> {
        self.writer.commit()?;
        let index = self.writer.index().clone();
        // Consumes the writer, which lets go of the lock for `balance::run`.
        self.writer.wait_merging_threads()?;
        // Everything is committed: a failure here costs search speed, not data.
        if let Err(e) = crate::balance::run(&index, &self.reader, layout) {
            tracing::warn!("the catalogue is committed, but its segments were not laid out for parallel search: {e}");
        }
        Ok(())
    }
}

/// Indexing threads for `cores` and a memory budget of `heap` bytes.
fn writer_threads(cores: usize, heap: usize) -> usize {
    cores.min(heap / MIN_HEAP_PER_THREAD).max(1)
}

/// Bytes of a document's text that go through the n-gram tokenizer (keep in step with `upsert`).
fn ngram_bytes(doc: &Document) -> u64 {
    let mut n = doc.title.len() + doc.body.len();
    for a in &doc.attachments {
        if !a.text.is_empty() {
            n += a.text.len();
        }
        n += a.name.len();
    }
    for meta in [&doc.doc_number, &doc.index_number, &doc.registration_number, &doc.publisher] {
        n += meta.len();
    }
    n as u64
}

/// True for a validity that says the document no longer applies (失效, 废止, 已失效, 已废止): such
/// documents rank below valid ones of equal relevance, show a warning badge and count as ended.
pub fn is_demoted(validity: &str) -> bool {
    matches!(validity, "失效" | "废止" | "已废止" | "已失效")
}

/// The whole-title key: normalised, without spaces and punctuation (the
/// index's exact-title field; the eval matches titles by it too).
pub fn title_key(title: &str) -> String {
    normalize::normalize(title).chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tantivy refuses a writer with under 15 MB per thread: at 7 or 8 cores
    /// the default budget must make fewer threads, not a writer that fails.
    #[test]
    fn writer_threads_keep_tantivys_minimum_budget() {
        for cores in 1..=8 {
            let t = writer_threads(cores, WRITER_HEAP_BYTES);
            assert!(t >= 1 && t <= cores);
            assert!(WRITER_HEAP_BYTES / t >= 15_000_000, "{cores} cores: {t} threads");
        }
        assert_eq!(writer_threads(8, WRITER_HEAP_BYTES), 6);
        assert_eq!(writer_threads(2, WRITER_HEAP_BYTES), 2);
        assert_eq!(writer_threads(4, 16 * 1024 * 1024), 1);
    }
}
