//! `govsearch search QUERY`: ranked results in the terminal.

use std::process::ExitCode;

use anyhow::{Context, Result};
use govsearch_index::{Catalogue, SearchRequest, SearchResponse};

use super::Ctx;
use crate::cli::SearchArgs;

pub fn run(a: SearchArgs, ctx: &Ctx) -> Result<ExitCode> {
    let cat = Catalogue::open(&ctx.data.index_dir())?;
    let req = SearchRequest {
        q: a.query,
        category: a.category,
        publisher: a.publisher,
        site: a.site,
        validity: a.validity,
        from: a.from,
        to: a.to,
        sort: a.sort.into(),
        size: a.size,
        page: a.page,
        ..Default::default()
    };
    let res = cat.search(&req)?;
    if a.json {
        let res = crate::render::ApiSearchResponse::from(&res);
        println!("{}", serde_json::to_string_pretty(&res).context("writing JSON")?);
    } else {
        print!("{}", format_results(&res));
    }
    Ok(ExitCode::SUCCESS)
}

/// Plain-text results.
pub fn format_results(r: &SearchResponse) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} results ({:.1} ms){}",
        r.total,
        r.took_ms,
        if r.query.relaxed { ", relaxed: not every word found" } else { "" }
    );
    for (i, h) in r.hits.iter().enumerate() {
        let n = (r.page - 1) * r.size + i + 1;
        let _ = writeln!(out, "\n{n}. {}", h.title);
        let mut meta = Vec::new();
        for (k, v) in [
            ("文号", &h.doc_number),
            ("发布机构", &h.publisher),
            ("发布日期", &h.published_date),
            ("类别", &h.category),
            ("有效性", &h.validity),
        ] {
            if !v.is_empty() {
                meta.push(format!("{k}: {v}"));
            }
        }
        if !meta.is_empty() {
            let _ = writeln!(out, "   {}", meta.join("  "));
        }
        let _ = writeln!(out, "   {}", crate::render::snippet_terminal(&h.snippet));
        let _ = writeln!(out, "   {}  [{}]", if h.url.is_empty() { "(no URL)" } else { &h.url }, h.id);
    }
    out
}
