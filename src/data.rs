//! The data folder: `crawl.sqlite` (crawl state and raw pages, owned by the
//! crawler), `imports.sqlite` (documents loaded with `govsearch import`, kept
//! so a rebuild never loses them) and `index/` (the tantivy catalogue).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use govsearch_crawler::state::CrawlState;
use govsearch_index::Document;
use govsearch_index::audit::{BrokenLinkFact, CrawlFacts, RevisionFact};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

/// Paths inside one data folder.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    /// Use (and create) the folder; fails with the path if it cannot be written.
    pub fn open(root: &Path) -> Result<DataDir> {
        std::fs::create_dir_all(root).with_context(|| format!("cannot create data folder {}", root.display()))?;
        let probe = root.join(".write-test");
        std::fs::write(&probe, b"ok").with_context(|| format!("data folder {} is not writable", root.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(DataDir { root: root.to_owned() })
    }
    pub fn crawl_db(&self) -> PathBuf {
        self.root.join("crawl.sqlite")
    }
    pub fn imports_db(&self) -> PathBuf {
        self.root.join("imports.sqlite")
    }
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }
    /// What the crawler saw, for the audit's "changed after publication" and
    /// "broken links" checks; `None` when the folder has no crawl state (an
    /// imported-only catalogue). Dates are UTC days, like the audit's default `as_of`.
    pub fn crawl_facts(&self) -> Result<Option<CrawlFacts>> {
        let path = self.crawl_db();
        if !path.exists() {
            return Ok(None);
        }
        let state = CrawlState::open(&path).with_context(|| format!("opening the crawl state {}", path.display()))?;
        let revisions = state
            .revisions()?
            .into_iter()
            .map(|r| RevisionFact {
                changed_on: utc_day(Some(r.seen_at)),
                previous_seen_on: utc_day(r.previous_seen_at),
                url: r.url,
                fields: r.fields,
                old_title: r.old_title,
                new_title: r.new_title,
                old_published_date: r.old_published_date,
                new_published_date: r.new_published_date,
            })
            .collect();
        let broken_links = state
            .broken_links()?
            .into_iter()
            .map(|l| BrokenLinkFact {
                checked_on: utc_day(l.checked_at),
                url: l.url,
                page_url: l.parent_url,
                site: l.site,
                kind: l.kind,
                link_text: l.link_text,
                http_status: l.http_status,
                reason: l.reason,
                worked_before: l.worked_before,
            })
            .collect();
        Ok(Some(CrawlFacts { crawls: state.finished_runs()?, revisions, broken_links }))
    }

    /// Operators' extensions of the built-in dictionaries, if present.
    pub fn load_extensions(&self) -> Result<()> {
        let dict = self.root.join("userdict.txt");
        if dict.exists() {
            govsearch_index::analysis::set_extra_user_dict(&dict)
                .with_context(|| format!("reading {}", dict.display()))?;
        }
        let syn = self.root.join("synonyms.txt");
        if syn.exists() {
            govsearch_index::synonyms::set_extra_synonyms(&syn)
                .with_context(|| format!("reading {}", syn.display()))?;
        }
        let categories = self.root.join("categories.toml");
        if categories.exists() {
            let text =
                std::fs::read_to_string(&categories).with_context(|| format!("reading {}", categories.display()))?;
            govsearch_crawler::category::install_extension(&text, &categories.display().to_string())?;
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time; "" when unknown.
fn utc_day(secs: Option<i64>) -> String {
    secs.map(govsearch_index::dates::utc_day).unwrap_or_default()
}

/// One line of the corpus format (`../shared/corpus/README.md`): every key a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusRecord {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub issued_date: String,
    #[serde(default)]
    pub published_date: String,
    #[serde(default)]
    pub validity: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub source: String,
}

impl CorpusRecord {
    /// The catalogue document for this record, from import channel `channel`.
    pub fn into_document(self, channel: &str) -> Document {
        Document {
            id: self.id,
            title: self.title,
            doc_number: self.doc_number,
            publisher: self.publisher,
            category: self.category,
            issued_date: self.issued_date,
            published_date: self.published_date,
            validity: self.validity,
            body: self.body,
            site: channel.to_owned(),
            column: String::new(),
            ..Default::default()
        }
    }
}

/// Read a JSONL file (gzip when the name ends in `.gz`); the first bad line
/// fails the whole read with `file:line: what is wrong`, before anything is stored.
pub fn read_corpus(path: &Path) -> Result<Vec<CorpusRecord>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    parse_corpus(reader, &path.display().to_string())
}

/// Parse corpus lines from any reader; `origin` names it in errors.
pub fn parse_corpus(reader: impl BufRead, origin: &str) -> Result<Vec<CorpusRecord>> {
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{origin}:{}: cannot read line", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: CorpusRecord =
            serde_json::from_str(&line).with_context(|| format!("{origin}:{}: not a corpus record", i + 1))?;
        if rec.id.trim().is_empty() {
            bail!("{origin}:{}: empty \"id\"", i + 1);
        }
        for (name, d) in [("issued_date", &rec.issued_date), ("published_date", &rec.published_date)] {
            if !d.is_empty() && !govsearch_index::dates::is_date(d) {
                bail!("{origin}:{}: {name} {d:?} is not YYYY-MM-DD", i + 1);
            }
        }
        if !ids.insert(rec.id.clone()) {
            bail!("{origin}:{}: id {:?} appears twice", i + 1, rec.id);
        }
        out.push(rec);
    }
    Ok(out)
}

/// Documents imported from other channels, stored so a rebuild keeps them.
pub struct ImportStore {
    conn: Connection,
}

impl ImportStore {
    pub fn open(path: &Path) -> Result<ImportStore> {
        let conn = Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS imported (id TEXT PRIMARY KEY, channel TEXT NOT NULL, json TEXT NOT NULL, imported_at TEXT NOT NULL DEFAULT (datetime('now')));",
        )
        .with_context(|| format!("cannot set up {}", path.display()))?;
        Ok(ImportStore { conn })
    }

    /// Store documents in one transaction (all or nothing).
    pub fn put_all(&mut self, docs: &[Document]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare("INSERT OR REPLACE INTO imported (id, channel, json) VALUES (?1, ?2, ?3)")?;
            for d in docs {
                st.execute(params![d.id, d.site, serde_json::to_string(d)?])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn all(&self) -> Result<Vec<Document>> {
        let mut st = self.conn.prepare("SELECT id, json FROM imported ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push(serde_json::from_str(&json).with_context(|| format!("stored import {id:?} is unreadable"))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn utc_days() {
        assert_eq!(utc_day(Some(0)), "1970-01-01");
        assert_eq!(utc_day(Some(1_709_164_799)), "2024-02-28");
        assert_eq!(utc_day(Some(1_709_164_800)), "2024-02-29");
        assert_eq!(utc_day(None), "");
    }

    #[test]
    fn no_crawl_state_no_facts() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::open(dir.path()).unwrap();
        assert_eq!(data.crawl_facts().unwrap(), None);
        assert!(!data.crawl_db().exists(), "reading the facts creates no crawl state");
    }

    #[test]
    fn bad_line_is_named() {
        let text = "{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"b\",\"title\":\n";
        let e = parse_corpus(text.as_bytes(), "x.jsonl").unwrap_err();
        assert!(format!("{e:#}").starts_with("x.jsonl:2: not a corpus record"), "{e:#}");
        let e =
            parse_corpus("{\"id\":\"a\",\"title\":\"t\",\"published_date\":\"2020/1/1\"}".as_bytes(), "y").unwrap_err();
        assert!(format!("{e:#}").contains("y:1: published_date \"2020/1/1\""), "{e:#}");
        let e =
            parse_corpus("{\"id\":\"a\",\"title\":\"t\"}\n{\"id\":\"a\",\"title\":\"t\"}".as_bytes(), "z").unwrap_err();
        assert!(format!("{e:#}").contains("z:2: id \"a\" appears twice"), "{e:#}");
    }
}
