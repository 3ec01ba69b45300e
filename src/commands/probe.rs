//! `govsearch probe URL`: look at a site, print what a crawl would need.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use govsearch_crawler::config::CrawlSettings;
use govsearch_crawler::probe::{ProbeOptions, probe};

use super::{Ctx, runtime};
use crate::cli::ProbeArgs;

pub fn run(a: ProbeArgs, _ctx: &Ctx) -> Result<ExitCode> {
    let options =
        ProbeOptions { count: a.count, allow_private: a.allow_private, delay: Some(Duration::from_millis(a.delay_ms)) };
    let settings = CrawlSettings::default();
    let probe = runtime()?.block_on(probe(&a.url, &settings, &options))?;
    // what was found to stderr, the config block to stdout (so `> sites.toml` works)
    eprint!("{probe}");
    print!("{}", probe.site_block(&a.name.unwrap_or_else(|| probe.suggested_name())));
    Ok(ExitCode::SUCCESS)
}
