//! What the stored pages say, read again without the network: every item
//! re-extracted (for a rebuild of the index) and the links on published pages
//! that are broken (for the audit). The storage itself is [`crate::state`];
//! the rules for a change and a broken link are [`crate::history`].

use url::Url;

use crate::config::Config;
use crate::error::Result;
use crate::extract::{ExtractedItem, Page};
use crate::history::{BrokenLink, broken_reason, link_targets};
use crate::state::CrawlState;
use crate::vocab::{FailureCode, UrlStatus};

impl CrawlState {
    /// Links on published pages to pages, lists or attachments that are not
    /// there, by linking page then URL (see [`crate::history`] for the rules).
    /// A link counts only while the stored copy of its page still contains it.
    pub fn broken_links(&self) -> Result<Vec<BrokenLink>> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            UrlStatus,
            Option<i64>,
            Option<FailureCode>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = self.with(|c| {
            let mut st = c.prepare(
                "SELECT u.url, u.kind, u.site, u.parent_url, p.kind, u.link_text, u.status, u.http_status, u.error_code,
                        u.last_seen, u.checked_at
                 FROM urls u JOIN urls p ON p.url = u.parent_url
                 WHERE u.status IN ('gone', 'withdrawn', 'failed') AND u.kind IN ('item', 'list', 'attachment')
                   AND p.status = 'done' AND p.kind IN ('item', 'list')
                 ORDER BY u.parent_url, u.url",
            )?;
            st.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })?
            .collect()
        })?;
        let mut out = Vec::new();
        // the links of the current parent page, parsed once per parent
        let mut parent_links: Option<(String, std::collections::HashSet<String>)> = None;
        for (url, kind, site, parent_url, parent_kind, link_text, status, http, error_code, last_seen, checked_at) in
            rows
        {
            let http_status = http.and_then(|h| u16::try_from(h).ok());
            let Some(reason) = broken_reason(status, http_status, error_code) else { continue };
            if parent_links.as_ref().is_none_or(|(p, _)| *p != parent_url) {
                let links = match (Url::parse(&parent_url), self.page(&parent_url)?) {
                    (Ok(base), Some(page)) => {
                        let html = crate::charset::decode(&page.bytes, page.content_type.as_deref()).text;
                        link_targets(&Page::parse(&base, &html).links())
                    }
                    _ => Default::default(),
                };
                parent_links = Some((parent_url.clone(), links));
            }
            if !parent_links.as_ref().is_some_and(|(_, links)| links.contains(&url)) {
                continue; // the page no longer links it
            }
            out.push(BrokenLink {
                url,
                kind,
                site,
                parent_url,
                parent_kind,
                link_text,
                status,
                http_status,
                reason,
                worked_before: last_seen.is_some(),
                last_seen,
                checked_at,
            });
        }
        Ok(out)
    }

    /// Re-run extraction over every stored item page (no network).
    ///
    /// - `site`, `column` and `category` come from the URL row (the list page
    ///   that linked the item) and the site's `columns` map;
    /// - attachments' `text`/`error` are joined from stored attachment rows;
    /// - `withdrawn` is true for items whose URL is `withdrawn` (their last
    ///   stored page is still extracted);
    /// - a page's listing in a platform catalogue fills what the page lacks;
    /// - items a catalogue listed whose page is not fetched yet (a
    ///   catalogue-only crawl, a fetch that failed) follow, built from their
    ///   listing and marked `pending`;
    /// - one item per stored page, in URL order: the crawler does not merge
    ///   the pages of one published item (the same page under two columns or
    ///   sites); `govsearch_index::identity` does, after conversion to documents.
    ///   The one exception is what the platform itself says: a URL its list
    ///   gave as another view of a post (gkmlpt's `post_url`) is listed in the
    ///   post's `urls` and, if it was fetched before the list said so, is no
    ///   item of its own.
    pub fn extract_items(&self, config: &Config) -> Result<Vec<ExtractedItem>> {
        // URLs first, then one page at a time: the raw pages never sit in memory together
        let rows: Vec<(String, String, UrlStatus, String)> = self.with(|c| {
            let mut st = c.prepare(
                "SELECT u.url, u.site, u.status, u.\"column\" FROM urls u WHERE u.kind = 'item'
                 AND EXISTS (SELECT 1 FROM pages p WHERE p.url = u.url) ORDER BY u.url",
            )?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect()
        })?;
        let mut items: Vec<ExtractedItem> = Vec::new();
        for (url, site_name, status, column) in rows {
            let Ok(parsed) = Url::parse(&url) else { continue };
            // another view of a post whose own page is stored: one item, under that page
            if let Some(canonical) = self.canonical_of(&url)?
                && self.canonical_of(&canonical)?.is_none()
                && self.page(&canonical)?.is_some()
            {
                continue;
            }
            let Some(page) = self.page(&url)? else { continue };
            let (ctype, bytes) = (page.content_type, page.bytes);
            let site = config.sites.iter().find(|s| s.name == site_name);
            let html = crate::charset::decode(&bytes, ctype.as_deref()).text;
            let mut item = Page::parse(&parsed, &html).item(site);
            item.site = site_name.clone();
            if !column.is_empty() {
                item.column = column.clone();
            }
            if let Some(listed) = self.listing_of(&url)? {
                crate::listing::fill_from_listing(&mut item, &listed);
            }
            item.category = crate::extract::category_of(site, &parsed, &item.column, &item);
            item.withdrawn = status == UrlStatus::Withdrawn;
            for a in &mut item.attachments {
                match self.attachment(&a.url)? {
                    Some((text, error)) => {
                        a.text = text;
                        a.error = error;
                    }
                    None => a.error = "not fetched".into(),
                }
            }
            self.add_aliases(&mut item)?;
            items.push(item);
        }
        for (listed, site_name, column) in self.pending_listings()? {
            let Ok(parsed) = Url::parse(&listed.url) else { continue };
            let site = config.sites.iter().find(|s| s.name == site_name);
            let mut item = crate::listing::pending_item(&parsed, &listed, site, site_name, column);
            self.add_aliases(&mut item)?;
            items.push(item);
        }
        Ok(items)
    }

    /// The other URLs the platform gave for the item's post join its `urls`.
    fn add_aliases(&self, item: &mut ExtractedItem) -> Result<()> {
        for a in self.aliases_of(&item.url)? {
            if !item.urls.contains(&a) {
                item.urls.push(a);
            }
        }
        Ok(())
    }
}
