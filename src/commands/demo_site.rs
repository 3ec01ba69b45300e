//! `govsearch demo-site`: serve only the bundled demo government site.

use std::process::ExitCode;

use anyhow::Result;

use super::{Ctx, runtime, write_file};
use crate::cli::DemoSiteArgs;
use crate::demo_site::DemoSite;

pub fn run(a: DemoSiteArgs, _ctx: &Ctx) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let site = DemoSite::start(a.addr).await?;
        if let Some(path) = a.write_config {
            write_file(&path, site.config_toml())?;
        }
        eprintln!("demo government site at {} (Ctrl-C to stop)", site.base_url());
        let _ = tokio::signal::ctrl_c().await;
        site.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
