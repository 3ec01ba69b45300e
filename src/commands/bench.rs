//! `govsearch bench` (lab tool): analysis, index build, search over HTTP and
//! crawl throughput. The measuring code is in `crate::bench`.

use std::process::ExitCode;

use anyhow::Result;

use super::{Ctx, runtime, write_file};
use crate::cli::BenchArgs;

pub fn run(a: BenchArgs, ctx: &Ctx) -> Result<ExitCode> {
    let report = runtime()?.block_on(crate::bench::run(
        &ctx.data,
        &a.corpus,
        a.queries.as_deref(),
        a.seconds,
        &a.only,
        a.addr.as_deref(),
    ))?;
    print!("{}", report.table());
    if let Some(path) = a.json {
        write_file(&path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(ExitCode::SUCCESS)
}
