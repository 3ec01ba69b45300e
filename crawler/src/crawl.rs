//! The crawl loop: frontier from the state, politeness, robots.txt, fetch,
//! extract links, record — until no URL is due or `max_pages` is reached.
//!
//! Politeness: one global semaphore bounds requests in flight; each host has
//! a gate that spaces request starts by `max(delay_ms, robots Crawl-delay)`;
//! robots.txt is fetched once per host per run before anything else on it.
//! A host that answers with an anti-bot challenge is left alone for the rest
//! of the run (recorded, never bypassed).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::Serialize;
use tokio::sync::{Mutex, OnceCell, Semaphore};
use url::Url;

use crate::config::{Config, CrawlSettings, SiteConfig};
use crate::error::Result;
use crate::extract::{ExtractedItem, Page, is_anti_bot, looks_like_item, not_a_document};
use crate::fetch::{Fetched, Validators, client_for, get};
use crate::listing::ListReport;
use crate::platform::feed::{self, Feed, FeedKind, FeedRequest};
use crate::robots::Robots;
use crate::scope::{SiteScope, TrapDetector, UrlKind, check_address};
use crate::state::{CrawlState, DueUrl, FetchRecord, NewUrl, Outcome};
use crate::vocab::{Failure, FailureCode, UrlStatus};

/// Options of one crawl invocation.
#[derive(Clone, Default)]
pub struct CrawlOptions {
    /// Stop after this many fetched URLs (the run is resumed by the next crawl).
    pub max_pages: Option<usize>,
    /// Called after every fetched URL.
    pub progress: Option<Arc<dyn Fn(&Progress) + Send + Sync>>,
    /// Walk list pages and platform catalogues only: item pages found are
    /// queued, not fetched (their listings are counted as pending), and the
    /// next crawl resumes the run and fetches them.
    pub catalogue_only: bool,
}

impl fmt::Debug for CrawlOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CrawlOptions")
            .field("max_pages", &self.max_pages)
            .field("progress", &self.progress.is_some())
            .field("catalogue_only", &self.catalogue_only)
            .finish()
    }
}

/// Progress of a running crawl.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub fetched: usize,
    /// URLs still to fetch in this run (as known now: pages add links).
    pub queued: usize,
    pub errors: usize,
    pub pages_per_sec: f64,
    pub current_url: String,
}

/// Per-site counts of one crawl.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SiteReport {
    /// URLs fetched (each counted once, whatever the number of attempts).
    pub fetched: u64,
    /// 304, or the same content hash as before.
    pub unchanged: u64,
    pub new: u64,
    pub updated: u64,
    /// 404/410 a second time.
    pub withdrawn: u64,
    /// 404/410 a first time.
    pub gone: u64,
    /// Failures by reason ("http 500", "timeout", "anti-bot challenge", …).
    pub failed: BTreeMap<String, u64>,
    /// URLs not fetched because robots.txt disallows them.
    pub robots_blocked: u64,
    /// Links dropped as crawler traps.
    pub traps: u64,
    /// HTTP requests sent (robots.txt, retries and redirect hops included).
    pub requests: u64,
    /// Certificate verification was off for this site.
    pub insecure: bool,
    /// The extra CA bundle (PEM path) this site's certificates are also checked against.
    pub ca_bundle: Option<String>,
    /// The disclosure platform recognised on the site's pages (`gkmlpt`, …).
    pub platform: Option<String>,
    /// The platform's lists: claimed, served, backfill, and the category each column got.
    pub lists: Vec<ListReport>,
    /// Detail pages whose metadata disagrees with their listing, by field.
    pub list_disagreements: BTreeMap<String, u64>,
}

/// What a crawl did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CrawlReport {
    pub run_id: i64,
    /// The run stopped at `max_pages`, or after the catalogue; the next crawl resumes it.
    pub stopped_early: bool,
    /// Only list pages and catalogues were walked ([`CrawlOptions::catalogue_only`]).
    pub catalogue_only: bool,
    /// Item pages queued and not fetched yet (after a catalogue-only crawl).
    pub pending_pages: u64,
    pub sites: BTreeMap<String, SiteReport>,
}

impl fmt::Display for CrawlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>8} {:>6} {:>8} {:>10} {:>9} {:>6} {:>7} {:>7} {:>6}",
            "site", "fetched", "new", "updated", "unchanged", "withdrawn", "gone", "failed", "robots", "traps"
        )?;
        for (name, s) in &self.sites {
            let failed: u64 = s.failed.values().sum();
            writeln!(
                f,
                "{:<16} {:>8} {:>6} {:>8} {:>10} {:>9} {:>6} {:>7} {:>7} {:>6}{}",
                name,
                s.fetched,
                s.new,
                s.updated,
                s.unchanged,
                s.withdrawn,
                s.gone,
                failed,
                s.robots_blocked,
                s.traps,
                if s.insecure { "  (TLS verification OFF)" } else { "" }
            )?;
            if let Some(path) = &s.ca_bundle {
                writeln!(f, "    TLS: also trusts the CA bundle {path}")?;
            }
            for (reason, n) in &s.failed {
                writeln!(f, "    failed {n:>6}  {reason}")?;
            }
            if let Some(p) = &s.platform {
                writeln!(f, "    platform {p}: {} lists", s.lists.len())?;
            }
            for l in &s.lists {
                let claimed = l.claimed.map_or_else(|| "-".to_owned(), |c| c.to_string());
                let short = if l.claimed.is_some_and(|c| c > l.served) { "  (short)" } else { "" };
                let backfill =
                    if l.backfill_only > 0 { format!(", {} only here", l.backfill_only) } else { String::new() };
                writeln!(
                    f,
                    "    list {:<28} claimed {claimed:>6}  served {:>6}{backfill}  {} pages, {}  → {}{short}",
                    if l.column.is_empty() { l.kind.as_str() } else { l.column.as_str() },
                    l.served,
                    l.pages,
                    if l.ended.is_empty() { "unfinished" } else { l.ended.as_str() },
                    if l.category.is_empty() { "(no category)" } else { l.category.as_str() },
                )?;
            }
            for (field, n) in &s.list_disagreements {
                writeln!(f, "    listing ≠ page {n:>6}  {field}")?;
            }
        }
        if self.catalogue_only {
            writeln!(
                f,
                "catalogue only: {} pages (items, attachments) queued, not fetched; the next crawl resumes run {} and fetches them",
                self.pending_pages, self.run_id
            )?;
        } else if self.stopped_early {
            writeln!(f, "stopped at max_pages; the next crawl resumes run {}", self.run_id)?;
        }
        Ok(())
    }
}

/// Spaces request starts to one host.
struct HostGate {
    next: Mutex<Instant>,
    delay_ms: AtomicUsize,
}

impl HostGate {
    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + Duration::from_millis(self.delay_ms.load(Ordering::Relaxed) as u64);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

struct Host {
    gate: HostGate,
    robots: OnceCell<Arc<Robots>>,
    address_ok: OnceCell<Result<(), String>>,
    challenged: AtomicBool,
}

struct SiteCtx {
    cfg: SiteConfig,
    scope: SiteScope,
    client: reqwest::Client,
    traps: StdMutex<(TrapDetector, HashMap<String, bool>)>,
    /// Distinct URLs admitted per host (`host:port`) in this run, at most `max_pages` each.
    host_counts: StdMutex<HashMap<String, HashSet<String>>>,
    /// Platform catalogues already read in this run (their first feed URL):
    /// every page of a platform carries its catalogue, it is read once.
    catalogues: StdMutex<HashSet<String>>,
}

struct Ctx {
    settings: CrawlSettings,
    sites: Vec<SiteCtx>,
    hosts: StdMutex<HashMap<String, Arc<Host>>>,
    sem: Semaphore,
    report: StdMutex<CrawlReport>,
    fetched: AtomicUsize,
    errors: AtomicUsize,
    in_flight: AtomicUsize,
    /// URLs still due in this run (the frontier), refreshed every batch.
    frontier: AtomicUsize,
    started: Instant,
    options: CrawlOptions,
}

impl Ctx {
    fn host(&self, url: &Url, site: &SiteCtx) -> Arc<Host> {
        let key = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
        let key = match url.port() {
            Some(p) => format!("{key}:{p}"),
            None => key,
        };
        let mut hosts = match self.hosts.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        };
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    gate: HostGate {
                        next: Mutex::new(Instant::now()),
                        delay_ms: AtomicUsize::new(site.cfg.delay_ms as usize),
                    },
                    robots: OnceCell::new(),
                    address_ok: OnceCell::new(),
                    challenged: AtomicBool::new(false),
                })
            })
            .clone()
    }

    fn report<T>(&self, site: &str, f: impl FnOnce(&mut SiteReport) -> T) -> T {
        let mut r = match self.report.lock() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        f(r.sites.entry(site.to_owned()).or_default())
    }
}

/// Crawl every site of `config` into `state`.
///
/// Resumes an unfinished run, otherwise starts a recrawl. Returns per-site
/// counts; per-URL failures are recorded, not returned as errors. Errors are
/// what stops a crawl: an unusable state database, a client that cannot be built.
pub async fn run(config: &Config, state: &CrawlState, options: CrawlOptions) -> Result<CrawlReport> {
    let run_id = state.begin_run()?;
    let mut sites = Vec::new();
    for cfg in &config.sites {
        let client = client_for(cfg, &config.crawl)?;
        sites.push(SiteCtx {
            scope: SiteScope::new(cfg),
            cfg: cfg.clone(),
            client,
            traps: StdMutex::new((TrapDetector::default(), HashMap::new())),
            host_counts: StdMutex::new(HashMap::new()),
            catalogues: StdMutex::new(HashSet::new()),
        });
    }
    let ctx = Ctx {
        settings: config.crawl.clone(),
        sites,
        hosts: StdMutex::new(HashMap::new()),
        sem: Semaphore::new(config.crawl.concurrency.max(1)),
        report: StdMutex::new(CrawlReport { run_id, ..Default::default() }),
        fetched: AtomicUsize::new(0),
        errors: AtomicUsize::new(0),
        in_flight: AtomicUsize::new(0),
        frontier: AtomicUsize::new(0),
        started: Instant::now(),
        options,
    };
    // seeds
    for s in &ctx.sites {
        ctx.report(&s.cfg.name, |r| {
            r.insecure = s.cfg.insecure_skip_verify;
            r.ca_bundle = s.cfg.ca_bundle.clone();
        });
        let seeds: Vec<NewUrl> = s
            .cfg
            .start_urls
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .map(|u| crate::urlnorm::normalize(&u))
            .map(|u| NewUrl {
                // a start URL may itself be a platform's list endpoint
                kind: match s.scope.classify(&u) {
                    _ if Feed::of(&u).is_some() => UrlKind::Feed,
                    UrlKind::Item => UrlKind::Item,
                    _ => UrlKind::List,
                },
                url: u.to_string(),
                site: s.cfg.name.clone(),
                depth: 0,
                parent: None,
                column: String::new(),
                link_text: String::new(),
            })
            .collect();
        state.enqueue(&seeds)?;
    }
    let mut stopped_early = false;
    loop {
        let mut tasks = FuturesUnordered::new();
        if ctx.options.progress.is_some() {
            ctx.frontier.store(state.due_count(run_id)? as usize, Ordering::Relaxed);
        }
        for si in 0..ctx.sites.len() {
            let done = ctx.fetched.load(Ordering::Relaxed) + ctx.in_flight.load(Ordering::Relaxed);
            let remaining = ctx.options.max_pages.map(|m| m.saturating_sub(done));
            if remaining == Some(0) {
                break;
            }
            let batch = (ctx.settings.concurrency * 4).max(8).min(remaining.unwrap_or(usize::MAX));
            let due = state.take_due(run_id, &ctx.sites[si].cfg.name, batch, ctx.options.catalogue_only)?;
            for d in due {
                ctx.in_flight.fetch_add(1, Ordering::Relaxed);
                let ctx = &ctx;
                tasks.push(async move {
                    let r = process(ctx, si, state, run_id, d).await;
                    ctx.in_flight.fetch_sub(1, Ordering::Relaxed);
                    r
                });
            }
        }
        if tasks.is_empty() {
            break;
        }
        while let Some(r) = tasks.next().await {
            r?;
        }
        if let Some(m) = ctx.options.max_pages
            && ctx.fetched.load(Ordering::Relaxed) >= m
        {
            for s in &ctx.sites {
                stopped_early |= state.has_due(run_id, &s.cfg.name)?;
            }
            break;
        }
    }
    let mut pending_pages = 0;
    if ctx.options.catalogue_only {
        pending_pages = state.due_count(run_id)?;
        stopped_early |= pending_pages > 0;
    }
    if !stopped_early {
        state.finish_run(run_id)?;
    }
    let mut report = match ctx.report.lock() {
        Ok(r) => r.clone(),
        Err(p) => p.into_inner().clone(),
    };
    report.stopped_early = stopped_early;
    report.catalogue_only = ctx.options.catalogue_only;
    report.pending_pages = pending_pages;
    for s in &ctx.sites {
        let mut lists = state.list_reports(&s.cfg.name)?;
        for l in &mut lists {
            l.category = crate::extract::category_of_column(Some(&s.cfg), &l.column);
        }
        if !lists.is_empty() {
            report.sites.entry(s.cfg.name.clone()).or_default().lists = lists;
        }
    }
    Ok(report)
}

fn backoff(settings: &CrawlSettings, attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(10);
    Duration::from_millis(settings.retry_base_ms.saturating_mul(1u64 << exp))
}

/// Whether a failure may pass on retry: timeouts, resets, connect errors, 5xx
/// (but not 501 Not Implemented, nor 521, an anti-bot challenge).
fn is_retryable(f: &Fetched) -> bool {
    match f {
        Fetched::Transient(_) => true,
        Fetched::Status { status, .. } => *status >= 500 && *status != 521 && *status != 501,
        _ => false,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::extract::hex(&sha2::Sha256::digest(bytes))
}

/// The result of following one URL through retries and redirects.
enum Got {
    Fetched(Fetched),
    Failed(Failure),
}

impl Ctx {
    async fn robots_for(&self, site: &SiteCtx, url: &Url, state: &CrawlState) -> Result<Arc<Robots>> {
        let host = self.host(url, site);
        let r = host.robots.get_or_try_init(|| self.fetch_robots(site, &host, url, state)).await?;
        Ok(r.clone())
    }

    async fn fetch_robots(&self, site: &SiteCtx, host: &Host, url: &Url, state: &CrawlState) -> Result<Arc<Robots>> {
        let robots_url = crate::robots::robots_url(url);
        // transient failures are retried as for pages: one reset must not back off a whole host
        let mut attempts = 0u32;
        let fetched = loop {
            attempts += 1;
            host.gate.wait().await;
            let f = {
                let _permit = self.sem.acquire().await;
                self.report(&site.cfg.name, |r| r.requests += 1);
                get(&site.client, &robots_url, &Validators::default(), 512 * 1024).await
            };
            if is_retryable(&f) && attempts < self.settings.max_attempts.max(1) {
                tokio::time::sleep(backoff(&self.settings, attempts)).await;
                continue;
            }
            break f;
        };
        let robots = Robots::from_answer(&self.settings.user_agent, &fetched);
        // what the crawl state records of the answer
        let (code, reason, body) = match fetched {
            Fetched::Body { status, bytes, .. } => (Some(status), None, Some(bytes)),
            Fetched::Status { status, .. } if (400..500).contains(&status) => (Some(status), None, None),
            Fetched::Status { status, .. } => {
                (Some(status), Some(format!("robots.txt http {status}: backing off")), None)
            }
            Fetched::Redirect { status, .. } => (Some(status), None, None),
            Fetched::NotModified => (Some(304), None, None),
            Fetched::Transient(e) | Fetched::Permanent(e) => (None, Some(format!("robots.txt unreachable: {e}")), None),
        };
        if let Some(d) = robots.crawl_delay {
            let ms = (d.as_millis() as usize).max(site.cfg.delay_ms as usize);
            host.gate.delay_ms.store(ms, Ordering::Relaxed);
            // the next request waits the longer delay too
            let mut next = host.gate.next.lock().await;
            *next = (*next).max(Instant::now() + Duration::from_millis(ms as u64));
        }
        // record robots.txt and enqueue sitemaps in one go
        let rurl = robots_url.to_string();
        let new = |u: String, kind: UrlKind| NewUrl {
            url: u,
            site: site.cfg.name.clone(),
            kind,
            depth: 1,
            parent: Some(rurl.clone()),
            column: String::new(),
            link_text: String::new(),
        };
        state.enqueue(&[new(rurl.clone(), UrlKind::Robots)])?;
        let mut links = Vec::new();
        if !robots.is_unreachable() {
            let mut sitemap = robots_url.clone();
            sitemap.set_path("/sitemap.xml");
            let mut maps: Vec<Url> = robots.sitemaps.iter().filter_map(|s| Url::parse(s).ok()).collect();
            if maps.is_empty() {
                maps.push(sitemap);
            }
            for m in maps.into_iter().take(10) {
                if site.scope.in_scope(&m).is_ok() {
                    links.push(new(crate::urlnorm::normalize(&m).to_string(), UrlKind::Sitemap));
                }
            }
        }
        let hash = body.as_deref().map(sha256_hex);
        state.record(
            0,
            FetchRecord {
                url: rurl,
                http_status: code,
                failure: reason.map(|r| Failure::new(FailureCode::RobotsUnreachable, r)),
                attempts,
                body,
                content_type: Some("text/plain".into()),
                content_hash: hash,
                links,
                ..Default::default()
            },
        )?;
        Ok(Arc::new(robots))
    }

    /// GET with retries (5xx, timeouts, resets) and redirects followed within scope.
    async fn follow(
        &self,
        site: &SiteCtx,
        start: &Url,
        validators: &Validators,
        state: &CrawlState,
    ) -> Result<(Got, u32, Url)> {
        let mut current = start.clone();
        let mut chain = vec![start.to_string()];
        let mut attempts = 0u32;
        let mut total_attempts = 0u32;
        loop {
            attempts += 1;
            total_attempts += 1;
            let host = self.host(&current, site);
            host.gate.wait().await;
            if host.challenged.load(Ordering::Relaxed) {
                return Ok((
                    Got::Failed(Failure::new(FailureCode::AntiBot, "anti-bot challenge (host backed off)")),
                    total_attempts - 1,
                    current,
                ));
            }
            let f = {
                let _permit = self.sem.acquire().await;
                self.report(&site.cfg.name, |r| r.requests += 1);
                let v = if chain.len() == 1 { validators.clone() } else { Validators::default() };
                // a feed URL says what to send: a GET of itself, or a POST of a form
                let f = match Feed::request(&current) {
                    FeedRequest { url, form: Some(form) } => {
                        crate::fetch::post_form(&site.client, &url, &form, self.settings.max_body_bytes).await
                    }
                    FeedRequest { form: None, .. } => {
                        get(&site.client, &current, &v, self.settings.max_body_bytes).await
                    }
                };
                tracing::debug!(
                    url = %current,
                    conditional = v.etag.is_some() || v.last_modified.is_some(),
                    answer = fetched_summary(&f),
                    "request"
                );
                f
            };
            if is_retryable(&f) && attempts < self.settings.max_attempts.max(1) {
                tokio::time::sleep(backoff(&self.settings, attempts)).await;
                continue;
            }
            if let Fetched::Redirect { location, .. } = &f {
                let next = crate::urlnorm::normalize(location);
                if chain.iter().any(|c| c == next.as_str()) {
                    return Ok((
                        Got::Failed(Failure::new(FailureCode::RedirectLoop, "redirect loop")),
                        total_attempts,
                        current,
                    ));
                }
                if chain.len() > self.settings.max_redirects {
                    return Ok((
                        Got::Failed(Failure::new(FailureCode::TooManyRedirects, "too many redirects")),
                        total_attempts,
                        current,
                    ));
                }
                if let Err(why) = site.scope.in_scope(&next) {
                    return Ok((
                        Got::Failed(Failure::new(
                            FailureCode::RedirectRefused,
                            format!("redirect out of scope ({why}): {next}"),
                        )),
                        total_attempts,
                        current,
                    ));
                }
                let nh = self.host(&next, site);
                if let Err(e) = nh.address_ok.get_or_init(|| check_address(&next, site.scope.allow_private)).await {
                    return Ok((
                        Got::Failed(Failure::new(FailureCode::RedirectRefused, e.clone())),
                        total_attempts,
                        current,
                    ));
                }
                let robots = self.robots_for(site, &next, state).await?;
                if !robots.allowed(&next) {
                    return Ok((
                        Got::Failed(Failure::new(
                            FailureCode::RedirectRefused,
                            "redirect target disallowed by robots.txt",
                        )),
                        total_attempts,
                        current,
                    ));
                }
                chain.push(next.to_string());
                current = next;
                attempts = 0;
                continue;
            }
            return Ok((Got::Fetched(f), total_attempts, current));
        }
    }
}

/// Fetch one due URL and record the outcome (with its links) in one transaction.
async fn process(ctx: &Ctx, si: usize, state: &CrawlState, run: i64, d: DueUrl) -> Result<()> {
    let site = &ctx.sites[si];
    let name = site.cfg.name.clone();
    let mut rec = FetchRecord { url: d.url.clone(), ..Default::default() };
    let outcome = match prepare(ctx, site, state, &d).await? {
        Err((reason, blocked)) => {
            rec.failure = Some(reason);
            rec.status_override = Some(if blocked { UrlStatus::Blocked } else { UrlStatus::Failed });
            state.record(run, rec.clone())?
        }
        Ok(url) => {
            let validators = if d.seen_before {
                Validators { etag: d.etag.clone(), last_modified: d.last_modified.clone() }
            } else {
                Validators::default()
            };
            let (got, attempts, final_url) = ctx.follow(site, &url, &validators, state).await?;
            rec.attempts = attempts;
            let item = fill(ctx, site, state, run, &d, &final_url, got, &mut rec).await?;
            if d.kind == UrlKind::Feed {
                feed_step(ctx, site, state, run, &d, &final_url, &mut rec).await?;
            }
            if let Some(item) = &item
                && let Some(listed) = state.listing_of(&d.url)?
            {
                let off = crate::listing::compare(&listed, item);
                if !off.is_empty() {
                    tracing::debug!(url = %d.url, fields = ?off, "listing and page disagree");
                    ctx.report(&name, |r| {
                        for o in off {
                            *r.list_disagreements.entry(o.field.to_owned()).or_default() += 1;
                        }
                    });
                }
            }
            if let Some(item) = item
                && d.kind == UrlKind::Item
                && d.seen_before
            {
                rec.revision = revision_of(state, site, &d, &final_url, &item)?;
            }
            state.record(run, rec.clone())?
        }
    };
    let n = ctx.fetched.fetch_add(1, Ordering::Relaxed) + 1;
    let counts_gone = !matches!(d.kind, UrlKind::Sitemap | UrlKind::Feed);
    ctx.report(&name, |r| {
        r.fetched += 1;
        match outcome {
            Outcome::New => r.new += 1,
            Outcome::Updated => r.updated += 1,
            Outcome::Unchanged => r.unchanged += 1,
            Outcome::Gone if counts_gone => r.gone += 1,
            Outcome::Withdrawn if counts_gone => r.withdrawn += 1,
            Outcome::Gone | Outcome::Withdrawn => {}
            Outcome::Blocked => match &rec.failure {
                Some(f) if f.code == FailureCode::Robots => r.robots_blocked += 1,
                f => *r.failed.entry(f.as_ref().map(|f| f.message.clone()).unwrap_or_default()).or_default() += 1,
            },
            Outcome::Failed => {
                *r.failed
                    .entry(rec.failure.as_ref().map_or_else(|| "failed".into(), |f| f.message.clone()))
                    .or_default() += 1
            }
        }
    });
    if outcome == Outcome::Failed {
        ctx.errors.fetch_add(1, Ordering::Relaxed);
    }
    if let Some(cb) = &ctx.options.progress {
        let secs = ctx.started.elapsed().as_secs_f64().max(0.001);
        cb(&Progress {
            fetched: n,
            queued: ctx
                .frontier
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |q| Some(q.saturating_sub(1)))
                .unwrap_or(0)
                .saturating_sub(1),
            errors: ctx.errors.load(Ordering::Relaxed),
            pages_per_sec: n as f64 / secs,
            current_url: d.url.clone(),
        });
    }
    Ok(())
}

/// Checks before any request: scope, anti-bot back-off, SSRF guard, robots.txt.
/// `Err((failure, blocked))` when the URL must not be fetched now.
async fn prepare(
    ctx: &Ctx,
    site: &SiteCtx,
    state: &CrawlState,
    d: &DueUrl,
) -> Result<std::result::Result<Url, (Failure, bool)>> {
    let Ok(url) = Url::parse(&d.url) else { return Ok(Err((Failure::new(FailureCode::OutOfScope, "bad URL"), true))) };
    if let Err(why) = site.scope.in_scope(&url) {
        return Ok(Err((Failure::new(FailureCode::OutOfScope, why), true)));
    }
    let host = ctx.host(&url, site);
    if host.challenged.load(Ordering::Relaxed) {
        return Ok(Err((Failure::new(FailureCode::AntiBot, "anti-bot challenge (host backed off)"), false)));
    }
    if let Err(e) = host.address_ok.get_or_init(|| check_address(&url, site.scope.allow_private)).await {
        return Ok(Err((Failure::new(FailureCode::PrivateAddress, e.clone()), false)));
    }
    let robots = ctx.robots_for(site, &url, state).await?;
    if robots.is_unreachable() {
        let why = robots.unreachable_reason().unwrap_or("unknown");
        let message = format!("robots.txt unreachable ({why}): backing off");
        return Ok(Err((Failure::new(FailureCode::RobotsUnreachable, message), false)));
    }
    if !robots.allowed(&url) {
        return Ok(Err((Failure::new(FailureCode::Robots, "robots.txt"), true)));
    }
    Ok(Ok(url))
}

/// How a recrawled item page differs from its stored version, if its extracted
/// text changed: the stored page is extracted again with the same code and
/// site rules as `new` and the two are compared (see [`crate::history`]).
fn revision_of(
    state: &CrawlState,
    site: &SiteCtx,
    d: &DueUrl,
    url: &Url,
    new: &ExtractedItem,
) -> Result<Option<crate::history::Change>> {
    if d.content_hash.as_deref() == Some(new.content_hash.as_str()) {
        return Ok(None);
    }
    let Some(old) = state.page(&d.url)? else { return Ok(None) };
    let html = crate::charset::decode(&old.bytes, old.content_type.as_deref()).text;
    let old_item = Page::parse(url, &html).item(Some(&site.cfg));
    Ok(crate::history::compare(&old_item, new))
}

/// Turn what came back into the record: status, validators, body, hash, links,
/// attachment text. Returns the extracted item when the page is a stored item page.
#[allow(clippy::too_many_arguments)]
async fn fill(
    ctx: &Ctx,
    site: &SiteCtx,
    state: &CrawlState,
    run: i64,
    d: &DueUrl,
    final_url: &Url,
    got: Got,
    rec: &mut FetchRecord,
) -> Result<Option<ExtractedItem>> {
    let f = match got {
        Got::Failed(reason) => {
            tracing::warn!(url = %final_url, site = %site.cfg.name, %reason, "URL failed");
            rec.failure = Some(reason);
            return Ok(None);
        }
        Got::Fetched(f) => f,
    };
    if let Fetched::Transient(e) | Fetched::Permanent(e) = &f {
        tracing::warn!(url = %final_url, site = %site.cfg.name, reason = %e, "URL failed");
    }
    let mut extracted = None;
    match f {
        Fetched::NotModified => rec.http_status = Some(304),
        Fetched::Transient(e) => rec.failure = Some(Failure::new(FailureCode::Network, e)),
        Fetched::Permanent(e) => rec.failure = Some(Failure::new(FailureCode::Refused, e)),
        Fetched::Redirect { status, .. } => {
            rec.http_status = Some(status);
            rec.failure = Some(Failure::new(FailureCode::RedirectWithoutLocation, "redirect without usable location"));
        }
        Fetched::Status { status, set_cookie, body } => {
            rec.http_status = Some(status);
            let html = String::from_utf8_lossy(&body);
            if status == 412 || status == 521 || (set_cookie && is_anti_bot(&html)) {
                ctx.host(final_url, site).challenged.store(true, Ordering::Relaxed);
                rec.failure = Some(Failure::new(FailureCode::AntiBot, "anti-bot challenge"));
            } else if status != 404 && status != 410 {
                rec.failure = Some(Failure::new(FailureCode::Http, format!("http {status}")));
            }
        }
        Fetched::Body { status, content_type, etag, last_modified, bytes } => {
            rec.http_status = Some(status);
            rec.etag = etag;
            rec.last_modified = last_modified;
            rec.content_type = content_type.clone();
            match d.kind {
                UrlKind::Attachment => {
                    let kind = crate::extract::attachment_kind_of(final_url).unwrap_or_default();
                    let b = bytes.clone();
                    let k = kind.clone();
                    let text = tokio::task::spawn_blocking(move || crate::attachments::extract_text(&k, &b))
                        .await
                        .unwrap_or_else(|e| Err(format!("extraction crashed: {e}")));
                    rec.attachment = Some((kind, text));
                    rec.content_hash = Some(sha256_hex(&bytes));
                }
                UrlKind::Sitemap => {
                    rec.content_hash = Some(sha256_hex(&bytes));
                    rec.links = sitemap_links(site, d, &bytes);
                }
                // read by `feed_step`, once the body is in the record
                UrlKind::Feed => rec.content_hash = Some(sha256_hex(&bytes)),
                _ => {
                    let html = crate::charset::decode(&bytes, content_type.as_deref()).text;
                    if is_anti_bot(&html) {
                        ctx.host(final_url, site).challenged.store(true, Ordering::Relaxed);
                        rec.failure = Some(Failure::new(FailureCode::AntiBot, "anti-bot challenge"));
                        return Ok(None);
                    }
                    let page = Page::parse(final_url, &html);
                    let item = page.item(Some(&site.cfg));
                    if d.kind == UrlKind::Item
                        && let Some(not) = not_a_document(&html, &item)
                    {
                        // never indexed; what was stored before stays
                        match not.failure() {
                            Some(failure) => rec.failure = Some(failure),
                            None => rec.http_status = Some(404),
                        }
                        return Ok(None);
                    }
                    // a page whose URL looked like a list but that reads like an item is one
                    let is_item = d.kind == UrlKind::Item || looks_like_item(&item, &html);
                    if is_item && d.kind != UrlKind::Item {
                        rec.kind = Some(UrlKind::Item);
                    }
                    rec.content_hash = Some(if is_item { item.content_hash.clone() } else { sha256_hex(&bytes) });
                    let kind = if is_item { UrlKind::Item } else { d.kind };
                    let (links, traps) = page_links(site, d, kind, final_url, &page);
                    let page_column = page.column();
                    drop(page);
                    if traps > 0 {
                        ctx.report(&site.cfg.name, |r| r.traps += traps);
                    }
                    rec.links = links;
                    if d.kind == UrlKind::List || !is_item || site.catalogue_empty() {
                        let column = if page_column.is_empty() { &d.column } else { &page_column };
                        catalogue_links(ctx, site, state, run, d, final_url, &html, column, rec)?;
                    }
                    if is_item {
                        extracted = Some(item);
                    }
                }
            }
            rec.body = Some(bytes);
        }
    }
    Ok(extracted)
}

impl SiteCtx {
    fn catalogue_empty(&self) -> bool {
        match self.catalogues.lock() {
            Ok(c) => c.is_empty(),
            Err(p) => p.into_inner().is_empty(),
        }
    }

    /// Whether a discovered link fits the trap bound: a URL already admitted in
    /// this run always does (the same link on many pages counts once); a new
    /// one while its host has fewer than `max_pages` distinct URLs.
    fn within_bound(&self, u: &Url) -> bool {
        let host = format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0));
        let mut counts = match self.host_counts.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        let admitted = counts.entry(host).or_default();
        if admitted.contains(u.as_str()) {
            return true;
        }
        if admitted.len() >= self.cfg.max_pages {
            return false;
        }
        admitted.insert(u.to_string());
        true
    }
}

/// A page of a recognised platform: its catalogue's lists become feeds (once
/// per run), and its backfill endpoint is noted for lists that run short.
#[allow(clippy::too_many_arguments)]
fn catalogue_links(
    ctx: &Ctx,
    site: &SiteCtx,
    state: &CrawlState,
    run: i64,
    d: &DueUrl,
    url: &Url,
    html: &str,
    page_column: &str,
    rec: &mut FetchRecord,
) -> Result<()> {
    let Some(platform) = crate::platform::detect(html, url) else { return Ok(()) };
    let starts = feed::feeds_of(&platform);
    let backfill = feed::backfill_of(&platform);
    let Some(key) = starts.first().map(|s| s.url.to_string()).or_else(|| backfill.as_ref().map(Url::to_string)) else {
        return Ok(());
    };
    {
        let mut seen = match site.catalogues.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        if !seen.insert(key) {
            return Ok(());
        }
    }
    ctx.report(&site.cfg.name, |r| r.platform = Some(platform.code().to_owned()));
    let mut out_of_scope = 0u64;
    // lists without a catalogue path file their items under this page's column
    for s in starts {
        let u = crate::urlnorm::normalize(&s.url);
        if site.scope.in_scope(&u).is_err() {
            out_of_scope += 1;
            continue;
        }
        let column = if s.path.is_empty() { page_column.to_owned() } else { feed::column_of(&s.path) };
        let kind = Feed::of(&u).map_or(FeedKind::GkmlptList, |f| f.kind);
        let key = Feed::list_key(&u);
        state.note_list(run, &site.cfg.name, &key, kind, &column, u.as_str(), None)?;
        if !s.embedded.is_empty() {
            // the records the column page carries for this list count as its first
            embedded_items(site, state, run, d, &key, kind, &column, &s.embedded, rec)?;
        }
        rec.links.push(feed_link(site, d, u.to_string(), column));
    }
    if let Some(b) = backfill.map(|b| crate::urlnorm::normalize(&b)) {
        if site.scope.in_scope(&b).is_ok() {
            state.note_list(run, &site.cfg.name, &Feed::list_key(&b), FeedKind::GkmlptSearch, "", b.as_str(), None)?;
        } else {
            tracing::info!(site = %site.cfg.name, url = %b, "the platform's site search is on a host the config does not name: no backfill");
        }
    }
    if out_of_scope > 0 {
        tracing::warn!(site = %site.cfg.name, lists = out_of_scope, "catalogue lists out of scope (name their host in the config)");
        ctx.report(&site.cfg.name, |r| {
            *r.failed.entry("catalogue list out of scope".into()).or_default() += out_of_scope
        });
    }
    Ok(())
}

/// The records a column page embeds: listed under the page's first list and
/// queued as items (in scope; robots.txt is read when each is fetched).
#[allow(clippy::too_many_arguments)]
fn embedded_items(
    site: &SiteCtx,
    state: &CrawlState,
    run: i64,
    d: &DueUrl,
    key: &str,
    kind: FeedKind,
    column: &str,
    items: &[crate::platform::ListedItem],
    rec: &mut FetchRecord,
) -> Result<()> {
    let mut listed = Vec::new();
    for it in items {
        let Ok(u) = Url::parse(&it.url) else { continue };
        let u = crate::urlnorm::normalize(&u);
        if site.scope.in_scope(&u).is_err() {
            continue;
        }
        let mut it = it.clone();
        it.url = u.to_string();
        rec.links.push(NewUrl {
            url: it.url.clone(),
            site: site.cfg.name.clone(),
            kind: UrlKind::Item,
            depth: d.depth + 1,
            parent: Some(d.url.clone()),
            column: column.to_owned(),
            link_text: it.title.clone(),
        });
        listed.push(it);
    }
    state.list_items(run, &site.cfg.name, key, kind, &listed)?;
    Ok(())
}

/// One feed page: its items become item URLs (and listings), the next page is
/// queued unless the walk ends, and a list that ends short of what it claimed
/// queues the site's backfill.
async fn feed_step(
    ctx: &Ctx,
    site: &SiteCtx,
    state: &CrawlState,
    run: i64,
    d: &DueUrl,
    url: &Url,
    rec: &mut FetchRecord,
) -> Result<()> {
    let Some(feed) = Feed::of(url) else { return Ok(()) };
    let key = Feed::list_key(url);
    let name = &site.cfg.name;
    let first = Feed::page_url(url, 1).to_string();
    let note = |end: Option<crate::platform::WalkEnd>, claimed: Option<u64>| {
        state.note_list(
            run,
            name,
            &key,
            feed.kind,
            &d.column,
            &first,
            Some((feed.page, claimed, end.map_or("", |e| e.code()))),
        )
    };
    // the answer: fetched now, or stored (304: unchanged since the last run)
    let stored;
    let (bytes, ctype) = match (&rec.body, rec.http_status) {
        (Some(b), _) => (b.as_slice(), rec.content_type.clone()),
        (None, Some(304)) => {
            stored = state.page(&d.url)?;
            match &stored {
                Some(p) => (p.bytes.as_slice(), p.content_type.clone()),
                None => return Ok(()),
            }
        }
        (None, Some(404 | 410)) if feed.page > 1 => {
            // some sites answer 404 past the last page
            note(Some(crate::platform::WalkEnd::NotFound), None)?;
            return backfill_if_short(ctx, site, state, run, d, feed.kind, &key, rec);
        }
        (None, Some(404 | 410)) => {
            // a first page not there: the endpoint's path is another one
            note(Some(crate::platform::WalkEnd::NotFound), None)?;
            return fall_back(site, d, url, true, rec);
        }
        _ => {
            note(Some(crate::platform::WalkEnd::Unreadable), None)?;
            return if feed.page == 1 { fall_back(site, d, url, false, rec) } else { Ok(()) };
        }
    };
    let text = crate::charset::decode(bytes, ctype.as_deref()).text;
    let page = match feed.parse(&text, url) {
        Ok(p) => p,
        Err(problem) => {
            tracing::warn!(url = %url, site = %name, reason = %problem, "feed unreadable");
            rec.failure = Some(Failure::new(FailureCode::ListUnreadable, format!("{}: {problem}", problem.code())));
            note(Some(crate::platform::WalkEnd::Unreadable), None)?;
            return if feed.page == 1 { fall_back(site, d, url, false, rec) } else { Ok(()) };
        }
    };
    let mut items = page.items;
    for it in &mut items {
        if let Ok(u) = Url::parse(&it.url) {
            it.url = crate::urlnorm::normalize(&u).to_string();
        }
        // a URL known as another view of a post stands for that post
        if let Some(canonical) = state.canonical_of(&it.url)? {
            it.url = canonical;
        }
    }
    let fresh = state.list_items(run, name, &key, feed.kind, &items)?;
    let aliases: Vec<(String, String)> = items
        .iter()
        .flat_map(|it| it.other_urls.iter().map(move |o| (o, &it.url)))
        .filter_map(|(o, canonical)| Some((crate::urlnorm::normalize(&Url::parse(o).ok()?), canonical)))
        .filter(|(o, _)| site.scope.in_scope(o).is_ok())
        .map(|(o, canonical)| (o.to_string(), canonical.clone()))
        .collect();
    state.note_aliases(name, &aliases)?;
    let served = state.list_served(run, &key)?;
    let end = crate::platform::walk_end(items.len(), fresh, served, page.claimed_total, feed.page);
    let mut private = 0u64;
    for it in &items {
        let Ok(u) = Url::parse(&it.url) else { continue };
        // the items a platform's list names are bounded by the walk itself
        // (MAX_PAGES_PER_LIST pages a list, the catalogue's own lists), not by
        // the link-trap bound: a department's catalogue can list more than
        // `max_pages` items, and each of them is one
        if site.scope.in_scope(&u).is_err() {
            continue;
        }
        // robots.txt is read here, not only at fetch time, so that a
        // catalogue-only crawl never counts an item the site keeps private
        let robots = ctx.robots_for(site, &u, state).await?;
        if !robots.is_unreachable() && !robots.allowed(&u) {
            private += 1;
            continue;
        }
        let column = if d.column.is_empty() { feed::column_of(&feed::path_of(&it.node)) } else { d.column.clone() };
        rec.links.push(NewUrl {
            url: it.url.clone(),
            site: name.clone(),
            kind: UrlKind::Item,
            depth: d.depth + 1,
            parent: Some(d.url.clone()),
            column,
            link_text: it.title.clone(),
        });
    }
    if private > 0 {
        ctx.report(name, |r| r.robots_blocked += private);
    }
    if end.is_none() {
        let next = Feed::page_url(url, feed.page + 1);
        rec.links.push(feed_link(site, d, next.to_string(), d.column.clone()));
    }
    note(end, page.claimed_total)?;
    if feed.page == 1 && end == Some(crate::platform::WalkEnd::Empty) {
        // an empty first answer may be the wrong way of asking (a deployment
        // that honours the other request mode)
        return fall_back(site, d, url, false, rec);
    }
    if end.is_some() && page.claimed_total.is_some_and(|c| served < c) {
        return backfill_if_short(ctx, site, state, run, d, feed.kind, &key, rec);
    }
    Ok(())
}

/// A list's first page failed: queue the other way of asking for it
/// ([`Feed::fallback`]), if one is left and in scope.
fn fall_back(site: &SiteCtx, d: &DueUrl, url: &Url, not_found: bool, rec: &mut FetchRecord) -> Result<()> {
    let Some(next) = Feed::fallback(url, not_found).map(|u| crate::urlnorm::normalize(&u)) else { return Ok(()) };
    if site.scope.in_scope(&next).is_err() {
        return Ok(());
    }
    tracing::info!(site = %site.cfg.name, from = %url, to = %next, "list endpoint did not answer: trying another way");
    rec.links.push(feed_link(site, d, next.to_string(), d.column.clone()));
    Ok(())
}

/// A list ended short of its claimed total: queue the site's backfill feed.
#[allow(clippy::too_many_arguments)]
fn backfill_if_short(
    _ctx: &Ctx,
    site: &SiteCtx,
    state: &CrawlState,
    _run: i64,
    d: &DueUrl,
    kind: FeedKind,
    key: &str,
    rec: &mut FetchRecord,
) -> Result<()> {
    if kind.is_backfill() {
        return Ok(());
    }
    let Some((first, column)) = state.backfill_feed(&site.cfg.name)? else { return Ok(()) };
    tracing::info!(site = %site.cfg.name, list = %key, "list served fewer items than it claims: site search backfill");
    rec.links.push(feed_link(site, d, first, column));
    Ok(())
}

/// A list page queued from the page `d`: a step of the same walk, at its depth.
fn feed_link(site: &SiteCtx, d: &DueUrl, url: String, column: String) -> NewUrl {
    NewUrl {
        url,
        site: site.cfg.name.clone(),
        kind: UrlKind::Feed,
        depth: d.depth,
        parent: Some(d.url.clone()),
        column,
        link_text: String::new(),
    }
}

/// Most links enqueued from one page.
const MAX_NEW_LINKS: usize = 1000;

fn page_links(site: &SiteCtx, d: &DueUrl, kind: UrlKind, _url: &Url, page: &Page<'_>) -> (Vec<NewUrl>, u64) {
    let pl = page.links();
    let column = if kind == UrlKind::List {
        let c = page.column();
        if c.is_empty() { d.column.clone() } else { c }
    } else {
        d.column.clone()
    };
    let mut cands: Vec<(Url, UrlKind, u32, String)> = Vec::new();
    if let Some(r) = pl.redirect {
        cands.push((r, UrlKind::List, d.depth, String::new()));
    }
    for p in pl.pagination {
        cands.push((p, UrlKind::List, d.depth, String::new()));
    }
    for l in pl.links {
        cands.push((l.url, UrlKind::List, d.depth + 1, l.text));
    }
    if kind == UrlKind::Item && site.cfg.attachments {
        for a in pl.attachments {
            cands.push((a.url, UrlKind::Attachment, d.depth + 1, a.name));
        }
    }
    let mut out = Vec::new();
    let mut traps = 0;
    let mut seen = HashSet::new();
    for (u, hint, depth, text) in cands {
        if out.len() >= MAX_NEW_LINKS {
            break;
        }
        if !seen.insert(u.to_string()) || site.scope.in_scope(&u).is_err() {
            continue;
        }
        let kind = match (hint, site.scope.classify(&u)) {
            (UrlKind::Attachment, UrlKind::Attachment) => UrlKind::Attachment,
            (UrlKind::Attachment, _) => continue,
            (_, UrlKind::Attachment | UrlKind::Robots | UrlKind::Sitemap) => continue,
            (_, k) => k,
        };
        if kind != UrlKind::Attachment && depth > site.scope.max_depth {
            continue;
        }
        {
            let mut t = match site.traps.lock() {
                Ok(t) => t,
                Err(p) => p.into_inner(),
            };
            let (det, known) = &mut *t;
            let trapped = match known.get(u.as_str()) {
                Some(&trapped) => trapped,
                None => {
                    let trapped = det.check(&u).is_some();
                    known.insert(u.to_string(), trapped);
                    if trapped {
                        traps += 1;
                    }
                    trapped
                }
            };
            if trapped {
                continue;
            }
        }
        if !site.within_bound(&u) {
            continue;
        }
        out.push(NewUrl {
            url: u.to_string(),
            site: site.cfg.name.clone(),
            kind,
            depth,
            parent: Some(d.url.clone()),
            column: column.clone(),
            link_text: text,
        });
    }
    (out, traps)
}

fn sitemap_links(site: &SiteCtx, d: &DueUrl, bytes: &[u8]) -> Vec<NewUrl> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(10 * 1024 * 1024)]);
    let is_index = text.contains("<sitemapindex");
    let mut out = Vec::new();
    for part in text.split("<loc>").skip(1).take(50_000) {
        let Some(loc) = part.split("</loc>").next() else { continue };
        let loc = loc.trim().replace("&amp;", "&");
        let Ok(u) = Url::parse(&loc) else { continue };
        let u = crate::urlnorm::normalize(&u);
        if site.scope.in_scope(&u).is_err() {
            continue;
        }
        let kind = if is_index { UrlKind::Sitemap } else { site.scope.classify(&u) };
        if matches!(kind, UrlKind::Attachment | UrlKind::Robots) {
            continue;
        }
        out.push(NewUrl {
            url: u.to_string(),
            site: site.cfg.name.clone(),
            kind,
            depth: d.depth + 1,
            parent: Some(d.url.clone()),
            column: String::new(),
            link_text: String::new(),
        });
    }
    out
}

/// What a request got, in a few words, for the debug log (no body, no cookies).
fn fetched_summary(f: &Fetched) -> String {
    match f {
        Fetched::Body { status, bytes, .. } => format!("{status}, {} bytes", bytes.len()),
        Fetched::Status { status, .. } => status.to_string(),
        Fetched::Redirect { status, .. } => format!("{status} redirect"),
        Fetched::NotModified => "304 not modified".into(),
        Fetched::Transient(e) => format!("transient failure: {e}"),
        Fetched::Permanent(e) => format!("failure: {e}"),
    }
}
