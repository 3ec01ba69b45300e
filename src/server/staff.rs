//! For disclosure staff: the tally (`/api/tally`, `/api/tally.csv`,
//! `/staff/tally`) and the coverage audit (`/api/audit`, `/staff/audit`).
//! Every count links to the documents behind it.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use govsearch_index::Document;
use govsearch_index::audit::{AuditReport, BROKEN_LINK, CHANGED_AFTER_PUBLICATION, Calendar, Rules, audit};
use govsearch_index::tally::{GroupBy, InstrumentRow, Tally, TallyRequest, instruments, tally};
use maud::{Markup, html};
use serde::Serialize;

use super::api::SearchParams;
use super::pages::{document_href, layout, urlencode};
use super::{ApiError, AppState, blocking};
use crate::data::DataDir;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/tally", get(api_tally))
        .route("/api/tally.csv", get(api_tally_csv))
        .route("/api/audit", get(api_audit))
        .route("/staff/tally", get(page_tally))
        .route("/staff/tally/list", get(page_list))
        .route("/staff/audit", get(page_audit))
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A tally with table 二 when the period is one calendar year.
#[derive(Debug, Serialize)]
pub struct TallyAnswer {
    #[serde(flatten)]
    pub tally: Tally,
    pub year: Option<i32>,
    /// Table 二, 规章.
    pub rules: Option<InstrumentRow>,
    /// Table 二, 行政规范性文件.
    pub normative: Option<InstrumentRow>,
}

/// Every `site` parameter (repeated and/or comma-separated); each must be a
/// site or channel of the catalogue.
fn sites_param(p: &SearchParams, docs: &[Document]) -> Result<Vec<String>, ApiError> {
    let sites: Vec<String> = p
        .pairs
        .iter()
        .filter(|(k, _)| k == "site")
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let known: std::collections::HashSet<&str> = docs.iter().map(|d| d.site.as_str()).collect();
    if let Some(s) = sites.iter().find(|s| !known.contains(s.as_str())) {
        return Err(ApiError::BadRequest("site", format!("{s:?} is not a site or channel in the catalogue")));
    }
    Ok(sites)
}

/// The tally request a set of parameters asks for; `year` defaults to the
/// latest year with published items.
pub fn tally_request(p: &SearchParams, docs: &[Document]) -> Result<(TallyRequest, Option<i32>), ApiError> {
    let group = GroupBy::parse(p.get("group").unwrap_or("category"))?;
    let sites = sites_param(p, docs)?;
    let publisher = p.get("publisher").map(str::to_owned);
    let (from, to) = (p.get("from"), p.get("to"));
    let (mut req, year) = if from.is_some() || to.is_some() {
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ApiError::BadRequest(
                if from.is_none() { "from" } else { "to" },
                "a period needs both from and to".into(),
            ));
        };
        (TallyRequest { from: from.into(), to: to.into(), sites: Vec::new(), publisher: None, group_by: group }, None)
    } else {
        let year = match p.get("year") {
            Some(y) => y
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2999).contains(y))
                .ok_or_else(|| ApiError::BadRequest("year", format!("{y:?} is not a year")))?,
            None => docs
                .iter()
                .filter_map(|d| d.published_year())
                .max()
                .unwrap_or_else(|| today()[..4].parse().unwrap_or(2026)),
        };
        (TallyRequest::year(year, group), Some(year))
    };
    req.sites = sites;
    req.publisher = publisher;
    req.validate()?;
    Ok((req, year))
}

fn compute(st: &AppState, p: &SearchParams) -> Result<(TallyAnswer, std::sync::Arc<Vec<Document>>), ApiError> {
    tally_answer(&st.catalogue, p)
}

/// The tally a set of parameters asks for, with the documents it counted over.
pub fn tally_answer(
    cat: &govsearch_index::Catalogue,
    p: &SearchParams,
) -> Result<(TallyAnswer, std::sync::Arc<Vec<Document>>), ApiError> {
    let docs = cat.records()?;
    let (req, year) = tally_request(p, &docs)?;
    let t = tally(&docs, &req)?;
    let (rules, normative) = match year {
        Some(y) => {
            // Table 二 is filtered like the tally: by site (in `instruments`) and by publisher.
            let (r, n) = match req.publisher.as_deref() {
                Some(p) => {
                    let of_publisher: Vec<Document> = docs.iter().filter(|d| d.publisher == p).cloned().collect();
                    instruments(&of_publisher, y, &req.sites)
                }
                None => instruments(&docs, y, &req.sites),
            };
            (Some(r), Some(n))
        }
        None => (None, None),
    };
    Ok((TallyAnswer { tally: t, year, rules, normative }, docs))
}

async fn api_tally(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let (ans, _) = blocking(move || compute(&st, &p)).await?;
    Ok(Json(ans).into_response())
}

/// The ids a `list` / `value` pair selects from a tally answer.
pub fn selected_ids(ans: &TallyAnswer, p: &SearchParams) -> Result<(String, Vec<String>), ApiError> {
    let row = |r: &Option<InstrumentRow>, which: &str, label: &str| -> Result<(String, Vec<String>), ApiError> {
        let r = r.as_ref().ok_or_else(|| ApiError::BadRequest("list", "table 二 lists need a year".into()))?;
        Ok(match which {
            "issued" => (format!("{label} 本年制发"), r.issued.clone()),
            "abolished" => (format!("{label} 本年废止"), r.abolished.clone()),
            _ => (format!("{label} 现行有效"), r.in_force.clone()),
        })
    };
    match p.get("list") {
        None | Some("all") => {
            match p.get("value") {
                None => Ok(("全部".into(), ans.tally.groups.iter().flat_map(|g| g.ids.clone()).collect())),
                Some(v) => {
                    let g =
                        ans.tally.groups.iter().find(|g| g.value == v).ok_or_else(|| {
                            ApiError::BadRequest("value", format!("{v:?} is not a group of this tally"))
                        })?;
                    Ok((v.to_owned(), g.ids.clone()))
                }
            }
        }
        Some("undated") => Ok(("无发布日期".into(), ans.tally.undated.clone())),
        Some(l @ ("normative-issued" | "normative-abolished" | "normative-in_force")) => {
            row(&ans.normative, &l[10..], "行政规范性文件")
        }
        Some(l @ ("rules-issued" | "rules-abolished" | "rules-in_force")) => row(&ans.rules, &l[6..], "规章"),
        Some(other) => Err(ApiError::BadRequest(
            "list",
            format!(
                "{other:?} is not one of all, undated, normative-issued, normative-abolished, normative-in_force, rules-issued, rules-abolished, rules-in_force"
            ),
        )),
    }
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas from crawled text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// CSV (UTF-8 with BOM, so Excel reads the Chinese correctly) of the documents behind a count.
pub fn documents_csv(docs: &[&Document]) -> String {
    let mut out = String::from("\u{feff}id,标题,文号,发布机构,类别,栏目,发布日期,网址\r\n");
    for d in docs {
        let row = [&d.id, &d.title, &d.doc_number, &d.publisher, &d.category, &d.column, &d.published_date, &d.url];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn pick<'a>(docs: &'a [Document], ids: &[String]) -> Vec<&'a Document> {
    let by_id: HashMap<&str, &Document> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    ids.iter().filter_map(|i| by_id.get(i.as_str()).copied()).collect()
}

async fn api_tally_csv(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let csv = blocking(move || {
        let (ans, docs) = compute(&st, &p)?;
        let (_, ids) = selected_ids(&ans, &p)?;
        Ok(documents_csv(&pick(&docs, &ids)))
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"tally.csv\""),
        ],
        csv,
    )
        .into_response())
}

fn run_audit(st: &AppState, p: &SearchParams) -> Result<AuditReport, ApiError> {
    // The server knows its data folder (and so the crawl state) through the admin config.
    audit_report(&st.catalogue, p, st.admin.as_ref().map(|a| &a.data))
}

/// The audit a set of parameters asks for (`site`, `as_of`). With a data
/// folder, the crawl state's change history and broken links are checked too.
pub fn audit_report(
    cat: &govsearch_index::Catalogue,
    p: &SearchParams,
    data: Option<&DataDir>,
) -> Result<AuditReport, ApiError> {
    let docs = cat.records()?;
    let sites = sites_param(p, &docs)?;
    if docs.is_empty() {
        return Err(ApiError::BadRequest("site", "the catalogue is empty: crawl or import first".into()));
    }
    let as_of = p.get("as_of").map(str::to_owned).unwrap_or_else(today);
    let facts = match data {
        Some(d) => d.crawl_facts().map_err(ApiError::Internal)?,
        None => None,
    };
    Ok(audit(&docs, &sites, &as_of, &Rules::default_rules(), &Calendar::default_calendar(), facts.as_ref())?)
}

/// An absolute http(s) URL, to link to; anything else is shown as text only.
fn web_url(u: &str) -> Option<&str> {
    (u.starts_with("http://") || u.starts_with("https://")).then_some(u)
}

async fn api_audit(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let r = blocking(move || run_audit(&st, &p)).await?;
    Ok(Json(r).into_response())
}

/// A horizontal bar chart as inline SVG (server-rendered, no script, no CDN).
pub fn bar_chart(title: &str, rows: &[(String, usize)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_h = 26;
    let label_w = 190;
    let bar_w = 360;
    let h = row_h * rows.len() + 10;
    let desc = rows.iter().map(|(l, n)| format!("{l}：{n}")).collect::<Vec<_>>().join("；");
    html! {
        svg class="chart" role="img" aria-label=(format!("{title}。{desc}")) width=(label_w + bar_w + 60) height=(h)
            viewBox=(format!("0 0 {} {h}", label_w + bar_w + 60)) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, (label, n)) in rows.iter().enumerate() {
                @let y = i * row_h + 5;
                @let w = (n * bar_w).div_ceil(max);
                text x=(label_w - 8) y=(y + 17) text-anchor="end" font-size="13" fill="#1a1a1a" {
                    (label.chars().take(14).collect::<String>())
                }
                rect x=(label_w) y=(y + 3) width=(w) height=(row_h - 8) fill="#0b4f9c" {}
                text x=(label_w + w + 6) y=(y + 17) font-size="13" fill="#1a1a1a" { (n) }
            }
        }
    }
}

fn base_query(p: &SearchParams, drop: &[&str]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &p.pairs {
        if !drop.contains(&k.as_str()) && !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

async fn page_tally(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = SearchParams::parse(raw.as_deref());
    let p2 = p.clone();
    let st2 = st.clone();
    let result = blocking(move || {
        let (ans, docs) = compute(&st2, &p2)?;
        // Per month for the chart, whatever the grouping.
        let mut monthly = p2.clone();
        monthly.pairs.retain(|(k, _)| k != "group");
        monthly.pairs.push(("group".into(), "month".into()));
        let (mreq, _) = tally_request(&monthly, &docs)?;
        let months = tally(&docs, &mreq)?;
        Ok((ans, months))
    })
    .await;
    let (ans, months) = match result {
        Ok(x) => x,
        Err(e) => return super::pages::error_page(false, "", e),
    };
    let q = base_query(&p, &["list", "value"]);
    let list_link = |extra: &str| format!("/staff/tally/list?{q}&{extra}");
    let csv_link = |extra: &str| format!("/api/tally.csv?{q}&{extra}");
    let t = &ans.tally;
    let body = html! {
        h1 { "主动公开信息统计" }
        form class="filters" action="/staff/tally" method="get" {
            label for="year" { "年度" }
            input id="year" name="year" type="number" min="1900" max="2999" value=(ans.year.map(|y| y.to_string()).unwrap_or_default());
            label for="group" { "分组" }
            select id="group" name="group" {
                @for (v, l) in [("category", "类别"), ("column", "栏目"), ("publisher", "发布机构"), ("month", "月份"), ("channel", "渠道/网站")] {
                    option value=(v) selected[p.get("group").unwrap_or("category") == v] { (l) }
                }
            }
            button type="submit" { "统计" }
        }
        p { "统计期间：" (t.from) " 至 " (t.to) "。按发布日期计数，同一信息在多个栏目、网址或网站出现只计一次。" }
        div class="table-wrap" role="region" aria-label="统计结果" tabindex="0" { table class="data" {
            caption { "按" (match t.group_by { GroupBy::Category => "类别", GroupBy::Column => "栏目", GroupBy::Publisher => "发布机构", GroupBy::Month => "月份", GroupBy::Channel => "渠道" }) "统计" }
            thead { tr { th scope="col" { "分组" } th scope="col" { "件数" } th scope="col" { "清单" } } }
            tbody {
                @for g in &t.groups {
                    tr {
                        th scope="row" { (g.value) }
                        td { a href=(list_link(&format!("value={}", urlencode(&g.value)))) { (g.count) } }
                        td { a href=(csv_link(&format!("value={}", urlencode(&g.value)))) { "CSV" } }
                    }
                }
                tr { th scope="row" { "合计（去重）" } td { a href=(list_link("list=all")) { (t.total) } } td { a href=(csv_link("list=all")) { "CSV" } } }
                tr { th scope="row" { "其中已撤下" } td { (t.withdrawn) } td {} }
                tr { th scope="row" { "无发布日期（未计入）" } td { a href=(list_link("list=undated")) { (t.undated.len()) } } td { a href=(csv_link("list=undated")) { "CSV" } } }
            }
        } }
        (bar_chart("各月发布件数", &months.groups.iter().map(|g| (g.value.clone(), g.count)).collect::<Vec<_>>()))
        @if let (Some(rules), Some(normative)) = (&ans.rules, &ans.normative) {
            h2 { "表二：规章和行政规范性文件（" (ans.year.unwrap_or_default()) "年）" }
            div class="table-wrap" role="region" aria-label="表二" tabindex="0" { table class="data" {
                thead { tr { th scope="col" { "信息内容" } th scope="col" { "本年制发件数" } th scope="col" { "本年废止件数" } th scope="col" { "现行有效件数" } } }
                tbody {
                    @for (name, key, row) in [("规章", "rules", rules), ("行政规范性文件", "normative", normative)] {
                        tr {
                            th scope="row" { (name) }
                            td { a href=(list_link(&format!("list={key}-issued"))) { (row.issued.len()) } }
                            td { a href=(list_link(&format!("list={key}-abolished"))) { (row.abolished.len()) } }
                            td { a href=(list_link(&format!("list={key}-in_force"))) { (row.in_force.len()) } }
                        }
                    }
                }
            } }
            p class="help" { "表二中“行政许可”“行政处罚”“行政强制”“行政事业性收费”等行的数字来自业务系统，本工具不统计；请从相应系统填报。" }
        }
    };
    layout("主动公开信息统计", false, "", body).into_response()
}

async fn page_list(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = SearchParams::parse(raw.as_deref());
    let result = blocking(move || {
        let (ans, docs) = compute(&st, &p)?;
        let (label, ids) = selected_ids(&ans, &p)?;
        let rows: Vec<Document> = pick(&docs, &ids).into_iter().cloned().collect();
        Ok((label, rows, base_query(&p, &[])))
    })
    .await;
    let (label, rows, q) = match result {
        Ok(x) => x,
        Err(e) => return super::pages::error_page(false, "", e),
    };
    let body = html! {
        h1 { (label) "：" (rows.len()) " 件" }
        p { a href=(format!("/api/tally.csv?{q}")) { "下载 CSV" } " · " a href=(format!("/staff/tally?{}", base_query(&SearchParams::parse(Some(&q)), &["list", "value"]))) { "返回统计" } }
        div class="table-wrap" role="region" aria-label="清单" tabindex="0" { table class="data" {
            thead { tr { @for h in ["标题", "文号", "发布机构", "类别", "栏目", "发布日期", "出现位置"] { th scope="col" { (h) } } } }
            tbody {
                @for d in &rows {
                    tr {
                        td { a href=(document_href(&d.id)) { (d.title) } }
                        td { (d.doc_number) } td { (d.publisher) } td { (d.category) } td { (d.column) } td { (d.published_date) }
                        td { (d.urls.len().max(1)) " 处" }
                    }
                }
            }
        } }
    };
    layout(&label, false, "", body).into_response()
}

async fn page_audit(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let p = SearchParams::parse(raw.as_deref());
    let r = match blocking(move || run_audit(&st, &p)).await {
        Ok(r) => r,
        Err(e) => return super::pages::error_page(false, "", e),
    };
    let body = html! {
        h1 { "主动公开覆盖检查" }
        p { "检查日期：" (r.as_of) "；信息 " (r.documents) " 条；发现问题 " (r.findings.len()) " 项。" }
        (bar_chart("条例第二十条各类信息件数", &r.kinds.iter().map(|k| (format!("（{}）{}", k.id, k.name), k.count)).collect::<Vec<_>>()))
        div class="table-wrap" role="region" aria-label="十五类信息" tabindex="0" { table class="data" {
            caption { "条例第二十条规定的十五类信息" }
            thead { tr { th scope="col" { "类别" } th scope="col" { "件数" } th scope="col" { "最新发布" } th scope="col" { "状态" } } }
            tbody { @for k in &r.kinds { tr {
                th scope="row" { "（" (k.id) "）" (k.name) }
                td { (k.count) } td { (k.latest) }
                td { @match k.status.as_str() { "ok" => span class="badge ok" { "正常" }, "stale" => span class="badge warn" { "未及时更新" }, _ => span class="badge bad" { "缺失" } } }
            } } }
        } }
        h2 { "逐条问题（按严重程度排序）" }
        div class="table-wrap" role="region" aria-label="逐条问题" tabindex="0" { table class="data" {
            thead { tr { th scope="col" { "级别" } th scope="col" { "问题" } th scope="col" { "信息" } } }
            tbody { @for f in &r.findings { tr {
                td { (match f.severity { govsearch_index::audit::Severity::Error => "严重", govsearch_index::audit::Severity::Warning => "警告", govsearch_index::audit::Severity::Notice => "提示" }) }
                td {
                    (f.message)
                    @if !f.link_url.is_empty() { br; "失效链接：" code class="url" { (f.link_url) } }
                }
                td {
                    @if !f.doc_id.is_empty() {
                        a href=(document_href(&f.doc_id)) { (if f.title.is_empty() { &f.doc_id } else { &f.title }) }
                        @if f.code == BROKEN_LINK || f.code == CHANGED_AFTER_PUBLICATION { @if let Some(u) = web_url(&f.url) {
                            br; "页面：" a href=(u) rel="nofollow noopener noreferrer" { (u) }
                        } }
                    } @else if let Some(u) = web_url(&f.url) {
                        "页面：" a href=(u) rel="nofollow noopener noreferrer" { (u) }
                    } @else { "—" }
                }
            } } }
        } }
        @if !r.not_checked.is_empty() {
            h2 { "未检查的项目" }
            ul { @for n in &r.not_checked { li { (n) } } }
        }
    };
    layout("主动公开覆盖检查", false, "", body).into_response()
}
