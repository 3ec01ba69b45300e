//! The audit's checks: each a named function from the [`Context`] (the
//! documents in scope and what was worked out about them once) to its
//! findings, listed in [`CHECKS`], which the report runs in turn. A new check
//! is a function here and a line in the list.

mod coverage;
mod crawl;
mod interpretation;
mod metadata;
mod validity;

use std::collections::{HashMap, HashSet};

use super::{CrawlFacts, Finding, KindStatus, Severity};
use crate::document::Document;

/// What every check may read: the documents in scope and the facts derived
/// from them once for all checks.
pub(crate) struct Context<'a> {
    /// The documents of the sites in scope.
    pub(crate) docs: Vec<&'a Document>,
    /// The sites in scope (empty: all).
    pub(crate) sites: &'a [String],
    /// `as_of` as a day index.
    pub(crate) today: i64,
    pub(crate) calendar: &'a super::Calendar,
    /// Coverage of each kind of article 20 (also part of the report).
    pub(crate) kinds: Vec<KindStatus>,
    /// Every document by each of its URLs and by its id.
    pub(crate) by_url: HashMap<&'a str, &'a Document>,
    /// Each interpretation (政策解读) and the policies it interprets.
    pub(crate) interpretations: Vec<(&'a Document, Vec<&'a Document>)>,
    /// Ids of the documents that have an interpretation.
    pub(crate) interpreted: HashSet<&'a str>,
    /// What the crawler saw, if there is a crawl state.
    pub(crate) crawl: Option<&'a CrawlFacts>,
}

/// One check of the audit.
pub(crate) struct Check {
    /// The codes of the findings it makes.
    pub(crate) codes: &'static [&'static str],
    pub(crate) run: fn(&Context<'_>) -> Vec<Finding>,
}

/// Every check the audit runs, in order.
pub(crate) const CHECKS: &[Check] = &[
    Check { codes: &["missing-kind", "stale-kind"], run: coverage::kind_coverage },
    Check { codes: &["interpretation-without-policy"], run: interpretation::interpretation_without_policy },
    Check { codes: &["late-interpretation"], run: interpretation::late_interpretation },
    Check { codes: &["normative-without-interpretation"], run: interpretation::normative_without_interpretation },
    Check { codes: &["missing-metadata"], run: metadata::missing_metadata },
    Check { codes: &["late-publication"], run: metadata::late_publication },
    Check { codes: &["unreadable-attachment"], run: metadata::unreadable_attachment },
    Check { codes: &["duplicate-index-number"], run: metadata::duplicate_index_number },
    Check { codes: &["expired-but-valid"], run: validity::expired_but_valid },
    Check { codes: &["expiring-soon"], run: validity::expiring_soon },
    Check { codes: &[super::CHANGED_AFTER_PUBLICATION], run: crawl::changed_after_publication },
    Check { codes: &[super::BROKEN_LINK], run: crawl::broken_link },
];

/// A finding about document `d`.
pub(crate) fn finding(sev: Severity, code: &str, message: String, d: &Document) -> Finding {
    Finding {
        severity: sev,
        code: code.into(),
        message,
        doc_id: d.id.clone(),
        url: d.url.clone(),
        title: d.title.clone(),
        link_url: String::new(),
        dates: Vec::new(),
    }
}

/// A 规范性文件.
pub(crate) fn is_normative(d: &Document) -> bool {
    matches!(d.category.as_str(), "规范性文件" | "行政规范性文件")
}

#[cfg(test)]
pub(crate) mod test_support {
    #![allow(clippy::unwrap_used)]
    use super::super::{Calendar, CrawlFacts, Finding, Rules};
    use crate::document::Document;

    /// A document of site `s` with a publisher, an index number and a URL.
    pub(crate) fn d(id: &str, cat: &str, title: &str, published: &str) -> Document {
        Document {
            id: id.into(),
            category: cat.into(),
            title: title.into(),
            published_date: published.into(),
            publisher: "某局".into(),
            index_number: format!("IDX-{id}"),
            url: format!("http://x/{id}"),
            site: "s".into(),
            ..Default::default()
        }
    }

    /// Run one check over `docs` as of 2025-04-01; (code, doc id) of its findings.
    pub(crate) fn run(
        check: fn(&super::Context<'_>) -> Vec<Finding>,
        docs: &[Document],
        facts: Option<&CrawlFacts>,
    ) -> Vec<Finding> {
        let (rules, cal) = (Rules::default_rules(), Calendar::default_calendar());
        let ctx = super::super::context(docs, &[], "2025-04-01", &rules, &cal, facts).unwrap();
        check(&ctx)
    }

    pub(crate) fn ids(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings.iter().map(|f| (f.code.as_str(), f.doc_id.as_str())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_made_by_one_check() {
        let mut codes: Vec<&str> = CHECKS.iter().flat_map(|c| c.codes.iter().copied()).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert_eq!(n, 13);
    }
}
