//! The bundled demo government website (示例市人民政府).
//!
//! `govsearch demo` starts it on loopback, crawls it with the real crawler,
//! indexes it and serves search. It imitates TRS WCM / 政务公开 platforms so the
//! crawler's generic extraction is exercised for real:
//!
//! - `/` home, `/zwgk/` 政府信息公开 landing, column lists `/zwgk/<col>/index.html`,
//!   `index_1.html`…, 20 items a page, newest first; paging drawn only by
//!   `createPageHTML(…)` script, except 法律法规 (plain `index_N.html` links);
//! - details `/zwgk/<col>/<yyyymm>/t<yyyymmdd>_<n>.html` (`n`: 1-based line of
//!   the document in the data file) with the 信息公开 metadata table, the
//!   `ArticleTitle`/`PubDate`/`ContentSource` meta tags and a `TRS_Editor` body;
//! - 工作报告 pages and every 7th detail page in GBK (`<meta charset="gb2312">`,
//!   `Content-Type: text/html` without charset);
//! - a DOCX attachment `/attach/<n>.docx` on every 10th detail page;
//! - duplicates: the first three 政策文件 also listed under 其他, and one
//!   政策文件 copied to a second URL under `/zwgk/qt/`;
//! - 政策解读 ↔ policy links, robots.txt, sitemap.xml, a `/search` trap,
//!   ETag/Last-Modified with 304 answers.
//!
//! Everything is deterministic: the same data always gives the same bytes.

mod docx;
mod render;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The embedded sample: 291 real documents, gzip JSON Lines.
static DOCS_GZ: &[u8] = include_bytes!("../assets/demo/docs.jsonl.gz");
const DOCS_ORIGIN: &str = "assets/demo/docs.jsonl.gz";

/// The site's name, shown in header, footer and titles.
pub const SITE_NAME: &str = "示例市人民政府";
/// Items per list page.
pub const PER_PAGE: usize = 20;
/// The organisation code that starts every 索引号.
const ORG_CODE: &str = "11379900MB0000001D";
/// A copy page's number is the original's plus this.
const COPY_OFFSET: usize = 100_000;

/// One document of the embedded sample: a record of the corpus format (the
/// same type `govsearch import` reads).
pub use crate::data::CorpusRecord as DemoDoc;

/// The embedded documents, parsed.
pub fn demo_documents() -> anyhow::Result<Vec<DemoDoc>> {
    parse_documents_gz(DOCS_GZ, DOCS_ORIGIN)
}

/// Parse gzip-compressed JSON Lines; `origin` names the data in errors.
pub fn parse_documents_gz(gz: &[u8], origin: &str) -> anyhow::Result<Vec<DemoDoc>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .with_context(|| format!("{origin}: not gzip-compressed UTF-8 text"))?;
    parse_documents(&text, origin)
}

/// Parse JSON Lines (one document a line, blank lines skipped); an error names
/// `origin` and the 1-based line number.
pub fn parse_documents(text: &str, origin: &str) -> anyhow::Result<Vec<DemoDoc>> {
    let mut docs = Vec::new();
    let mut ids = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let doc: DemoDoc =
            serde_json::from_str(line).map_err(|e| anyhow!("{origin} line {line_no}: bad demo document: {e}"))?;
        if doc.title.trim().is_empty() {
            bail!("{origin} line {line_no}: empty title");
        }
        if !ids.insert(doc.id.clone()) {
            bail!("{origin} line {line_no}: duplicate id {:?}", doc.id);
        }
        docs.push(doc);
    }
    if docs.is_empty() {
        bail!("{origin}: no documents");
    }
    Ok(docs)
}

/// A column (栏目) of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The path segment: `/zwgk/<slug>/`.
    pub slug: &'static str,
    pub name: &'static str,
    /// Pagination drawn only by `createPageHTML` script (else plain links).
    pub script_paging: bool,
    /// Every page of the column is served in GBK.
    pub gbk: bool,
}

impl Column {
    /// `/zwgk/<slug>/`.
    pub fn path(&self) -> String {
        format!("/zwgk/{}/", self.slug)
    }
}

/// The columns, in menu order.
pub static COLUMNS: [Column; 5] = [
    Column { slug: "zcwj", name: "政策文件", script_paging: true, gbk: false },
    Column { slug: "flfg", name: "法律法规", script_paging: false, gbk: false },
    Column { slug: "zcjd", name: "政策解读", script_paging: true, gbk: false },
    Column { slug: "gzbg", name: "工作报告", script_paging: true, gbk: true },
    Column { slug: "qt", name: "其他", script_paging: true, gbk: false },
];
const ZCWJ: usize = 0;
const FLFG: usize = 1;
const ZCJD: usize = 2;
const GZBG: usize = 3;
const QT: usize = 4;

/// The column a category is listed under.
pub fn column_for(category: &str) -> &'static Column {
    &COLUMNS[column_index(category)]
}

fn column_index(category: &str) -> usize {
    match category {
        "政策文件" => ZCWJ,
        "法律" | "行政法规" | "部门规章" | "地方性法规" => FLFG,
        "政策解读" => ZCJD,
        "工作报告" => GZBG,
        _ => QT,
    }
}

/// A document as laid out on the site.
#[derive(Debug, Clone)]
pub struct DemoItem {
    pub doc: DemoDoc,
    /// 1-based position in the data: the `_<n>` of the detail URL.
    pub n: usize,
    pub column: &'static Column,
    /// The date the URL is built from (`published_date`, else `issued_date`,
    /// else 2000-01-01), `YYYY-MM-DD`.
    pub date: String,
    /// `/zwgk/<col>/<yyyymm>/t<yyyymmdd>_<n>.html`.
    pub path: String,
    /// 索引号, e.g. `11379900MB0000001D/2020-00123`.
    pub index_number: String,
    /// Served in GBK.
    pub gbk: bool,
    /// Dates in the metadata table as `2020年03月15日` (else `2020-03-15`).
    pub chinese_dates: bool,
    /// `/attach/<n>.docx` when the page links a DOCX attachment.
    pub attachment: Option<String>,
    /// A second column whose list also links this item (same URL).
    pub also_listed_in: Option<&'static Column>,
    /// A second URL serving a copy of the page (listed under 其他).
    pub copy_path: Option<String>,
    /// For a 政策解读: the index (in `items()`) of the policy it interprets.
    pub interprets: Option<usize>,
    /// For a policy: the indexes of the 政策解读 that link to it.
    pub interpreted_by: Vec<usize>,
}

/// A link on a column list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Index into `items()`.
    pub item: usize,
    /// The URL path linked.
    pub path: String,
    /// The link goes to the copy page.
    pub copy: bool,
}

/// A pre-rendered response body with its validators.
#[derive(Clone)]
struct Page {
    body: Arc<[u8]>,
    content_type: &'static str,
    etag: String,
    last_modified: Option<String>,
}

/// The site's content: the documents, their layout and every rendered page.
pub struct DemoData {
    items: Vec<DemoItem>,
    lists: Vec<Vec<ListEntry>>,
    pages: HashMap<String, Page>,
    attachments: HashMap<usize, usize>,
}

impl std::fmt::Debug for DemoData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoData").field("items", &self.items.len()).field("pages", &self.pages.len()).finish()
    }
}

/// `Some((year, month, day))` for a valid `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// `Sun, 15 Mar 2020 00:00:00 GMT` for the midnight starting `date`.
fn http_date(date: time::Date) -> String {
    let wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][date.weekday().number_days_from_monday() as usize];
    let mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        [usize::from(u8::from(date.month())) - 1];
    format!("{wd}, {:02} {mon} {} 00:00:00 GMT", date.day(), date.year())
}

fn parse_http_date(s: &str) -> Option<time::PrimitiveDateTime> {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), fmt).ok()
}

// FNV-1a, 64 bits: a stable content hash for ETags (the project's one FNV-1a).
use govsearch_index::identity::fnv1a;

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", fnv1a(bytes))
}

/// `index.html` for page 0, else `index_<page>.html`.
fn list_file(page: usize) -> String {
    if page == 0 { "index.html".to_owned() } else { format!("index_{page}.html") }
}

/// Pages of a list with `len` entries (at least one).
fn page_count(len: usize) -> usize {
    len.div_ceil(PER_PAGE).max(1)
}

/// Bigrams of a title, for pairing an interpretation with its policy.
fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_ascii_punctuation() && !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

fn encode_html(html: String, gbk: bool) -> (Vec<u8>, &'static str) {
    if gbk {
        // Characters GBK cannot hold become numeric character references.
        let (bytes, _, _) = encoding_rs::GBK.encode(&html);
        (bytes.into_owned(), "text/html")
    } else {
        (html.into_bytes(), "text/html; charset=utf-8")
    }
}

impl DemoData {
    /// The embedded sample, laid out and rendered.
    pub fn embedded() -> anyhow::Result<DemoData> {
        Ok(DemoData::new(demo_documents()?))
    }

    /// Lay out and render `docs` (in data order: the first is `n` = 1).
    pub fn new(docs: Vec<DemoDoc>) -> DemoData {
        let mut items: Vec<DemoItem> = docs
            .into_iter()
            .enumerate()
            .map(|(i, doc)| {
                let n = i + 1;
                let column = column_for(&doc.category);
                let date = [&doc.published_date, &doc.issued_date]
                    .into_iter()
                    .find(|d| parse_date(d).is_some())
                    .cloned()
                    .unwrap_or_else(|| "2000-01-01".to_owned());
                let ymd = date.replace('-', "");
                let path = format!("/zwgk/{}/{}/t{ymd}_{n}.html", column.slug, &ymd[..6]);
                let index_number = format!("{ORG_CODE}/{}-{n:05}", &date[..4]);
                DemoItem {
                    n,
                    column,
                    date,
                    path,
                    index_number,
                    gbk: column.gbk || n.is_multiple_of(7),
                    chinese_dates: n % 4 < 2,
                    attachment: n.is_multiple_of(10).then(|| format!("/attach/{n}.docx")),
                    also_listed_in: None,
                    copy_path: None,
                    interprets: None,
                    interpreted_by: Vec::new(),
                    doc,
                }
            })
            .collect();

        // Duplicates: the first three 政策文件 also listed under 其他; the next
        // one with a 文号 (else the next one) copied to a second URL.
        let policies: Vec<usize> = (0..items.len()).filter(|&i| items[i].column == &COLUMNS[ZCWJ]).collect();
        for &i in policies.iter().take(3) {
            items[i].also_listed_in = Some(&COLUMNS[QT]);
        }
        let rest = policies.get(3..).unwrap_or_default();
        if let Some(&i) = rest.iter().find(|&&i| !items[i].doc.doc_number.is_empty()).or(rest.first()) {
            let it = &items[i];
            let ymd = it.date.replace('-', "");
            items[i].copy_path =
                Some(format!("/zwgk/{}/{}/t{ymd}_{}.html", COLUMNS[QT].slug, &ymd[..6], it.n + COPY_OFFSET));
        }

        // 政策解读 → the policy whose title shares most bigrams (else the first policy).
        let policy_grams: Vec<(usize, HashSet<(char, char)>)> =
            policies.iter().map(|&i| (i, bigrams(&items[i].doc.title))).collect();
        for j in 0..items.len() {
            if items[j].column != &COLUMNS[ZCJD] {
                continue;
            }
            let grams = bigrams(&items[j].doc.title);
            let mut best: Option<(usize, usize)> = None;
            for (i, g) in &policy_grams {
                let score = grams.intersection(g).count();
                if score >= 2 && best.is_none_or(|(_, s)| score > s) {
                    best = Some((*i, score));
                }
            }
            if let Some(p) = best.map(|(i, _)| i).or(policies.first().copied()) {
                items[j].interprets = Some(p);
                items[p].interpreted_by.push(j);
            }
        }

        // Column lists, newest first.
        let mut lists: Vec<Vec<ListEntry>> = vec![Vec::new(); COLUMNS.len()];
        for (i, it) in items.iter().enumerate() {
            lists[column_index(&it.doc.category)].push(ListEntry { item: i, path: it.path.clone(), copy: false });
            if let Some(c) = it.also_listed_in {
                let ci = COLUMNS.iter().position(|x| x == c).unwrap_or(QT);
                lists[ci].push(ListEntry { item: i, path: it.path.clone(), copy: false });
            }
            if let Some(p) = &it.copy_path {
                lists[QT].push(ListEntry { item: i, path: p.clone(), copy: true });
            }
        }
        for list in &mut lists {
            list.sort_by(|a, b| {
                let (x, y) = (&items[a.item], &items[b.item]);
                y.date.cmp(&x.date).then(x.n.cmp(&y.n)).then(a.path.cmp(&b.path))
            });
        }

        let mut data = DemoData { items, lists, pages: HashMap::new(), attachments: HashMap::new() };
        data.render_all();
        data
    }

    fn insert(&mut self, path: &str, html: String, gbk: bool, last_modified: Option<String>) {
        let (bytes, content_type) = encode_html(html, gbk);
        let etag = etag_of(&bytes);
        self.pages.insert(path.to_owned(), Page { body: bytes.into(), content_type, etag, last_modified });
    }

    fn render_all(&mut self) {
        let home = render::home(&self.items, &self.lists);
        self.insert("/", home.clone(), false, None);
        self.insert("/index.html", home, false, None);
        let zwgk = render::zwgk(&self.lists);
        self.insert("/zwgk/", zwgk.clone(), false, None);
        self.insert("/zwgk/index.html", zwgk, false, None);
        for (ci, column) in COLUMNS.iter().enumerate() {
            let pages = page_count(self.lists[ci].len());
            let charset = if column.gbk { "gb2312" } else { "utf-8" };
            for page in 0..pages {
                let html = render::list_page(column, &self.lists[ci], &self.items, page, pages, charset);
                if page == 0 {
                    self.insert(&column.path(), html.clone(), column.gbk, None);
                }
                self.insert(&format!("{}{}", column.path(), list_file(page)), html, column.gbk, None);
            }
        }
        for i in 0..self.items.len() {
            let it = &self.items[i];
            let charset = if it.gbk { "gb2312" } else { "utf-8" };
            let modified = parse_date(&it.date).map(http_date);
            let (gbk, path, copy) = (it.gbk, it.path.clone(), it.copy_path.clone());
            let html = render::detail(&self.items, i, &path, it.column, charset);
            self.insert(&path, html, gbk, modified.clone());
            if let Some(copy) = copy {
                let html = render::detail(&self.items, i, &copy, &COLUMNS[QT], charset);
                self.insert(&copy, html, gbk, modified);
            }
            if self.items[i].attachment.is_some() {
                self.attachments.insert(self.items[i].n, i);
            }
        }
        let css = render::STYLE_CSS.as_bytes();
        self.pages.insert(
            "/css/style.css".to_owned(),
            Page { body: css.into(), content_type: "text/css; charset=utf-8", etag: etag_of(css), last_modified: None },
        );
    }

    /// The documents as laid out, in data order.
    pub fn items(&self) -> &[DemoItem] {
        &self.items
    }

    /// The links of a column's list (all its pages), newest first.
    pub fn list(&self, column: &Column) -> &[ListEntry] {
        COLUMNS.iter().position(|c| c == column).and_then(|i| self.lists.get(i)).map_or(&[], Vec::as_slice)
    }

    /// How many list pages a column has.
    pub fn list_pages(&self, column: &Column) -> usize {
        page_count(self.list(column).len())
    }

    /// Every path the site serves a page at (not attachments, robots, sitemap), sorted.
    pub fn paths(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.pages.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Stop serving `path` — a page, or an attachment `/attach/<n>.docx` — while
    /// the pages that link it stay as they are: a page or file taken down but
    /// still linked (a broken link). Returns whether it was served.
    pub fn remove(&mut self, path: &str) -> bool {
        let attachment = path.strip_prefix("/attach/").and_then(|f| f.strip_suffix(".docx")?.parse::<usize>().ok());
        match attachment {
            Some(n) => self.attachments.remove(&n).is_some(),
            None => self.pages.remove(path).is_some(),
        }
    }

    /// The DOCX attachment of item `n` (1-based), if it has one.
    pub fn attachment_docx(&self, n: usize) -> Option<anyhow::Result<Vec<u8>>> {
        let item = &self.items[*self.attachments.get(&n)?];
        let paras: Vec<&str> = item.doc.body.split('\n').map(str::trim).filter(|p| !p.is_empty()).collect();
        let tail = &paras[paras.len().saturating_sub(3)..];
        let all = std::iter::once(item.doc.title.as_str()).chain(tail.iter().copied());
        Some(docx::build_docx(all).context("building the DOCX attachment"))
    }
}

/// The `sites.toml` text that crawls the demo site at `base_url` (`http://host:port/`).
pub fn config_toml_for(base_url: &str) -> String {
    let mut columns = String::new();
    for c in &COLUMNS {
        columns.push_str(&format!("\"{}\" = \"{}\"\n", c.path(), c.name));
    }
    format!(
        r#"# The bundled demo site ({SITE_NAME}).
[crawl]
concurrency = 8

[[site]]
name = "demo"
start_urls = ["{base_url}"]
delay_ms = 0
allow_private = true
item_patterns = ['/zwgk/[a-z]+/\d{{6}}/t\d{{8}}_\d+\.html$']
list_patterns = ['^https?://[^/]+/(index\.html)?$', '/zwgk/([a-z]+/)?(index(_\d+)?\.html)?$']

[site.columns]
{columns}"#
    )
}

/// The demo site, serving in a tokio task.
#[derive(Debug)]
pub struct DemoSite {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoSite {
    /// Bind `addr` (e.g. `127.0.0.1:0`) and serve the embedded sample.
    pub async fn start(addr: SocketAddr) -> anyhow::Result<DemoSite> {
        let data = Arc::new(DemoData::embedded()?);
        DemoSite::start_with(addr, data).await
    }

    /// Bind `addr` and serve `data`.
    pub async fn start_with(addr: SocketAddr, data: Arc<DemoData>) -> anyhow::Result<DemoSite> {
        let listener =
            tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding the demo site to {addr}"))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(data);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::warn!("demo site stopped: {e}");
            }
        });
        Ok(DemoSite { addr, stop, task })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/", SocketAddr::new(ip, self.addr.port()))
    }

    /// A `sites.toml` text that crawls this site.
    pub fn config_toml(&self) -> String {
        config_toml_for(&self.base_url())
    }

    /// Stop serving; waits up to five seconds for open connections.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// The site's routes, for serving or for `oneshot` tests.
pub fn router(site: Arc<DemoData>) -> Router {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/search", get(search))
        .route("/attach/{file}", get(attachment))
        .fallback(page)
        .with_state(site)
}

/// The request's host, if it looks like one; else loopback.
fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("127.0.0.1")
        .to_owned()
}

async fn robots(headers: HeaderMap) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /search\nDisallow: /admin/\n\nSitemap: http://{}/sitemap.xml\n",
        host(&headers)
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn sitemap(State(site): State<Arc<DemoData>>, headers: HeaderMap) -> Response {
    let host = host(&headers);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for it in &site.items {
        xml.push_str(&format!("<url><loc>http://{host}{}</loc><lastmod>{}</lastmod></url>\n", it.path, it.date));
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response()
}

async fn search(RawQuery(query): RawQuery) -> Response {
    let mut q = String::new();
    let mut page = 1u64;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "q" => q = v.into_owned(),
            "page" => page = v.parse().unwrap_or(1).clamp(1, 1_000_000),
            _ => {}
        }
    }
    html_response(StatusCode::OK, render::search(&q, page))
}

fn html_response(status: StatusCode, html: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// Whether the request's validators match (then the answer is 304).
fn not_modified(headers: &HeaderMap, etag: &str, last_modified: Option<&str>) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(|t| t.trim()).any(|t| t == "*" || t.trim_start_matches("W/") == etag);
    }
    match (headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()), last_modified) {
        (Some(ims), Some(lm)) => match (parse_http_date(ims), parse_http_date(lm)) {
            (Some(ims), Some(lm)) => lm <= ims,
            _ => ims == lm,
        },
        _ => false,
    }
}

fn respond(
    headers: &HeaderMap,
    body: Arc<[u8]>,
    content_type: &str,
    etag: &str,
    last_modified: Option<&str>,
) -> Response {
    let mut builder = Response::builder().header(header::ETAG, etag);
    if let Some(lm) = last_modified {
        builder = builder.header(header::LAST_MODIFIED, lm);
    }
    let built = if not_modified(headers, etag, last_modified) {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from(body.to_vec()))
    };
    built.unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

async fn attachment(State(site): State<Arc<DemoData>>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(n) = file.strip_suffix(".docx").and_then(|n| n.parse::<usize>().ok()) else {
        return html_response(StatusCode::NOT_FOUND, render::not_found());
    };
    match site.attachment_docx(n) {
        None => html_response(StatusCode::NOT_FOUND, render::not_found()),
        Some(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response(),
        Some(Ok(bytes)) => {
            let etag = etag_of(&bytes);
            let modified = site.attachments.get(&n).and_then(|&i| parse_date(&site.items[i].date)).map(http_date);
            let mut resp = respond(&headers, bytes.into(), docx::DOCX_MIME, &etag, modified.as_deref());
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{n}.docx\"")) {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
    }
}

async fn page(State(site): State<Arc<DemoData>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let path = uri.path();
    if let Some(p) = site.pages.get(path) {
        return respond(&headers, p.body.clone(), p.content_type, &p.etag, p.last_modified.as_deref());
    }
    if path.starts_with("/admin/") || path == "/admin" {
        return html_response(StatusCode::FORBIDDEN, render::admin());
    }
    let with_slash = format!("{path}/");
    if site.pages.contains_key(&with_slash) {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, with_slash)]).into_response();
    }
    html_response(StatusCode::NOT_FOUND, render::not_found())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Cursor, Write};
    use std::sync::OnceLock;

    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    fn data() -> Arc<DemoData> {
        static DATA: OnceLock<Arc<DemoData>> = OnceLock::new();
        DATA.get_or_init(|| Arc::new(DemoData::embedded().unwrap())).clone()
    }

    async fn fetch(
        data: Arc<DemoData>,
        path: &str,
        headers: &[(header::HeaderName, &str)],
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = axum::http::Request::builder().uri(path);
        for (k, v) in headers {
            req = req.header(k, *v);
        }
        let resp = router(data).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    async fn get_text(path: &str) -> (StatusCode, HeaderMap, String) {
        let (s, h, b) = fetch(data(), path, &[]).await;
        let text = if h.get(header::CONTENT_TYPE).is_some_and(|c| c == "text/html") {
            encoding_rs::GBK.decode_without_bom_handling(&b).0.into_owned()
        } else {
            String::from_utf8(b).unwrap()
        };
        (s, h, text)
    }

    fn doc(id: &str, title: &str, category: &str, date: &str) -> DemoDoc {
        DemoDoc {
            id: id.into(),
            title: title.into(),
            doc_number: String::new(),
            publisher: "示例市人民政府办公室".into(),
            category: category.into(),
            issued_date: date.into(),
            published_date: date.into(),
            validity: String::new(),
            body: "第一段。\n第二段。".into(),
            source: String::new(),
        }
    }

    #[test]
    fn embedded_documents_parse() {
        let docs = demo_documents().unwrap();
        assert_eq!(docs.len(), 291);
        assert!(docs.iter().all(|d| !d.title.is_empty() && !d.body.is_empty()));
    }

    #[test]
    fn parse_error_names_the_line() {
        let text = "{\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n\n{\"id\":\"b\",\"title\":1}\n";
        let e = parse_documents(text, "x.jsonl").unwrap_err().to_string();
        assert!(e.contains("x.jsonl line 3"), "{e}");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"{\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n{\"id\":\"a\",\"title\":\"t\",\"body\":\"b\"}\n")
            .unwrap();
        let e = parse_documents_gz(&gz.finish().unwrap(), "y.gz").unwrap_err().to_string();
        assert!(e.contains("y.gz line 2") && e.contains("duplicate id"), "{e}");
        assert!(parse_documents_gz(b"not gzip", "z").is_err());
        assert!(parse_documents("", "empty").is_err());
    }

    #[test]
    fn layout_is_deterministic() {
        let a = DemoData::new(demo_documents().unwrap());
        let b = data();
        assert_eq!(a.paths(), b.paths());
        for p in a.paths() {
            assert_eq!(a.pages[p].body, b.pages[p].body, "{p}");
        }
        let it = &a.items()[0];
        assert_eq!(it.n, 1);
        assert!(it.path.starts_with("/zwgk/flfg/202601/t20260101_1.html"), "{}", it.path);
        assert!(it.index_number.ends_with("/2026-00001"), "{}", it.index_number);
    }

    #[tokio::test]
    async fn home_links_every_column() {
        let (status, headers, html) = get_text("/").await;
        assert_eq!(status, 200);
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        for c in &COLUMNS {
            assert!(html.contains(&format!("href=\"{}\"", c.path())), "{}", c.name);
            assert!(html.contains(c.name));
        }
        assert!(html.contains("政府信息公开") && html.contains(SITE_NAME) && html.contains("网站标识码"));
        let (status, _, _) = get_text("/zwgk/").await;
        assert_eq!(status, 200);
    }

    #[tokio::test]
    async fn script_paged_list() {
        let d = data();
        let zcwj = &COLUMNS[ZCWJ];
        let n = d.list(zcwj).len();
        assert_eq!(n, 202);
        let pages = d.list_pages(zcwj);
        assert_eq!(pages, 11);
        let (status, _, html) = get_text("/zwgk/zcwj/index.html").await;
        assert_eq!(status, 200);
        assert!(html.contains("<script>createPageHTML(11, 0, \"index\", \"html\");</script>"), "{html}");
        assert!(html.contains("function createPageHTML("));
        assert!(!html.contains("href=\"index_1.html\""));
        assert_eq!(html.matches("<li><a href=\"./").count(), PER_PAGE);
        let (_, _, same) = get_text("/zwgk/zcwj/").await;
        assert_eq!(same, html);
        let (status, _, last) = get_text("/zwgk/zcwj/index_10.html").await;
        assert_eq!(status, 200);
        assert!(last.contains("createPageHTML(11, 10, \"index\", \"html\")"));
        assert_eq!(last.matches("<li><a href=\"./").count(), 2);
        assert_eq!(get_text("/zwgk/zcwj/index_11.html").await.0, 404);
        // Newest first.
        let first = &d.items()[d.list(zcwj)[0].item];
        assert!(d.list(zcwj).iter().all(|e| d.items()[e.item].date <= first.date));
        assert!(html.contains(&render::relative("/zwgk/zcwj/index.html", &first.path)));
    }

    #[tokio::test]
    async fn link_paged_list() {
        let d = data();
        let flfg = &COLUMNS[FLFG];
        assert_eq!(d.list_pages(flfg), 4);
        let (_, _, html) = get_text("/zwgk/flfg/index_1.html").await;
        assert!(!html.contains("createPageHTML"));
        for f in ["index.html", "index_2.html", "index_3.html"] {
            assert!(html.contains(&format!("href=\"{f}\"")), "{f}");
        }
        assert_eq!(get_text("/zwgk/flfg").await.0, StatusCode::MOVED_PERMANENTLY);
    }

    #[tokio::test]
    async fn detail_page_metadata() {
        let d = data();
        let it = d.items().iter().find(|i| i.doc.doc_number.contains('〔') && !i.gbk).unwrap();
        let (status, headers, html) = get_text(&it.path).await;
        assert_eq!(status, 200);
        assert!(headers.contains_key(header::ETAG) && headers.contains_key(header::LAST_MODIFIED));
        for label in ["索 引 号：", "主题分类：", "发布机构：", "成文日期：", "标　　题：", "发文字号：", "发布日期："]
        {
            assert!(html.contains(label), "{label}");
        }
        assert!(html.contains(&format!(">{}<", it.doc.doc_number)));
        assert!(html.contains(&it.index_number));
        assert!(html.contains(&format!("<meta name=\"ArticleTitle\" content=\"{}\">", it.doc.title)));
        assert!(html.contains(&format!("<meta name=\"PubDate\" content=\"{} 09:00\">", it.doc.published_date)));
        assert!(html.contains("<meta name=\"ContentSource\""));
        let at = html.find("TRS_Editor").unwrap();
        assert!(
            html[at - 12..].starts_with("<div class=\"TRS_Editor\" id=\"zoom\"><p>"),
            "{}",
            &html[at - 20..at + 40]
        );
        let first_para = it.doc.body.split('\n').find(|p| !p.trim().is_empty()).unwrap().trim();
        assert!(html.contains(&format!("<p>{first_para}</p>")) || first_para.contains(['<', '&', '"']));
        let date = render::format_date(&it.doc.published_date, it.chinese_dates);
        assert!(html.contains(&date), "{date}");
    }

    #[tokio::test]
    async fn detail_page_escapes() {
        let mut evil = doc("x1", "关于<script>&\"测试\"的通知", "政策文件", "2021-05-06");
        evil.body = "甲<b>乙</b>&丙".into();
        evil.doc_number = "示政发〔2021〕1号".into();
        let d = Arc::new(DemoData::new(vec![evil.clone(), doc("x2", "B", "工作报告", "")]));
        let path = d.items()[0].path.clone();
        assert_eq!(path, "/zwgk/zcwj/202105/t20210506_1.html");
        let (status, _, body) = fetch(d.clone(), &path, &[]).await;
        assert_eq!(status, 200);
        let html = String::from_utf8(body).unwrap();
        assert!(!html.contains("<script>&"), "{html}");
        assert!(html.contains("关于&lt;script&gt;&amp;&quot;测试&quot;的通知"), "{html}");
        assert!(html.contains("<p>甲&lt;b&gt;乙&lt;/b&gt;&amp;丙</p>"));
        assert!(html.contains("示政发〔2021〕1号"));
        // No date at all: the path falls back to 2000-01-01.
        assert_eq!(d.items()[1].path, "/zwgk/gzbg/200001/t20000101_2.html");
    }

    #[tokio::test]
    async fn gbk_pages() {
        let d = data();
        let it = d.items().iter().find(|i| i.column.slug == "gzbg").unwrap();
        assert!(it.gbk);
        for path in [it.path.as_str(), "/zwgk/gzbg/index.html"] {
            let (status, headers, bytes) = fetch(d.clone(), path, &[]).await;
            assert_eq!(status, 200);
            assert_eq!(headers[header::CONTENT_TYPE], "text/html", "{path}");
            assert!(std::str::from_utf8(&bytes).is_err(), "{path} is not UTF-8");
            let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
            assert!(!had_errors);
            assert!(text.contains("<meta charset=\"gb2312\">"));
            assert!(text.contains(&it.doc.title), "{path}");
        }
        // Every 7th item too, whatever its column.
        let seventh = &d.items()[6];
        assert!(seventh.gbk && seventh.column.slug != "gzbg");
        let (_, headers, _) = fetch(d.clone(), &seventh.path, &[]).await;
        assert_eq!(headers[header::CONTENT_TYPE], "text/html");
        // Characters GBK lacks become numeric references.
        let mut odd = doc("g", "工作报告😀", "工作报告", "2024-01-02");
        odd.body = "段落".into();
        let d2 = Arc::new(DemoData::new(vec![odd]));
        let (_, _, bytes) = fetch(d2.clone(), &d2.items()[0].path, &[]).await;
        let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(text.contains("工作报告&#128512;"));
    }

    #[tokio::test]
    async fn docx_attachment() {
        let d = data();
        let it = d.items().iter().find(|i| i.attachment.is_some()).unwrap();
        assert_eq!(it.n, 10);
        let url = it.attachment.clone().unwrap();
        assert_eq!(url, "/attach/10.docx");
        let (_, _, html) = get_text(&it.path).await;
        assert!(html.contains(&format!("附件：<a href=\"/attach/10.docx\">{}.docx</a>", it.doc.title)));
        let (status, headers, bytes) = fetch(d.clone(), &url, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(headers[header::CONTENT_TYPE], docx::DOCX_MIME);
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        let last = it.doc.body.split('\n').rfind(|p| !p.trim().is_empty()).unwrap().trim();
        assert!(xml.contains(&docx::xml_escape(last)), "{xml}");
        assert!(xml.contains("<w:p><w:r><w:t"));
        assert_eq!(fetch(d.clone(), "/attach/11.docx", &[]).await.0, 404);
        assert_eq!(fetch(d, "/attach/x.docx", &[]).await.0, 404);
    }

    #[tokio::test]
    async fn removed_pages_and_attachments_answer_404() {
        let mut d = DemoData::embedded().unwrap();
        let page = d.items()[0].path.clone();
        assert!(d.remove(&page) && d.remove("/attach/10.docx"));
        assert!(!d.remove("/attach/10.docx") && !d.remove("/nope.html"));
        let d = Arc::new(d);
        assert_eq!(fetch(d.clone(), &page, &[]).await.0, 404);
        assert_eq!(fetch(d.clone(), "/attach/10.docx", &[]).await.0, 404);
        assert_eq!(fetch(d.clone(), "/attach/20.docx", &[]).await.0, 200);
        let (_, _, list) = fetch(d, "/zwgk/flfg/", &[]).await;
        assert!(String::from_utf8_lossy(&list).contains(page.rsplit('/').next().unwrap()), "still linked");
    }

    #[tokio::test]
    async fn robots_sitemap_traps_and_404() {
        let (status, _, robots) = get_text("/robots.txt").await;
        assert_eq!(status, 200);
        assert!(robots.contains("User-agent: *\nDisallow: /search\nDisallow: /admin/\n"));
        assert!(robots.contains("Sitemap: http://127.0.0.1/sitemap.xml"));
        let (_, _, sitemap) = get_text("/sitemap.xml").await;
        assert_eq!(sitemap.matches("<loc>").count(), 291);
        assert!(sitemap.contains("<loc>http://127.0.0.1/zwgk/flfg/202601/t20260101_1.html</loc>"));
        let (status, _, search) = get_text("/search?q=%E6%94%BF%E7%AD%96&page=3").await;
        assert_eq!(status, 200);
        assert!(search.contains("page=4"));
        assert_eq!(get_text("/admin/login.html").await.0, 403);
        assert_eq!(get_text("/nope.html").await.0, 404);
        assert_eq!(get_text("/zwgk/zcwj/209901/t20990101_1.html").await.0, 404);
    }

    #[tokio::test]
    async fn conditional_get() {
        let d = data();
        let path = d.items()[0].path.clone();
        let (_, headers, _) = fetch(d.clone(), &path, &[]).await;
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        let lm = headers[header::LAST_MODIFIED].to_str().unwrap().to_owned();
        assert_eq!(lm, "Thu, 01 Jan 2026 00:00:00 GMT");
        let (status, h, body) = fetch(d.clone(), &path, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, 304);
        assert!(body.is_empty());
        assert_eq!(h[header::ETAG], etag.as_str());
        assert_eq!(fetch(d.clone(), &path, &[(header::IF_NONE_MATCH, "\"other\"")]).await.0, 200);
        assert_eq!(fetch(d.clone(), &path, &[(header::IF_MODIFIED_SINCE, &lm)]).await.0, 304);
        assert_eq!(fetch(d, &path, &[(header::IF_MODIFIED_SINCE, "Wed, 31 Dec 2025 00:00:00 GMT")]).await.0, 200);
    }

    #[tokio::test]
    async fn duplicates_and_interpretations() {
        let d = data();
        let qt = d.list(&COLUMNS[QT]);
        let cross: Vec<&DemoItem> = d.items().iter().filter(|i| i.also_listed_in.is_some()).collect();
        assert_eq!(cross.len(), 3);
        for it in &cross {
            assert!(qt.iter().any(|e| e.path == it.path && !e.copy));
            assert!(d.list(&COLUMNS[ZCWJ]).iter().any(|e| e.path == it.path));
        }
        let copied: Vec<&DemoItem> = d.items().iter().filter(|i| i.copy_path.is_some()).collect();
        assert_eq!(copied.len(), 1);
        let copy = copied[0].copy_path.clone().unwrap();
        assert!(copy.starts_with("/zwgk/qt/"));
        let (s1, _, a) = get_text(&copied[0].path).await;
        let (s2, _, b) = get_text(&copy).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        let body = |h: &str| h[h.find("TRS_Editor").unwrap()..h.find("class=\"share\"").unwrap()].to_owned();
        assert_eq!(body(&a), body(&b));

        let interp: Vec<&DemoItem> = d.items().iter().filter(|i| i.column.slug == "zcjd").collect();
        assert_eq!(interp.len(), 5);
        for it in interp {
            let p = &d.items()[it.interprets.unwrap()];
            let (_, _, html) = get_text(&it.path).await;
            assert!(html.contains(&format!(
                "<p class=\"xgwj\">相关文件：<a href=\"{}\">{}</a></p></div>",
                render::relative(&it.path, &p.path),
                p.doc.title
            )));
            let (_, _, back) = get_text(&p.path).await;
            assert!(back.contains(&format!(
                "政策解读：<a href=\"{}\">【解读】{}</a>",
                render::relative(&p.path, &it.path),
                it.doc.title
            )));
        }
    }

    #[tokio::test]
    async fn serves_on_loopback() {
        let site = DemoSite::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert!(site.base_url().starts_with("http://127.0.0.1:"));
        let mut stream = tokio::net::TcpStream::connect(site.addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200") && out.contains("Disallow: /search"), "{out}");
        site.shutdown().await;
    }

    #[test]
    fn config_parses() {
        let text = config_toml_for("http://127.0.0.1:8123/");
        let config = govsearch_crawler::Config::parse(&text, "demo").unwrap();
        let site = &config.sites[0];
        assert_eq!(site.start_urls, ["http://127.0.0.1:8123/"]);
        assert!(site.allow_private);
        assert_eq!(site.delay_ms, 0);
        assert_eq!(site.columns["/zwgk/zcwj/"], "政策文件");
        assert_eq!(site.item_patterns, [r"/zwgk/[a-z]+/\d{6}/t\d{8}_\d+\.html$"]);
    }
}
