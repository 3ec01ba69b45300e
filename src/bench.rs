//! The benchmark harness (`govsearch bench …`): analysis throughput, index
//! build, and search latency/throughput over HTTP, on a corpus in the shared
//! format. Each run prints one Markdown table and writes the same figures as JSON.
//!
//! Figures are measured, never asserted: a test only checks the harness runs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::CrawlOptions;
use govsearch_crawler::state::CrawlState;
use govsearch_index::{Catalogue, Document, dates};
use serde::Serialize;

use crate::cli::BenchPart;
use crate::data::DataDir;
use crate::server;

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    proc_status_kb("VmHWM:") * 1024
}

fn proc_status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// CPU seconds (user + system) used by this process so far.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| {
                    let m = e.metadata().ok();
                    match m {
                        Some(m) if m.is_dir() => dir_size(&e.path()),
                        Some(m) => m.len(),
                        None => 0,
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Analysis throughput on one core.
#[derive(Debug, Serialize)]
pub struct AnalyzeFigures {
    pub text_mb: f64,
    pub jieba_mb_per_s: f64,
    pub ngram_mb_per_s: f64,
    pub words_mb_per_s: f64,
    pub full_chain_mb_per_s: f64,
    pub tokens: u64,
}

/// Time raw jieba, the n-gram path, the word path, and the chain as indexed
/// (one thread): n-grams of the bodies plus the word path of the titles
/// (bodies have no word path; see `schema::Fields::title_w`).
pub fn analyze(docs: &[Document]) -> AnalyzeFigures {
    let bytes: usize = docs.iter().map(|d| d.body.len()).sum();
    let mb = bytes as f64 / 1e6;
    let jieba = govsearch_index::analysis::jieba();
    let _ = jieba.cut_for_search("预热", false);
    let t = Instant::now();
    let mut n = 0u64;
    for d in docs {
        n += jieba.cut_for_search(&d.body, false).len() as u64;
    }
    let jieba_s = t.elapsed().as_secs_f64();
    assert!(n > 0, "jieba produced no tokens");
    let mut ng = govsearch_index::analysis::NgramTokenizer::default();
    let (ngram_s, ngrams) = time_tokens(&mut ng, docs.iter().map(|d| d.body.as_str()));
    let mut w = govsearch_index::analysis::WordTokenizer::default();
    let (words_s, words) = time_tokens(&mut w, docs.iter().map(|d| d.body.as_str()));
    assert!(words > 0, "the word path produced no tokens");
    let (title_words_s, title_words) = time_tokens(&mut w, docs.iter().map(|d| d.title.as_str()));
    AnalyzeFigures {
        text_mb: mb,
        jieba_mb_per_s: mb / jieba_s,
        ngram_mb_per_s: mb / ngram_s,
        words_mb_per_s: mb / words_s,
        full_chain_mb_per_s: mb / (ngram_s + title_words_s),
        tokens: ngrams + title_words,
    }
}

/// Seconds to run `tokenizer` over `texts`, and the tokens it made.
fn time_tokens<'a, T: govsearch_index::analysis::Tokenizer>(
    tokenizer: &mut T,
    texts: impl Iterator<Item = &'a str>,
) -> (f64, u64) {
    use govsearch_index::analysis::TokenStream;
    let t = Instant::now();
    let mut n = 0u64;
    for text in texts {
        let mut s = tokenizer.token_stream(text);
        while s.advance() {
            n += 1;
        }
    }
    (t.elapsed().as_secs_f64(), n)
}

/// Index build figures.
#[derive(Debug, Serialize)]
pub struct IndexFigures {
    pub documents: usize,
    pub text_mb: f64,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Peak resident set (VmHWM): includes the index files the merges map into memory.
    pub peak_rss_mb: f64,
    /// Peak anonymous memory (heap), sampled every 20 ms: what the indexer itself holds.
    pub peak_anon_mb: f64,
    pub index_mb: f64,
    pub docs_per_s: f64,
    pub mb_per_s: f64,
}

/// Build an index of `docs` in `dir` (emptied first), from parsed documents to the last merge.
pub fn build_index(docs: &[Document], dir: &Path) -> Result<IndexFigures> {
    build_from(docs.iter().cloned().map(Ok), dir)
}

/// Build an index straight from a corpus file, one line at a time (what an
/// import of a large file costs: the corpus is never all in memory).
pub fn build_index_from_file(corpus: &Path, dir: &Path) -> Result<IndexFigures> {
    use std::io::BufRead;
    let file = std::fs::File::open(corpus).with_context(|| format!("cannot open {}", corpus.display()))?;
    let reader: Box<dyn BufRead> = if corpus.extension().is_some_and(|e| e == "gz") {
        Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let origin = corpus.display().to_string();
    let docs = reader.lines().enumerate().filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty())).map(
        move |(i, line)| {
            let line = line.with_context(|| format!("{origin}:{}", i + 1))?;
            let rec: crate::data::CorpusRecord =
                serde_json::from_str(&line).with_context(|| format!("{origin}:{}: not a corpus record", i + 1))?;
            Ok(rec.into_document("bench"))
        },
    );
    build_from(docs, dir)
}

fn build_from(docs: impl Iterator<Item = Result<Document>>, dir: &Path) -> Result<IndexFigures> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(proc_status_kb("RssAnon:"));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak.max(proc_status_kb("RssAnon:"))
        })
    };
    let cat = Catalogue::open(dir)?;
    let mut w = cat.writer()?;
    let (mut n, mut bytes) = (0usize, 0usize);
    for d in docs {
        let d = d?;
        bytes += d.body.len() + d.title.len();
        n += 1;
        w.upsert(&d)?;
    }
    w.finish()?;
    let wall = t.elapsed().as_secs_f64();
    sampling.store(false, Ordering::Relaxed);
    let peak_anon_kb = sampler.join().unwrap_or(0);
    Ok(IndexFigures {
        documents: n,
        text_mb: bytes as f64 / 1e6,
        wall_s: wall,
        cpu_s: cpu_seconds() - cpu0,
        peak_rss_mb: peak_rss() as f64 / 1e6,
        peak_anon_mb: (peak_anon_kb * 1024) as f64 / 1e6,
        index_mb: dir_size(dir) as f64 / 1e6,
        docs_per_s: n as f64 / wall,
        mb_per_s: bytes as f64 / 1e6 / wall,
    })
}

/// Latency and throughput over HTTP.
#[derive(Debug, Serialize)]
pub struct SearchFigures {
    pub queries: usize,
    /// Where the queries came from (filled in by the caller).
    pub query_source: String,
    /// The first pass over the queries after the server started (cold: the
    /// memory-mapped index is not yet mapped into the process), not counted below.
    pub cold_p50_ms: f64,
    pub cold_p99_ms: f64,
    pub single_p50_ms: f64,
    pub single_p95_ms: f64,
    pub single_p99_ms: f64,
    pub mix_p50_ms: f64,
    pub mix_p99_ms: f64,
    pub rps_8: f64,
    pub rps_64: f64,
    /// Latency under load (64 clients).
    pub load_p50_ms: f64,
    pub load_p99_ms: f64,
    pub errors: u64,
    /// The first few failures: status or error, and the request.
    pub error_examples: Vec<String>,
}

/// Failed requests: a count and the first few, so a non-zero count can be explained.
#[derive(Default)]
struct Errors {
    count: AtomicU64,
    examples: std::sync::Mutex<Vec<String>>,
}

impl Errors {
    fn record(&self, what: impl std::fmt::Display, path: &str) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let mut ex = self.examples.lock().unwrap_or_else(|p| p.into_inner());
        if ex.len() < 5 {
            ex.push(format!("{what} on {path}"));
        }
    }
}

/// The `p` quantile (0..=1) of `v` (sorted in place); 0 for an empty slice.
pub fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The request mix: the plain queries, then filters, date sort, deep pages,
/// document numbers and suggestions derived from them.
pub fn request_mix(queries: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let e = enc(q);
        out.push(format!("/api/search?q={e}"));
        match i % 6 {
            0 => out.push(format!("/api/search?q={e}&category={}", enc("行政法规"))),
            1 => out.push(format!("/api/search?q={e}&sort=date")),
            2 => out.push(format!("/api/search?q={e}&page=5")),
            3 => out.push(format!("/api/suggest?q={}", enc(&q.chars().take(2).collect::<String>()))),
            4 => out.push(format!("/api/search?q={}", enc(&format!("\"{q}\"")))),
            _ => out.push(format!("/api/search?q={}&from=2010-01-01&to=2020-12-31", e)),
        }
    }
    out.push(format!("/api/search?q={}", enc("国发〔2019〕5号")));
    out.push(format!("/api/search?q={}", enc("国务院令第320号")));
    out
}

/// Request each of `paths` in turn: the latency of each, in ms. Failures are
/// recorded in `errors` when given (the warm-up pass does not count them).
async fn pass(client: &reqwest::Client, base: &str, paths: &[String], errors: Option<&Errors>) -> Result<Vec<f64>> {
    let mut times = Vec::with_capacity(paths.len());
    for path in paths {
        let t = Instant::now();
        let r = client.get(format!("{base}{path}")).send().await?;
        if let Some(errors) = errors
            && !r.status().is_success()
        {
            errors.record(r.status(), path);
        }
        let _ = r.bytes().await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

/// Time `queries` against `base` (e.g. `http://127.0.0.1:8080`).
pub async fn search_http(base: &str, queries: &[String], seconds: u64) -> Result<SearchFigures> {
    govsearch_crawler::fetch::install_crypto_provider();
    let client = reqwest::Client::builder().pool_max_idle_per_host(128).build()?;
    let errors = Arc::new(Errors::default());
    let searches: Vec<String> = queries.iter().map(|q| format!("/api/search?q={}", enc(q))).collect();
    // Warm up: one pass over every query, timed apart (the first touch of the
    // memory-mapped index in a new process costs page faults).
    let mut cold = pass(&client, base, &searches, None).await?;
    let mut single = pass(&client, base, &searches, Some(&errors)).await?;
    let mix = request_mix(queries);
    let mut mix_times = pass(&client, base, &mix, Some(&errors)).await?;
    let mix = Arc::new(mix);
    let mut rps = Vec::new();
    let mut load = Vec::new();
    for clients in [8usize, 64] {
        let done = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (client, mix, done, errors, base) =
                (client.clone(), mix.clone(), done.clone(), errors.clone(), base.to_owned());
            tasks.push(tokio::spawn(async move {
                let mut i = c * 7;
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let path = &mix[i % mix.len()];
                    i += 1;
                    let t = Instant::now();
                    let failure = match client.get(format!("{base}{path}")).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.err().map(|e| e.to_string()),
                        Ok(r) => Some(r.status().to_string()),
                        Err(e) => Some(e.to_string()),
                    };
                    match failure {
                        None => {
                            done.fetch_add(1, Ordering::Relaxed);
                            times.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        Some(what) => {
                            let ms = t.elapsed().as_millis();
                            errors.record(format_args!("{what} after {ms} ms"), path);
                        }
                    }
                }
                times
            }));
        }
        let t = Instant::now();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await?);
        }
        if clients == 64 {
            load = all;
        }
        rps.push(done.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64());
    }
    Ok(SearchFigures {
        queries: queries.len(),
        query_source: String::new(),
        single_p50_ms: pct(&mut single, 0.5),
        single_p95_ms: pct(&mut single, 0.95),
        single_p99_ms: pct(&mut single, 0.99),
        cold_p50_ms: pct(&mut cold, 0.5),
        cold_p99_ms: pct(&mut cold, 0.99),
        mix_p50_ms: pct(&mut mix_times, 0.5),
        mix_p99_ms: pct(&mut mix_times, 0.99),
        rps_8: rps[0],
        rps_64: rps[1],
        load_p50_ms: pct(&mut load, 0.5),
        load_p99_ms: pct(&mut load, 0.99),
        errors: errors.count.load(Ordering::Relaxed),
        error_examples: errors.examples.lock().map(|e| e.clone()).unwrap_or_default(),
    })
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

/// The whole benchmark. The index is built first, streamed from the file, so the
/// peak memory it reports is the indexer's, not that of a corpus held in memory.
pub async fn run(
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
