//! Extraction: pure functions from a decoded HTML page to an item and links.
//!
//! Nothing here touches the network or the state; the crawl calls it on fresh
//! pages and [`crate::state::CrawlState::extract_items`] re-runs it over
//! stored pages. Everything read is bounded: the HTML by [`MAX_HTML_CHARS`],
//! the body by [`MAX_BODY_CHARS`], links by [`MAX_LINKS`].

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// ego-tree's node handle, named through scraper (no direct dependency).
type NodeRef<'a> = <ElementRef<'a> as std::ops::Deref>::Target;

use crate::config::SiteConfig;
use crate::dates::parse_date;
use crate::urlnorm::resolve;

/// HTML beyond this many bytes is not parsed.
pub const MAX_HTML_CHARS: usize = 4 * 1024 * 1024;
/// The body text is cut at this many characters.
pub const MAX_BODY_CHARS: usize = 200_000;
/// At most this many links, attachments and pagination URLs per page.
pub const MAX_LINKS: usize = 2000;
/// `createPageHTML(N, …)` page counts above this are capped.
pub const MAX_PAGES_PER_LIST: usize = 500;
const MAX_FIELD_CHARS: usize = 500;

/// One published item as read from its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtractedItem {
    /// The page URL (normalised).
    pub url: String,
    /// `[url]`: one item per page. The pages of one published item are merged
    /// later, by the identity rule of `govsearch_index::identity`.
    pub urls: Vec<String>,
    /// The site's `name` from the config ("" if no site config was given).
    pub site: String,
    /// Column (栏目) the item was listed under: the page's `ColumnName` meta or
    /// the list page that linked it.
    pub column: String,
    /// Category from the site's `columns` map (规范性文件, 政策解读, …), or "".
    pub category: String,
    pub title: String,
    /// 文号 / 发文字号, as written.
    pub doc_number: String,
    /// 索引号.
    pub index_number: String,
    /// 发布机构 / 发文机关 / 制发机关 (falls back to the `ContentSource` meta).
    pub publisher: String,
    /// 主题分类.
    pub topic: String,
    /// 成文日期, `YYYY-MM-DD` or "".
    pub issued_date: String,
    /// 发布日期, `YYYY-MM-DD` or "" (falls back to the `PubDate` meta).
    pub published_date: String,
    /// 有效性 as written (有效, 失效, 废止, …).
    pub validity: String,
    /// 失效日期, `YYYY-MM-DD` or "".
    pub expiry_date: String,
    /// Main text, one paragraph per line.
    pub body: String,
    pub attachments: Vec<ExtractedAttachment>,
    /// Links between a policy and its interpretation (政策解读 ↔ policy).
    pub related_links: Vec<String>,
    /// The page is gone from the site (404/410 twice); set from the state.
    pub withdrawn: bool,
    /// Known from a platform catalogue's listing only: the page is not
    /// fetched yet (a catalogue-only crawl), so `body` is empty.
    pub pending: bool,
    /// SHA-256 (hex) of title, metadata and body: equal hash = same content.
    pub content_hash: String,
}

/// An attachment of an item, with its text when it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedAttachment {
    /// Link text (or file name).
    pub name: String,
    pub url: String,
    /// Lowercase file extension: pdf, docx, doc, ofd, xls, …
    pub kind: String,
    /// Extracted text ("" when none).
    pub text: String,
    /// Why there is no text ("" when there is, or when not fetched yet).
    pub error: String,
}

/// A hyperlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: Url,
    /// Link text (or `title` attribute), whitespace collapsed.
    pub text: String,
}

/// A link to a file (PDF, DOCX, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentLink {
    pub url: Url,
    pub name: String,
    /// Lowercase extension.
    pub kind: String,
}

/// The outgoing links of a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// Every http(s) link that is not an attachment, normalised, deduplicated, in page order.
    pub links: Vec<Link>,
    /// Further pages of a list (`createPageHTML`, `index_N.html`).
    pub pagination: Vec<Url>,
    pub attachments: Vec<AttachmentLink>,
    /// Where a redirect stub sends the reader: `<meta http-equiv="refresh">`
    /// or a script setting `location.href` (common on CMS column pages).
    pub redirect: Option<Url>,
}

/// File extensions treated as attachments.
pub const ATTACHMENT_KINDS: &[&str] = &[
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ppt", "pptx", "ofd", "rar", "zip", "7z", "txt", "csv", "tif",
    "ceb",
];

#[allow(clippy::expect_used)]
fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

#[allow(clippy::expect_used)]
fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

static BODY_SELECTORS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        ".TRS_Editor",
        ".TRS_UEDITOR",
        "#UCAP-CONTENT",
        ".article-content",
        "#zoom",
        "#Zoom",
        ".pages_content",
        "#mainText",
        ".mainText",
        ".view",
        ".zw",
        "#zw",
        ".article_con",
        ".content-txt",
        ".news_content",
        ".detail-content",
        "#fontzoom",
        ".bt_content",
        "article",
    ]
    .iter()
    .map(|s| sel(s))
    .collect()
});
static A: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static META: LazyLock<Selector> = LazyLock::new(|| sel("meta[name][content]"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static HEADINGS: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        r#"h1, h2, h3, .title, #title, #NewsArticleTitle, [class*="detail-title"], [class*="article-title"], [class*="news-title"], [class*="art-title"], [class*="content-title"], [class*="xl-title"], [class*="bt-title"]"#,
    )
});
static CANDIDATES: LazyLock<Selector> = LazyLock::new(|| sel("div, td, article, section"));
static PAGE_JS: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"createPageHTML\(\s*(?:['"][^'"]*['"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]"#)
});
static META_REFRESH: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)"#)
});
static JS_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*=\s*(?:["']([^"']+)["']|(\w+))|location\.replace\(\s*["']([^"']+)["']"#,
    )
});
static NEWS_SOURCE: LazyLock<Selector> = LazyLock::new(|| sel("#NewsArticleSource"));
static NEWS_PUBDAY: LazyLock<Selector> = LazyLock::new(|| sel("#NewsArticlePubDay"));

/// TRS pages carry hidden `<div id="NewsArticleSource">` fields.
fn hidden_field(doc: &Html, s: &Selector) -> Option<String> {
    doc.select(s).next().map(element_text).filter(|t| !t.is_empty()).map(|t| cap(t, MAX_FIELD_CHARS))
}

static TRAILING_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"\s*[(（]\s*\d{4}年\d{1,2}月\d{1,2}日\s*[)）]$"));
/// A name of an office rather than of a document (a `<title>` that is just the site).
static ORG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[\p{Han}（）()]{2,14}(中心|局|人民政府|政府|委员会|办公室|办公厅|厅|委|网|门户|市|县|区|省)$")
});
/// A line that is a 文号 by itself: `深建规〔2018〕11号`, `京政办发[2013]17号`.
static DOC_NUMBER_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[\p{Han}A-Za-z]{1,20}[〔\[［(（]\d{4}[〕\]］)）]第?\d{1,6}号$"));
static SCRIPT_HREF: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)href\s*=\s*\\?["']([^"'<>\s]+)\\?["'][^>]{0,200}>([^<]{0,300})</a>"#));
static INDEX_N: LazyLock<Regex> = LazyLock::new(|| re(r"/(index|list|default)_(\d+)\.(s?html?|jsp)$"));

/// Metadata fields the table labels map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Index,
    Topic,
    Publisher,
    DocNumber,
    Published,
    Issued,
    Validity,
    Expiry,
    Title,
    /// A bare `日期：…` line (under the headline): the published date when no
    /// 发布日期/发布时间 label gives one, and ahead of the `PubDate` meta.
    Date,
    /// 废止日期/有效期: a date is the expiry; a validity word (`废止日期：有效`)
    /// is the validity.
    ExpiryOrStatus,
    /// 文件状态: the validity, only when the value is a validity word.
    Status,
    /// 来源/信息来源: the publisher when no 发布机构-type label gives one, only
    /// when it names a government body (not a newspaper).
    Source,
}

/// Labels (whitespace removed) → field. Longer labels first where one is a prefix of another.
const LABELS: &[(&str, Field)] = &[
    ("索引号", Field::Index),
    ("备注/文号", Field::DocNumber),
    ("文件有效性", Field::Validity),
    ("主题分类", Field::Topic),
    ("发布机构", Field::Publisher),
    ("发文机关", Field::Publisher),
    ("制发机关", Field::Publisher),
    ("发布单位", Field::Publisher),
    ("发文单位", Field::Publisher),
    ("发布机关", Field::Publisher),
    ("发文字号", Field::DocNumber),
    ("发文文号", Field::DocNumber),
    ("文号", Field::DocNumber),
    ("公开日期", Field::Published),
    ("发布日期", Field::Published),
    ("发布时间", Field::Published),
    ("成文日期", Field::Issued),
    ("印发日期", Field::Issued),
    ("成文时间", Field::Issued),
    ("生成日期", Field::Issued),
    ("有效性", Field::Validity),
    ("效力状态", Field::Validity),
    ("时效性", Field::Validity),
    ("时效", Field::Validity),
    ("失效日期", Field::Expiry),
    ("有效期至", Field::Expiry),
    ("有效期", Field::ExpiryOrStatus),
    ("废止日期", Field::ExpiryOrStatus),
    ("文件状态", Field::Status),
    ("标题", Field::Title),
    ("名称", Field::Title),
    ("文件名称", Field::Title),
    ("信息来源", Field::Source),
    ("来源", Field::Source),
    // last: only a text that starts with it, and only with an inline value
    ("日期", Field::Date),
];

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn collapse(s: &str) -> String {
    let mut out = String::new();
    for w in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn cap(s: String, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => s[..i].to_owned(),
        None => s,
    }
}

fn bounded(html: &str) -> &str {
    if html.len() <= MAX_HTML_CHARS {
        return html;
    }
    let mut end = MAX_HTML_CHARS;
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    &html[..end]
}

fn is_skipped(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template" | "head" | "select" | "option" | "iframe" | "object")
}

/// Text nodes of the document body in order (no script/style), trimmed, non-empty.
fn text_nodes<'a>(root: NodeRef<'a>) -> Vec<(NodeRef<'a>, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => {
                for seg in segments(t) {
                    out.push((node, seg));
                }
            }
            Node::Element(e) if is_skipped(e.name()) => {}
            _ => {
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev());
            }
        }
        if out.len() > 200_000 {
            break;
        }
    }
    out
}

/// Split a text node holding several `label：value` pairs (`印发日期：… | 文号：…`)
/// into one segment per pair; trimmed, non-empty.
fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['|', '｜']) {
        let mut starts = vec![0usize];
        for (i, ch) in piece.char_indices() {
            if i > 0 && !ch.is_whitespace() && piece[..i].ends_with(char::is_whitespace) {
                let rest = &piece[i..];
                if LABELS
                    .iter()
                    .any(|(l, _)| rest.starts_with(l) && rest[l.len()..].trim_start().starts_with(['：', ':']))
                {
                    starts.push(i);
                }
            }
        }
        starts.push(piece.len());
        for w in starts.windows(2) {
            let seg = piece[w[0]..w[1]].trim();
            if !seg.is_empty() {
                out.push(seg.to_owned());
            }
        }
    }
    out
}

/// Which label a text starts with; returns the field and the rest after the label and colon.
fn label_of(text: &str) -> Option<(Field, String, bool)> {
    let c = compact(text);
    let c = c.trim_start_matches(['[', '【', '〔', '(', '（', '·', '|']);
    for (label, field) in LABELS {
        if let Some(rest) = c.strip_prefix(label) {
            let had_colon = rest.starts_with(['：', ':']);
            let rest_c = rest.trim_start_matches(['：', ':']);
            if rest_c.is_empty() || rest_c.chars().all(|ch| matches!(ch, ']' | '】' | ')' | '）')) {
                return Some((*field, String::new(), had_colon));
            }
            if had_colon {
                // inline value: take it from the original text to keep spaces
                let orig_rest = text.split_once(['：', ':']).map(|x| x.1).unwrap_or("");
                return Some((*field, inline_value(orig_rest), true));
            }
            return None;
        }
    }
    None
}

/// Is this text itself a label (`分类：`, `公开方式`)? Used to stop value look-ahead.
fn looks_like_label(text: &str) -> bool {
    let c = compact(text);
    if label_of(text).is_some() {
        return true;
    }
    let n = c.chars().count();
    (c.ends_with('：') || c.ends_with(':')) && n <= 12
}

/// An inline value runs until the next `label：` in the same text.
fn inline_value(rest: &str) -> String {
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, ']' | '】'));
    let mut cut = rest.len();
    for (i, ch) in rest.char_indices() {
        // A colon between two digits is a time (09:30), not a label's colon.
        let is_time = ch == ':'
            && rest[..i].chars().next_back().is_some_and(|c| c.is_ascii_digit())
            && rest[i + 1..].chars().next().is_some_and(|c| c.is_ascii_digit());
        if (ch == '：' || ch == ':') && !is_time {
            // cut at the whitespace before the label that owns this colon
            let before = &rest[..i];
            cut = before.rfind(char::is_whitespace).unwrap_or(0);
            break;
        }
    }
    let v = rest[..cut].trim_matches(|c: char| c.is_whitespace() || matches!(c, ']' | '】' | '|'));
    collapse(v)
}

fn ancestor_cell(node: NodeRef<'_>) -> Option<ElementRef<'_>> {
    node.ancestors()
        .take(4)
        .filter_map(ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "td" | "th" | "dt" | "label"))
}

/// The text of a value element: pieces joined without spaces (`京政办发` `〔2011〕` `8号`).
fn value_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().take(50).collect::<String>())
}

fn element_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().collect::<Vec<_>>().join(" "))
}

#[derive(Default)]
struct Meta {
    index_number: String,
    topic: String,
    publisher: String,
    doc_number: String,
    published: String,
    issued: String,
    validity: String,
    expiry: String,
    title: String,
    date: String,
    source: String,
}

impl Meta {
    fn slot(&mut self, f: Field) -> &mut String {
        match f {
            Field::Index => &mut self.index_number,
            Field::Topic => &mut self.topic,
            Field::Publisher => &mut self.publisher,
            Field::DocNumber => &mut self.doc_number,
            Field::Published => &mut self.published,
            Field::Issued => &mut self.issued,
            Field::Validity => &mut self.validity,
            Field::Expiry => &mut self.expiry,
            Field::Title => &mut self.title,
            Field::Date => &mut self.date,
            Field::ExpiryOrStatus => &mut self.expiry,
            Field::Status => &mut self.validity,
            Field::Source => &mut self.source,
        }
    }

    /// Whether the slots a label can fill are all taken.
    fn full(&self, f: Field) -> bool {
        match f {
            Field::ExpiryOrStatus => !self.expiry.is_empty() && !self.validity.is_empty(),
            _ => !self.field_ref(f).is_empty(),
        }
    }

    fn field_ref(&self, f: Field) -> &str {
        match f {
            Field::Index => &self.index_number,
            Field::Topic => &self.topic,
            Field::Publisher => &self.publisher,
            Field::DocNumber => &self.doc_number,
            Field::Published => &self.published,
            Field::Issued => &self.issued,
            Field::Validity | Field::Status => &self.validity,
            Field::Expiry | Field::ExpiryOrStatus => &self.expiry,
            Field::Title => &self.title,
            Field::Date => &self.date,
            Field::Source => &self.source,
        }
    }
}

/// A newspaper or a website rather than an office (大连日报, 本网).
fn is_press(v: &str) -> bool {
    ["日报", "晚报", "网", "报社", "新闻"].iter().any(|e| v.ends_with(e)) || matches!(v, "本网" | "本站")
}

/// A name of a government body (…局, …委员会, …中心, …人民政府, 证监会).
fn is_gov_body(v: &str) -> bool {
    let n = v.chars().count();
    (2..=40).contains(&n)
        && !is_press(v)
        && ["局", "委", "会", "厅", "办", "办公室", "政府", "中心", "部", "署", "院", "处", "室", "所", "站"]
            .iter()
            .any(|e| v.ends_with(e))
}

/// A word stating whether a document is in force (有效, 已失效, 废止, …).
fn is_validity_word(v: &str) -> bool {
    matches!(v, "有效" | "现行有效" | "失效" | "废止" | "已失效" | "已废止" | "已修改" | "修改")
}

/// What an 有效性 cell may hold: a validity word, 是 / 否 (Beijing's 是否有效),
/// or a short statement of force (部分失效, 尚未生效, 有效期至2025年12月31日).
fn is_validity_value(v: &str) -> bool {
    is_validity_word(v)
        || matches!(v, "是" | "否")
        || (v.chars().count() <= 16 && ["效", "废止", "修改", "修订", "撤销"].iter().any(|w| v.contains(w)))
}

fn clean_value(f: Field, v: &str) -> Option<String> {
    let v = collapse(v);
    let v = v.trim_matches(|c: char| matches!(c, '：' | ':' | '|' | '】' | ']')).trim().to_owned();
    if v.is_empty() || matches!(v.as_str(), "无" | "-" | "--" | "/" | "暂无") {
        return None;
    }
    match f {
        Field::Published | Field::Issued | Field::Expiry | Field::Date => parse_date(&v),
        Field::ExpiryOrStatus if is_validity_word(&v) => Some(v),
        Field::ExpiryOrStatus => parse_date(&v),
        Field::Status => is_validity_word(&v).then_some(v),
        // an 有效性 label whose own cell is empty is followed by the next
        // row's text (often the title): only a statement of force is a value
        Field::Validity => is_validity_value(&v).then_some(v),
        Field::Source => is_gov_body(&v).then(|| cap(v, MAX_FIELD_CHARS)),
        Field::Title if v.chars().count() < 4 => None,
        // `〔〕号`: a template with nothing filled in (号 is alphabetic, so a
        // 文号 must have a digit: 0-9, full-width or 〇)
        Field::DocNumber if !v.chars().any(char::is_numeric) => None,
        Field::Index if !v.chars().any(|c| c.is_alphanumeric()) => None,
        _ => Some(cap(v, MAX_FIELD_CHARS)),
    }
}

fn read_metadata(root: NodeRef<'_>) -> Meta {
    let nodes = text_nodes(root);
    let mut meta = Meta::default();
    for (i, (node, text)) in nodes.iter().enumerate() {
        if compact(text).chars().count() > 60 {
            continue;
        }
        let Some((field, inline, _)) = label_of(text) else { continue };
        if meta.full(field) || (field == Field::Date && inline.is_empty()) {
            continue;
        }
        let mut value = None;
        if !inline.is_empty() {
            value = clean_value(field, &inline);
        } else {
            // a table cell holding just the label: the value is the next cell
            if let Some(cell) = ancestor_cell(*node)
                && label_of(&element_text(cell)).is_some_and(|(_, v, _)| v.is_empty())
            {
                let next = cell.next_siblings().filter_map(ElementRef::wrap).next();
                if let Some(next) = next {
                    let t = value_text(next);
                    if !looks_like_label(&t) {
                        value = clean_value(field, &t);
                    }
                    if value.is_none() {
                        // empty cell: do not look further
                        continue;
                    }
                }
            }
            if value.is_none() {
                // `<li>[发文字号] <span>…</span></li>`: the element right after the label
                let next_el = node.next_siblings().find(|n| !n.value().as_text().is_some_and(|t| t.trim().is_empty()));
                if let Some(el) = next_el.and_then(ElementRef::wrap) {
                    let t = value_text(el);
                    if !t.is_empty() && !looks_like_label(&t) {
                        value = clean_value(field, &t);
                    }
                }
            }
            if value.is_none()
                && let Some((_, t)) = nodes.get(i + 1)
                && !looks_like_label(t)
                && t.chars().count() <= 200
            {
                value = clean_value(field, t);
            }
        }
        if let Some(v) = value {
            let target = match field {
                Field::ExpiryOrStatus if is_validity_word(&v) => Field::Validity,
                Field::ExpiryOrStatus => Field::Expiry,
                f => f,
            };
            if meta.slot(target).is_empty() {
                *meta.slot(target) = v;
            }
        }
    }
    meta
}

fn metas(doc: &Html) -> Vec<(String, String)> {
    doc.select(&META)
        .filter_map(|m| {
            let name = m.value().attr("name")?.to_ascii_lowercase();
            let content = collapse(m.value().attr("content")?);
            Some((name, content))
        })
        .collect()
}

fn meta_get<'a>(metas: &'a [(String, String)], name: &str) -> Option<&'a str> {
    metas.iter().find(|(n, c)| n == name && !c.is_empty()).map(|(_, c)| c.as_str())
}

/// Lines of text under an element: block elements start new lines.
fn block_text(e: ElementRef<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut total = 0usize;
    walk_text(*e, &mut lines, &mut cur, &mut total);
    flush(&mut lines, &mut cur);
    cap(lines.join("\n"), MAX_BODY_CHARS)
}

fn flush(lines: &mut Vec<String>, cur: &mut String) {
    let l = collapse(cur);
    if !l.is_empty() {
        lines.push(l);
    }
    cur.clear();
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "tr"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "section"
            | "article"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "dd"
            | "dt"
            | "hr"
    )
}

fn walk_text(node: NodeRef<'_>, lines: &mut Vec<String>, cur: &mut String, total: &mut usize) {
    for child in node.children() {
        if *total > MAX_BODY_CHARS {
            return;
        }
        match child.value() {
            Node::Text(t) => {
                *total += t.len();
                cur.push_str(t);
            }
            Node::Element(el) => {
                let name = el.name();
                if is_skipped(name) {
                    continue;
                }
                if is_block(name) {
                    flush(lines, cur);
                }
                walk_text(child, lines, cur, total);
                if is_block(name) {
                    flush(lines, cur);
                } else if matches!(name, "td" | "th") {
                    cur.push(' ');
                }
            }
            _ => {}
        }
    }
}

/// Text directly in an element's paragraphs (not in links, not in nested containers).
fn density_score(e: ElementRef<'_>) -> usize {
    let mut score = 0usize;
    for child in e.children() {
        match child.value() {
            Node::Text(t) => score += t.trim().chars().count(),
            Node::Element(el) if matches!(el.name(), "p" | "span" | "font" | "strong" | "b" | "br" | "section") => {
                if let Some(ce) = ElementRef::wrap(child) {
                    let link_text: usize =
                        ce.select(&A).map(|a| a.text().map(|t| t.trim().chars().count()).sum::<usize>()).sum();
                    let all: usize = ce.text().map(|t| t.trim().chars().count()).sum();
                    score += all.saturating_sub(link_text * 2);
                }
            }
            _ => {}
        }
    }
    score
}

fn body_element<'a>(doc: &'a Html, site: Option<&SiteConfig>) -> Option<ElementRef<'a>> {
    if let Some(s) = site.and_then(|s| s.selectors.body.as_deref()).and_then(|s| Selector::parse(s).ok())
        && let Some(e) = doc.select(&s).next()
    {
        return Some(e);
    }
    for s in BODY_SELECTORS.iter() {
        // the first match with real text; nested matches (.view inside #zoom) are fine
        if let Some(e) = doc.select(s).find(|e| e.text().map(|t| t.trim().chars().count()).sum::<usize>() >= 20) {
            return Some(e);
        }
    }
    // a known container with little text (a one-line notice) beats a guess
    for s in BODY_SELECTORS.iter() {
        if let Some(e) = doc.select(s).find(|e| e.text().any(|t| !t.trim().is_empty())) {
            return Some(e);
        }
    }
    doc.select(&CANDIDATES)
        .map(|e| (density_score(e), e))
        .filter(|(s, _)| *s >= 50)
        .max_by_key(|(s, _)| *s)
        .map(|(_, e)| e)
}

fn title_of(doc: &Html, metas: &[(String, String)], meta_title: &str, site: Option<&SiteConfig>) -> String {
    if let Some(s) = site.and_then(|s| s.selectors.title.as_deref()).and_then(|s| Selector::parse(s).ok())
        && let Some(t) = doc.select(&s).map(element_text).find(|t| !t.is_empty())
    {
        return cap(t, MAX_FIELD_CHARS);
    }
    let site_name = meta_get(metas, "sitename").unwrap_or("");
    let column = meta_get(metas, "columnname").unwrap_or("");
    let source = meta_get(metas, "contentsource").unwrap_or("");
    if let Some(t) = meta_get(metas, "articletitle")
        && t != site_name
        && t != column
        && t != source
        && t.chars().count() >= 2
    {
        return cap(strip_title_suffix(t, site_name), MAX_FIELD_CHARS);
    }
    if !meta_title.is_empty() {
        return meta_title.to_owned();
    }
    let page_title = doc.select(&TITLE).next().map(element_text).unwrap_or_default();
    let headings: Vec<String> = doc
        .select(&HEADINGS)
        .map(element_text)
        .map(|t| TRAILING_DATE.replace(&t, "").trim().to_owned())
        .filter(|t| {
            let n = t.chars().count();
            (4..=200).contains(&n) && t != site_name && !t.ends_with("政府信息公开") && !t.contains("当前位置")
        })
        .take(50)
        .collect();
    if let Some(h) = headings.iter().filter(|h| h.chars().count() >= 6 && !ORG_NAME.is_match(h)).find(|h| {
        !page_title.is_empty() && (page_title.contains(h.as_str()) || compact(&page_title).contains(&compact(h)))
    }) {
        return cap(h.clone(), MAX_FIELD_CHARS);
    }
    let stripped = strip_title_suffix(&page_title, site_name);
    let longest = headings.iter().max_by_key(|h| h.chars().count());
    let n = stripped.chars().count();
    if n >= 4
        && stripped != site_name
        && !(n <= 16 && ORG_NAME.is_match(&stripped) && longest.is_some())
        && (n >= 8 || longest.is_none_or(|h| h.chars().count() < 8))
    {
        return cap(stripped, MAX_FIELD_CHARS);
    }
    // the longest heading is the item's; a column heading is short
    if let Some(h) = longest {
        return cap(h.clone(), MAX_FIELD_CHARS);
    }
    cap(if stripped.is_empty() { site_name.to_owned() } else { stripped }, MAX_FIELD_CHARS)
}

/// `<title>` minus the site name: split at the usual separators and keep the
/// longest part that is not the site's name.
fn strip_title_suffix(title: &str, site_name: &str) -> String {
    let t = collapse(title);
    let mut parts: Vec<&str> = vec![t.as_str()];
    let is_site = |p: &str| {
        p == site_name
            || p.ends_with("网站")
            || p.ends_with("门户网")
            || (!site_name.is_empty() && site_name.contains(p))
            || (p.chars().count() <= 16 && ORG_NAME.is_match(p))
    };
    for sep in [" - ", " | ", "——", "｜", " — ", "－", "_", "--", "|", "-"] {
        let split: Vec<&str> =
            parts.iter().flat_map(|p| p.split(sep)).map(str::trim).filter(|p| !p.is_empty()).collect();
        if split.len() > parts.len() && split.iter().any(|p| is_site(p)) {
            parts = split;
        }
    }
    let keep: Vec<&str> = parts.iter().copied().filter(|p| !is_site(p)).collect();
    match keep.iter().max_by_key(|p| p.chars().count()) {
        Some(p) if keep.len() == 1 || parts.len() > 1 => (*p).to_owned(),
        _ => t.clone(),
    }
}

pub(crate) fn category_for(site: Option<&SiteConfig>, url: &Url, column: &str) -> String {
    let Some(site) = site else { return String::new() };
    let path = url.path();
    let by_path = site
        .columns
        .iter()
        .filter(|(k, _)| k.starts_with('/') && path.starts_with(k.as_str()))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| v.clone());
    by_path.or_else(|| (!column.is_empty()).then(|| configured_column(site, column)).flatten()).unwrap_or_default()
}

/// `[site.columns]` for a column name; a catalogue path (`政策 > 规范性文件`)
/// matches by its whole text or by any of its names, the deepest first.
fn configured_column(site: &SiteConfig, column: &str) -> Option<String> {
    site.columns.get(column).cloned().or_else(|| {
        crate::platform::feed::path_of(column).iter().rev().find_map(|n| site.columns.get(n.as_str()).cloned())
    })
}

/// The category of an item: what `[site.columns]` says (by path, then by
/// column), else what the site itself shows, read with the category
/// vocabulary ([`crate::category`]): the catalogue path or column name, the
/// 文号, the title. "" when nothing says.
pub fn category_of(site: Option<&SiteConfig>, url: &Url, column: &str, doc_number: &str, title: &str) -> String {
    let configured = category_for(site, url, column);
    if !configured.is_empty() {
        return configured;
    }
    let node = crate::platform::feed::path_of(column);
    let signals = crate::category::Signals {
        node: if node.len() > 1 { &node } else { &[] },
        column: if node.len() > 1 { "" } else { column },
        doc_number,
        title,
        ..Default::default()
    };
    crate::category::Vocabulary::current().classify(&signals).map(|c| c.category).unwrap_or_default()
}

/// The category a list's column gives its items (no 文号 or title known).
pub fn category_of_column(site: Option<&SiteConfig>, column: &str) -> String {
    let configured = site.and_then(|s| configured_column(s, column)).unwrap_or_default();
    if !configured.is_empty() {
        return configured;
    }
    category_of(None, &Url::parse("http://localhost/").expect("static url"), column, "", "")
}

/// A page parsed once (its first `MAX_HTML_CHARS` bytes, see `bounded`) for
/// [`extract_item_in`], [`extract_links_in`] and [`page_column_in`]: the crawler
/// reads an item, its links and its column from one parse (parsing is most
/// of a crawl's CPU, and it used to parse each page three or four times).
pub fn parse_page(html: &str) -> Html {
    Html::parse_document(bounded(html))
}

/// The column (栏目) a page says it belongs to: its `ColumnName` meta, else "".
pub fn page_column(html: &str) -> String {
    page_column_in(&parse_page(html))
}

/// [`page_column`] of a parsed page.
pub fn page_column_in(doc: &Html) -> String {
    meta_get(&metas(doc), "columnname").map(str::to_owned).unwrap_or_default()
}

/// SHA-256 (hex) of the parts of an item that make its content.
pub fn content_hash(item: &ExtractedItem) -> String {
    let mut h = Sha256::new();
    for part in [
        &item.title,
        &item.doc_number,
        &item.index_number,
        &item.publisher,
        &item.published_date,
        &item.validity,
        &item.body,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Extract an item (detail page). `site` supplies selectors, the site name and the column map.
pub fn extract_item(url: &Url, html: &str, site: Option<&SiteConfig>) -> ExtractedItem {
    extract_item_in(&parse_page(html), url, html, site)
}

/// [`extract_item`] of a page already parsed from `html` by [`parse_page`].
pub fn extract_item_in(doc: &Html, url: &Url, html: &str, site: Option<&SiteConfig>) -> ExtractedItem {
    let metas = metas(doc);
    let body_root = doc.select(&sel("body")).next().map(|b| *b).unwrap_or_else(|| doc.tree.root());
    let meta_root = site
        .and_then(|s| s.selectors.metadata.as_deref())
        .and_then(|s| Selector::parse(s).ok())
        .and_then(|s| doc.select(&s).next())
        .map(|e| *e)
        .unwrap_or(body_root);
    let meta = read_metadata(meta_root);
    let title = title_of(doc, &metas, &meta.title, site);
    let body_el = body_element(doc, site);
    let body = body_el.map(block_text).unwrap_or_default();
    let doc_number = if meta.doc_number.is_empty() {
        doc_number_at_head(&body, body_root, body_el).unwrap_or_default()
    } else {
        meta.doc_number
    };
    let publisher = if !meta.publisher.is_empty() {
        meta.publisher
    } else if !meta.source.is_empty() {
        meta.source
    } else {
        meta_get(&metas, "contentsource")
            .filter(|s| {
                Some(*s) != meta_get(&metas, "articletitle")
                    && Some(*s) != meta_get(&metas, "columnname")
                    && Some(*s) != meta_get(&metas, "sitename")
                    && !s.ends_with("网站")
                    && !is_press(s)
            })
            .map(|s| cap(s.to_owned(), MAX_FIELD_CHARS))
            .or_else(|| hidden_field(doc, &NEWS_SOURCE).filter(|s| !is_press(s)))
            .unwrap_or_default()
    };
    // the visible date beats the `PubDate` meta, which on some sites is the
    // time the page was generated (www.csrc.gov.cn: 页面生成时间)
    let published_date = if !meta.published.is_empty() {
        meta.published
    } else if !meta.date.is_empty() {
        meta.date
    } else {
        meta_get(&metas, "pubdate")
            .and_then(parse_date)
            .or_else(|| hidden_field(doc, &NEWS_PUBDAY).and_then(|t| parse_date(&t)))
            .unwrap_or_default()
    };
    let column = meta_get(&metas, "columnname").map(str::to_owned).unwrap_or_default();
    let links = extract_links_in(doc, url, html);
    let attachments = links
        .attachments
        .iter()
        .map(|a| ExtractedAttachment {
            name: a.name.clone(),
            url: a.url.to_string(),
            kind: a.kind.clone(),
            ..Default::default()
        })
        .collect();
    let related_links = related(doc, url, &links, body_el);
    let mut item = ExtractedItem {
        url: url.to_string(),
        urls: vec![url.to_string()],
        site: site.map(|s| s.name.clone()).unwrap_or_default(),
        category: String::new(),
        column,
        title,
        doc_number,
        index_number: meta.index_number,
        publisher,
        topic: meta.topic,
        issued_date: meta.issued,
        published_date,
        validity: meta.validity,
        expiry_date: meta.expiry,
        body,
        attachments,
        related_links,
        withdrawn: false,
        pending: false,
        content_hash: String::new(),
    };
    item.category = category_of(site, url, &item.column, &item.doc_number, &item.title);
    item.content_hash = content_hash(&item);
    item
}

fn as_doc_number(text: &str) -> Option<String> {
    let c = compact(text);
    (c.chars().count() <= 40 && DOC_NUMBER_LINE.is_match(&c)).then_some(c)
}

/// The 文号 heading the document text: one of the first lines of the body, or
/// a text just above the body element (a `<h3>` or a cell under the headline),
/// that is a document number by itself.
fn doc_number_at_head(body: &str, root: NodeRef<'_>, body_el: Option<ElementRef<'_>>) -> Option<String> {
    if let Some(n) = body.lines().take(3).find_map(as_doc_number) {
        return Some(n);
    }
    let body_el = body_el?;
    let nodes = text_nodes(root);
    let first = nodes.iter().position(|(n, _)| n.ancestors().any(|a| a.id() == body_el.id()))?;
    nodes[first.saturating_sub(8)..first].iter().rev().find_map(|(_, t)| as_doc_number(t))
}

static POLICY_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^《.+》|关于.{2,80}的(通知|意见|办法|规定|决定|方案|公告|通告|批复|细则|规划)|原文|政策文件|相关文件")
});

/// 政策解读 ↔ policy links: on a policy page, links whose text has 解读/图解;
/// on an interpretation page, links in the body (or named 原文/相关文件) to a
/// policy-like title.
fn related(doc: &Html, url: &Url, links: &PageLinks, body: Option<ElementRef<'_>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let body_links: HashSet<String> = body
        .map(|b| {
            b.select(&A)
                .filter_map(|a| a.value().attr("href"))
                .filter_map(|h| resolve(url, h))
                .map(|u| u.to_string())
                .collect()
        })
        .unwrap_or_default();
    let _ = doc;
    for l in &links.links {
        if l.url == *url {
            continue;
        }
        let t = &l.text;
        let n = t.chars().count();
        let interp = (t.contains("解读") || t.contains("图解")) && n > 6 && !t.contains("更多");
        let policy = body_links.contains(l.url.as_str()) && POLICY_TITLE.is_match(t) && !l.url.path().ends_with('/');
        if (interp || policy) && !out.iter().any(|u| u == l.url.as_str()) {
            out.push(l.url.to_string());
            if out.len() >= 50 {
                break;
            }
        }
    }
    out
}

/// The attachment kind (lowercase extension) of a URL, if it names a file.
pub fn attachment_kind_of(u: &Url) -> Option<String> {
    attachment_kind(u)
}

fn attachment_kind(u: &Url) -> Option<String> {
    let from_path = |p: &str| -> Option<String> {
        let name = p.rsplit('/').next()?;
        let (_, ext) = name.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        ATTACHMENT_KINDS.contains(&ext.as_str()).then_some(ext)
    };
    from_path(u.path()).or_else(|| {
        u.query_pairs().find_map(|(k, v)| {
            let k = k.to_ascii_lowercase();
            (k.contains("file") || k.contains("name") || k == "path").then(|| from_path(&v)).flatten()
        })
    })
}

/// Links, pagination and attachments of any page.
pub fn extract_links(url: &Url, html: &str) -> PageLinks {
    extract_links_in(&parse_page(html), url, html)
}

/// [`extract_links`] of a page already parsed from `html` by [`parse_page`].
pub fn extract_links_in(doc: &Html, url: &Url, html: &str) -> PageLinks {
    let html = bounded(html);
    let mut out = PageLinks::default();
    let mut seen = HashSet::new();
    let mut seen_pages = HashSet::new();
    for a in doc.select(&A) {
        if out.links.len() + out.attachments.len() >= MAX_LINKS {
            break;
        }
        let Some(href) = a.value().attr("href") else { continue };
        let Some(u) = resolve(url, href) else { continue };
        let mut text = element_text(a);
        if text.is_empty() {
            text = a.value().attr("title").map(collapse).unwrap_or_default();
        }
        let text = cap(text, MAX_FIELD_CHARS);
        if !seen.insert(u.to_string()) {
            continue;
        }
        if let Some(kind) = attachment_kind(&u) {
            let name = if text.is_empty() { u.path().rsplit('/').next().unwrap_or("").to_owned() } else { text };
            out.attachments.push(AttachmentLink { url: u, name, kind });
            continue;
        }
        if INDEX_N.is_match(u.path()) && u.host_str() == url.host_str() && seen_pages.insert(u.to_string()) {
            out.pagination.push(u.clone());
        }
        out.links.push(Link { url: u, text });
    }
    // attachment links written by scripts (`document.write('<a href="./P0….pdf">…</a>')`)
    if html.contains("<script") || html.contains("<SCRIPT") {
        for c in SCRIPT_HREF.captures_iter(html) {
            if out.attachments.len() >= MAX_LINKS {
                break;
            }
            let Some(u) = resolve(url, &c[1]) else { continue };
            let Some(kind) = attachment_kind(&u) else { continue };
            if !seen.insert(u.to_string()) {
                continue;
            }
            let mut name = collapse(&c[2]);
            if name.is_empty() {
                name = u.path().rsplit('/').next().unwrap_or("").to_owned();
            }
            out.attachments.push(AttachmentLink { url: u, name: cap(name, MAX_FIELD_CHARS), kind });
        }
    }
    // createPageHTML(N, current, "index", "html"): pages index.html, index_1.html … index_{N-1}.html
    for c in PAGE_JS.captures_iter(html).take(4) {
        let count: usize = c[1].parse().unwrap_or(0);
        let name = &c[3];
        let ext = &c[4];
        for i in 0..count.min(MAX_PAGES_PER_LIST) {
            let file = if i == 0 { format!("{name}.{ext}") } else { format!("{name}_{i}.{ext}") };
            if let Some(u) = resolve(url, &file)
                && u != *url
                && seen_pages.insert(u.to_string())
            {
                out.pagination.push(u);
            }
        }
    }
    out.pagination.truncate(MAX_LINKS);
    out.redirect = redirect_target(url, html);
    out
}

/// The target of a redirect stub page, if the page is one.
fn redirect_target(url: &Url, html: &str) -> Option<Url> {
    if let Some(c) = META_REFRESH.captures(html) {
        return resolve(url, &c[1]);
    }
    // only small pages: a big page with a location script is a real page
    if html.len() > 4096 {
        return None;
    }
    let c = JS_LOCATION.captures(html)?;
    if let Some(lit) = c.get(1).or_else(|| c.get(3)) {
        return resolve(url, lit.as_str());
    }
    let var = c.get(2)?.as_str();
    let assign = re(&format!(r#"\b{}\s*=\s*["']([^"']+)["']"#, regex::escape(var)));
    let target = assign.captures(html)?;
    resolve(url, &target[1])
}

/// Whether an extracted page reads like an item (a detail page) rather than a
/// list: a date and real text, and either catalogue metadata (索引号/文号) or
/// an `ArticleTitle` meta. Used for pages whose URL matched no item pattern.
pub fn looks_like_item(item: &ExtractedItem, html: &str) -> bool {
    let mut end = html.len().min(8192);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let head = &html[..end];
    let article_meta = head.contains("name=\"ArticleTitle\"") || head.contains("name='ArticleTitle'");
    !item.published_date.is_empty()
        && item.body.chars().count() >= 100
        && (article_meta || !item.index_number.is_empty() || !item.doc_number.is_empty())
}

/// Why a page served with status 200 is not a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDocument {
    /// "页面不存在": a soft 404, counted as a 404 (withdrawn after two).
    NotFound,
    /// "系统繁忙": the site's error page; a failure, tried again by the next crawl.
    Busy,
    /// A login form where the document should be.
    LoginWall,
}

impl NotDocument {
    /// The failure recorded for a busy page or a login wall; `None` for a
    /// soft 404, which is recorded as a 404.
    pub fn failure(self) -> Option<crate::vocab::Failure> {
        use crate::vocab::{Failure, FailureCode};
        let code = match self {
            NotDocument::NotFound => return None,
            NotDocument::Busy => FailureCode::BusyPage,
            NotDocument::LoginWall => FailureCode::LoginWall,
        };
        Some(Failure::new(code, self.reason()))
    }

    /// The reason recorded in the crawl state and the report.
    pub fn reason(self) -> &'static str {
        match self {
            NotDocument::NotFound => "soft 404 (a not-found page served with 200)",
            NotDocument::Busy => "error page served with 200 (系统繁忙)",
            NotDocument::LoginWall => "login wall",
        }
    }
}

/// Phrases only a not-found page says: they decide wherever they stand.
const NOT_FOUND_STRONG: &[&str] =
    &["您访问的页面不存在", "页面不存在或已删除", "该页面已被删除", "您访问的页面已删除", "信息已撤销", "页面找不到了"];
/// Phrases a document may quote: they decide at the start of the `<title>`
/// or `<h1>`, or on a page with almost no text of its own.
const NOT_FOUND_WEAK: &[&str] = &[
    "页面不存在",
    "页面未找到",
    "找不到页面",
    "信息不存在",
    "文章不存在",
    "该信息已删除",
    "404 Not Found",
    "Not Found",
];
const BUSY: &[&str] = &["系统繁忙", "服务器繁忙", "请稍后再试", "访问过于频繁", "服务暂不可用", "Service Unavailable"];
/// Below this many characters of body text a page has no text of its own.
const SHORT_BODY_CHARS: usize = 200;

/// Whether an item page is an error page, a soft 404 or a login wall rather
/// than a document. `item` is what extraction made of `html`.
pub fn not_a_document(html: &str, item: &ExtractedItem) -> Option<NotDocument> {
    let head: String = html.chars().take(60_000).collect();
    if NOT_FOUND_STRONG.iter().any(|m| head.contains(m)) {
        return Some(NotDocument::NotFound);
    }
    let headings = headings(&head);
    let short = item.body.chars().count() < SHORT_BODY_CHARS;
    // a heading that opens with the phrase ("系统繁忙", "404 Not Found - …"),
    // not a document's title that mentions it
    let says = |markers: &[&str]| {
        markers.iter().any(|m| headings.iter().any(|h| h.starts_with(m)) || (short && head.contains(m)))
    };
    if says(NOT_FOUND_WEAK) {
        return Some(NotDocument::NotFound);
    }
    if says(BUSY) {
        return Some(NotDocument::Busy);
    }
    let password =
        head.contains("type=\"password\"") || head.contains("type='password'") || head.contains("type=password");
    if short && password && (head.contains("登录") || head.contains("登陆")) {
        return Some(NotDocument::LoginWall);
    }
    None
}

/// The texts of the page's `<title>` and `<h1>` elements, trimmed, for the markers above.
fn headings(html: &str) -> Vec<String> {
    static HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<(title|h1)[^>]*>(.{0,300}?)</(title|h1)>"));
    HEADING.captures_iter(html).filter_map(|c| c.get(2)).map(|m| m.as_str().trim().to_owned()).collect()
}

/// An anti-bot interstitial (a WAF challenge that sets a cookie by script).
/// The crawler records it and backs off; it never tries to pass it.
pub fn is_anti_bot(html: &str) -> bool {
    let head: String = html.chars().take(20_000).collect();
    let markers = [
        "Virtual Container Shield",
        "__jsl_clearance",
        "acw_sc__v2",
        "yunsuo_session_verify",
        "_waf_bd8ce2ce37",
        "安全验证",
    ];
    if markers.iter().any(|m| head.contains(m)) {
        return true;
    }
    html.len() < 8192 && head.contains("document.cookie") && (head.contains("location") || head.contains("reload"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const PAGE: &str = r#"<html><head><title>关于印发某某办法的通知_某市人民政府</title>
<meta name="SiteName" content="某市人民政府"><meta name="PubDate" content="2021-05-06 09:00"></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<table><tr><td>索 引 号：</td><td>123/2021-001</td><td>分类：</td><td></td></tr>
<tr><td>发文机关：</td><td>某市人民政府</td><td>成文日期：</td><td>2021年5月1日</td></tr>
<tr><td>文　　号</td><td>某府〔2021〕3号</td><td>有 效 性</td><td>有效</td></tr></table>
<h1>关于印发某某办法的通知</h1>
<div class="TRS_Editor"><p>各区人民政府：</p><p>现将《某某办法》印发给你们，请认真贯彻执行。</p>
<p>附件：<a href="/files/a.docx">某某办法.docx</a></p></div>
<a href="/zcjd/t20210507_2.html">《关于印发某某办法的通知》政策解读</a>
<script>createPageHTML(3, 0, "index", "html");</script>
</body></html>"#;

    /// An 有效性 label with nothing after it: the validity stays empty, it
    /// does not take the next line (the title); a real statement of force is kept.
    #[test]
    fn an_empty_validity_label_does_not_take_the_title() {
        let url = Url::parse("http://www.x.gov.cn/zwgk/t20210506_1.html").unwrap();
        let page = |v: &str| {
            format!(
                r#"<html><head><meta charset="utf-8"><title>x</title></head><body><ul class="xxgk">
<li>索引号：123/2021-001</li><li>发布日期：2021-05-06</li><li>有效性：{v}</li></ul>
<h1>关于印发某某办法的通知</h1><div class="TRS_Editor"><p>现将《某某办法》印发给你们，请认真贯彻执行。</p></div></body></html>"#
            )
        };
        let it = extract_item(&url, &page(""), None);
        assert_eq!(it.title, "关于印发某某办法的通知");
        assert_eq!(it.validity, "", "{it:?}");
        for v in ["有效", "部分失效", "有效期至2025年12月31日"] {
            assert_eq!(extract_item(&url, &page(v), None).validity, v);
        }
    }

    #[test]
    fn synthetic_item() {
        let url = Url::parse("http://www.x.gov.cn/zwgk/t20210506_1.html").unwrap();
        let it = extract_item(&url, PAGE, None);
        assert_eq!(it.title, "关于印发某某办法的通知");
        assert_eq!(it.index_number, "123/2021-001");
        assert_eq!(it.publisher, "某市人民政府");
        assert_eq!(it.issued_date, "2021-05-01");
        assert_eq!(it.published_date, "2021-05-06");
        assert_eq!(it.doc_number, "某府〔2021〕3号");
        assert_eq!(it.validity, "有效");
        assert_eq!(it.topic, "");
        assert_eq!(it.body, "各区人民政府：\n现将《某某办法》印发给你们，请认真贯彻执行。\n附件：某某办法.docx");
        assert_eq!(it.attachments.len(), 1);
        assert_eq!(it.attachments[0].kind, "docx");
        assert_eq!(it.related_links, vec!["http://www.x.gov.cn/zcjd/t20210507_2.html".to_owned()]);
        let links = extract_links(&url, PAGE);
        let pages: Vec<_> = links.pagination.iter().map(|u| u.as_str()).collect();
        assert_eq!(
            pages,
            vec![
                "http://www.x.gov.cn/zwgk/index.html",
                "http://www.x.gov.cn/zwgk/index_1.html",
                "http://www.x.gov.cn/zwgk/index_2.html"
            ]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Arbitrary text around label-like pieces never panics extraction.
        #[test]
        fn never_panics(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::Just("<td>发布日期：</td>".to_owned()),
                proptest::prelude::Just("索 引 号:".to_owned()),
                proptest::prelude::Just("文号：粤〔2020〕1号 ".to_owned()),
                proptest::prelude::Just("<a href=\"a.pdf\">附件</a>".to_owned()),
                proptest::prelude::Just("createPageHTML(3, 0, \"index\", \"html\")".to_owned()),
                proptest::prelude::Just("<meta http-equiv=refresh content=\"0;url=x\">".to_owned()),
                "[\\PC]{0,12}",
                "[：:局市 \u{a0}\u{3000}<>/\"=0-9]{0,8}",
            ],
            0..30,
        )) {
            let html = parts.concat();
            let url = Url::parse("http://x.gov.cn/a/b.html").unwrap();
            let _ = extract_item(&url, &html, None);
            let _ = extract_links(&url, &html);
            let _ = not_a_document(&html, &extract_item(&url, &html, None));
            let _ = is_anti_bot(&html);
            let _ = crate::dates::parse_date(&html);
            let _ = crate::charset::decode(html.as_bytes(), Some("text/html; charset=gbk"));
        }
    }

    #[test]
    fn inline_values() {
        assert_eq!(inline_value("2026-02-28\u{a0}\u{a0}浏览次数："), "2026-02-28");
        assert_eq!(inline_value("某局 发布时间：2020-01-01 10:00"), "某局");
        assert_eq!(inline_value("2020-01-01 10:00"), "2020-01-01 10:00");
        // a colon right after a multi-byte character must not split it
        assert_eq!(inline_value("市局 来源：本网"), "市局");
        assert_eq!(inline_value("局:x"), "");
        assert_eq!(inline_value("：："), "");
        assert_eq!(inline_value("9:局"), "");
    }
}
