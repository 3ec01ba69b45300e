//! Every search is also an Atom 1.0 feed: `/search.atom?…` takes the
//! parameters of `/search` (the query, category, publisher, site, validity,
//! dates) and answers its newest documents by 发布日期 — how people and other
//! systems follow a department or a kind of document without polling the
//! page. Entry ids are the documents' ids (`urn:govsearch:document:…`), so a
//! reader sees each document once however often the feed is asked.
//!
//! Conditional GET: the ETag is a hash of the answer, `Last-Modified` the
//! index's last commit; `If-None-Match` (or, without it,
//! `If-Modified-Since`) answers 304 when nothing changed.
//!
//! Crawled text is untrusted: every value is escaped, and characters XML 1.0
//! does not allow (control characters a page may carry) are dropped, so the
//! feed stays well-formed whatever was crawled.

use std::fmt::Write as _;
use std::time::SystemTime;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use govsearch_index::identity::fnv1a;
use govsearch_index::{SearchResponse, SortOrder};
use time::OffsetDateTime;
use time::macros::format_description;

use super::api::SearchParams;
use super::pages::document_href;
use super::{ApiError, AppState, blocking};
use crate::reports::xml_escape as xml;

/// Entries in a feed unless `size` asks for fewer (or more, up to the search cap).
pub(super) const FEED_SIZE: usize = 50;

/// The search parameters a feed keeps (paging and order are the feed's own).
const KEPT: [&str; 9] = ["q", "category", "publisher", "site", "topic", "validity", "year", "from", "to"];

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/search.atom", get(feed))
}

/// The feed URL (path and query) of the search `p` asks for.
pub(super) fn feed_href(p: &SearchParams) -> String {
    let kept = kept_pairs(p);
    if kept.is_empty() {
        return "/search.atom".into();
    }
    let q = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("/search.atom?{q}")
}

fn kept_pairs(p: &SearchParams) -> Vec<(&str, &str)> {
    KEPT.iter().filter_map(|k| p.get(k).map(|v| (*k, v))).collect()
}

async fn feed(State(st): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let mut p = SearchParams::parse(raw.as_deref());
    // the feed has its own order and one page: a `sort` or `page` copied from a results URL is ignored
    p.pairs.retain(|(k, _)| k != "sort" && k != "page");
    let mut req = match p.to_request() {
        Ok(r) => r,
        Err(e) => return plain_error(e),
    };
    req.sort = SortOrder::Date;
    req.page = 1;
    if req.size == 0 {
        req.size = FEED_SIZE;
    }
    let cat = st.catalogue.clone();
    let index_path = cat.path().join("meta.json");
    let res = match blocking(move || Ok(cat.search(&req)?)).await {
        Ok(r) => r,
        Err(e) => return plain_error(e),
    };
    let modified = std::fs::metadata(&index_path).and_then(|m| m.modified()).ok();
    let base = base_of(&headers);
    let body = atom(&p, &res, &base, modified);
    let etag = format!("\"{:016x}\"", fnv1a(body.as_bytes()));
    let last_modified = modified.map(http_date);
    let mut out = if not_modified(&headers, &etag, modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response()
    };
    let h = out.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = last_modified.and_then(|d| HeaderValue::from_str(&d).ok()) {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    out
}

/// A bad parameter: 400 with the message naming it, as plain text (a feed reader shows it).
fn plain_error(e: ApiError) -> Response {
    let (status, msg) = match &e {
        ApiError::BadRequest(..) => (StatusCode::BAD_REQUEST, format!("{e}\n")),
        _ => (e.into_response().status(), "the feed is not available now; try again later\n".to_owned()),
    };
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], msg).into_response()
}

/// Whether the client's copy is current: `If-None-Match` decides when sent
/// (RFC 9110 §13.2.2), else `If-Modified-Since` against the index's commit.
fn not_modified(headers: &HeaderMap, etag: &str, modified: Option<SystemTime>) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag);
    }
    let since = headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
    match (since, modified) {
        (Some(since), Some(m)) => OffsetDateTime::from(m).unix_timestamp() <= since.unix_timestamp(),
        _ => false,
    }
}

const HTTP_DATE: &[time::format_description::FormatItem<'static>] =
    format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

fn http_date(t: SystemTime) -> String {
    OffsetDateTime::from(t).to_offset(time::UtcOffset::UTC).format(HTTP_DATE).unwrap_or_default()
}

fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(s.trim(), HTTP_DATE).ok().map(|t| t.assume_utc())
}

/// `http(s)://host` of the request, from `Host` (and `X-Forwarded-Proto`
/// when it says https); "" when the host is missing or not a plain host name,
/// and links are then relative to the feed's own address.
fn base_of(headers: &HeaderMap) -> String {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return String::new() };
    let plain = !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !plain {
        return String::new();
    }
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// `YYYY-MM-DD` as the start of that day in China, RFC 3339.
fn day_start(date: &str) -> Option<String> {
    let d = time::Date::parse(date.get(..10)?, format_description!("[year]-[month]-[day]")).ok()?;
    Some(format!("{d}T00:00:00+08:00"))
}

fn rfc3339(t: SystemTime) -> String {
    OffsetDateTime::from(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// What the feed is of, in words: the query and each filter.
fn feed_title(p: &SearchParams) -> String {
    let labels = [
        ("q", "检索"),
        ("category", "类别"),
        ("publisher", "发布机构"),
        ("site", "网站"),
        ("topic", "主题"),
        ("validity", "有效性"),
        ("year", "年份"),
        ("from", "起"),
        ("to", "止"),
    ];
    let parts: Vec<String> =
        labels.iter().filter_map(|(k, l)| p.get(k).map(|v| format!("{l}：{}", v.trim()))).collect();
    if parts.is_empty() {
        "政府信息公开：最新信息".into()
    } else {
        format!("政府信息公开：{}", parts.join("，"))
    }
}

fn atom(p: &SearchParams, r: &SearchResponse, base: &str, modified: Option<SystemTime>) -> String {
    let self_href = format!("{base}{}", feed_href(p));
    let kept = kept_pairs(p);
    let mut page_q = url::form_urlencoded::Serializer::new(String::new());
    page_q.extend_pairs(kept.iter().copied()).append_pair("sort", "date");
    let page_href = format!("{base}/search?{}", page_q.finish());
    let search_key = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    // entries need a date to be placed; the undated are on the results page
    let dated: Vec<(&govsearch_index::Hit, String)> =
        r.hits.iter().filter_map(|h| day_start(&h.published_date).map(|d| (h, d))).collect();
    let updated = dated
        .first()
        .map(|(_, d)| d.clone())
        .or_else(|| modified.map(rfc3339))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut out = String::new();
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    let _ = writeln!(out, "  <id>urn:govsearch:search:{}</id>", xml(&search_key));
    let _ = writeln!(out, "  <title>{}</title>", xml(&feed_title(p)));
    let _ = writeln!(out, "  <subtitle>共 {} 条，按发布日期从新到旧</subtitle>", r.total);
    let _ = writeln!(out, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>", xml(&self_href));
    let _ = writeln!(out, "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml(&page_href));
    let _ = writeln!(out, "  <updated>{updated}</updated>");
    out.push_str("  <author><name>政府信息公开检索</name></author>\n  <generator>govsearch</generator>\n");
    for (h, date) in dated {
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>urn:govsearch:document:{}</id>", xml(&urlencode_id(&h.id)));
        let _ = writeln!(out, "    <title>{}</title>", xml(&h.title));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml(&format!("{base}{}", document_href(&h.id)))
        );
        if h.url.starts_with("http://") || h.url.starts_with("https://") {
            let _ = writeln!(out, "    <link rel=\"via\" type=\"text/html\" href=\"{}\"/>", xml(&h.url));
        }
        let _ = writeln!(out, "    <published>{date}</published>\n    <updated>{date}</updated>");
        let author = if h.publisher.trim().is_empty() { &h.site } else { &h.publisher };
        let _ = writeln!(out, "    <author><name>{}</name></author>", xml(author));
        if !h.category.is_empty() {
            let _ = writeln!(out, "    <category term=\"{}\"/>", xml(&h.category));
        }
        let meta: Vec<&str> = [h.doc_number.as_str(), h.publisher.as_str(), h.published_date.as_str()]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect();
        let summary = format!("{}\n{}", meta.join(" · "), h.snippet.passage.text.trim());
        let _ = writeln!(out, "    <summary>{}</summary>", xml(summary.trim()));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// A document id as the tail of a URN: percent-encoded where it is not a plain character.
fn urlencode_id(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'.' | b'_') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn http_dates_round_trip_and_days_start_in_china() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").map(|d| d.unix_timestamp()), Some(784_111_777));
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(day_start("2020-03-15").as_deref(), Some("2020-03-15T00:00:00+08:00"));
        assert_eq!(day_start("2020-13-15"), None);
        assert_eq!(day_start(""), None);
    }

    #[test]
    fn the_feed_keeps_the_search_and_drops_paging_and_order() {
        let p = SearchParams::parse(Some(
            "q=%E9%80%9A%E7%9F%A5&category=%E8%A7%84%E8%8C%83%E6%80%A7%E6%96%87%E4%BB%B6&page=3&sort=relevance&size=10",
        ));
        assert_eq!(
            feed_href(&p),
            "/search.atom?q=%E9%80%9A%E7%9F%A5&category=%E8%A7%84%E8%8C%83%E6%80%A7%E6%96%87%E4%BB%B6"
        );
        assert_eq!(feed_href(&SearchParams::parse(None)), "/search.atom");
        assert_eq!(feed_title(&p), "政府信息公开：检索：通知，类别：规范性文件");
        assert_eq!(urlencode_id("gd:0a1b c/d"), "gd:0a1b%20c%2Fd");
    }

    #[test]
    fn the_base_comes_from_a_plain_host_only() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            base_of(&m)
        };
        assert_eq!(h(&[("host", "gov.example.cn")]), "http://gov.example.cn");
        assert_eq!(h(&[("host", "gov.example.cn"), ("x-forwarded-proto", "https")]), "https://gov.example.cn");
        assert_eq!(h(&[("host", "a\"><script>")]), "");
        assert_eq!(h(&[]), "");
    }
}
