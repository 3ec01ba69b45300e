//! The coverage audit: what the Regulations require to be published that is
//! missing, stale or incomplete — item by item, sorted by severity.
//!
//! Rules are data (`data/audit-rules.toml`: the 15 kinds of article 20, how
//! each is recognised and how fresh it must be; `data/holidays.toml`: the
//! holiday calendar for counting working days). All checks are pure functions
//! over the catalogue's documents, an `as_of` date and, for the two checks
//! that need what the crawler saw, [`CrawlFacts`] (plain data: this crate does
//! not depend on the crawler), so a report is reproducible.
//!
//! The report runs a list of checks (`checks::CHECKS`), each a named function
//! of one `Context` worked out once: the documents in scope, the coverage of
//! each kind, documents by URL, policies and their interpretations.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::{Error, Result};

mod checks;

use checks::{CHECKS, Context};

const DEFAULT_RULES: &str = include_str!("../../data/audit-rules.toml");
const DEFAULT_HOLIDAYS: &str = include_str!("../../data/holidays.toml");

/// Working days within which an item must be published after it is made (article 26).
pub const PUBLISH_WITHIN_WORKING_DAYS: i64 = 20;
/// Days before the end of validity when a normative document gets a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 90;
/// Days after its policy beyond which an interpretation counts as late.
pub const INTERPRETATION_LATE_DAYS: i64 = 30;

/// One kind of article 20.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub title_keywords: Vec<String>,
    /// 0: published when something happens (never "stale").
    #[serde(default)]
    pub max_age_days: i64,
}

/// The rule set (the 15 kinds).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(rename = "kind")]
    pub kinds: Vec<KindRule>,
}

impl Rules {
    /// The built-in rules of article 20.
    pub fn default_rules() -> Rules {
        Self::parse(DEFAULT_RULES, "built-in audit rules").unwrap_or(Rules { kinds: Vec::new() })
    }

    /// Parse rules text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Rules> {
        toml::from_str(text).map_err(|e| Error::BadParam { param: "rules", message: format!("{origin}: {e}") })
    }

    fn matches(k: &KindRule, d: &Document) -> bool {
        k.categories.iter().any(|c| c == &d.category)
            || k.columns
                .iter()
                .any(|c| d.column.contains(c.as_str()) || d.urls.iter().chain([&d.url]).any(|u| u.contains(c.as_str())))
            || k.title_keywords.iter().any(|w| d.title.contains(w.as_str()))
    }
}

/// Holidays and make-up working days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: HashSet<i64>,
    workdays: HashSet<i64>,
}

#[derive(Deserialize)]
struct YearDays {
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

impl Calendar {
    /// The built-in calendar.
    pub fn default_calendar() -> Calendar {
        Self::parse(DEFAULT_HOLIDAYS).unwrap_or_default()
    }

    /// Parse a holidays file (see `data/holidays.toml`).
    pub fn parse(text: &str) -> Result<Calendar> {
        let years: BTreeMap<String, YearDays> =
            toml::from_str(text).map_err(|e| Error::BadParam { param: "holidays", message: e.to_string() })?;
        let mut c = Calendar::default();
        for y in years.values() {
            c.holidays.extend(y.holidays.iter().filter_map(|d| day_index(d)));
            c.workdays.extend(y.workdays.iter().filter_map(|d| day_index(d)));
        }
        Ok(c)
    }

    /// Is this day (days since 1970-01-01) a working day?
    pub fn is_working_day(&self, day: i64) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        // 1970-01-01 was a Thursday: weekday 0 = Monday.
        let weekday = (day + 3).rem_euclid(7);
        weekday < 5
    }

    /// Working days after `from` up to and including `to`.
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        // Bounded: a span of decades is still only ~10^4 iterations.
        (from + 1..=to.min(from + 40_000)).filter(|d| self.is_working_day(*d)).count() as i64
    }
}

pub use crate::dates::day_index;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

/// One thing to act on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Stable code, e.g. `missing-kind`, `late-publication`.
    pub code: String,
    pub message: String,
    pub doc_id: String,
    /// The page concerned (for `broken-link`: the page that carries the link).
    pub url: String,
    pub title: String,
    /// `broken-link`: the dead link's target; "" otherwise.
    pub link_url: String,
    /// `changed-after-publication`: the dates the changes were seen; empty otherwise.
    pub dates: Vec<String>,
}

/// What the crawler saw, as plain data for the two checks that need it:
/// pages changed after publication and broken links. The root package reads it
/// from the crawl state; an imported-only catalogue has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrawlFacts {
    /// Finished crawl runs: changes are seen from the second crawl on.
    pub crawls: u64,
    pub revisions: Vec<RevisionFact>,
    pub broken_links: Vec<BrokenLinkFact>,
}

/// A recrawl found an item page whose extracted text had changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RevisionFact {
    /// The page URL (one of a document's `urls`).
    pub url: String,
    /// `YYYY-MM-DD` of the crawl that first saw the new version.
    pub changed_on: String,
    /// `YYYY-MM-DD` the previous version was last seen ("" if unknown): the change is after it.
    pub previous_seen_on: String,
    /// What changed: title, doc_number, index_number, publisher, published_date, validity, body.
    pub fields: Vec<String>,
    pub old_title: String,
    pub new_title: String,
    pub old_published_date: String,
    pub new_published_date: String,
}

/// A link on a published page whose target is not there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokenLinkFact {
    /// The dead link's target.
    pub url: String,
    /// The page that carries the link.
    pub page_url: String,
    pub site: String,
    /// `item`, `list` or `attachment`.
    pub kind: String,
    pub link_text: String,
    pub http_status: Option<u16>,
    /// `http 404`, `redirect loop`, …
    pub reason: String,
    /// The target worked on an earlier visit (taken down while still linked).
    pub worked_before: bool,
    /// `YYYY-MM-DD` of the failing visit ("" if unknown).
    pub checked_on: String,
}

/// Codes of the two checks that need [`CrawlFacts`].
pub const CHANGED_AFTER_PUBLICATION: &str = "changed-after-publication";
pub const BROKEN_LINK: &str = "broken-link";

/// Coverage status of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindStatus {
    pub id: u32,
    pub name: String,
    pub count: usize,
    pub latest: String,
    /// ok, stale or missing.
    pub status: String,
    /// Up to 20 ids of the documents recognised as this kind.
    pub evidence: Vec<String>,
}

/// The audit report.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub as_of: String,
    pub sites: Vec<String>,
    pub documents: usize,
    pub kinds: Vec<KindStatus>,
    pub findings: Vec<Finding>,
    /// Checks this audit could not make, and why.
    pub not_checked: Vec<String>,
}

/// An audit as asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only these sites/channels (empty: all); each must be in the catalogue.
    pub sites: Vec<String>,
    /// The date the audit is made for, `YYYY-MM-DD` (absent or blank: today).
    pub as_of: Option<String>,
}

/// Answer `query` over the catalogue's documents with the built-in rules and
/// calendar; `today` (`YYYY-MM-DD`) is the caller's clock, the default
/// `as_of`. `crawl` is what the crawler saw, when there is a crawl state.
/// Errors name the parameter and its value.
pub fn answer(docs: &[Document], query: &AuditQuery, today: &str, crawl: Option<&CrawlFacts>) -> Result<AuditReport> {
    crate::report::check_sites(&query.sites, docs)?;
    if docs.is_empty() {
        return Err(Error::BadParam { param: "site", message: "the catalogue is empty: crawl or import first".into() });
    }
    let as_of = query.as_of.as_deref().filter(|a| !a.trim().is_empty()).unwrap_or(today);
    audit(docs, &query.sites, as_of, &Rules::default_rules(), &Calendar::default_calendar(), crawl)
}

/// Run the audit over `docs` (all documents of the sites in scope) as of `as_of`.
///
/// `crawl` is what the crawler saw; without it (a catalogue with no crawl
/// state) "changed after publication" and "broken links" are listed in
/// `not_checked` with the reason.
pub fn audit(
    docs: &[Document],
    sites: &[String],
    as_of: &str,
    rules: &Rules,
    cal: &Calendar,
    crawl: Option<&CrawlFacts>,
) -> Result<AuditReport> {
    let ctx = context(docs, sites, as_of, rules, cal, crawl)?;
    let mut findings = Vec::new();
    for check in CHECKS {
        let found = (check.run)(&ctx);
        debug_assert!(
            found.iter().all(|f| check.codes.contains(&f.code.as_str())),
            "a check made a code it does not list"
        );
        findings.extend(found);
    }
    let mut not_checked = Vec::new();
    match crawl {
        None => {
            let why = "the catalogue has no crawl state (imported documents only, or no data folder given), so";
            not_checked.push(format!("items changed after publication: {why} no page was ever revisited"));
            not_checked.push(format!("broken links: {why} no link was followed"));
        }
        Some(facts) => {
            if facts.crawls < 2 {
                not_checked.push(format!(
                    "items changed after publication: {} crawl(s) finished so far; changes are seen from the second crawl on",
                    facts.crawls
                ));
            }
            let offline = ctx.docs.iter().filter(|d| d.url.is_empty()).count();
            if offline > 0 {
                not_checked.push(format!(
                    "items changed after publication and broken links: {offline} imported document(s) without a web page are not covered by the crawl"
                ));
            }
        }
    }
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then_with(|| a.url.cmp(&b.url))
            .then_with(|| a.link_url.cmp(&b.link_url))
    });
    let documents = ctx.docs.len();
    Ok(AuditReport { as_of: as_of.into(), sites: sites.to_vec(), documents, kinds: ctx.kinds, findings, not_checked })
}

/// What the checks read: the documents of `sites`, each kind's coverage, the
/// documents by URL and the links between policies and interpretations.
fn context<'a>(
    docs: &'a [Document],
    sites: &'a [String],
    as_of: &str,
    rules: &Rules,
    calendar: &'a Calendar,
    crawl: Option<&'a CrawlFacts>,
) -> Result<Context<'a>> {
    let today = day_index(as_of).ok_or_else(|| Error::BadParam {
        param: "as_of",
        message: format!("{as_of:?} is not a date of the form YYYY-MM-DD"),
    })?;
    let docs: Vec<&Document> = docs.iter().filter(|d| sites.is_empty() || sites.contains(&d.site)).collect();

    // Coverage per kind.
    let mut kinds = Vec::new();
    for k in &rules.kinds {
        let mut matched: Vec<&Document> =
            docs.iter().copied().filter(|d| !d.withdrawn && Rules::matches(k, d)).collect();
        matched.sort_by(|a, b| b.published_date.cmp(&a.published_date));
        let latest =
            matched.iter().map(|d| d.published_date.clone()).find(|p| day_index(p).is_some()).unwrap_or_default();
        let status = if matched.is_empty() {
            "missing"
        } else if k.max_age_days > 0 && day_index(&latest).is_none_or(|l| today - l > k.max_age_days) {
            "stale"
        } else {
            "ok"
        };
        kinds.push(KindStatus {
            id: k.id,
            name: k.name.clone(),
            count: matched.len(),
            latest,
            status: status.into(),
            evidence: matched.iter().take(20).map(|d| d.id.clone()).collect(),
        });
    }

    let mut by_url: HashMap<&str, &Document> = HashMap::new();
    for d in &docs {
        for u in d.urls.iter().chain([&d.url]) {
            if !u.is_empty() {
                by_url.insert(u.as_str(), d);
            }
        }
        by_url.insert(d.id.as_str(), d);
    }

    // Interpretations and what they interpret: the policies they link to,
    // else those whose title (less 关于…的通知) they quote.
    let core = |title: &str| -> String {
        title
            .trim_start_matches("关于")
            .trim_end_matches("的通知")
            .trim_end_matches("的通告")
            .trim_end_matches("的意见")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let mut interpretations = Vec::new();
    let mut interpreted: HashSet<&str> = HashSet::new();
    for i in docs.iter().copied().filter(|d| d.category == "政策解读") {
        let mut policies: Vec<&Document> =
            i.related_links.iter().filter_map(|l| by_url.get(l.as_str()).copied()).collect();
        if policies.is_empty() {
            policies = docs
                .iter()
                .copied()
                .filter(|p| {
                    checks::is_normative(p) && core(&p.title).chars().count() >= 6 && i.title.contains(&core(&p.title))
                })
                .collect();
        }
        interpreted.extend(policies.iter().map(|p| p.id.as_str()));
        interpretations.push((i, policies));
    }
    // Policies also point at their interpretations.
    for p in &docs {
        if p.related_links.iter().any(|l| by_url.get(l.as_str()).is_some_and(|d| d.category == "政策解读")) {
            interpreted.insert(p.id.as_str());
        }
    }
    Ok(Context { docs, sites, today, calendar, kinds, by_url, interpretations, interpreted, crawl })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn calendar_counts_working_days() {
        let c = Calendar::default_calendar();
        assert_eq!(day_index("1970-01-01"), Some(0));
        assert_eq!(day_index("2024-02-29"), Some(19_782));
        // 2024-09-30 (Mon) → 2024-10-14 (Mon): Oct 1–7 are holidays, Oct 12 (Sat) is a make-up workday.
        let (a, b) = (day_index("2024-09-30").unwrap(), day_index("2024-10-14").unwrap());
        assert_eq!(c.working_days_between(a, b), 1 /*Oct 8*/ + 1 + 1 + 1 /*9,10,11*/ + 1 /*12*/ + 1 /*14*/);
        assert!(c.is_working_day(day_index("2025-01-26").unwrap()), "Sunday make-up day");
        assert!(!c.is_working_day(day_index("2025-01-29").unwrap()), "Spring Festival");
    }

    #[test]
    fn built_in_rules_have_fifteen_kinds() {
        let r = Rules::default_rules();
        assert_eq!(r.kinds.len(), 15);
        assert_eq!(r.kinds.iter().map(|k| k.id).collect::<Vec<_>>(), (1..=15).collect::<Vec<_>>());
    }

    use super::checks::test_support::d;

    fn rev(url: &str, on: &str, fields: &[&str], old_pub: &str, new_pub: &str) -> RevisionFact {
        RevisionFact {
            url: url.into(),
            changed_on: on.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            old_title: "通知".into(),
            new_title: "通知".into(),
            old_published_date: old_pub.into(),
            new_published_date: new_pub.into(),
            ..Default::default()
        }
    }

    fn run(docs: &[Document], sites: &[String], facts: Option<&CrawlFacts>) -> AuditReport {
        audit(docs, sites, "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar(), facts).unwrap()
    }

    fn of_code<'a>(r: &'a AuditReport, code: &str) -> Vec<&'a Finding> {
        r.findings.iter().filter(|f| f.code == code).collect()
    }

    #[test]
    fn changes_after_publication_one_finding_per_document() {
        let a = d("a", "通知公告", "通知", "2025-01-10");
        let b = d("b", "通知公告", "通知", "2025-02-10");
        let c = d("c", "通知公告", "通知", "2025-03-01");
        let mut mirrored = d("m", "通知公告", "通知", "2025-01-05");
        mirrored.urls = vec!["http://x/m".into(), "http://y/m-copy".into()];
        let mut retitled = rev("http://x/a", "2025-03-01", &["title", "body"], "2025-01-10", "2025-01-10");
        retitled.new_title = "通知（修订）".into();
        let facts = CrawlFacts {
            crawls: 3,
            revisions: vec![
                rev("http://x/a", "2025-02-03", &["body"], "2025-01-10", "2025-01-10"),
                retitled,
                // seen after as_of: not yet
                rev("http://x/a", "2025-05-01", &["body"], "2025-01-10", "2025-01-10"),
                // the page states its new date
                rev("http://x/b", "2025-02-11", &["published_date", "body"], "2025-02-01", "2025-02-10"),
                // the day it was published: not after publication
                rev("http://x/c", "2025-03-01", &["body"], "2025-03-01", "2025-03-01"),
                // found under the document's second URL, and the same edit under its first
                rev("http://y/m-copy", "2025-03-20", &["validity"], "2025-01-05", "2025-01-05"),
                RevisionFact {
                    previous_seen_on: "2025-03-10".into(),
                    ..rev("http://x/m", "2025-03-20", &["validity"], "2025-01-05", "2025-01-05")
                },
                // no such document
                rev("http://x/elsewhere", "2025-03-01", &["body"], "2025-01-01", "2025-01-01"),
            ],
            broken_links: Vec::new(),
        };
        let r = run(&[a, b, c, mirrored], &[], Some(&facts));
        let got: Vec<(Severity, &str, &str, Vec<&str>, &str)> = of_code(&r, CHANGED_AFTER_PUBLICATION)
            .into_iter()
            .map(|f| {
                (
                    f.severity,
                    f.doc_id.as_str(),
                    f.url.as_str(),
                    f.dates.iter().map(String::as_str).collect(),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Severity::Warning,
                    "a",
                    "http://x/a",
                    vec!["2025-02-03", "2025-03-01"],
                    "发布（2025-01-10）后页面内容被修改 2 次，页面未注明更新，请核实：2025-02-03（正文）；2025-03-01（标题、正文；原标题“通知”）"
                ),
                (
                    Severity::Warning,
                    "m",
                    "http://x/m",
                    vec!["2025-03-20"],
                    "发布（2025-01-05）后页面内容被修改 1 次，页面未注明更新，请核实：2025-03-20（有效性；2025-03-10 时尚未修改）"
                ),
                (
                    Severity::Notice,
                    "b",
                    "http://x/b",
                    vec!["2025-02-11"],
                    "发布后页面内容被修改 1 次，页面已注明新的发布日期：2025-02-11（发布日期、正文；发布日期 2025-02-01 → 2025-02-10）"
                ),
            ]
        );
        assert_eq!(r.not_checked, Vec::<String>::new());
    }

    #[test]
    fn broken_links_on_documents_and_list_pages() {
        let a = d("a", "通知公告", "通知甲", "2025-01-10");
        let link = |url: &str, page: &str, site: &str, kind: &str, worked: bool| BrokenLinkFact {
            url: url.into(),
            page_url: page.into(),
            site: site.into(),
            kind: kind.into(),
            link_text: "实施细则".into(),
            http_status: Some(404),
            reason: "http 404".into(),
            worked_before: worked,
            checked_on: "2025-03-30".into(),
        };
        let facts = CrawlFacts {
            crawls: 2,
            revisions: Vec::new(),
            broken_links: vec![
                link("http://x/files/1.pdf", "http://x/a", "s", "attachment", false),
                link("http://x/t2.html", "http://x/list.html", "s", "item", true),
                link("http://o/t3.html", "http://o/list.html", "other", "item", false),
            ],
        };
        let r = run(std::slice::from_ref(&a), &["s".to_owned()], Some(&facts));
        let got: Vec<(Severity, &str, &str, &str, &str, &str)> = of_code(&r, BROKEN_LINK)
            .into_iter()
            .map(|f| {
                (
                    f.severity,
                    f.doc_id.as_str(),
                    f.title.as_str(),
                    f.url.as_str(),
                    f.link_url.as_str(),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Severity::Warning,
                    "",
                    "",
                    "http://x/list.html",
                    "http://x/t2.html",
                    "链接的页面“实施细则”已失效（http 404，2025-03-30 检查）：此前可以访问，已被删除或移走，但链接仍在"
                ),
                (
                    Severity::Warning,
                    "a",
                    "通知甲",
                    "http://x/a",
                    "http://x/files/1.pdf",
                    "链接的附件“实施细则”无法访问（http 404，2025-03-30 检查）：从未能打开"
                ),
            ],
            "the other site's link is outside the audit"
        );
        // all sites: three
        assert_eq!(of_code(&run(&[a], &[], Some(&facts)), BROKEN_LINK).len(), 3);
    }

    #[test]
    fn without_crawl_facts_the_two_checks_say_why() {
        let a = d("a", "通知公告", "通知甲", "2025-01-10");
        let mut imported = d("i", "通知公告", "通知乙", "2025-01-11");
        imported.url = String::new();
        let r = run(std::slice::from_ref(&a), &[], None);
        assert_eq!(r.not_checked.len(), 2);
        assert!(r.not_checked[0].starts_with("items changed after publication: the catalogue has no crawl state"));
        assert!(r.not_checked[1].starts_with("broken links: the catalogue has no crawl state"));
        assert!(of_code(&r, CHANGED_AFTER_PUBLICATION).is_empty() && of_code(&r, BROKEN_LINK).is_empty());
        let one_crawl = CrawlFacts { crawls: 1, ..Default::default() };
        assert_eq!(
            run(&[a, imported], &[], Some(&one_crawl)).not_checked,
            [
                "items changed after publication: 1 crawl(s) finished so far; changes are seen from the second crawl on",
                "items changed after publication and broken links: 1 imported document(s) without a web page are not covered by the crawl",
            ]
        );
    }

    #[test]
    fn findings_item_by_item() {
        let mut policy = d("p", "规范性文件", "关于加强电动自行车管理的通知", "2025-01-10");
        policy.issued_date = "2024-11-01".into();
        let lonely = d("q", "规范性文件", "某某市城市道路管理办法", "2025-02-01");
        let mut interp = d("i", "政策解读", "《关于加强电动自行车管理的通知》政策解读", "2025-03-20");
        interp.related_links = vec!["http://x/p".into()];
        let mut expired = d("e", "规范性文件", "旧办法", "2020-01-01");
        expired.validity = "有效".into();
        expired.expiry_date = "2025-01-01".into();
        let mut soon = d("s", "规范性文件", "将到期办法", "2023-01-01");
        soon.validity = "有效".into();
        soon.expiry_date = "2025-06-01".into();
        let mut nodate = d("n", "通知公告", "通知", "");
        nodate.index_number = "IDX-p".into();
        let docs = [policy, lonely, interp, expired, soon, nodate];
        let r = audit(&docs, &[], "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar(), None).unwrap();
        let has = |code: &str, id: &str| r.findings.iter().any(|f| f.code == code && f.doc_id == id);
        assert!(has("normative-without-interpretation", "q"));
        assert!(!has("normative-without-interpretation", "p"), "interpreted through its link");
        assert!(has("late-interpretation", "i"));
        assert!(has("late-publication", "p"));
        assert!(has("expired-but-valid", "e"));
        assert!(has("expiring-soon", "s"));
        assert!(has("missing-metadata", "n"));
        assert!(has("duplicate-index-number", "n") && has("duplicate-index-number", "p"));
        assert!(r.findings.iter().any(|f| f.code == "missing-kind" && f.message.contains("公务员招考")));
        assert_eq!(r.kinds[0].status, "ok");
        // Sorted by severity.
        assert!(r.findings.windows(2).all(|w| w[0].severity <= w[1].severity));
        assert!(
            audit(&docs, &[], "2025-4-1", &Rules::default_rules(), &Calendar::default(), None)
                .unwrap_err()
                .to_string()
                .contains("as_of")
        );
    }
}
