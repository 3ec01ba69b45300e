//! The crawl state: one SQLite database (WAL) holding every URL's status and
//! validators, the raw bytes of every page and the text of attachments.
//!
//! Crash safety: a fetched page, its URL's new status and the links found on
//! it are written in one transaction. A crawl *run* has an id; a URL finished
//! in the current run is not fetched again in it. A run interrupted (crash,
//! Ctrl-C, `max_pages`) is resumed by the next crawl: URLs left `fetching` go
//! back to `queued`. A finished run is followed by a new one, a recrawl, which
//! revisits every URL with its validators (conditional GET).
//!
//! Change history: when a recrawl finds an item page whose extracted text
//! changed, a `revisions` row (with the previous version's text) is written in
//! the same transaction as the new page; see [`crate::history`] for what
//! counts as a change and what counts as a broken link.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::history::{Change, Revision};
use crate::scope::UrlKind;
use crate::vocab::{Failure, FailureCode, UrlStatus};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    http_status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER,
    next_due INTEGER NOT NULL DEFAULT 0,
    depth INTEGER NOT NULL DEFAULT 0,
    parent_url TEXT,
    "column" TEXT NOT NULL DEFAULT '',
    error_reason TEXT,
    error_code TEXT,
    gone_count INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER,
    link_text TEXT NOT NULL DEFAULT '',
    due INTEGER NOT NULL DEFAULT 1,
    checked_at INTEGER
);
CREATE INDEX IF NOT EXISTS urls_frontier ON urls (site, depth) WHERE due = 1;
CREATE INDEX IF NOT EXISTS urls_status ON urls (status);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY REFERENCES urls(url),
    content_type TEXT,
    fetched_at INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS attachments (
    url TEXT PRIMARY KEY REFERENCES urls(url),
    kind TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    fetched_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL REFERENCES urls(url),
    site TEXT NOT NULL,
    run_id INTEGER,
    seen_at INTEGER NOT NULL,
    previous_seen_at INTEGER,
    old_hash TEXT NOT NULL,
    new_hash TEXT NOT NULL,
    fields TEXT NOT NULL,
    old_title TEXT NOT NULL,
    new_title TEXT NOT NULL,
    old_published_date TEXT NOT NULL,
    new_published_date TEXT NOT NULL,
    old_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_url ON revisions (url, seen_at);
"#;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A URL to add to the frontier.
#[derive(Debug, Clone)]
pub struct NewUrl {
    pub url: String,
    pub site: String,
    pub kind: UrlKind,
    pub depth: u32,
    pub parent: Option<String>,
    /// Column (栏目) of the list page that linked it.
    pub column: String,
    /// The anchor text it was linked with.
    pub link_text: String,
}

/// A URL due for fetching, with what a conditional GET needs.
#[derive(Debug, Clone)]
pub struct DueUrl {
    pub url: String,
    pub site: String,
    pub kind: UrlKind,
    pub depth: u32,
    pub column: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_hash: Option<String>,
    pub gone_count: u32,
    /// Whether the URL was fetched successfully before (a revisit).
    pub seen_before: bool,
}

/// What happened to one URL, to be written with [`CrawlState::record`].
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    pub url: String,
    pub http_status: Option<u16>,
    /// Why the visit failed; `done`, `failed`, `gone`/`withdrawn` is decided
    /// by `record` from the status and this.
    pub failure: Option<Failure>,
    pub attempts: u32,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// New body (200): stored as the page's raw bytes.
    pub body: Option<Vec<u8>>,
    pub content_type: Option<String>,
    pub content_hash: Option<String>,
    /// Status to store instead of the derived one (e.g. `blocked`).
    pub status_override: Option<UrlStatus>,
    /// The page turned out to be of another kind (a list URL that reads like an item).
    pub kind: Option<UrlKind>,
    /// Links found on the page, enqueued in the same transaction.
    pub links: Vec<NewUrl>,
    /// For attachments: extracted text or the reason there is none.
    pub attachment: Option<(String, Result<String, String>)>,
    /// An item page whose extracted text differs from the stored version:
    /// written to `revisions` when the outcome is [`Outcome::Updated`].
    pub revision: Option<Change>,
}

/// The outcome of recording a fetch, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Updated,
    Unchanged,
    /// 404/410 for the first time.
    Gone,
    Withdrawn,
    Failed,
    Blocked,
}

/// One row of `urls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRow {
    pub url: String,
    pub site: String,
    pub kind: String,
    pub status: UrlStatus,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_hash: Option<String>,
    pub depth: u32,
    pub parent_url: Option<String>,
    pub column: String,
    /// The failure's message, for people.
    pub error_reason: Option<String>,
    /// The failure's code, for decisions (`None` for rows of older states
    /// whose message maps to no code).
    pub error_code: Option<FailureCode>,
    pub gone_count: u32,
}

/// A stored page.
#[derive(Debug, Clone)]
pub struct StoredPage {
    pub url: String,
    pub content_type: Option<String>,
    pub fetched_at: i64,
    pub bytes: Vec<u8>,
}

/// The crawl state database.
pub struct CrawlState {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for CrawlState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrawlState").field("path", &self.path).finish()
    }
}

impl CrawlState {
    /// Open (creating if needed) the state at `path`: schema, WAL mode, foreign keys.
    pub fn open(path: &Path) -> Result<CrawlState> {
        let err = |source| Error::State { path: path.display().to_string(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.display().to_string(), source })?;
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.set_prepared_statement_cache_capacity(32);
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        migrate(&conn).map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.execute_batch(crate::listing::SCHEMA).map_err(err)?;
        Ok(CrawlState { conn: Mutex::new(conn), path: path.to_owned() })
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::State { path: self.path.display().to_string(), source }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut guard = match self.conn.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard).map_err(|e| self.err(e))
    }

    /// Start a crawl run, or resume the last one if it did not finish. URLs
    /// left `fetching` by a crash go back to `queued`. Returns the run id.
    pub fn begin_run(&self) -> Result<i64> {
        self.with(|c| {
            let tx = c.transaction()?;
            exec(&tx, "UPDATE urls SET status = 'queued' WHERE status = 'fetching'", [])?;
            let open: Option<i64> = tx
                .query_row("SELECT id FROM runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
                .optional()?;
            let id = match open {
                Some(id) => id,
                None => {
                    exec(&tx, "INSERT INTO runs (started_at) VALUES (?1)", [now()])?;
                    // a new run revisits everything
                    // (a feed's later pages only after its earlier ones: each is queued
                    // again by the page before it, see `insert_urls`)
                    exec(
                        &tx,
                        "UPDATE urls SET due = 1 WHERE kind IN ('list', 'item', 'attachment', 'sitemap')
                         OR (kind = 'feed' AND url IN (SELECT first_url FROM lists))",
                        [],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            tx.commit()?;
            Ok(id)
        })
    }

    /// Mark a run finished: the next crawl is a recrawl.
    pub fn finish_run(&self, run: i64) -> Result<()> {
        self.with(|c| c.execute("UPDATE runs SET finished_at = ?1 WHERE id = ?2", params![now(), run]).map(|_| ()))
    }

    /// Add URLs to the frontier (existing URLs are left as they are). Returns how many were new.
    pub fn enqueue(&self, urls: &[NewUrl]) -> Result<usize> {
        self.with(|c| {
            let tx = c.transaction()?;
            let n = insert_urls(&tx, urls)?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Up to `limit` URLs of `site` not yet processed in `run`, shallowest first;
    /// they are marked `fetching` in the same transaction. With
    /// `catalogue_only`, item and attachment URLs found by other pages are
    /// left due (start URLs are always taken).
    pub fn take_due(&self, run: i64, site: &str, limit: usize, catalogue_only: bool) -> Result<Vec<DueUrl>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let rows = {
                let mut st = tx.prepare_cached(
                    "SELECT url, site, kind, depth, \"column\", etag, last_modified, content_hash, gone_count, last_seen
                     FROM urls INDEXED BY urls_frontier WHERE site = ?1 AND due = 1 AND ?2 = ?2 AND status != 'fetching'
                     AND kind IN ('list', 'feed', 'item', 'attachment', 'sitemap')
                     AND (?4 = 0 OR depth = 0 OR kind IN ('list', 'feed', 'sitemap'))
                     ORDER BY depth LIMIT ?3",
                )?;
                st.query_map(params![site, run, limit as i64, catalogue_only], |r| {
                    Ok(DueUrl {
                        url: r.get(0)?,
                        site: r.get(1)?,
                        kind: UrlKind::parse(&r.get::<_, String>(2)?).unwrap_or(UrlKind::List),
                        depth: r.get::<_, i64>(3)? as u32,
                        column: r.get(4)?,
                        etag: r.get(5)?,
                        last_modified: r.get(6)?,
                        content_hash: r.get(7)?,
                        gone_count: r.get::<_, i64>(8)? as u32,
                        seen_before: r.get::<_, Option<i64>>(9)?.is_some(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            for d in &rows {
                exec(&tx, "UPDATE urls SET status = 'fetching' WHERE url = ?1", [&d.url])?;
            }
            tx.commit()?;
            Ok(rows)
        })
    }

    /// How many URLs (all sites) are still due in `run`, including ones being fetched.
    pub fn due_count(&self, run: i64) -> Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM urls WHERE due = 1 AND ?1 = ?1 AND kind IN ('list', 'feed', 'item', 'attachment', 'sitemap')",
                [run],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Whether any URL of `site` is still due in `run` (including ones being fetched).
    pub fn has_due(&self, run: i64, site: &str) -> Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS(SELECT 1 FROM urls WHERE site = ?1 AND due = 1 AND ?2 = ?2
                 AND kind IN ('list', 'feed', 'item', 'attachment', 'sitemap'))",
                params![site, run],
                |r| r.get(0),
            )
        })
    }

    /// Write the result of one fetch, its page bytes and its links in one transaction.
    pub fn record(&self, run: i64, rec: FetchRecord) -> Result<Outcome> {
        self.with(|c| {
            let tx = c.transaction()?;
            let prev: Option<(Option<String>, i64, Option<i64>)> = tx
                .query_row("SELECT content_hash, gone_count, last_seen FROM urls WHERE url = ?1", [&rec.url], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let (prev_hash, prev_gone, last_seen) = prev.unwrap_or((None, 0, None));
            let t = now();
            let code = rec.http_status.unwrap_or(0);
            let (status, outcome, gone) = if let Some(s) = rec.status_override {
                (s, if s == UrlStatus::Blocked { Outcome::Blocked } else { Outcome::Failed }, prev_gone)
            } else if code == 304 {
                (UrlStatus::Done, Outcome::Unchanged, 0)
            } else if code == 404 || code == 410 {
                let g = prev_gone + 1;
                if g >= 2 { (UrlStatus::Withdrawn, Outcome::Withdrawn, g) } else { (UrlStatus::Gone, Outcome::Gone, g) }
            } else if (200..300).contains(&code) && rec.failure.is_none() {
                let o = match (&prev_hash, &rec.content_hash) {
                    (Some(a), Some(b)) if a == b => Outcome::Unchanged,
                    _ if last_seen.is_none() => Outcome::New,
                    _ => Outcome::Updated,
                };
                (UrlStatus::Done, o, 0)
            } else {
                (UrlStatus::Failed, Outcome::Failed, prev_gone)
            };
            let ok = status == UrlStatus::Done;
            exec(
                &tx,
                "UPDATE urls SET status = ?2, http_status = ?3, attempts = ?4, error_reason = ?5, error_code = ?13, gone_count = ?6, run_id = ?7, due = 0,
                    etag = CASE WHEN ?8 THEN COALESCE(?9, etag) ELSE etag END,
                    last_modified = CASE WHEN ?8 THEN COALESCE(?10, last_modified) ELSE last_modified END,
                    content_hash = CASE WHEN ?8 THEN COALESCE(?11, content_hash) ELSE content_hash END,
                    last_seen = CASE WHEN ?8 THEN ?12 ELSE last_seen END,
                    checked_at = ?12
                 WHERE url = ?1",
                params![
                    rec.url,
                    status,
                    rec.http_status.map(i64::from),
                    rec.attempts as i64,
                    rec.failure.as_ref().map(|f| f.message.as_str()),
                    gone,
                    run,
                    ok,
                    rec.etag,
                    rec.last_modified,
                    rec.content_hash,
                    t,
                    rec.failure.as_ref().map(|f| f.code),
                ],
            )?;
            if let Some(body) = &rec.body
                && (outcome != Outcome::Unchanged || !has_page(&tx, &rec.url)?) {
                    exec(
                        &tx,
                        "INSERT INTO pages (url, content_type, fetched_at, bytes) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT(url) DO UPDATE SET content_type = excluded.content_type, fetched_at = excluded.fetched_at, bytes = excluded.bytes",
                        params![rec.url, rec.content_type, t, body],
                    )?;
                }
            if let Some((kind, result)) = &rec.attachment {
                let (text, error) = match result {
                    Ok(t) => (t.as_str(), ""),
                    Err(e) => ("", e.as_str()),
                };
                exec(
                    &tx,
                    "INSERT INTO attachments (url, kind, text, error, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, text = excluded.text, error = excluded.error, fetched_at = excluded.fetched_at",
                    params![rec.url, kind, text, error, t],
                )?;
            }
            if let Some(kind) = rec.kind {
                exec(&tx, "UPDATE urls SET kind = ?2 WHERE url = ?1", params![rec.url, kind.as_str()])?;
            }
            if let Some(ch) = &rec.revision
                && outcome == Outcome::Updated
            {
                exec(
                    &tx,
                    "INSERT INTO revisions (url, site, run_id, seen_at, previous_seen_at, old_hash, new_hash, fields,
                        old_title, new_title, old_published_date, new_published_date, old_text)
                     VALUES (?1, (SELECT site FROM urls WHERE url = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        rec.url,
                        run,
                        t,
                        last_seen,
                        ch.old_hash,
                        ch.new_hash,
                        ch.fields.join(","),
                        ch.old_title,
                        ch.new_title,
                        ch.old_published_date,
                        ch.new_published_date,
                        ch.old_text
                    ],
                )?;
            }
            insert_urls(&tx, &rec.links)?;
            tx.commit()?;
            Ok(outcome)
        })
    }

    /// Put a URL back in the queue of this run (used when a crawl stops early).
    pub fn requeue(&self, url: &str) -> Result<()> {
        self.with(|c| {
            c.execute("UPDATE urls SET status = 'queued' WHERE url = ?1 AND status = 'fetching'", [url]).map(|_| ())
        })
    }

    /// One URL's row.
    pub fn url(&self, url: &str) -> Result<Option<UrlRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT url, site, kind, status, http_status, attempts, etag, last_modified, content_hash, depth, parent_url, \"column\", error_reason, gone_count, error_code FROM urls WHERE url = ?1",
                [url],
                row_to_url,
            )
            .optional()
        })
    }

    /// Every URL row, ordered by URL.
    pub fn urls(&self) -> Result<Vec<UrlRow>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT url, site, kind, status, http_status, attempts, etag, last_modified, content_hash, depth, parent_url, \"column\", error_reason, gone_count, error_code FROM urls ORDER BY url",
            )?;
            st.query_map([], row_to_url)?.collect()
        })
    }

    /// The stored raw page.
    pub fn page(&self, url: &str) -> Result<Option<StoredPage>> {
        self.with(|c| {
            c.query_row("SELECT url, content_type, fetched_at, bytes FROM pages WHERE url = ?1", [url], |r| {
                Ok(StoredPage { url: r.get(0)?, content_type: r.get(1)?, fetched_at: r.get(2)?, bytes: r.get(3)? })
            })
            .optional()
        })
    }

    /// Number of stored pages.
    pub fn page_count(&self) -> Result<u64> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM pages", [], |r| r.get::<_, i64>(0)).map(|n| n as u64))
    }

    /// Stored text (or error) of an attachment.
    pub fn attachment(&self, url: &str) -> Result<Option<(String, String)>> {
        self.with(|c| {
            c.query_row("SELECT text, error FROM attachments WHERE url = ?1", [url], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
    }

    /// Count of URLs per status.
    pub fn status_counts(&self) -> Result<BTreeMap<String, u64>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT status, COUNT(*) FROM urls GROUP BY status")?;
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?.collect()
        })
    }

    /// Number of finished crawl runs (changes are seen from the second one on).
    pub fn finished_runs(&self) -> Result<u64> {
        self.with(|c| {
            c.query_row("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL", [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    /// Every recorded revision of an item page, by URL then time (see
    /// [`crate::history`] for what counts as one). The previous versions'
    /// text is left out: [`CrawlState::revision_text`] reads it.
    pub fn revisions(&self) -> Result<Vec<Revision>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, url, site, run_id, seen_at, previous_seen_at, old_hash, new_hash, fields, old_title, new_title,
                        old_published_date, new_published_date
                 FROM revisions ORDER BY url, seen_at, id",
            )?;
            st.query_map([], |r| {
                let fields: String = r.get(8)?;
                Ok(Revision {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    site: r.get(2)?,
                    run_id: r.get(3)?,
                    seen_at: r.get(4)?,
                    previous_seen_at: r.get(5)?,
                    old_hash: r.get(6)?,
                    new_hash: r.get(7)?,
                    fields: fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                    old_title: r.get(9)?,
                    new_title: r.get(10)?,
                    old_published_date: r.get(11)?,
                    new_published_date: r.get(12)?,
                })
            })?
            .collect()
        })
    }

    /// The previous version's extracted text kept with revision `id`.
    pub fn revision_text(&self, id: i64) -> Result<Option<String>> {
        self.with(|c| c.query_row("SELECT old_text FROM revisions WHERE id = ?1", [id], |r| r.get(0)).optional())
    }

    /// `PRAGMA integrity_check` and foreign-key check; an error names the problem.
    pub fn integrity_check(&self) -> Result<()> {
        let msg: String = self.with(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))?;
        if msg != "ok" {
            return Err(Error::State {
                path: self.path.display().to_string(),
                source: rusqlite::Error::InvalidParameterName(format!("integrity_check: {msg}")),
            });
        }
        Ok(())
    }
}

/// Bring a state written by an older schema up to date.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let has_urls: bool =
        conn.query_row("SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'urls')", [], |r| {
            r.get(0)
        })?;
    if !has_urls {
        return Ok(());
    }
    let has_due: bool =
        conn.query_row("SELECT EXISTS(SELECT 1 FROM pragma_table_info('urls') WHERE name = 'due')", [], |r| r.get(0))?;
    if !has_due {
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE urls ADD COLUMN due INTEGER NOT NULL DEFAULT 1;
             UPDATE urls SET due = 0 WHERE run_id IS NOT NULL AND run_id = (SELECT MAX(id) FROM runs);
             DROP INDEX IF EXISTS urls_due;
             COMMIT;",
        )?;
    }
    add_column(conn, "urls", "checked_at", "INTEGER")?;
    let has_code: bool =
        conn.query_row("SELECT EXISTS(SELECT 1 FROM pragma_table_info('urls') WHERE name = 'error_code')", [], |r| {
            r.get(0)
        })?;
    if !has_code {
        // rows of older states: the only messages a decision read get their code
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE urls ADD COLUMN error_code TEXT;
             UPDATE urls SET error_code = 'redirect-loop' WHERE error_reason = 'redirect loop';
             UPDATE urls SET error_code = 'too-many-redirects' WHERE error_reason = 'too many redirects';
             UPDATE urls SET error_code = 'robots' WHERE error_reason = 'robots.txt';
             COMMIT;",
        )?;
    }
    Ok(())
}

/// `execute` through the connection's statement cache: a crawl runs the same
/// few statements for every page, and preparing them each time was ~5% of a
/// crawl's CPU.
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

/// Add a column to a table of an older state, unless it is there (checked
/// inside the write transaction, so two processes opening one old state at
/// once do not both add it).
fn add_column(conn: &Connection, table: &str, column: &str, decl: &str) -> rusqlite::Result<()> {
    let has = |c: &Connection| -> rusqlite::Result<bool> {
        c.query_row("SELECT EXISTS(SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)", params![table, column], |r| {
            r.get(0)
        })
    };
    if has(conn)? {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let added = match has(conn) {
        Ok(true) => Ok(()),
        Ok(false) => conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}")),
        Err(e) => Err(e),
    };
    match added {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn has_page(tx: &rusqlite::Transaction<'_>, url: &str) -> rusqlite::Result<bool> {
    tx.query_row("SELECT EXISTS(SELECT 1 FROM pages WHERE url = ?1)", [url], |r| r.get(0))
}

/// Add new URLs (known ones are left as they are, but see below). Returns how many were new.
///
/// A known URL first found in a sitemap (or seeded, with no parent) takes the
/// first *page* that links it as its parent: broken links are reported on the
/// page that shows them, and a sitemap shows none.
fn insert_urls(tx: &rusqlite::Transaction<'_>, urls: &[NewUrl]) -> rusqlite::Result<usize> {
    let mut st = tx.prepare_cached(
        // a URL a platform gave as another view of a listed post is not crawled again
        "INSERT OR IGNORE INTO urls (url, site, kind, status, first_seen, depth, parent_url, \"column\", link_text)
         SELECT ?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM aliases WHERE alias = ?1)",
    )?;
    // A feed page is a step of a walk: queued again in a later run only when
    // the page before it, fetched in that run, asks for it.
    let mut again = tx.prepare_cached(
        "UPDATE urls SET due = 1 WHERE url = ?1 AND kind = 'feed' AND due = 0
           AND COALESCE(run_id, 0) < (SELECT MAX(id) FROM runs)",
    )?;
    let mut adopt = tx.prepare_cached(
        "UPDATE urls SET parent_url = ?2, link_text = ?3 WHERE url = ?1
           AND (parent_url IS NULL OR EXISTS (SELECT 1 FROM urls s WHERE s.url = urls.parent_url AND s.kind IN ('sitemap', 'robots')))
           AND NOT EXISTS (SELECT 1 FROM urls p WHERE p.url = ?2 AND p.kind IN ('sitemap', 'robots'))",
    )?;
    let t = now();
    let mut n = 0;
    for u in urls {
        let added =
            st.execute(params![u.url, u.site, u.kind.as_str(), t, u.depth as i64, u.parent, u.column, u.link_text])?;
        if added == 0 && u.kind == UrlKind::Feed {
            again.execute([&u.url])?;
        }
        if added == 0
            && let Some(parent) = u.parent.as_deref().filter(|p| *p != u.url)
        {
            adopt.execute(params![u.url, parent, u.link_text])?;
        }
        n += added;
    }
    Ok(n)
}

fn row_to_url(r: &rusqlite::Row<'_>) -> rusqlite::Result<UrlRow> {
    Ok(UrlRow {
        url: r.get(0)?,
        site: r.get(1)?,
        kind: r.get(2)?,
        status: r.get(3)?,
        http_status: r.get::<_, Option<i64>>(4)?.map(|s| s as u16),
        attempts: r.get::<_, i64>(5)? as u32,
        etag: r.get(6)?,
        last_modified: r.get(7)?,
        content_hash: r.get(8)?,
        depth: r.get::<_, i64>(9)? as u32,
        parent_url: r.get(10)?,
        column: r.get(11)?,
        error_reason: r.get(12)?,
        gone_count: r.get::<_, i64>(13)? as u32,
        error_code: r.get(14)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn nu(url: &str, kind: UrlKind) -> NewUrl {
        NewUrl {
            url: url.into(),
            site: "s".into(),
            kind,
            depth: 0,
            parent: None,
            column: String::new(),
            link_text: String::new(),
        }
    }

    #[test]
    fn run_resume_and_record() {
        let dir = tempfile::tempdir().unwrap();
        let st = CrawlState::open(&dir.path().join("crawl.sqlite")).unwrap();
        let run = st.begin_run().unwrap();
        assert_eq!(st.enqueue(&[nu("http://a/1", UrlKind::Item), nu("http://a/2", UrlKind::Item)]).unwrap(), 2);
        assert_eq!(st.enqueue(&[nu("http://a/1", UrlKind::Item)]).unwrap(), 0);
        let due = st.take_due(run, "s", 10, false).unwrap();
        assert_eq!(due.len(), 2);
        // crash: nothing recorded; reopen resumes the same run with both queued again
        drop(st);
        let st = CrawlState::open(&dir.path().join("crawl.sqlite")).unwrap();
        assert_eq!(st.begin_run().unwrap(), run);
        let due = st.take_due(run, "s", 10, false).unwrap();
        assert_eq!(due.len(), 2);
        let rec = |url: &str, code: u16, hash: &str| FetchRecord {
            url: url.into(),
            http_status: Some(code),
            attempts: 1,
            body: Some(b"x".to_vec()),
            content_hash: Some(hash.into()),
            ..Default::default()
        };
        assert_eq!(st.record(run, rec("http://a/1", 200, "h1")).unwrap(), Outcome::New);
        assert_eq!(st.record(run, rec("http://a/2", 404, "")).unwrap(), Outcome::Gone);
        assert!(st.take_due(run, "s", 10, false).unwrap().is_empty());
        assert!(!st.has_due(run, "s").unwrap());
        st.finish_run(run).unwrap();
        let run2 = st.begin_run().unwrap();
        assert!(run2 > run);
        let due = st.take_due(run2, "s", 10, false).unwrap();
        assert_eq!(due.len(), 2);
        assert_eq!(st.record(run2, rec("http://a/1", 200, "h1")).unwrap(), Outcome::Unchanged);
        assert_eq!(st.record(run2, rec("http://a/2", 410, "")).unwrap(), Outcome::Withdrawn);
        assert_eq!(st.url("http://a/2").unwrap().unwrap().status, UrlStatus::Withdrawn);
        st.integrity_check().unwrap();
    }

    /// A state written before the change history (no `checked_at`, no
    /// `revisions`) and before failure codes opens, gains them, and keeps its rows.
    #[test]
    fn older_state_gains_the_history_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, finished_at INTEGER);
                 CREATE TABLE urls (url TEXT PRIMARY KEY, site TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued',
                    http_status INTEGER, attempts INTEGER NOT NULL DEFAULT 0, etag TEXT, last_modified TEXT, content_hash TEXT,
                    first_seen INTEGER NOT NULL, last_seen INTEGER, next_due INTEGER NOT NULL DEFAULT 0, depth INTEGER NOT NULL DEFAULT 0,
                    parent_url TEXT, \"column\" TEXT NOT NULL DEFAULT '', error_reason TEXT, gone_count INTEGER NOT NULL DEFAULT 0,
                    run_id INTEGER, link_text TEXT NOT NULL DEFAULT '', due INTEGER NOT NULL DEFAULT 1);
                 INSERT INTO runs (started_at, finished_at) VALUES (1, 2);
                 INSERT INTO urls (url, site, kind, status, http_status, first_seen, last_seen, parent_url, run_id, due)
                    VALUES ('http://a/list', 's', 'list', 'done', 200, 1, 1, NULL, 1, 0),
                           ('http://a/1', 's', 'item', 'gone', 404, 1, NULL, 'http://a/list', 1, 0);
                 INSERT INTO urls (url, site, kind, status, first_seen, error_reason)
                    VALUES ('http://a/loop', 's', 'item', 'failed', 1, 'redirect loop'),
                           ('http://a/slow', 's', 'item', 'failed', 1, 'timeout');",
            )
            .unwrap();
        }
        let st = CrawlState::open(&path).unwrap();
        assert_eq!(st.finished_runs().unwrap(), 1);
        assert_eq!(st.revisions().unwrap(), vec![]);
        assert_eq!(st.url("http://a/1").unwrap().unwrap().status, UrlStatus::Gone);
        // failure messages a decision read get their code; the others none
        assert_eq!(st.url("http://a/loop").unwrap().unwrap().error_code, Some(FailureCode::RedirectLoop));
        assert_eq!(st.url("http://a/slow").unwrap().unwrap().error_code, None);
        // no stored list page: the link cannot be confirmed on it, so it is not reported
        assert_eq!(st.broken_links().unwrap(), vec![]);
        let run = st.begin_run().unwrap();
        st.record(run, FetchRecord { url: "http://a/1".into(), http_status: Some(404), ..Default::default() }).unwrap();
        let checked: Option<i64> =
            st.with(|c| c.query_row("SELECT checked_at FROM urls WHERE url = 'http://a/1'", [], |r| r.get(0))).unwrap();
        assert!(checked.is_some());
        drop(st);
        // opening again is a no-op
        CrawlState::open(&path).unwrap().integrity_check().unwrap();
    }

    /// A revision is written only with an update, in its transaction; a
    /// sitemap's URL takes the first page that links it as its parent.
    #[test]
    fn revisions_only_with_updates_and_pages_adopt_sitemap_urls() {
        let dir = tempfile::tempdir().unwrap();
        let st = CrawlState::open(&dir.path().join("crawl.sqlite")).unwrap();
        let run = st.begin_run().unwrap();
        st.enqueue(&[nu("http://a/1", UrlKind::Item), nu("http://a/sitemap.xml", UrlKind::Sitemap)]).unwrap();
        let change =
            Change { old_hash: "o".into(), new_hash: "n".into(), fields: vec!["body".into()], ..Default::default() };
        let rec = |hash: &str| FetchRecord {
            url: "http://a/1".into(),
            http_status: Some(200),
            body: Some(hash.as_bytes().to_vec()),
            content_hash: Some(hash.into()),
            revision: Some(change.clone()),
            ..Default::default()
        };
        assert_eq!(st.record(run, rec("h1")).unwrap(), Outcome::New);
        assert_eq!(st.record(run, rec("h1")).unwrap(), Outcome::Unchanged);
        assert_eq!(st.revisions().unwrap(), vec![], "no revision without an update");
        assert_eq!(st.record(run, rec("h2")).unwrap(), Outcome::Updated);
        let revs = st.revisions().unwrap();
        assert_eq!(revs.len(), 1);
        assert_eq!(
            (revs[0].url.as_str(), revs[0].site.as_str(), revs[0].fields.as_slice()),
            ("http://a/1", "s", &["body".to_owned()][..])
        );
        assert!(revs[0].previous_seen_at.is_some());

        let from = |parent: &str| NewUrl {
            parent: Some(parent.into()),
            link_text: parent.into(),
            ..nu("http://a/2", UrlKind::Item)
        };
        st.enqueue(&[from("http://a/sitemap.xml")]).unwrap();
        assert_eq!(st.url("http://a/2").unwrap().unwrap().parent_url.as_deref(), Some("http://a/sitemap.xml"));
        assert_eq!(st.enqueue(&[from("http://a/list")]).unwrap(), 0, "known: not new");
        assert_eq!(
            st.url("http://a/2").unwrap().unwrap().parent_url.as_deref(),
            Some("http://a/list"),
            "a page beats the sitemap"
        );
        st.enqueue(&[from("http://a/other-list"), from("http://a/sitemap.xml")]).unwrap();
        assert_eq!(
            st.url("http://a/2").unwrap().unwrap().parent_url.as_deref(),
            Some("http://a/list"),
            "the first page stays"
        );
    }
}
