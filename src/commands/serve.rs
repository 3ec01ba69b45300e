//! `govsearch serve`: the JSON API and the web pages.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use govsearch_crawler::Config;
use govsearch_index::Catalogue;

use super::{Ctx, runtime};
use crate::cli::ServeArgs;
use crate::server::{
    self,
    ratelimit::{RateLimiter, TrustedProxies},
};

pub fn run(a: ServeArgs, ctx: &Ctx) -> Result<ExitCode> {
    if !(a.rate_limit.is_finite() && a.rate_limit >= 0.0) {
        anyhow::bail!("--rate-limit must be requests per second, 0 or more (0 turns it off); got {}", a.rate_limit);
    }
    let sites = a.config.map(|c| Config::from_path(&c)).transpose()?.map(Arc::new);
    let cat = Arc::new(Catalogue::open(&ctx.data.index_dir())?);
    let mut state = server::AppState::new(cat);
    state.data = Some(ctx.data.clone());
    state.admin.token = a.admin_token.filter(|t| !t.is_empty()).map(Arc::from);
    state.admin.sites = sites;
    state.cors_origin = a.cors_origin;
    if a.rate_limit > 0.0 {
        state.rate_limit = Some(Arc::new(RateLimiter::new(
            a.rate_limit,
            a.rate_burst,
            TrustedProxies::of(a.trusted_proxy.iter().flatten().copied().collect()),
        )));
    }
    runtime()?.block_on(server::serve(state, a.addr))?;
    Ok(ExitCode::SUCCESS)
}
