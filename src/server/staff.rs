//! For disclosure staff: the tally (`/api/tally`, `/api/tally.csv`,
//! `/staff/tally`) and the coverage audit (`/api/audit`, `/staff/audit`).
//! Every count links to the documents behind it.
//!
//! Handlers and markup only: the reports are typed values of the index
//! (`tally::TallyQuery` → `tally::answer`, `audit::AuditQuery` →
//! `audit::answer`), built here from the query string.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use govsearch_index::Document;
use govsearch_index::audit::{self, AuditQuery, AuditReport, BROKEN_LINK, CHANGED_AFTER_PUBLICATION};
use govsearch_index::tally::{self, GroupBy, Instrument, InstrumentColumn, Period, Selection, TallyAnswer, TallyQuery};
use govsearch_index::{dates, report};
use maud::{Markup, html};

use super::api::SearchParams;
use super::pages::{document_href, layout, urlencode};
use super::{ApiError, AppState, blocking};
use crate::reports::{documents_csv, severity_label};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/tally", get(api_tally))
        .route("/api/tally.csv", get(api_tally_csv))
        .route("/api/audit", get(api_audit))
        .route("/staff/tally", get(page_tally))
        .route("/staff/tally/list", get(page_list))
        .route("/staff/audit", get(page_audit))
}

/// The sites a query string asks for (`site`, repeated and/or comma-separated).
fn sites(p: &SearchParams) -> Vec<String> {
    report::site_list(p.pairs.iter().filter(|(k, _)| k == "site").map(|(_, v)| v.as_str()))
}

/// The tally a query string asks for (`year` or `from`/`to`, `site`,
/// `publisher`, `group`); errors name the parameter.
fn tally_query(p: &SearchParams) -> Result<TallyQuery, ApiError> {
    Ok(TallyQuery {
        group_by: GroupBy::parse(p.get("group").unwrap_or("category"))?,
        sites: sites(p),
        publisher: p.get("publisher").map(str::to_owned),
        period: Period::parse(p.get("year"), p.get("from"), p.get("to"))?,
    })
}

/// The documents behind a count that a query string's `list` / `value` select.
fn selection(p: &SearchParams) -> Result<Selection, ApiError> {
    Ok(Selection::parse(p.get("list"), p.get("value"))?)
}

/// The heading of a selection's list page.
fn selection_label(s: &Selection) -> String {
    match s {
        Selection::All => "全部".into(),
        Selection::Group(v) => v.clone(),
        Selection::Undated => "无发布日期".into(),
        Selection::Pending => "已列入目录、正文待抓取".into(),
        Selection::Table2(row, column) => format!(
            "{} {}",
            match row {
                Instrument::Rules => "规章",
                Instrument::Normative => "行政规范性文件",
            },
            match column {
                InstrumentColumn::Issued => "本年制发",
                InstrumentColumn::Abolished => "本年废止",
                InstrumentColumn::InForce => "现行有效",
            }
        ),
    }
}

/// The tally a query string asks for, with the documents it counted over.
fn compute(st: &AppState, p: &SearchParams) -> Result<(TallyAnswer, Arc<Vec<Document>>), ApiError> {
    let query = tally_query(p)?;
    let docs = st.catalogue.records()?;
    let ans = tally::answer(&docs, &query, &dates::today())?;
    Ok((ans, docs))
}

async fn api_tally(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let (ans, _) = blocking(move || compute(&st, &p)).await?;
    Ok(Json(ans).into_response())
}

async fn api_tally_csv(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = SearchParams::parse(raw.as_deref());
    let csv = blocking(move || {
        let (ans, docs) = compute(&st, &p)?;
        let ids = ans.ids(&selection(&p)?)?;
        Ok(documents_csv(&tally::pick(&docs, &ids)))
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

/// The audit a query string asks for (`site`, `as_of`). With a data folder,
/// the crawl state's change history and broken links are checked too.
fn run_audit(st: &AppState, p: &SearchParams) -> Result<AuditReport, ApiError> {
    let query = AuditQuery { sites: sites(p), as_of: p.get("as_of").map(str::to_owned) };
    let docs = st.catalogue.records()?;
    let facts = match &st.data {
        Some(d) => d.crawl_facts().map_err(ApiError::Internal)?,
        None => None,
    };
    Ok(audit::answer(&docs, &query, &dates::today(), facts.as_ref())?)
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
fn bar_chart(title: &str, rows: &[(String, usize)]) -> Markup {
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
        let monthly = TallyQuery { group_by: GroupBy::Month, ..tally_query(&p2)? };
        let (mreq, _) = monthly.request(&docs, &dates::today())?;
        let months = tally::tally(&docs, &mreq)?;
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
                @if !t.pending.is_empty() {
                    tr { th scope="row" { "其中正文待抓取（仅据目录计入）" } td { a href=(list_link("list=pending")) { (t.pending.len()) } } td { a href=(csv_link("list=pending")) { "CSV" } } }
                }
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
        let selection = selection(&p)?;
        let ids = ans.ids(&selection)?;
        let label = selection_label(&selection);
        let rows: Vec<Document> = tally::pick(&docs, &ids).into_iter().cloned().collect();
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
                td { (severity_label(f.severity)) }
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
