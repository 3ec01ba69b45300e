//! Admin operations: `POST /api/admin/reload`, `/api/admin/reindex` and
//! `/api/admin/crawl?site=NAME`. Off unless an admin token is configured; the
//! token is compared in constant time (see `api::check_admin`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use super::api::{SearchParams, check_admin};
use super::{ApiError, AppState};
use crate::data::DataDir;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/reload", post(reload))
        .route("/api/admin/reindex", post(reindex))
        .route("/api/admin/crawl", post(crawl))
}

/// The admin settings: who may call the admin endpoints, and which sites
/// they crawl. The data folder the jobs write is [`AppState::data`].
#[derive(Clone, Debug, Default)]
pub struct AdminSettings {
    /// Bearer token for /api/admin/*; the endpoints are off (404) when `None`.
    pub token: Option<Arc<str>>,
    /// The sites config crawls and reindexes use (`serve --config`).
    pub sites: Option<Arc<govsearch_crawler::Config>>,
}

/// What an admin job works on.
struct Job {
    data: DataDir,
    sites: Option<Arc<govsearch_crawler::Config>>,
}

async fn reload(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    check_admin(&st, &headers)?;
    st.catalogue.reload()?;
    Ok(Json(serde_json::json!({ "reloaded": true, "documents": st.catalogue.num_docs() })).into_response())
}

fn admin_job(st: &AppState) -> Result<Job, ApiError> {
    let data = st
        .data
        .clone()
        .ok_or_else(|| ApiError::Unavailable("this server was started without a data folder for admin jobs".into()))?;
    Ok(Job { data, sites: st.admin.sites.clone() })
}

/// Rebuild the index from stored pages and imports in the background, then
/// reload; 202 at once. A rebuild of a large catalogue takes longer than any
/// request may, so the answer does not wait for it; the result goes to the log
/// and the documents appear when it commits. Refused (409) while a crawl or
/// another rebuild holds the data folder.
async fn reindex(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    check_admin(&st, &headers)?;
    let admin = admin_job(&st)?;
    let held = crate::pipeline::Held::acquire(&admin.data).map_err(|e| ApiError::Conflict(e.to_string()))?;
    let cat = st.catalogue.clone();
    tokio::task::spawn_blocking(move || match rebuild_and_reload(&held, admin.sites.as_deref(), &cat) {
        Ok(r) => {
            tracing::info!(report = %serde_json::to_string(&r).unwrap_or_default(), "admin reindex finished")
        }
        Err(e) => tracing::error!(error = format!("{e:#}"), "admin reindex failed"),
    });
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "started": true }))).into_response())
}

/// The tail of both jobs: rebuild the index, then let searches see it.
fn rebuild_and_reload(
    held: &crate::pipeline::Held,
    sites: Option<&govsearch_crawler::Config>,
    cat: &govsearch_index::Catalogue,
) -> anyhow::Result<crate::pipeline::IndexReport> {
    let report = crate::pipeline::rebuild_index(held, sites, None)?;
    cat.reload()?;
    Ok(report)
}

/// Start a crawl of one configured site in the background (then reindex); 202 at once.
async fn crawl(State(st): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    check_admin(&st, &headers)?;
    let admin = admin_job(&st)?;
    let Some(config) = admin.sites.clone() else {
        return Err(ApiError::Unavailable("no sites config: start the server with --config sites.toml".into()));
    };
    let p = SearchParams::parse(raw.as_deref());
    let Some(site) = p.get("site").map(str::to_owned) else {
        return Err(ApiError::BadRequest("site", "name the site to crawl".into()));
    };
    let mut one = (*config).clone();
    one.sites.retain(|s| s.name == site);
    if one.sites.is_empty() {
        let names: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
        return Err(ApiError::BadRequest("site", format!("{site:?} is not in the config ({})", names.join(", "))));
    }
    // Refuse now, not in the background, when another crawl holds the data folder.
    let held = crate::pipeline::Held::acquire(&admin.data).map_err(|e| ApiError::Conflict(e.to_string()))?;
    let cat = st.catalogue.clone();
    tokio::spawn(async move {
        let result = async {
            let options = govsearch_crawler::CrawlOptions::default();
            let done = crate::pipeline::crawl_then_index(&held, &one, &config, options, Some(None), |_| Ok(())).await?;
            cat.reload()?;
            Ok::<_, anyhow::Error>(done.crawl)
        }
        .await;
        match result {
            Ok(r) => {
                tracing::info!(site = %one.sites[0].name, report = %serde_json::to_string(&r).unwrap_or_default(), "admin crawl finished")
            }
            Err(e) => tracing::error!(error = format!("{e:#}"), "admin crawl failed"),
        }
    });
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "started": true, "site": site }))).into_response())
}
