//! The commands' bodies (the binary only parses arguments and picks one).

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{CrawlOptions, Progress};
use govsearch_crawler::state::CrawlState;
use govsearch_index::audit::AuditQuery;
use govsearch_index::tally::{Selection, TallyQuery};
use govsearch_index::{Catalogue, SearchResponse, dates};
use indicatif::{ProgressBar, ProgressStyle};

use crate::data::DataDir;
use crate::demo_site::DemoSite;
use crate::{pipeline, server};

/// Logs go to stderr; `RUST_LOG` overrides the level chosen by `-v`.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,govsearch=info",
        _ => "debug,hyper=info,h2=info,rustls=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn bar(quiet: bool, template: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()));
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A progress callback for indexing runs.
pub fn index_progress(quiet: bool) -> Option<Arc<dyn Fn(usize, usize) + Send + Sync>> {
    if quiet {
        return None;
    }
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("indexing {bar:30} {pos}/{len} documents {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(Arc::new(move |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
        if done == total {
            pb.finish_and_clear();
        }
    }))
}

/// Crawl with a progress bar, print the report, then rebuild the index
/// (`pipeline::crawl_then_index`, the data folder held throughout).
pub async fn crawl(
    data: &DataDir,
    config: &Config,
    options: CrawlOptions,
    report_json: Option<&Path>,
    index: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let held = pipeline::Held::acquire(data)?;
    let pb = bar(quiet, "{spinner} crawling: {msg}");
    let pb2 = pb.clone();
    let progress: Arc<dyn Fn(&Progress) + Send + Sync> = Arc::new(move |p: &Progress| {
        pb2.set_message(format!(
            "{} fetched, {} queued, {} errors, {:.0} pages/s",
            p.fetched, p.queued, p.errors, p.pages_per_sec
        ));
    });
    let options = CrawlOptions { progress: Some(progress), ..options };
    let index = index.then(|| index_progress(quiet));
    let done = pipeline::crawl_then_index(&held, config, config, options, index, |report| {
        pb.finish_and_clear();
        eprint!("{report}");
        if let Some(path) = report_json {
            std::fs::write(path, serde_json::to_vec_pretty(report)?)
                .with_context(|| format!("writing the crawl report to {}", path.display()))?;
        }
        Ok(())
    })
    .await?;
    if let Some(r) = done.index {
        eprintln!(
            "indexed {} documents ({} crawled items, {} merged duplicates, {} imported) in {:.1} s",
            r.documents, r.crawled_items, r.merged_duplicates, r.imported, r.seconds
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What the demo serves: the catalogue it just built and the data folder it
/// crawled into (so the audit runs its crawl checks and `/metrics` has the
/// crawl gauges). No admin settings: the demo has no admin endpoints.
pub fn demo_state(data: &DataDir) -> Result<server::AppState> {
    let cat = Arc::new(Catalogue::open(&data.index_dir())?);
    let mut state = server::AppState::new(cat);
    state.data = Some(data.clone());
    Ok(state)
}

/// The demo: bundled site → real crawl → index → serve, until Ctrl-C.
pub async fn demo(data: &DataDir, addr: SocketAddr, site_addr: SocketAddr, quiet: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // Bind the search address first, so a port in use fails before any work.
    let listener = server::bind(addr).await?;
    let site = DemoSite::start(site_addr).await?;
    eprintln!("demo government site: {}", site.base_url());
    let config = Config::parse(&site.config_toml(), "the demo site config")?;
    crawl(data, &config, CrawlOptions::default(), None, true, quiet).await?;
    let state = demo_state(data)?;
    eprintln!(
        "ready in {:.1} s: search at http://{} (Ctrl-C to stop)",
        started.elapsed().as_secs_f64(),
        listener.local_addr()?
    );
    server::serve_on(state, listener).await?;
    site.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Plain-text results for `govsearch search`.
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

/// A report's error as the CLI shows it: a bad parameter as `param: message`
/// (as the API words it), anything else with its causes.
pub fn report_error(e: govsearch_index::Error) -> anyhow::Error {
    match e {
        govsearch_index::Error::BadParam { param, message } => anyhow::anyhow!("{param}: {message}"),
        e => e.into(),
    }
}

/// `govsearch tally`: Markdown (or JSON) of the tally and table 二; with
/// `csv`, the list behind the total is also written there.
pub fn tally(cat: &Catalogue, query: &TallyQuery, json: bool, csv: Option<&Path>) -> Result<String> {
    use std::fmt::Write;
    let docs = cat.records().map_err(report_error)?;
    let ans = govsearch_index::tally::answer(&docs, query, &dates::today()).map_err(report_error)?;
    if let Some(path) = csv {
        let ids = ans.ids(&Selection::All).map_err(report_error)?;
        std::fs::write(path, crate::reports::documents_csv(&govsearch_index::tally::pick(&docs, &ids)))
            .with_context(|| format!("writing {}", path.display()))?;
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
        let _ = writeln!(out, "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---:|---:|---:|");
        let _ = writeln!(out, "| 规章 | {} | {} | {} |", r.issued.len(), r.abolished.len(), r.in_force.len());
        let _ = writeln!(out, "| 行政规范性文件 | {} | {} | {} |", n.issued.len(), n.abolished.len(), n.in_force.len());
        let _ = writeln!(out, "| 行政许可、行政处罚、行政强制、行政事业性收费 | 来自业务系统，不由本工具统计 | | |");
    }
    Ok(out)
}

/// Crawled text made inert in Markdown: emphasis, links, HTML, tables and
/// headings are escaped, line breaks become spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A crawled URL as a Markdown autolink (`<…>`), or escaped text when it cannot be one.
fn md_url(u: &str) -> String {
    let plain = (u.starts_with("http://") || u.starts_with("https://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if plain { format!("<{u}>") } else { md(u) }
}

/// `govsearch audit`: a readable report (or JSON) and the number of findings.
/// The crawl state in `data`, if any, feeds the change-history and broken-link checks.
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
        let sev = crate::reports::severity_label(f.severity);
        let mut line = format!("- [{sev}] {}", md(&f.message));
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

/// `govsearch eval`: build a throwaway index of the corpus in the data folder and evaluate.
pub fn eval(data: &DataDir, corpus: &Path, per_kind: usize) -> Result<Vec<crate::eval::KindFigures>> {
    let docs: Vec<govsearch_index::Document> =
        crate::data::read_corpus(corpus)?.into_iter().map(|r| r.into_document("eval")).collect();
    let dir = data.root.join("eval-index");
    crate::bench::build_index(&docs, &dir)?;
    let cat = Catalogue::open(&dir)?;
    let queries = crate::eval::build_queries(&docs, per_kind);
    let figs = crate::eval::run(&cat, &queries)?;
    drop(cat);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figs)
}

/// Everything `govsearch bench` measured.
#[derive(Debug, serde::Serialize)]
pub struct BenchReport {
    pub corpus: String,
    pub machine: String,
    pub date: String,
    pub analyze: Option<crate::bench::AnalyzeFigures>,
    pub index: Option<crate::bench::IndexFigures>,
    pub search: Option<crate::bench::SearchFigures>,
    pub crawl: Option<CrawlFigures>,
}

/// Crawl throughput on a local copy of the demo site grown to thousands of pages.
#[derive(Debug, serde::Serialize)]
pub struct CrawlFigures {
    pub pages: u64,
    pub seconds: f64,
    pub pages_per_s: f64,
    pub concurrency: usize,
}

/// Crawl a demo site of `copies` × the demo sample with politeness off (delay 0).
pub async fn bench_crawl(copies: usize) -> Result<CrawlFigures> {
    let base = crate::demo_site::demo_documents()?;
    let mut docs = Vec::with_capacity(base.len() * copies);
    for k in 0..copies {
        for d in &base {
            let mut d = d.clone();
            d.id = format!("{}#{k}", d.id);
            d.title = format!("{}（{}）", d.title, k + 1);
            docs.push(d);
        }
    }
    let site =
        crate::demo_site::DemoSite::start_with("127.0.0.1:0".parse()?, Arc::new(crate::demo_site::DemoData::new(docs)))
            .await?;
    let mut config = Config::parse(&site.config_toml(), "bench site")?;
    config.crawl.concurrency = 16;
    for s in &mut config.sites {
        s.attachments = false;
    }
    let dir = std::env::temp_dir().join(format!("govsearch-bench-crawl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let state = CrawlState::open(&dir.join("crawl.sqlite"))?;
    let t = std::time::Instant::now();
    let report = govsearch_crawler::crawl::run(
        &config,
        &state,
        CrawlOptions { max_pages: None, progress: None, ..Default::default() },
    )
    .await?;
    let seconds = t.elapsed().as_secs_f64();
    site.shutdown().await;
    drop(state);
    let _ = std::fs::remove_dir_all(&dir);
    let pages: u64 = serde_json::to_value(&report)?["sites"]
        .as_object()
        .map(|m| m.values().map(|s| s["fetched"].as_u64().unwrap_or(0)).sum())
        .unwrap_or(0);
    Ok(CrawlFigures { pages, seconds, pages_per_s: pages as f64 / seconds, concurrency: config.crawl.concurrency })
}

impl BenchReport {
    /// One Markdown table of every figure.
    pub fn table(&self) -> String {
        let mut rows: Vec<(String, String)> = Vec::new();
        if let Some(a) = &self.analyze {
            rows.push(("text analysed (bodies)".into(), format!("{:.1} MB", a.text_mb)));
            rows.push(("raw jieba-rs cut_for_search, 1 core".into(), format!("{:.1} MB/s", a.jieba_mb_per_s)));
            rows.push(("n-gram path, 1 core".into(), format!("{:.1} MB/s", a.ngram_mb_per_s)));
            rows.push((
                "word path (normalise + jieba + filters) over bodies, not indexed, 1 core".into(),
                format!("{:.1} MB/s", a.words_mb_per_s),
            ));
            rows.push((
                "full analyzer chain as indexed (body n-grams + title words), 1 core".into(),
                format!("{:.1} MB/s", a.full_chain_mb_per_s),
            ));
        }
        if let Some(i) = &self.index {
            rows.push(("index build: documents".into(), i.documents.to_string()));
            rows.push(("index build: wall / CPU".into(), format!("{:.1} s / {:.1} s", i.wall_s, i.cpu_s)));
            rows.push(("index build: docs/s, MB/s".into(), format!("{:.0} / {:.1}", i.docs_per_s, i.mb_per_s)));
            rows.push((
                "peak memory: anonymous (heap) / RSS with mapped index files".into(),
                format!("{:.0} MB / {:.0} MB", i.peak_anon_mb, i.peak_rss_mb),
            ));
            rows.push(("index on disk (with stored text)".into(), format!("{:.0} MB", i.index_mb)));
        }
        if let Some(s) = &self.search {
            rows.push(("queries".into(), s.query_source.clone()));
            rows.push((
                "first pass after start (cold, not counted below), 1 client: p50 / p99".into(),
                format!("{:.2} / {:.2} ms", s.cold_p50_ms, s.cold_p99_ms),
            ));
            rows.push((
                "search with snippets, 1 client: p50 / p95 / p99".into(),
                format!("{:.2} / {:.2} / {:.2} ms", s.single_p50_ms, s.single_p95_ms, s.single_p99_ms),
            ));
            rows.push((
                "request mix, 1 client: p50 / p99".into(),
                format!("{:.2} / {:.2} ms", s.mix_p50_ms, s.mix_p99_ms),
            ));
            rows.push(("request mix, 8 clients".into(), format!("{:.0} req/s", s.rps_8)));
            rows.push(("request mix, 64 clients".into(), format!("{:.0} req/s", s.rps_64)));
            rows.push((
                "latency under 64 clients: p50 / p99".into(),
                format!("{:.1} / {:.1} ms", s.load_p50_ms, s.load_p99_ms),
            ));
            let mut errors = s.errors.to_string();
            if !s.error_examples.is_empty() {
                errors = format!("{errors} (first: {})", s.error_examples.join("; "));
            }
            rows.push(("errors".into(), errors));
        }
        if let Some(c) = &self.crawl {
            rows.push((
                format!("crawl of a local demo-site copy, delay 0, concurrency {}", c.concurrency),
                format!("{} pages in {:.1} s = {:.0} pages/s", c.pages, c.seconds, c.pages_per_s),
            ));
        }
        let mut out = format!(
            "govsearch bench — {} — {} — {}\n\n| measure | value |\n|---|---:|\n",
            self.corpus, self.machine, self.date
        );
        for (k, v) in rows {
            out.push_str(&format!("| {k} | {v} |\n"));
        }
        out
    }
}

/// The queries, and where they came from (for the report).
fn read_queries(path: Option<&Path>, docs: &[govsearch_index::Document]) -> Result<(Vec<String>, String)> {
    match path {
        Some(p) => {
            let qs: Vec<String> = std::fs::read_to_string(p)
                .with_context(|| format!("reading {}", p.display()))?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            let source = format!("{} ({} queries)", p.display(), qs.len());
            Ok((qs, source))
        }
        None => {
            let qs: Vec<String> = docs.iter().take(200).map(|d| d.title.chars().take(6).collect()).collect();
            let source = format!("first 6 characters of {} corpus titles (no --queries)", qs.len());
            eprintln!("bench: queries are the {source}");
            Ok((qs, source))
        }
    }
}

/// `bench --only`: the parts of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchPart {
    Analyze,
    Index,
    Search,
    Crawl,
}

/// `govsearch bench`. The index is built first, streamed from the file, so the
/// peak memory it reports is the indexer's, not that of a corpus held in memory.
pub async fn bench(
    data: &DataDir,
    corpus: &Path,
    queries: Option<&Path>,
    seconds: u64,
    parts: &[BenchPart],
    addr: Option<&str>,
) -> Result<BenchReport> {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut report = BenchReport {
        corpus: corpus.display().to_string(),
        machine: format!("{cpus} cores, {}", std::env::consts::ARCH),
        date: dates::today(),
        analyze: None,
        index: None,
        search: None,
        crawl: None,
    };
    let dir = data.root.join("bench-index");
    if parts.contains(&BenchPart::Index)
        || (parts.contains(&BenchPart::Search) && addr.is_none() && !dir.join("meta.json").exists())
    {
        let (corpus, dir2) = (corpus.to_owned(), dir.clone());
        report.index =
            Some(tokio::task::spawn_blocking(move || crate::bench::build_index_from_file(&corpus, &dir2)).await??);
    }
    // The corpus is read whole only for the analysis figures or to make
    // queries from titles: at 1M items it is gigabytes, read and dropped just
    // before the search timings.
    let have_queries = queries.is_some();
    let docs: Vec<govsearch_index::Document> =
        if parts.contains(&BenchPart::Analyze) || (parts.contains(&BenchPart::Search) && !have_queries) {
            let docs: Vec<govsearch_index::Document> =
                crate::data::read_corpus(corpus)?.into_iter().map(|r| r.into_document("bench")).collect();
            report.corpus = format!("{} ({} documents)", corpus.display(), docs.len());
            docs
        } else {
            Vec::new()
        };
    if parts.contains(&BenchPart::Analyze) {
        let d = docs.clone();
        report.analyze = Some(tokio::task::spawn_blocking(move || crate::bench::analyze(&d)).await?);
    }
    if parts.contains(&BenchPart::Search) {
        let (qs, query_source) = read_queries(queries, &docs)?;
        drop(docs);
        let mut figures = match addr {
            Some(base) => crate::bench::search_http(base.trim_end_matches('/'), &qs, seconds).await?,
            None => {
                let cat = Arc::new(Catalogue::open(&dir)?);
                let listener = server::bind("127.0.0.1:0".parse()?).await?;
                let base = format!("http://{}", listener.local_addr()?);
                let state = server::AppState::new(cat);
                let srv = tokio::spawn(async move { axum::serve(listener, server::app(state)).await });
                let f = crate::bench::search_http(&base, &qs, seconds).await?;
                srv.abort();
                f
            }
        };
        figures.query_source = query_source;
        report.search = Some(figures);
    }
    // Last: the grown demo site lives in this process and would inflate the index's memory figures.
    if parts.contains(&BenchPart::Crawl) {
        report.crawl = Some(bench_crawl(18).await?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawled_text_is_inert_in_markdown() {
        assert_eq!(
            md("<script>alert(1)</script> *x* [a](b) |c|\n# d"),
            "\\<script\\>alert(1)\\</script\\> \\*x\\* \\[a\\](b) \\|c\\| \\# d"
        );
        assert_eq!(md_url("http://a.gov.cn/x_1.html?q=1"), "<http://a.gov.cn/x_1.html?q=1>");
        assert_eq!(md_url("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(md_url("http://a/<b>"), "http://a/\\<b\\>");
    }
}
