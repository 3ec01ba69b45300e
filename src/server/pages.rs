//! Server-rendered public pages (maud escapes every interpolated value).
//!
//! Every state is a URL (`/search?q=…&category=…&page=…`), the form works
//! without JavaScript, and `app.js` only adds suggestions. Crawled text is
//! untrusted: it is only ever interpolated as text; the one exception is a
//! hit's highlighted title and snippet, rendered by [`crate::render`], which
//! escapes them itself with `<mark>` as the only markup.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use govsearch_index::{FacetCount, SearchResponse};
use maud::{DOCTYPE, Markup, html};

use super::api::SearchParams;
use super::feed::feed_href;
use super::{ApiError, AppState, blocking};
use crate::render::{MarkedHtml, SnippetHtml};

const CSS: &str = include_str!("../../assets/web/app.css");
const JS: &str = include_str!("../../assets/web/app.js");
/// Page sizes offered on the results page (the API takes any size up to its cap).
const PAGE_SIZES: [usize; 3] = [10, 20, 50];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/search", get(search_page))
        .route("/documents/{id}", get(document_page))
        .route("/prefs/text", get(text_size))
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", JS) }))
}

fn asset(ct: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

fn large_text(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.split(';').any(|kv| kv.trim() == "gs_text=large"))
}

/// The page frame: header with the search box, main, footer.
pub(crate) fn layout(title: &str, large: bool, q: &str, body: Markup) -> Markup {
    layout_with_feed(title, large, q, None, body)
}

/// [`layout`], announcing `feed` (an Atom feed of the page) to browsers and readers.
fn layout_with_feed(title: &str, large: bool, q: &str, feed: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - 政府信息公开检索" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/assets/app.css";
                @if let Some(f) = feed { link rel="alternate" type="application/atom+xml" title="订阅此检索（Atom）" href=(f); }
                script src="/assets/app.js" defer {}
            }
            body class=[large.then_some("large")] {
                a class="skip" href="#main" { "跳到正文" }
                header class="site" {
                    div class="bar" {
                        a class="brand" href="/" { "政府信息公开检索" }
                        nav aria-label="显示设置" {
                            @if large {
                                a href="/prefs/text?size=normal" { "标准字号" }
                            } @else {
                                a href="/prefs/text?size=large" { "大字版" }
                            }
                        }
                    }
                    form class="search" role="search" action="/search" method="get" {
                        label for="q" { "搜索政府信息" }
                        div class="row" {
                            input id="q" name="q" type="search" value=(q) autocomplete="off"
                                placeholder="输入关键词、文号或标题，如：规范性文件、国发〔2019〕5号"
                                aria-describedby="q-help" maxlength="256";
                            button type="submit" { "搜索" }
                        }
                        p id="q-help" class="help" { "多个词用空格分开；用引号 \"…\" 查完整短语；用 -词 排除。" }
                        ul id="suggestions" class="suggestions" role="listbox" aria-label="搜索建议" hidden {}
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer class="site" { p { "本检索服务汇集各政府网站主动公开的信息，以原网站发布为准。" } }
            }
        }
    }
}

fn url_with(p: &SearchParams, set: &[(&str, Option<&str>)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &p.pairs {
        if k == "page" || set.iter().any(|(s, _)| s == k) || v.is_empty() {
            continue;
        }
        ser.append_pair(k, v);
    }
    for (k, v) in set {
        if let Some(v) = v {
            ser.append_pair(k, v);
        }
    }
    format!("/search?{}", ser.finish())
}

fn facet_block(p: &SearchParams, name: &str, label: &str, values: &[FacetCount]) -> Markup {
    let current = p.get(name);
    html! {
        @if !values.is_empty() {
            section class="facet" aria-labelledby=(format!("f-{name}")) {
                h3 id=(format!("f-{name}")) { (label) }
                ul {
                    @if current.is_some() {
                        li { a href=(url_with(p, &[(name, None)])) { "全部" } }
                    }
                    @for f in values.iter().take(12) {
                        li {
                            @if current == Some(f.value.as_str()) {
                                strong aria-current="true" { (f.value) " (" (f.count) ")" }
                            } @else {
                                a href=(url_with(p, &[(name, Some(&f.value))])) { (f.value) " (" (f.count) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn validity_badge(v: &str) -> Markup {
    html! {
        @match v {
            _ if govsearch_index::is_demoted(v) => span class="badge bad" { (v) },
            "已修改" => span class="badge warn" { (v) },
            "有效" => span class="badge ok" { (v) },
            _ => {},
        }
    }
}

fn results(p: &SearchParams, r: &SearchResponse) -> Markup {
    let q = p.get("q").unwrap_or("");
    let pages = r.total.div_ceil(r.size.max(1) as u64).min((govsearch_index::MAX_DEPTH / r.size.max(1)) as u64);
    html! {
        div class="layout" {
            aside class="facets" aria-label="筛选" {
                h2 class="vh" { "筛选结果" }
                form class="filters" action="/search" method="get" {
                    input type="hidden" name="q" value=(q);
                    @for key in ["category", "publisher", "site", "topic", "validity", "year"] {
                        @if let Some(v) = p.get(key) { input type="hidden" name=(key) value=(v); }
                    }
                    label for="from" { "发布日期从" }
                    input id="from" name="from" type="date" value=(p.get("from").unwrap_or(""));
                    label for="to" { "到" }
                    input id="to" name="to" type="date" value=(p.get("to").unwrap_or(""));
                    label for="sort" { "排序" }
                    select id="sort" name="sort" {
                        option value="relevance" selected[p.get("sort") != Some("date")] { "按相关度" }
                        option value="date" selected[p.get("sort") == Some("date")] { "按发布日期" }
                    }
                    label for="size" { "每页条数" }
                    select id="size" name="size" {
                        @for n in PAGE_SIZES {
                            option value=(n) selected[r.size == n] { (n) }
                        }
                        @if !PAGE_SIZES.contains(&r.size) { option value=(r.size) selected { (r.size) } }
                    }
                    button type="submit" { "应用" }
                }
                (facet_block(p, "category", "类别", &r.facets.category))
                (facet_block(p, "year", "年份", &r.facets.year))
                (facet_block(p, "publisher", "发布机构", &r.facets.publisher))
                (facet_block(p, "validity", "有效性", &r.facets.validity))
                (facet_block(p, "topic", "主题分类", &r.facets.topic))
                (facet_block(p, "site", "来源网站", &r.facets.site))
            }
            section class="results" aria-labelledby="results-h" {
                h1 id="results-h" {
                    @if q.is_empty() { "全部信息，共 " (r.total) " 条（按发布日期）" }
                    @else { "“" (q) "” 的检索结果，共 " (r.total) " 条" }
                }
                @if let Some(c) = &r.query.did_you_mean {
                    p class="note did-you-mean" role="status" {
                        "您是不是要找：" a href=(url_with(p, &[("q", Some(c.as_str())), ("page", None)])) { (c) }
                    }
                }
                @if let Some(c) = &r.query.pinyin {
                    p class="note" role="status" { "“" (q) "”按拼音也检索了“" (c) "”。" }
                }
                p class="follow" {
                    a href=(feed_href(p)) type="application/atom+xml" { "订阅此检索（Atom）" }
                    " — 有新信息时，阅读器会收到。"
                }
                @if r.query.relaxed {
                    p class="note" role="status" { "没有同时包含所有词的信息，下面是包含其中部分词的结果。" }
                }
                @for n in &r.query.notes {
                    @if !r.query.relaxed { p class="note" { (n) } }
                }
                @if r.hits.is_empty() {
                    div class="empty" role="status" {
                        p { "没有找到相关信息。" }
                        ul {
                            li { "检查是否有错别字，或换用更短、更常见的词。" }
                            li { "文号可以不带括号输入，如：国发2019 5号。" }
                            @if p.get("category").is_some() || p.get("from").is_some() || p.get("to").is_some() {
                                li { a href=(format!("/search?q={}", urlencode(q))) { "去掉筛选条件再搜索" } }
                            }
                        }
                    }
                }
                ol class="hits" start=(r.size * (r.page - 1) + 1) {
                    @for h in &r.hits {
                        li class="hit" {
                            h2 { a href=(document_href(&h.id)) { (MarkedHtml(&h.title, &h.title_highlights)) } }
                            p class="meta" {
                                @if !h.doc_number.is_empty() { span { "文号：" (h.doc_number) } }
                                @if !h.publisher.is_empty() { span { "发布机构：" (h.publisher) } }
                                @if !h.published_date.is_empty() { span { "发布日期：" time datetime=(h.published_date) { (h.published_date) } } }
                                @if !h.category.is_empty() { span class="cat" { (h.category) } }
                                (validity_badge(&h.validity))
                            }
                            p class="snippet" { (SnippetHtml(&h.snippet)) }
                        }
                    }
                }
                @if pages > 1 {
                    nav class="pager" aria-label="分页" {
                        @if r.page > 1 { a rel="prev" href=(url_with(p, &[("page", Some(&(r.page - 1).to_string()))])) { "上一页" } }
                        span { "第 " (r.page) " / " (pages) " 页" }
                        @if (r.page as u64) < pages { a rel="next" href=(url_with(p, &[("page", Some(&(r.page + 1).to_string()))])) { "下一页" } }
                    }
                }
            }
        }
    }
}

/// Percent-encode a query-string value (space becomes `+`).
pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The link to a document page. A path is not a query string: a space must be
/// `%20` there (a `+` in a path stays a `+`, so `urlencode` would break ids with spaces).
pub(crate) fn document_href(id: &str) -> String {
    format!("/documents/{}", urlencode(id).replace('+', "%20"))
}

async fn search_page(State(st): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let p = SearchParams::parse(raw.as_deref());
    let large = large_text(&headers);
    let q = p.get("q").unwrap_or("").to_owned();
    let req = match p.to_request() {
        Ok(r) => r,
        Err(e) => return error_page(large, &q, e),
    };
    let cat = st.catalogue.clone();
    match blocking(move || Ok(cat.search(&req)?)).await {
        Ok(r) => {
            let title = if q.is_empty() { "全部信息".to_owned() } else { format!("{q} - 检索结果") };
            layout_with_feed(&title, large, &q, Some(&feed_href(&p)), results(&p, &r)).into_response()
        }
        Err(e) => error_page(large, &q, e),
    }
}

pub(super) fn error_page(large: bool, q: &str, e: ApiError) -> Response {
    let (status, msg) = match &e {
        ApiError::BadRequest(param, m) => (StatusCode::BAD_REQUEST, format!("参数 {param} 有误：{m}")),
        ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m.clone()),
        _ => {
            let status = e.into_response().status();
            (status, "服务暂时不可用，请稍后再试。".to_owned())
        }
    };
    (status, layout("出错了", large, q, html! { div class="empty" role="alert" { h1 { "无法完成检索" } p { (msg) } } }))
        .into_response()
}

pub(super) fn not_found_page(path: &str) -> Response {
    let body = html! { div class="empty" role="alert" { h1 { "页面不存在" } p { "没有 " code { (path) } " 这个页面。" } p { a href="/" { "回到检索首页" } } } };
    (StatusCode::NOT_FOUND, layout("页面不存在", false, "", body)).into_response()
}

pub(super) fn too_many_requests_page(message: &str) -> Response {
    let body = html! { div class="empty" role="alert" { h1 { "请求过于频繁" } p { "请稍候再试。" } p { (message) } } };
    (StatusCode::TOO_MANY_REQUESTS, layout("请求过于频繁", false, "", body)).into_response()
}

async fn document_page(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let large = large_text(&headers);
    let cat = st.catalogue.clone();
    let id2 = id.clone();
    let found = blocking(move || {
        let d = cat.get(&id2)?;
        let related = match &d {
            Some(_) => cat.related(&id2, 5)?,
            None => Vec::new(),
        };
        Ok((d, related))
    })
    .await;
    let (doc, related) = match found {
        Ok((Some(d), r)) => (d, r),
        Ok((None, _)) => return error_page(large, "", ApiError::NotFound(format!("没有编号为 {id} 的信息。"))),
        Err(e) => return error_page(large, "", e),
    };
    let rows: Vec<(&str, &str)> = [
        ("索引号", doc.index_number.as_str()),
        ("主题分类", doc.topic.as_str()),
        ("发布机构", doc.publisher.as_str()),
        ("成文日期", doc.issued_date.as_str()),
        ("发文字号", doc.doc_number.as_str()),
        ("统一编号", doc.registration_number.as_str()),
        ("发布日期", doc.published_date.as_str()),
        ("有效性", doc.validity.as_str()),
        ("失效日期", doc.expiry_date.as_str()),
        ("类别", doc.category.as_str()),
        ("栏目", doc.column.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let body = html! {
        article class="document" {
            h1 { (doc.title) " " (validity_badge(&doc.validity)) }
            @if doc.withdrawn { p class="note" role="status" { "该信息已从原网站撤下，此处保留原文供查阅。" } }
            @if doc.pending { p class="note" role="status" { "该信息已列入原网站的公开目录，正文尚待抓取；全文请见原网站。" } }
            table class="metadata" {
                caption class="vh" { "信息元数据" }
                tbody {
                    @for (k, v) in &rows { tr { th scope="row" { (k) } td { (v) } } }
                }
            }
            @if !doc.url.is_empty() && (doc.url.starts_with("http://") || doc.url.starts_with("https://")) {
                p { a href=(doc.url) rel="noopener noreferrer nofollow" { "查看原网页" } }
            }
            section class="text" aria-label="正文" {
                @for para in doc.body.lines() { p { (para) } }
            }
            @if !doc.attachments.is_empty() {
                section aria-labelledby="att-h" {
                    h2 id="att-h" { "附件" }
                    @for (i, a) in doc.attachments.iter().enumerate() {
                        details {
                            summary {
                                (if a.name.is_empty() { "附件" } else { &a.name }) " (" (a.kind) ")"
                                @if !a.error.is_empty() { " — 无法提取文字：" (a.error) }
                            }
                            @if a.url.starts_with("http://") || a.url.starts_with("https://") {
                                p { a href=(a.url) rel="noopener noreferrer nofollow" id=(format!("att-{i}")) { "下载附件" } }
                            }
                            @for para in a.text.lines().take(400) { p { (para) } }
                        }
                    }
                }
            }
            @if !doc.related_links.is_empty() {
                section aria-labelledby="rel-links-h" {
                    h2 id="rel-links-h" { "相关政策与解读" }
                    ul { @for l in &doc.related_links {
                        li { @if l.starts_with("http://") || l.starts_with("https://") { a href=(l) rel="noopener noreferrer nofollow" { (l) } } @else { a href=(document_href(l)) { (l) } } }
                    } }
                }
            }
            @if !related.is_empty() {
                section aria-labelledby="rel-h" {
                    h2 id="rel-h" { "相关文件" }
                    ul { @for h in &related { li { a href=(document_href(&h.id)) { (h.title) } } } }
                }
            }
        }
    };
    layout(&doc.title, large, "", body).into_response()
}

async fn text_size(RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let p = SearchParams::parse(raw.as_deref());
    let cookie = if p.get("size") == Some("large") {
        "gs_text=large; Path=/; Max-Age=31536000; SameSite=Lax"
    } else {
        "gs_text=normal; Path=/; Max-Age=31536000; SameSite=Lax"
    };
    // Back to the page the reader was on, if it was ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
