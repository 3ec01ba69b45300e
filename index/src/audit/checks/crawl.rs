//! The two checks that need what the crawler saw ([`CrawlFacts`]): pages
//! changed after publication and links whose target is gone. Without a crawl
//! state they find nothing (the report lists them as not checked).

use std::collections::HashMap;

use super::{Context, Finding, Severity, finding};
use crate::audit::{BROKEN_LINK, CHANGED_AFTER_PUBLICATION, RevisionFact};
use crate::dates::day_index;

fn field_label(f: &str) -> &str {
    match f {
        "title" => "标题",
        "doc_number" => "文号",
        "index_number" => "索引号",
        "publisher" => "发布机构",
        "published_date" => "发布日期",
        "validity" => "有效性",
        "body" => "正文",
        other => other,
    }
}

/// `changed-after-publication`: one finding per document whose page was seen
/// to change (by `as_of`) after its 发布日期. A warning when a change left the
/// stated 发布日期 as it was (a silent change staff must review); a notice
/// when every change also moved the stated date (the page says it was updated).
pub(crate) fn changed_after_publication(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(facts) = ctx.crawl else { return Vec::new() };
    let (docs, by_url, today) = (&ctx.docs, &ctx.by_url, ctx.today);
    let mut per_doc: HashMap<&str, Vec<&RevisionFact>> = HashMap::new();
    for r in &facts.revisions {
        let Some(d) = by_url.get(r.url.as_str()) else { continue };
        let Some(day) = day_index(&r.changed_on) else { continue };
        // changed by as_of, and after the publication date the page stated
        // before the change (a page without one was already public when the
        // crawler first saw it)
        let published = day_index(&r.old_published_date).or_else(|| day_index(&d.published_date));
        if day > today || published.is_some_and(|p| day <= p) {
            continue;
        }
        per_doc.entry(d.id.as_str()).or_default().push(r);
    }
    let mut out = Vec::new();
    for d in docs {
        let Some(revs) = per_doc.get_mut(d.id.as_str()) else { continue };
        // one edit seen under several URLs of the document (columns, mirrors) counts once
        let key = |r: &RevisionFact| {
            (
                r.changed_on.clone(),
                r.fields.clone(),
                r.old_title.clone(),
                r.old_published_date.clone(),
                r.new_published_date.clone(),
            )
        };
        revs.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.url.cmp(&b.url)));
        revs.dedup_by(|a, b| key(a) == key(b));
        let silent = revs.iter().any(|r| r.old_published_date == r.new_published_date);
        let changes: Vec<String> = revs
            .iter()
            .map(|r| {
                let fields: Vec<&str> = r.fields.iter().map(|f| field_label(f)).collect();
                let mut s = format!("{}（{}", r.changed_on, fields.join("、"));
                if r.old_title != r.new_title {
                    s.push_str(&format!("；原标题“{}”", r.old_title));
                }
                if r.old_published_date != r.new_published_date {
                    s.push_str(&format!("；发布日期 {} → {}", r.old_published_date, r.new_published_date));
                }
                if !r.previous_seen_on.is_empty() && r.previous_seen_on != r.changed_on {
                    s.push_str(&format!("；{} 时尚未修改", r.previous_seen_on));
                }
                s.push('）');
                s
            })
            .collect();
        let published = revs
            .iter()
            .map(|r| r.old_published_date.as_str())
            .chain([d.published_date.as_str()])
            .find(|p| !p.is_empty())
            .unwrap_or("发布日期不详");
        let message = if silent {
            format!(
                "发布（{published}）后页面内容被修改 {} 次，页面未注明更新，请核实：{}",
                revs.len(),
                changes.join("；")
            )
        } else {
            format!("发布后页面内容被修改 {} 次，页面已注明新的发布日期：{}", revs.len(), changes.join("；"))
        };
        let mut f =
            finding(if silent { Severity::Warning } else { Severity::Notice }, CHANGED_AFTER_PUBLICATION, message, d);
        if let Some(r) = revs.first() {
            f.url = r.url.clone();
        }
        let mut dates: Vec<String> = revs.iter().map(|r| r.changed_on.clone()).collect();
        dates.dedup();
        f.dates = dates;
        out.push(f);
    }
    out
}

/// `broken-link`: one warning per dead link, on the document whose page
/// carries it (or on the list page, which is no document).
pub(crate) fn broken_link(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(facts) = ctx.crawl else { return Vec::new() };
    let (sites, by_url) = (ctx.sites, &ctx.by_url);
    let mut out = Vec::new();
    for l in facts.broken_links.iter().filter(|l| sites.is_empty() || sites.contains(&l.site)) {
        let what = match l.kind.as_str() {
            "attachment" => "附件",
            "list" => "栏目页",
            _ => "页面",
        };
        let text = if l.link_text.is_empty() { String::new() } else { format!("“{}”", l.link_text) };
        let checked = if l.checked_on.is_empty() { String::new() } else { format!("，{} 检查", l.checked_on) };
        let message = if l.worked_before {
            format!("链接的{what}{text}已失效（{}{checked}）：此前可以访问，已被删除或移走，但链接仍在", l.reason)
        } else {
            format!("链接的{what}{text}无法访问（{}{checked}）：从未能打开", l.reason)
        };
        let (doc_id, title) = match by_url.get(l.page_url.as_str()) {
            Some(d) => (d.id.clone(), d.title.clone()),
            None => (String::new(), String::new()),
        };
        out.push(Finding {
            severity: Severity::Warning,
            code: BROKEN_LINK.into(),
            message,
            doc_id,
            url: l.page_url.clone(),
            title,
            link_url: l.url.clone(),
            dates: Vec::new(),
        });
    }
    out
}
