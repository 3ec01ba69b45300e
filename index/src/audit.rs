//! The coverage audit: what the Regulations require to be published that is
//! missing, stale or incomplete — item by item, sorted by severity.
//!
//! Rules are data (`data/audit-rules.toml`: the 15 kinds of article 20, how
//! each is recognised and how fresh it must be; `data/holidays.toml`: the
//! holiday calendar for counting working days). All checks are pure functions
//! over the catalogue's documents and an `as_of` date, so a report is
//! reproducible.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::{Error, Result};

const DEFAULT_RULES: &str = include_str!("../data/audit-rules.toml");
const DEFAULT_HOLIDAYS: &str = include_str!("../data/holidays.toml");

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
    pub url: String,
    pub title: String,
}

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

fn finding(sev: Severity, code: &str, message: String, d: &Document) -> Finding {
    Finding {
        severity: sev,
        code: code.into(),
        message,
        doc_id: d.id.clone(),
        url: d.url.clone(),
        title: d.title.clone(),
    }
}

fn is_normative(d: &Document) -> bool {
    matches!(d.category.as_str(), "规范性文件" | "行政规范性文件")
}

/// Run the audit over `docs` (all documents of the sites in scope) as of `as_of`.
pub fn audit(docs: &[Document], sites: &[String], as_of: &str, rules: &Rules, cal: &Calendar) -> Result<AuditReport> {
    let today = day_index(as_of).ok_or_else(|| Error::BadParam {
        param: "as_of",
        message: format!("{as_of:?} is not a date of the form YYYY-MM-DD"),
    })?;
    let docs: Vec<&Document> = docs.iter().filter(|d| sites.is_empty() || sites.contains(&d.site)).collect();
    let mut findings = Vec::new();

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

    // Interpretations and what they interpret.
    let interpretations: Vec<&Document> = docs.iter().copied().filter(|d| d.category == "政策解读").collect();
    let mut by_url: HashMap<&str, &Document> = HashMap::new();
    for d in &docs {
        for u in d.urls.iter().chain([&d.url]) {
            if !u.is_empty() {
                by_url.insert(u.as_str(), d);
            }
        }
        by_url.insert(d.id.as_str(), d);
    }
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
    let mut interpreted: HashSet<&str> = HashSet::new();
    for i in &interpretations {
        let mut policies: Vec<&Document> =
            i.related_links.iter().filter_map(|l| by_url.get(l.as_str()).copied()).collect();
        if policies.is_empty() {
            policies = docs
                .iter()
                .copied()
                .filter(|p| is_normative(p) && core(&p.title).chars().count() >= 6 && i.title.contains(&core(&p.title)))
                .collect();
        }
        if policies.is_empty() {
            findings.push(finding(
                Severity::Notice,
                "interpretation-without-policy",
                "政策解读未链接到所解读的文件".into(),
                i,
            ));
        }
        for p in policies {
            interpreted.insert(p.id.as_str());
            if let (Some(pd), Some(id)) = (day_index(&p.published_date), day_index(&i.published_date))
                && id - pd > INTERPRETATION_LATE_DAYS
            {
                findings.push(finding(
                    Severity::Warning,
                    "late-interpretation",
                    format!("解读晚于文件 {} 天发布（文件 {}，{}）", id - pd, p.published_date, p.title),
                    i,
                ));
            }
        }
    }
    // Policies also point at their interpretations.
    for p in &docs {
        if p.related_links.iter().any(|l| by_url.get(l.as_str()).is_some_and(|d| d.category == "政策解读")) {
            interpreted.insert(p.id.as_str());
        }
    }

    // 索引号 is unique per publisher (two publishers may number items alike).
    let mut index_numbers: HashMap<(&str, &str), Vec<&Document>> = HashMap::new();
    for d in &docs {
        if !d.index_number.trim().is_empty() {
            index_numbers.entry((d.publisher.trim(), d.index_number.trim())).or_default().push(d);
        }
        if is_normative(d) && !d.withdrawn && !interpreted.contains(d.id.as_str()) {
            findings.push(finding(
                Severity::Warning,
                "normative-without-interpretation",
                "规范性文件没有对应的政策解读".into(),
                d,
            ));
        }
        let mut missing = Vec::new();
        if d.published_date.trim().is_empty() {
            missing.push("发布日期");
        }
        if d.publisher.trim().is_empty() {
            missing.push("发布机构");
        }
        if d.index_number.trim().is_empty() && !d.url.is_empty() {
            missing.push("索引号");
        }
        if !missing.is_empty() {
            findings.push(finding(
                if missing.contains(&"发布日期") { Severity::Error } else { Severity::Notice },
                "missing-metadata",
                format!("缺少{}", missing.join("、")),
                d,
            ));
        }
        if let (Some(made), Some(published)) = (day_index(&d.issued_date), day_index(&d.published_date)) {
            let wd = cal.working_days_between(made, published);
            if wd > PUBLISH_WITHIN_WORKING_DAYS {
                findings.push(finding(
                    Severity::Warning,
                    "late-publication",
                    format!(
                        "成文 {} 后 {wd} 个工作日才发布（超过 {PUBLISH_WITHIN_WORKING_DAYS} 个工作日）",
                        d.issued_date
                    ),
                    d,
                ));
            }
        }
        if let Some(end) = day_index(&d.expiry_date) {
            if d.validity == "有效" && end < today {
                findings.push(finding(
                    Severity::Error,
                    "expired-but-valid",
                    format!("标注“有效”，但有效期已于 {} 届满", d.expiry_date),
                    d,
                ));
            } else if is_normative(d)
                && end >= today
                && end - today <= EXPIRY_WARNING_DAYS
                && !crate::catalogue::is_demoted(&d.validity)
            {
                findings.push(finding(
                    Severity::Warning,
                    "expiring-soon",
                    format!("有效期将于 {} 届满（{} 天后），请及时评估、修订或废止", d.expiry_date, end - today),
                    d,
                ));
            }
        }
        for a in &d.attachments {
            if !a.error.is_empty() {
                findings.push(finding(
                    Severity::Notice,
                    "unreadable-attachment",
                    format!("附件 {} 无法读取：{}", a.name, a.error),
                    d,
                ));
            }
        }
    }
    let mut dup: Vec<(&(&str, &str), &Vec<&Document>)> = index_numbers.iter().filter(|(_, v)| v.len() > 1).collect();
    dup.sort_by_key(|(k, _)| **k);
    for ((_, num), ds) in dup {
        for d in ds {
            findings.push(finding(
                Severity::Error,
                "duplicate-index-number",
                format!("索引号 {num} 被 {} 条不同信息共用", ds.len()),
                d,
            ));
        }
    }
    for k in &kinds {
        if k.status != "ok" {
            let sev = if k.status == "missing" { Severity::Error } else { Severity::Warning };
            findings.push(Finding {
                severity: sev,
                code: format!("{}-kind", k.status),
                message: if k.status == "missing" {
                    format!("第二十条第（{}）项“{}”：未找到任何信息", k.id, k.name)
                } else {
                    format!("第二十条第（{}）项“{}”：最新一条发布于 {}，已超过更新周期", k.id, k.name, k.latest)
                },
                doc_id: String::new(),
                url: String::new(),
                title: String::new(),
            });
        }
    }
    findings.sort_by(|a, b| {
        a.severity.cmp(&b.severity).then_with(|| a.code.cmp(&b.code)).then_with(|| a.doc_id.cmp(&b.doc_id))
    });
    Ok(AuditReport {
        as_of: as_of.into(),
        sites: sites.to_vec(),
        documents: docs.len(),
        kinds,
        findings,
        not_checked: vec![
            "items changed after publication: needs the crawler's change history (not yet kept)".into(),
            "broken links: needs the crawler's link report (not yet joined to the audit)".into(),
        ],
    })
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
    fn index_numbers_are_unique_per_publisher() {
        let a = d("a", "通知公告", "通知甲", "2025-01-01");
        let mut b = d("b", "通知公告", "通知乙", "2025-01-02");
        b.index_number = "IDX-a".into();
        b.publisher = "另一局".into();
        let mut c = d("c", "通知公告", "通知丙", "2025-01-03");
        c.index_number = "IDX-a".into();
        let r = audit(&[a, b, c], &[], "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar()).unwrap();
        let dups: Vec<&str> =
            r.findings.iter().filter(|f| f.code == "duplicate-index-number").map(|f| f.doc_id.as_str()).collect();
        assert_eq!(dups, ["a", "c"]);
    }

    #[test]
    fn abolished_documents_are_not_expiring_soon() {
        let mut docs = Vec::new();
        for (id, validity) in [("a", "有效"), ("b", "已废止"), ("c", "已失效"), ("d", "废止")] {
            let mut x = d(id, "规范性文件", "办法", "2023-01-01");
            x.validity = validity.into();
            x.expiry_date = "2025-06-01".into();
            docs.push(x);
        }
        let r = audit(&docs, &[], "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar()).unwrap();
        let soon: Vec<&str> =
            r.findings.iter().filter(|f| f.code == "expiring-soon").map(|f| f.doc_id.as_str()).collect();
        assert_eq!(soon, ["a"]);
    }

    #[test]
    fn built_in_rules_have_fifteen_kinds() {
        let r = Rules::default_rules();
        assert_eq!(r.kinds.len(), 15);
        assert_eq!(r.kinds.iter().map(|k| k.id).collect::<Vec<_>>(), (1..=15).collect::<Vec<_>>());
    }

    fn d(id: &str, cat: &str, title: &str, published: &str) -> Document {
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
        let r = audit(&docs, &[], "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar()).unwrap();
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
            audit(&docs, &[], "2025-4-1", &Rules::default_rules(), &Calendar::default())
                .unwrap_err()
                .to_string()
                .contains("as_of")
        );
    }
}
