//! What platform catalogues say about their items, kept in the crawl state.
//!
//! A platform's list endpoint ([`crate::platform::feed`]) gives, for each item,
//! its detail URL and often its 索引号, 文号, 发布机构 and dates. The crawl keeps
//! every listing (`listed`: one row per item and list) and every list's walk
//! (`lists`: the total the platform claimed, the pages read, why the walk
//! ended), so that
//! * a list walk knows, page by page, how many distinct items it has served
//!   and whether a page brought anything new ([`CrawlState::list_items`]);
//! * the crawl report says per list how many items were claimed, served and
//!   reached only through the backfill ([`CrawlState::list_reports`]);
//! * extraction fills what a detail page lacks from its listing, and the crawl
//!   reports where the two disagree ([`compare`]).
//!
//! Rows are written before the feed page's own record; a crash between the
//! two refetches the page and writes the same rows again (upserts).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::Result;
use crate::extract::ExtractedItem;
use crate::platform::ListedItem;
use crate::platform::feed::FeedKind;
use crate::state::CrawlState;

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS listed (
    url TEXT NOT NULL,
    list_key TEXT NOT NULL,
    site TEXT NOT NULL,
    backfill INTEGER NOT NULL DEFAULT 0,
    post_id TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    index_number TEXT NOT NULL DEFAULT '',
    doc_number TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    issued_date TEXT NOT NULL DEFAULT '',
    published_date TEXT NOT NULL DEFAULT '',
    validity TEXT NOT NULL DEFAULT '',
    node TEXT NOT NULL DEFAULT '',
    run_id INTEGER,
    PRIMARY KEY (url, list_key)
);
CREATE INDEX IF NOT EXISTS listed_list ON listed (list_key, run_id);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    site TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_url ON aliases (url);
CREATE TABLE IF NOT EXISTS lists (
    list_key TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    "column" TEXT NOT NULL DEFAULT '',
    first_url TEXT NOT NULL,
    claimed INTEGER,
    pages INTEGER NOT NULL DEFAULT 0,
    ended TEXT NOT NULL DEFAULT '',
    run_id INTEGER
);
"#;

/// One list of a platform catalogue, as the crawl report shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListReport {
    /// The catalogue path (`政策 > 规范性文件`), or the endpoint for a backfill.
    pub column: String,
    /// How the list was asked for: `gkmlpt-list`, `gkmlpt-search`, `hanweb-page`,
    /// `hanweb-range`, `jpaas-unit`.
    pub kind: String,
    /// What the platform said the list holds (`post_count`), when it said.
    pub claimed: Option<u64>,
    /// Distinct items the list served in the last run that read it.
    pub served: u64,
    /// Items only the backfill reached (0 for lists; for a backfill, the items
    /// no list of the site served).
    pub backfill_only: u64,
    pub pages: u64,
    /// Why the walk stopped (`empty`, `claimed-total`, `nothing-new`, `not-found`,
    /// `page-limit`, `unreadable`), "" while it runs.
    pub ended: String,
    /// The category the column's items get (config first, then the vocabulary).
    pub category: String,
}

/// A field where a detail page and its listing disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub field: &'static str,
    pub listed: String,
    pub page: String,
}

impl CrawlState {
    /// Record the items one feed page listed; returns how many of them the
    /// list had not yet served in run `run` (0: the page brought nothing new).
    pub fn list_items(
        &self,
        run: i64,
        site: &str,
        list_key: &str,
        kind: FeedKind,
        items: &[ListedItem],
    ) -> Result<usize> {
        self.with(|c| {
            let tx = c.transaction()?;
            let mut fresh = 0;
            {
                let mut seen = tx.prepare_cached("SELECT run_id FROM listed WHERE url = ?1 AND list_key = ?2")?;
                let mut up = tx.prepare_cached(
                    "INSERT INTO listed (url, list_key, site, backfill, post_id, title, index_number, doc_number,
                        publisher, issued_date, published_date, validity, node, run_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (url, list_key) DO UPDATE SET post_id = ?5, title = ?6, index_number = ?7,
                        doc_number = ?8, publisher = ?9, issued_date = ?10, published_date = ?11, validity = ?12,
                        node = ?13, run_id = ?14",
                )?;
                for it in items {
                    let before: Option<Option<i64>> =
                        seen.query_row(params![it.url, list_key], |r| r.get(0)).optional()?;
                    if before != Some(Some(run)) {
                        fresh += 1;
                    }
                    up.execute(params![
                        it.url,
                        list_key,
                        site,
                        kind.is_backfill(),
                        it.post_id,
                        it.title,
                        it.index_number,
                        it.doc_number,
                        it.publisher,
                        it.issued_date,
                        it.published_date,
                        it.validity,
                        it.node,
                        run
                    ])?;
                }
            }
            tx.commit()?;
            Ok(fresh)
        })
    }

    /// Distinct items list `list_key` served in run `run`.
    pub fn list_served(&self, run: i64, list_key: &str) -> Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM listed WHERE list_key = ?1 AND run_id = ?2",
                params![list_key, run],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Note a list's walk: created when the list is discovered, updated per page.
    #[allow(clippy::too_many_arguments)]
    pub fn note_list(
        &self,
        run: i64,
        site: &str,
        list_key: &str,
        kind: FeedKind,
        column: &str,
        first_url: &str,
        page: Option<(u32, Option<u64>, &str)>,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                r#"INSERT INTO lists (list_key, site, kind, "column", first_url, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                   ON CONFLICT (list_key) DO NOTHING"#,
                params![list_key, site, kind.code(), column, first_url, run],
            )?;
            if let Some((pages, claimed, ended)) = page {
                c.execute(
                    // within a run the largest total any page claimed; a new
                    // run's claim replaces the last run's (a list that shrank)
                    // the kind is the way of asking that last answered (a
                    // Hanweb list asked by page may be served by record range)
                    "UPDATE lists SET pages = ?2,
                        claimed = CASE WHEN run_id IS ?5 THEN COALESCE(MAX(COALESCE(claimed, 0), ?3), claimed)
                                       ELSE COALESCE(?3, claimed) END,
                        ended = ?4, run_id = ?5, kind = ?6 WHERE list_key = ?1",
                    params![list_key, pages, claimed.map(|n| n as i64), ended, run, kind.code()],
                )?;
            }
            Ok(())
        })
    }

    /// The first page of the site's backfill feed, when its platform has one.
    pub fn backfill_feed(&self, site: &str) -> Result<Option<(String, String)>> {
        self.with(|c| {
            c.query_row(
                r#"SELECT first_url, "column" FROM lists WHERE site = ?1 AND kind = ?2 ORDER BY list_key LIMIT 1"#,
                params![site, FeedKind::GkmlptSearch.code()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }

    /// Every list of `site`, in catalogue-path order.
    pub fn list_reports(&self, site: &str) -> Result<Vec<ListReport>> {
        self.with(|c| {
            let mut st = c.prepare(
                r#"SELECT l."column", l.kind, l.claimed, l.pages, l.ended,
                     (SELECT COUNT(*) FROM listed x WHERE x.list_key = l.list_key AND x.run_id = l.run_id),
                     CASE WHEN l.kind = ?2 THEN (SELECT COUNT(*) FROM listed x WHERE x.list_key = l.list_key
                         AND x.run_id = l.run_id AND NOT EXISTS (SELECT 1 FROM listed y WHERE y.url = x.url
                         AND y.site = x.site AND y.backfill = 0)) ELSE 0 END
                   FROM lists l WHERE l.site = ?1 ORDER BY l.kind, l."column", l.list_key"#,
            )?;
            st.query_map(params![site, FeedKind::GkmlptSearch.code()], |r| {
                Ok(ListReport {
                    column: r.get(0)?,
                    kind: r.get(1)?,
                    claimed: r.get::<_, Option<i64>>(2)?.map(|n| n as u64),
                    pages: r.get::<_, i64>(3)? as u64,
                    ended: r.get(4)?,
                    served: r.get::<_, i64>(5)? as u64,
                    backfill_only: r.get::<_, i64>(6)? as u64,
                    category: String::new(),
                })
            })?
            .collect()
        })
    }

    /// What the catalogue listed for the detail page `url` (a list's listing
    /// before the backfill's), if anything.
    pub fn listing_of(&self, url: &str) -> Result<Option<ListedItem>> {
        self.with(|c| {
            c.query_row(
                "SELECT url, post_id, title, index_number, doc_number, publisher, issued_date, published_date,
                    validity, node FROM listed WHERE url = ?1 ORDER BY backfill, list_key LIMIT 1",
                [url],
                |r| {
                    Ok(ListedItem {
                        url: r.get(0)?,
                        post_id: r.get(1)?,
                        title: r.get(2)?,
                        index_number: r.get(3)?,
                        doc_number: r.get(4)?,
                        publisher: r.get(5)?,
                        issued_date: r.get(6)?,
                        published_date: r.get(7)?,
                        validity: r.get(8)?,
                        node: r.get(9)?,
                        other_urls: Vec::new(),
                    })
                },
            )
            .optional()
        })
    }
}

impl CrawlState {
    /// Record that a platform serves the post at `url` also at `alias` (gkmlpt's
    /// `post_url` beside its `url`): the alias is then never queued, and the
    /// item lists it among its URLs. The first URL an alias was given for keeps it.
    pub fn note_aliases(&self, site: &str, pairs: &[(String, String)]) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        self.with(|c| {
            let tx = c.transaction()?;
            {
                // a list's JSON is web input: an "other URL" that is itself a listed
                // post, or the canonical URL of other aliases, or a canonical that
                // is itself an alias, would hide a real item; such pairs are dropped
                let mut st = tx.prepare_cached(
                    "INSERT OR IGNORE INTO aliases (alias, url, site) SELECT ?1, ?2, ?3
                     WHERE NOT EXISTS (SELECT 1 FROM listed WHERE url = ?1)
                       AND NOT EXISTS (SELECT 1 FROM aliases WHERE url = ?1)
                       AND NOT EXISTS (SELECT 1 FROM aliases WHERE alias = ?2)",
                )?;
                for (alias, url) in pairs.iter().filter(|(a, u)| a != u) {
                    st.execute(params![alias, url, site])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The other URLs of the post at `url`, in order.
    pub fn aliases_of(&self, url: &str) -> Result<Vec<String>> {
        self.with(|c| {
            let mut st = c.prepare_cached("SELECT alias FROM aliases WHERE url = ?1 ORDER BY alias")?;
            st.query_map([url], |r| r.get(0))?.collect()
        })
    }

    /// The URL whose alias `url` is, if it is one.
    pub fn canonical_of(&self, url: &str) -> Result<Option<String>> {
        self.with(|c| c.query_row("SELECT url FROM aliases WHERE alias = ?1", [url], |r| r.get(0)).optional())
    }

    /// Listings whose detail page is not stored (and not refused or gone):
    /// each URL once, with its site and the column its URL row names.
    pub fn pending_listings(&self) -> Result<Vec<(ListedItem, String, String)>> {
        self.with(|c| {
            let mut st = c.prepare(
                r#"SELECT l.url, l.post_id, l.title, l.index_number, l.doc_number, l.publisher, l.issued_date,
                          l.published_date, l.validity, l.node, u.site, u."column"
                   FROM listed l JOIN urls u ON u.url = l.url
                   WHERE u.kind = 'item' AND u.status IN ('queued', 'fetching', 'failed')
                     AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.url = l.url)
                     AND l.list_key = (SELECT y.list_key FROM listed y WHERE y.url = l.url
                                       ORDER BY y.backfill, y.list_key LIMIT 1)
                   ORDER BY l.url"#,
            )?;
            st.query_map([], |r| {
                Ok((
                    ListedItem {
                        url: r.get(0)?,
                        post_id: r.get(1)?,
                        title: r.get(2)?,
                        index_number: r.get(3)?,
                        doc_number: r.get(4)?,
                        publisher: r.get(5)?,
                        issued_date: r.get(6)?,
                        published_date: r.get(7)?,
                        validity: r.get(8)?,
                        node: r.get(9)?,
                        other_urls: Vec::new(),
                    },
                    r.get(10)?,
                    r.get(11)?,
                ))
            })?
            .collect()
        })
    }
}

/// The item a listing stands for while its page is not fetched: the listing's
/// fields, the column of the list it came from, the category they give, no
/// body, `pending`.
pub fn pending_item(
    url: &url::Url,
    listed: &ListedItem,
    site: Option<&crate::SiteConfig>,
    site_name: String,
    column: String,
) -> ExtractedItem {
    let mut item = ExtractedItem {
        url: url.to_string(),
        urls: vec![url.to_string()],
        site: site_name,
        column,
        pending: true,
        ..Default::default()
    };
    fill_from_listing(&mut item, listed);
    item.category = crate::extract::category_of(site, url, &item.column, &item);
    item.content_hash = crate::extract::content_hash(&item);
    item
}

/// The fields where a detail page and its listing both have a value and the
/// values differ (whitespace and bracket styles aside).
pub fn compare(listed: &ListedItem, page: &ExtractedItem) -> Vec<Disagreement> {
    let pairs: [(&'static str, &str, &str); 6] = [
        ("title", &listed.title, &page.title),
        ("index_number", &listed.index_number, &page.index_number),
        ("doc_number", &listed.doc_number, &page.doc_number),
        ("publisher", &listed.publisher, &page.publisher),
        ("issued_date", &listed.issued_date, &page.issued_date),
        ("published_date", &listed.published_date, &page.published_date),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| !a.trim().is_empty() && !b.trim().is_empty() && norm(a) != norm(b))
        .map(|(field, a, b)| Disagreement { field, listed: a.to_owned(), page: b.to_owned() })
        .collect()
}

/// Fill what the page lacks from its listing (the page's own value wins).
pub fn fill_from_listing(item: &mut ExtractedItem, listed: &ListedItem) {
    let fields: [(&mut String, &String); 7] = [
        (&mut item.title, &listed.title),
        (&mut item.index_number, &listed.index_number),
        (&mut item.doc_number, &listed.doc_number),
        (&mut item.publisher, &listed.publisher),
        (&mut item.issued_date, &listed.issued_date),
        (&mut item.published_date, &listed.published_date),
        (&mut item.validity, &listed.validity),
    ];
    for (mine, theirs) in fields {
        if mine.trim().is_empty() && !theirs.trim().is_empty() {
            *mine = theirs.clone();
        }
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〔' | '［' | '【' | '(' | '（' => '[',
            '〕' | '］' | '】' | ')' | '）' => ']',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(url: &str) -> ListedItem {
        ListedItem {
            url: url.into(),
            post_id: "1".into(),
            title: "关于印发某办法的通知".into(),
            index_number: "IDX-1".into(),
            doc_number: "粤公规〔2020〕3号".into(),
            publisher: "广东省公安厅".into(),
            issued_date: "2020-05-01".into(),
            ..Default::default()
        }
    }

    /// Aliases come from a list's JSON, which is web input: none of them may
    /// hide a post that is listed in its own right, or chain.
    #[test]
    fn aliases_never_hide_a_listed_post_or_chain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let st = CrawlState::open(&dir.path().join("c.sqlite")).expect("state");
        let k = "http://a/gkmlpt/api/all/1?sid=1";
        st.list_items(1, "s", k, FeedKind::GkmlptList, &[listed("http://a/A.html"), listed("http://a/B.html")])
            .expect("list");
        let pair = |a: &str, u: &str| (a.to_owned(), u.to_owned());
        st.note_aliases(
            "s",
            &[
                pair("http://a/A-view.html", "http://a/A.html"),
                pair("http://a/B.html", "http://a/A.html"), // B is a post of its own
            ],
        )
        .expect("aliases");
        assert_eq!(st.canonical_of("http://a/A-view.html").expect("q").as_deref(), Some("http://a/A.html"));
        assert_eq!(st.canonical_of("http://a/B.html").expect("q"), None, "a listed post is nobody's alias");
        // A-view is an alias: it cannot be the canonical of another, and A cannot become an alias
        st.note_aliases(
            "s",
            &[pair("http://a/C.html", "http://a/A-view.html"), pair("http://a/A.html", "http://a/Z.html")],
        )
        .expect("aliases");
        assert_eq!(st.canonical_of("http://a/C.html").expect("q"), None, "no chains");
        assert_eq!(st.canonical_of("http://a/A.html").expect("q"), None, "a canonical stays one");
        assert_eq!(st.aliases_of("http://a/A.html").expect("q"), ["http://a/A-view.html"]);
    }

    #[test]
    fn a_list_counts_what_it_served_in_this_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let st = CrawlState::open(&dir.path().join("c.sqlite")).expect("state");
        let k = "http://a/gkmlpt/api/all/1?sid=1";
        let a = [listed("http://a/1.html"), listed("http://a/2.html")];
        assert_eq!(st.list_items(1, "s", k, FeedKind::GkmlptList, &a).expect("list"), 2);
        assert_eq!(st.list_items(1, "s", k, FeedKind::GkmlptList, &a[1..]).expect("list"), 0, "seen in this run");
        assert_eq!(st.list_served(1, k).expect("served"), 2);
        assert_eq!(st.list_items(2, "s", k, FeedKind::GkmlptList, &a[..1]).expect("list"), 1, "a new run");
        assert_eq!(st.list_served(2, k).expect("served"), 1);
        assert_eq!(st.listing_of("http://a/2.html").expect("listing").map(|l| l.index_number), Some("IDX-1".into()));
    }

    #[test]
    fn the_report_counts_items_only_the_backfill_reached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let st = CrawlState::open(&dir.path().join("c.sqlite")).expect("state");
        let (list, search) = ("http://a/gkmlpt/api/all/1?sid=1", "http://s/jsonp/site/1?callback=govsearch");
        st.note_list(1, "s", list, FeedKind::GkmlptList, "规范性文件", list, Some((1, Some(3), "empty")))
            .expect("note");
        st.note_list(1, "s", search, FeedKind::GkmlptSearch, "", search, Some((1, Some(3), "claimed-total")))
            .expect("note");
        st.list_items(1, "s", list, FeedKind::GkmlptList, &[listed("http://a/1.html"), listed("http://a/2.html")])
            .expect("list");
        let all = [listed("http://a/1.html"), listed("http://a/2.html"), listed("http://a/3.html")];
        st.list_items(1, "s", search, FeedKind::GkmlptSearch, &all).expect("list");
        let r = st.list_reports("s").expect("report");
        let got: Vec<_> = r.iter().map(|l| (l.kind.as_str(), l.claimed, l.served, l.backfill_only)).collect();
        assert_eq!(got, [("gkmlpt-list", Some(3), 2, 0), ("gkmlpt-search", Some(3), 3, 1)]);
        assert_eq!(st.backfill_feed("s").expect("feed").map(|f| f.0), Some(search.to_owned()));
    }

    #[test]
    fn a_new_run_replaces_the_claimed_total() {
        let dir = tempfile::tempdir().expect("tempdir");
        let st = CrawlState::open(&dir.path().join("c.sqlite")).expect("state");
        let list = "http://a/gkmlpt/api/all/1?sid=1";
        let note = |run, page, claimed| {
            st.note_list(run, "s", list, FeedKind::GkmlptList, "x", list, Some((page, claimed, "empty"))).expect("note")
        };
        let claimed = || st.list_reports("s").expect("report")[0].claimed;
        note(1, 1, Some(9));
        note(1, 2, Some(7));
        assert_eq!(claimed(), Some(9), "the largest claim of the run");
        note(2, 1, Some(5));
        assert_eq!(claimed(), Some(5), "the list shrank");
        note(2, 2, None);
        assert_eq!(claimed(), Some(5), "a page that claims nothing keeps the run's claim");
    }

    #[test]
    fn listing_and_page_are_compared_field_by_field() {
        let l = listed("http://a/1.html");
        let page = ExtractedItem {
            title: "关于印发某办法的通知".into(),
            doc_number: "粤公规[2020]3号".into(),
            publisher: "广东省公安厅办公室".into(),
            issued_date: String::new(),
            ..Default::default()
        };
        let d = compare(&l, &page);
        assert_eq!(
            d.iter().map(|d| d.field).collect::<Vec<_>>(),
            ["publisher"],
            "bracket styles agree, empty is no claim"
        );
        let mut filled = page.clone();
        fill_from_listing(&mut filled, &l);
        assert_eq!(filled.issued_date, "2020-05-01");
        assert_eq!(filled.index_number, "IDX-1");
        assert_eq!(filled.publisher, "广东省公安厅办公室", "the page's own value wins");
    }
}
