//! Crawl → extract → index, and import → index: the data flow of DESIGN.md.

use std::sync::Arc;

use anyhow::{Context, Result};
use govsearch_crawler::{Config, CrawlLock, CrawlOptions, CrawlReport, ExtractedItem, state::CrawlState};
use govsearch_index::{Attachment, Catalogue, Document};

use crate::data::{DataDir, ImportStore};

/// What an indexing run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexReport {
    /// Crawled item pages read from the crawl state (one per stored page).
    pub crawled_items: usize,
    pub imported: usize,
    /// Distinct documents written (crawled items merged by [`govsearch_index::identity`] + imports).
    pub documents: usize,
    /// Crawled items that were the same document as another item (other URL, column or site).
    pub merged_duplicates: usize,
    pub seconds: f64,
}

/// A stable, short id for a URL (FNV-1a 64, hex); the rule lives in [`govsearch_index::identity`].
pub use govsearch_index::identity::url_key;

/// The catalogue document for a crawled item.
pub fn document_from_item(item: &ExtractedItem) -> Document {
    let mut urls = vec![item.url.clone()];
    for u in &item.urls {
        if !urls.contains(u) {
            urls.push(u.clone());
        }
    }
    Document {
        id: format!("{}:{}", item.site, url_key(&item.url)),
        url: item.url.clone(),
        urls,
        site: item.site.clone(),
        column: item.column.clone(),
        title: item.title.clone(),
        doc_number: item.doc_number.clone(),
        index_number: item.index_number.clone(),
        registration_number: item.registration_number.clone(),
        publisher: item.publisher.clone(),
        category: item.category.clone(),
        topic: item.topic.clone(),
        issued_date: item.issued_date.clone(),
        published_date: item.published_date.clone(),
        validity: item.validity.clone(),
        expiry_date: item.expiry_date.clone(),
        body: item.body.clone(),
        attachments: item
            .attachments
            .iter()
            .map(|a| Attachment {
                name: a.name.clone(),
                url: a.url.clone(),
                kind: a.kind.clone(),
                text: a.text.clone(),
                error: a.error.clone(),
            })
            .collect(),
        related_links: item.related_links.clone(),
        withdrawn: item.withdrawn,
        pending: item.pending,
    }
}

/// Merge the documents that are one published item: the rule of
/// [`govsearch_index::identity`] (the first by URL keeps its id, all URLs are kept).
pub fn dedup(docs: Vec<Document>) -> (Vec<Document>, usize) {
    govsearch_index::identity::merge(docs)
}

/// A data folder held for one job — a crawl, a rebuild — by its lock: a
/// second job on the same folder (another process, an admin request) is
/// refused with the holder's pid until this is dropped. Every job that
/// writes the crawl state or the index takes one.
#[derive(Debug)]
pub struct Held {
    data: DataDir,
    _lock: CrawlLock,
}

impl Held {
    /// Take the data folder, or fail naming the process that holds it.
    pub fn acquire(data: &DataDir) -> std::result::Result<Held, govsearch_crawler::Error> {
        Ok(Held { _lock: CrawlLock::acquire(&data.root)?, data: data.clone() })
    }

    pub fn data(&self) -> &DataDir {
        &self.data
    }
}

/// What `crawl_then_index` did.
#[derive(Debug)]
pub struct CrawlAndIndex {
    pub crawl: CrawlReport,
    /// `None` when the index was not to be updated.
    pub index: Option<IndexReport>,
}

/// Crawl the sites of `sites`, then rebuild the index with `index_config`
/// (the whole config: the index holds every site, not only those crawled),
/// unless `index` is `None`. `after_crawl` sees the crawl report before the
/// rebuild starts (the CLI prints it). The one "crawl, then reindex" of the
/// CLI, the demo and the admin endpoint.
pub async fn crawl_then_index(
    held: &Held,
    sites: &Config,
    index_config: &Config,
    options: CrawlOptions,
    index: Option<Option<Progress>>,
    after_crawl: impl FnOnce(&CrawlReport) -> Result<()>,
) -> Result<CrawlAndIndex> {
    let state = CrawlState::open(&held.data.crawl_db())?;
    let crawl = govsearch_crawler::crawl::run(sites, &state, options).await?;
    drop(state);
    after_crawl(&crawl)?;
    let index = match index {
        None => None,
        Some(progress) => {
            let data = held.data.clone();
            let config = index_config.clone();
            // the lock is held by `held` for the whole job; the rebuild runs
            // on a blocking thread of the same job
            Some(tokio::task::spawn_blocking(move || rebuild(&data, Some(&config), progress)).await??)
        }
    };
    Ok(CrawlAndIndex { crawl, index })
}

/// Index progress: (documents written, total).
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Rebuild the whole index of a held data folder from its stored pages and
/// imports (no network).
pub fn rebuild_index(held: &Held, config: Option<&Config>, progress: Option<Progress>) -> Result<IndexReport> {
    rebuild(&held.data, config, progress)
}

fn rebuild(data: &DataDir, config: Option<&Config>, progress: Option<Progress>) -> Result<IndexReport> {
    let started = std::time::Instant::now();
    let mut docs = Vec::new();
    let mut report = IndexReport::default();
    if data.crawl_db().exists() {
        let state = CrawlState::open(&data.crawl_db()).with_context(|| "opening the crawl state".to_owned())?;
        // Without the config the pages were crawled with, extraction is generic
        // (no selectors, no column mapping); the site names come from the state.
        let fallback = Config { crawl: Default::default(), sites: Vec::new() };
        let items = state.extract_items(config.unwrap_or(&fallback))?;
        report.crawled_items = items.len();
        docs.extend(items.iter().map(document_from_item));
    }
    let (mut docs, merged) = dedup(docs);
    report.merged_duplicates = merged;
    if data.imports_db().exists() {
        let imported = ImportStore::open(&data.imports_db())?.all()?;
        report.imported = imported.len();
        docs.extend(imported);
    }
    let cat = open_for_rebuild(&data.index_dir())?;
    let mut w = cat.writer()?;
    w.delete_all()?;
    let total = docs.len();
    for (i, d) in docs.iter().enumerate() {
        w.upsert(d)?;
        if let Some(p) = &progress
            && (i % 64 == 0 || i + 1 == total)
        {
            p(i + 1, total);
        }
    }
    w.finish()?;
    report.documents = total;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Open the index for a full rebuild. An index made by another govsearch
/// version (a different schema) is derived data: every document in it comes
/// from the crawl state and the imports, which the rebuild reads again. So it
/// is removed and made anew instead of refusing the command that rebuilds it.
fn open_for_rebuild(dir: &std::path::Path) -> Result<Catalogue> {
    match Catalogue::open(dir) {
        Err(govsearch_index::Error::SchemaMismatch { path }) => {
            eprintln!(
                "index {path} was made by another govsearch version: rebuilding it from the crawl state and imports"
            );
            std::fs::remove_dir_all(dir).with_context(|| format!("removing the old index {path}"))?;
            Ok(Catalogue::open(dir)?)
        }
        r => Ok(r?),
    }
}

/// Store and index corpus records from `path` under channel `channel`.
pub fn import(data: &DataDir, path: &std::path::Path, channel: &str) -> Result<usize> {
    let records = crate::data::read_corpus(path)?;
    let docs: Vec<Document> = records.into_iter().map(|r| r.into_document(channel)).collect();
    ImportStore::open(&data.imports_db())?.put_all(&docs)?;
    let cat = Catalogue::open(&data.index_dir())?;
    let mut w = cat.writer()?;
    for d in &docs {
        w.upsert(d)?;
    }
    w.finish()?;
    Ok(docs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, publisher: &str, index_number: &str, url: &str) -> Document {
        Document {
            id: id.into(),
            title: format!("{id} 的标题"),
            publisher: publisher.into(),
            index_number: index_number.into(),
            url: url.into(),
            urls: vec![url.into()],
            ..Default::default()
        }
    }

    /// An index made by another version (another schema) does not block the
    /// rebuild that replaces it; a plain open still refuses it by name.
    #[test]
    fn rebuild_replaces_an_index_with_another_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::open(dir.path()).expect("data dir");
        std::fs::create_dir_all(data.index_dir()).expect("index dir");
        std::fs::write(
            data.index_dir().join("meta.json"),
            r#"{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[{"name":"doc","type":"bytes","options":{"indexed":false,"fieldnorms":false,"fast":false,"stored":true}}],"opstamp":0}"#,
        )
        .expect("old meta");
        let err = Catalogue::open(&data.index_dir()).err().expect("old schema refused");
        assert!(err.to_string().contains("govsearch index"), "{err}");
        let mut d = doc("imp:1", "甲局", "", "http://a.gov.cn/1.html");
        d.body = "电动自行车登记管理。".into();
        ImportStore::open(&data.imports_db()).expect("imports").put_all(&[d]).expect("put");
        let held = Held::acquire(&data).expect("the data folder is free");
        let report = rebuild_index(&held, None, None).expect("rebuild over the old index");
        assert_eq!(report.documents, 1);
        let cat = Catalogue::open(&data.index_dir()).expect("new index opens");
        assert_eq!(cat.num_docs(), 1);
    }
}
