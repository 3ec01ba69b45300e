//! Each item's own record: the metadata every item must carry, a unique
//! 索引号, readable attachments, and publication within the legal time.

use std::collections::HashMap;

use super::{Context, Finding, Severity, finding};
use crate::audit::PUBLISH_WITHIN_WORKING_DAYS;
use crate::dates::day_index;
use crate::document::Document;

/// `missing-metadata`: no 发布日期 (an error), no 发布机构 or, for a web
/// page, no 索引号 (a notice).
pub(crate) fn missing_metadata(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &ctx.docs {
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
            out.push(finding(
                if missing.contains(&"发布日期") { Severity::Error } else { Severity::Notice },
                "missing-metadata",
                format!("缺少{}", missing.join("、")),
                d,
            ));
        }
    }
    out
}

/// `late-publication`: published more than [`PUBLISH_WITHIN_WORKING_DAYS`]
/// working days after it was made (article 26).
pub(crate) fn late_publication(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &ctx.docs {
        if let (Some(made), Some(published)) = (day_index(&d.issued_date), day_index(&d.published_date)) {
            let wd = ctx.calendar.working_days_between(made, published);
            if wd > PUBLISH_WITHIN_WORKING_DAYS {
                out.push(finding(
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
    }
    out
}

/// `unreadable-attachment`: one notice per attachment whose text could not be read.
pub(crate) fn unreadable_attachment(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &ctx.docs {
        for a in d.attachments.iter().filter(|a| !a.error.is_empty()) {
            out.push(finding(
                Severity::Notice,
                "unreadable-attachment",
                format!("附件 {} 无法读取：{}", a.name, a.error),
                d,
            ));
        }
    }
    out
}

/// `duplicate-index-number`: an error on each item sharing its 索引号 with
/// another of the same publisher (two publishers may number items alike).
pub(crate) fn duplicate_index_number(ctx: &Context<'_>) -> Vec<Finding> {
    let mut index_numbers: HashMap<(&str, &str), Vec<&Document>> = HashMap::new();
    for d in &ctx.docs {
        if !d.index_number.trim().is_empty() {
            index_numbers.entry((d.publisher.trim(), d.index_number.trim())).or_default().push(d);
        }
    }
    let mut dup: Vec<(&(&str, &str), &Vec<&Document>)> = index_numbers.iter().filter(|(_, v)| v.len() > 1).collect();
    dup.sort_by_key(|(k, _)| **k);
    let mut out = Vec::new();
    for ((_, num), ds) in dup {
        for d in ds {
            out.push(finding(
                Severity::Error,
                "duplicate-index-number",
                format!("索引号 {num} 被 {} 条不同信息共用", ds.len()),
                d,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, ids, run};
    use super::*;

    #[test]
    fn missing_metadata_is_an_error_without_a_date() {
        let nodate = d("n", "通知公告", "通知", "");
        let mut nopub = d("p", "通知公告", "通知", "2025-01-01");
        nopub.publisher = " ".into();
        nopub.index_number = String::new();
        let mut imported = d("i", "通知公告", "通知", "2025-01-01");
        imported.url = String::new();
        imported.index_number = String::new();
        let f = run(missing_metadata, &[nodate, nopub, imported], None);
        let got: Vec<(Severity, &str, &str)> =
            f.iter().map(|f| (f.severity, f.doc_id.as_str(), f.message.as_str())).collect();
        assert_eq!(got, [(Severity::Error, "n", "缺少发布日期"), (Severity::Notice, "p", "缺少发布机构、索引号")]);
    }

    #[test]
    fn late_publication_counts_working_days() {
        let mut late = d("l", "通知公告", "通知", "2025-01-10");
        late.issued_date = "2024-11-01".into();
        let mut on_time = d("o", "通知公告", "通知", "2024-10-14");
        on_time.issued_date = "2024-09-30".into(); // 6 working days over the National Day holiday
        let f = run(late_publication, &[late, on_time], None);
        assert_eq!(ids(&f), [("late-publication", "l")]);
        assert!(f[0].message.starts_with("成文 2024-11-01 后 4"), "{}", f[0].message);
    }

    #[test]
    fn each_unreadable_attachment_is_named() {
        let mut a = d("a", "通知公告", "通知", "2025-01-01");
        let att = |name: &str, error: &str| crate::Attachment {
            name: name.into(),
            error: error.into(),
            ..Default::default()
        };
        a.attachments = vec![att("1.pdf", "encrypted"), att("2.doc", ""), att("3.xls", "truncated")];
        let f = run(unreadable_attachment, &[a], None);
        let got: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(got, ["附件 1.pdf 无法读取：encrypted", "附件 3.xls 无法读取：truncated"]);
    }

    #[test]
    fn index_numbers_are_unique_per_publisher() {
        let a = d("a", "通知公告", "通知甲", "2025-01-01");
        let mut b = d("b", "通知公告", "通知乙", "2025-01-02");
        b.index_number = "IDX-a".into();
        b.publisher = "另一局".into();
        let mut c = d("c", "通知公告", "通知丙", "2025-01-03");
        c.index_number = " IDX-a ".into();
        let f = run(duplicate_index_number, &[a, b, c], None);
        assert_eq!(ids(&f), [("duplicate-index-number", "a"), ("duplicate-index-number", "c")]);
        assert_eq!(f[0].message, "索引号 IDX-a 被 2 条不同信息共用");
    }
}
