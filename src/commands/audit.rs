//! `govsearch audit`: the proactive-disclosure coverage check; exits 2 on findings.

use std::process::ExitCode;

use anyhow::Result;
use govsearch_index::audit::AuditQuery;
use govsearch_index::report::site_list;
use govsearch_index::{Catalogue, dates};

use super::{Ctx, report_error};
use crate::cli::AuditArgs;
use crate::data::DataDir;
use crate::reports::{markdown_text as md, markdown_url as md_url, severity_label};

pub fn run(a: AuditArgs, ctx: &Ctx) -> Result<ExitCode> {
    let cat = Catalogue::open(&ctx.data.index_dir())?;
    let query = AuditQuery { sites: site_list(a.site.iter().map(String::as_str)), as_of: a.as_of };
    let (text, findings) = audit(&cat, &ctx.data, &query, a.json)?;
    print!("{text}");
    Ok(if findings > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// A readable report (or JSON) and the number of findings. The crawl state
/// in `data`, if any, feeds the change-history and broken-link checks.
pub fn audit(cat: &Catalogue, data: &DataDir, query: &AuditQuery, json: bool) -> Result<(String, usize)> {
    use std::fmt::Write;
    let docs = cat.records().map_err(report_error)?;
    govsearch_index::report::check_sites(&query.sites, &docs).map_err(report_error)?;
    let facts = data.crawl_facts()?;
    let r = govsearch_index::audit::answer(&docs, query, &dates::today(), facts.as_ref()).map_err(report_error)?;
    let n = r.findings.len();
    if json {
        return Ok((serde_json::to_string_pretty(&r)? + "\n", n));
    }
    let mut out = String::new();
    let _ = writeln!(out, "# 主动公开覆盖检查（{}）\n\n信息 {} 条，问题 {} 项。\n", r.as_of, r.documents, n);
    let _ = writeln!(out, "| 第二十条 | 件数 | 最新发布 | 状态 |\n|---|---:|---|---|");
    for k in &r.kinds {
        let _ = writeln!(out, "| （{}）{} | {} | {} | {} |", k.id, k.name, k.count, k.latest, k.status);
    }
    let _ = writeln!(out, "\n## 逐条问题\n");
    for f in &r.findings {
        let mut line = format!("- [{}] {}", severity_label(f.severity), md(&f.message));
        if !f.title.is_empty() {
            line.push_str(&format!(" {}", md(&f.title)));
        }
        if !f.url.is_empty() {
            line.push_str(&format!(" {}", md_url(&f.url)));
        }
        if !f.link_url.is_empty() {
            line.push_str(&format!(" → 失效链接 {}", md_url(&f.link_url)));
        }
        let _ = writeln!(out, "{line}");
    }
    for nc in &r.not_checked {
        let _ = writeln!(out, "- 未检查：{nc}");
    }
    Ok((out, n))
}
