//! `govsearch tally`: what was published in a period, and table 二, as Markdown or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use govsearch_index::report::site_list;
use govsearch_index::tally::{Period, Selection, TallyQuery};
use govsearch_index::{Catalogue, dates};

use super::{Ctx, report_error, write_file};
use crate::cli::TallyArgs;

pub fn run(a: TallyArgs, ctx: &Ctx) -> Result<ExitCode> {
    let cat = Catalogue::open(&ctx.data.index_dir())?;
    let query = TallyQuery {
        period: Period::new(a.year, a.from.as_deref(), a.to.as_deref()).map_err(report_error)?,
        sites: site_list(a.site.iter().map(String::as_str)),
        publisher: a.publisher.filter(|p| !p.trim().is_empty()),
        group_by: a.group.into(),
    };
    print!("{}", tally(&cat, &query, a.json, a.csv.as_deref())?);
    Ok(ExitCode::SUCCESS)
}

/// Markdown (or JSON) of the tally and table 二; with `csv`, the list behind
/// the total is also written there.
pub fn tally(cat: &Catalogue, query: &TallyQuery, json: bool, csv: Option<&Path>) -> Result<String> {
    use std::fmt::Write;
    let docs = cat.records().map_err(report_error)?;
    let ans = govsearch_index::tally::answer(&docs, query, &dates::today()).map_err(report_error)?;
    if let Some(path) = csv {
        let ids = ans.ids(&Selection::All).map_err(report_error)?;
        write_file(path, crate::reports::documents_csv(&govsearch_index::tally::pick(&docs, &ids)))?;
    }
    if json {
        return Ok(serde_json::to_string_pretty(&ans)? + "\n");
    }
    let t = &ans.tally;
    let mut out = String::new();
    let _ = writeln!(out, "# 主动公开信息统计 {} 至 {}\n", t.from, t.to);
    let _ = writeln!(out, "按发布日期计数；同一信息在多个栏目、网址或网站出现只计一次。\n");
    let _ = writeln!(out, "| 分组 | 件数 |\n|---|---:|");
    for g in &t.groups {
        let _ = writeln!(out, "| {} | {} |", g.value.replace('|', "\\|"), g.count);
    }
    let _ = writeln!(out, "| **合计（去重）** | **{}** |", t.total);
    let _ = writeln!(out, "\n其中已从网站撤下 {} 件；无发布日期、未计入期间的 {} 件。", t.withdrawn, t.undated.len());
    if !t.pending.is_empty() {
        let _ = writeln!(
            out,
            "其中 {} 件仅据网站目录计入，正文尚未抓取：下次 govsearch crawl 抓取（--json 的 pending 列出它们）。",
            t.pending.len()
        );
    }
    if let (Some(r), Some(n)) = (&ans.rules, &ans.normative) {
        let _ = writeln!(out, "\n## 表二 主动公开政府信息情况（{} 年）\n", ans.year.unwrap_or_default());
        for (i, row) in super::report::two_rows(r, n).iter().enumerate() {
            let _ = writeln!(out, "| {} |", row.join(" | "));
            if i == 0 {
                let _ = writeln!(out, "|---|---:|---:|---:|");
            }
        }
        let _ = writeln!(out, "| 行政许可、行政处罚、行政强制、行政事业性收费 | 来自业务系统，不由本工具统计 | | |");
    }
    Ok(out)
}
