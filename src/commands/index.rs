//! `govsearch index`: rebuild the index from stored pages and imports.

use std::process::ExitCode;

use anyhow::Result;
use govsearch_crawler::Config;

use super::{Ctx, index_progress, print_indexed};
use crate::cli::IndexArgs;
use crate::pipeline;

pub fn run(a: IndexArgs, ctx: &Ctx) -> Result<ExitCode> {
    let cfg = a.config.map(|c| Config::from_path(&c)).transpose()?;
    // the same lock as a crawl and the admin reindex: one job per data folder
    let held = pipeline::Held::acquire(&ctx.data)?;
    let r = pipeline::rebuild_index(&held, cfg.as_ref(), index_progress(ctx.quiet))?;
    print_indexed(&r);
    Ok(ExitCode::SUCCESS)
}
