//! The JSON API (documented in README and at `/api/openapi.json`).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use govsearch_index::{SearchRequest, SortOrder};
use serde::Serialize;

use super::{ApiError, AppState, blocking};
use crate::render::{ApiHit, ApiSearchResponse};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/documents/{id}", get(document))
        .route("/api/suggest", get(suggest))
        .route("/api/stats", get(stats))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
}

/// Query parameters of a search, as text (parsed here so errors name the parameter).
#[derive(Debug, Default, Clone)]
pub struct SearchParams {
    pub pairs: Vec<(String, String)>,
}

impl SearchParams {
    /// Parse a raw query string; invalid percent-encoding is read leniently, never rejected.
    pub fn parse(raw: Option<&str>) -> SearchParams {
        let pairs = raw.map(|r| url::form_urlencoded::parse(r.as_bytes()).into_owned().collect()).unwrap_or_default();
        SearchParams { pairs }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
    }

    fn number(&self, key: &'static str) -> Result<Option<usize>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| ApiError::BadRequest(key, format!("{v:?} is not a positive whole number"))),
        }
    }

    /// The search this asks for; errors name the parameter.
    pub fn to_request(&self) -> Result<SearchRequest, ApiError> {
        let s = |k: &str| self.get(k).map(str::to_owned);
        let sort = match self.get("sort") {
            None | Some("relevance") => SortOrder::Relevance,
            Some("date") => SortOrder::Date,
            Some(v) => return Err(ApiError::BadRequest("sort", format!("{v:?} is not one of relevance, date"))),
        };
        let year = match self.get("year") {
            None => None,
            Some(v) => Some(
                v.trim().parse::<i32>().map_err(|_| ApiError::BadRequest("year", format!("{v:?} is not a year")))?,
            ),
        };
        let page = self.number("page")?.unwrap_or(1);
        if page == 0 {
            return Err(ApiError::BadRequest("page", "pages start at 1".into()));
        }
        Ok(SearchRequest {
            q: self.get("q").unwrap_or("").to_owned(),
            category: s("category"),
            publisher: s("publisher"),
            site: s("site"),
            topic: s("topic"),
            validity: s("validity"),
            year,
            from: s("from"),
            to: s("to"),
            sort,
            page,
            size: self.number("size")?.unwrap_or(0),
            include_withdrawn: false,
        })
    }
}

async fn search(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let req = SearchParams::parse(raw.as_deref()).to_request()?;
    let cat = st.catalogue.clone();
    let res = blocking(move || Ok(cat.search(&req)?)).await?;
    Ok(Json(ApiSearchResponse::from(&res)).into_response())
}

#[derive(Serialize)]
struct DocumentAnswer<'a> {
    #[serde(flatten)]
    document: &'a govsearch_index::Document,
    attachments_summary: Vec<AttachmentSummary>,
    /// In the hit shape of `/api/search`.
    related: Vec<ApiHit<'a>>,
}

#[derive(Serialize)]
struct AttachmentSummary {
    name: String,
    url: String,
    kind: String,
    text_chars: usize,
    error: String,
}

async fn document(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let cat = st.catalogue.clone();
    let (document, related) = blocking(move || {
        let Some(document) = cat.get(&id)? else {
            return Err(ApiError::NotFound(format!("no document with id {id:?}")));
        };
        let related = cat.related(&id, 5)?;
        Ok((document, related))
    })
    .await?;
    let attachments_summary = document
        .attachments
        .iter()
        .map(|a| AttachmentSummary {
            name: a.name.clone(),
            url: a.url.clone(),
            kind: a.kind.clone(),
            text_chars: a.text.chars().count(),
            error: a.error.clone(),
        })
        .collect();
    let answer = DocumentAnswer {
        document: &document,
        attachments_summary,
        related: related.iter().map(ApiHit::from).collect(),
    };
    Ok(Json(answer).into_response())
}

async fn suggest(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let q = p.get("q").unwrap_or("").chars().take(64).collect::<String>();
    let limit = p.number("limit")?.unwrap_or(8).min(govsearch_index::MAX_SUGGESTIONS);
    let cat = st.catalogue.clone();
    let s = blocking(move || Ok(cat.suggest(&q, limit)?)).await?;
    Ok(Json(serde_json::json!({ "suggestions": s })).into_response())
}

async fn stats(State(st): State<AppState>) -> Result<Response, ApiError> {
    let cat = st.catalogue.clone();
    let s = blocking(move || Ok(cat.stats()?)).await?;
    Ok(Json(s).into_response())
}

async fn readyz(State(st): State<AppState>) -> Response {
    let n = st.catalogue.num_docs();
    (StatusCode::OK, Json(serde_json::json!({ "ready": true, "documents": n }))).into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("../../assets/openapi.json")).into_response()
}

/// Compare two secrets in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn check_admin(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = st.admin.token.as_deref() else {
        return Err(ApiError::NotFound("admin endpoints are off (no admin token configured)".into()));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized("admin token missing or wrong".into()))
    }
}
