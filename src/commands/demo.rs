//! `govsearch demo`: the bundled site → a real crawl → the index → search, until Ctrl-C.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use govsearch_crawler::Config;
use govsearch_crawler::crawl::CrawlOptions;
use govsearch_index::Catalogue;

use super::{Ctx, runtime};
use crate::cli::DemoArgs;
use crate::data::DataDir;
use crate::demo_site::DemoSite;
use crate::server;

pub fn run(a: DemoArgs, ctx: &Ctx) -> Result<ExitCode> {
    runtime()?.block_on(demo(&ctx.data, a, ctx.quiet))
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

async fn demo(data: &DataDir, a: DemoArgs, quiet: bool) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // Bind the search address first, so a port in use fails before any work.
    let listener = server::bind(a.addr).await?;
    let site = DemoSite::start(a.site_addr).await?;
    eprintln!("demo government site: {}", site.base_url());
    let config = Config::parse(&site.config_toml(), "the demo site config")?;
    super::crawl::crawl(data, &config, CrawlOptions::default(), None, true, quiet).await?;
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
