//! `govsearch crawl`: crawl a config's sites, print the report, rebuild the index.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use govsearch_crawler::Config;
use govsearch_crawler::crawl::{CrawlOptions, Progress};

use super::{Ctx, index_progress, print_indexed, runtime, spinner};
use crate::cli::CrawlArgs;
use crate::data::DataDir;
use crate::pipeline;

pub fn run(a: CrawlArgs, ctx: &Ctx) -> Result<ExitCode> {
    let cfg = Config::from_path(&a.config)?;
    let options = CrawlOptions { max_pages: a.max_pages, catalogue_only: a.catalogue_only, ..Default::default() };
    runtime()?.block_on(crawl(&ctx.data, &cfg, options, a.report_json.as_deref(), !a.no_index, ctx.quiet))
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
    let pb = spinner(quiet, "{spinner} crawling: {msg}");
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
        print_indexed(&r);
    }
    Ok(ExitCode::SUCCESS)
}
