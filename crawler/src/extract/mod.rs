//! Extraction: pure functions from a decoded HTML page ([`Page`]) to an item and links.
//!
//! Nothing here touches the network or the state; the crawl calls it on fresh
//! pages and [`crate::state::CrawlState::extract_items`] (in [`crate::stored`]) re-runs it over
//! stored pages. Everything read is bounded: the HTML by [`MAX_HTML_CHARS`],
//! the body by [`MAX_BODY_CHARS`], links by [`MAX_LINKS`].

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// ego-tree's node handle, named through scraper (no direct dependency).
type NodeRef<'a> = <ElementRef<'a> as std::ops::Deref>::Target;

use crate::config::SiteConfig;
use crate::dates::parse_date;
use crate::urlnorm::resolve;

mod body;
mod kind;
mod links;
mod meta;
mod title;

use body::*;
pub use kind::{NotDocument, is_anti_bot, looks_like_item, not_a_document};
pub use links::attachment_kind_of;
use links::*;
use meta::*;
use title::*;

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
    /// 统一编号 / 统一登记号 of a 规范性文件 ("" if the page gives none).
    pub registration_number: String,
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
pub fn category_of(site: Option<&SiteConfig>, url: &Url, column: &str, item: &ExtractedItem) -> String {
    let configured = category_for(site, url, column);
    if !configured.is_empty() {
        return configured;
    }
    let node = crate::platform::feed::path_of(column);
    let signals = crate::category::Signals {
        node: if node.len() > 1 { &node } else { &[] },
        column: if node.len() > 1 { "" } else { column },
        doc_number: &item.doc_number,
        registration: &item.registration_number,
        title: &item.title,
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
    category_of(None, &Url::parse("http://localhost/").expect("static url"), column, &ExtractedItem::default())
}

/// One page, parsed once: what the crawler reads from it (its item, its
/// links, its column) is read from this parse. Parsing is most of a crawl's
/// CPU; only the first [`MAX_HTML_CHARS`] bytes are parsed.
pub struct Page<'a> {
    url: &'a Url,
    html: &'a str,
    doc: Html,
}

impl<'a> Page<'a> {
    /// Parse `html`, fetched from (or redirected to) `url`.
    pub fn parse(url: &'a Url, html: &'a str) -> Self {
        Page { url, html, doc: Html::parse_document(bounded(html)) }
    }

    /// The page read as an item (a detail page). `site` supplies selectors,
    /// the site name and the column map.
    pub fn item(&self, site: Option<&SiteConfig>) -> ExtractedItem {
        item_of(self, site)
    }

    /// Links, pagination and attachments.
    pub fn links(&self) -> PageLinks {
        links_of(&self.doc, self.url, self.html)
    }

    /// The column (栏目) the page says it belongs to: its `ColumnName` meta, else "".
    pub fn column(&self) -> String {
        meta_get(&metas(&self.doc), "columnname").map(str::to_owned).unwrap_or_default()
    }
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

fn item_of(page: &Page<'_>, site: Option<&SiteConfig>) -> ExtractedItem {
    let (doc, url) = (&page.doc, page.url);
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
    let links = page.links();
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
        registration_number: meta.registration,
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
    item.category = category_of(site, url, &item.column, &item);
    item.content_hash = content_hash(&item);
    item
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

    /// Labels whose characters are split by empty tags, in a header cell
    /// (the Anhui platform) or a span, are read whole.
    #[test]
    fn labels_split_by_tags_are_read() {
        let real = include_str!("../../tests/fixtures/platforms/anhui-sitelabel-1.html");
        let url = Url::parse("https://www.chuzhou.gov.cn/public/content/1112245300").unwrap();
        let it = Page::parse(&url, real).item(None);
        assert_eq!(it.index_number, "003205343/202407-00003");
        assert_eq!(it.doc_number, "", "文号 无 is no number");
        let html = r#"<html><body><div class="info"><span>发<i></i>文<i></i>字<i></i>号：</span><span>某府〔2021〕3号</span>
<span>索<b></b>引<b></b>号：123/2021-001</span></div><div class="TRS_Editor"><p>现将《某某办法》印发给你们。</p></div></body></html>"#;
        let it = Page::parse(&Url::parse("http://www.x.gov.cn/a/t1.html").unwrap(), html).item(None);
        assert_eq!((it.doc_number.as_str(), it.index_number.as_str()), ("某府〔2021〕3号", "123/2021-001"));
    }

    /// 统一编号 is read, and only a 规范性文件 has one.
    #[test]
    fn a_registration_number_files_the_item_as_normative() {
        let real = include_str!("../../tests/fixtures/platforms/hanweb-2.html");
        let url = Url::parse("https://fgj.hangzhou.gov.cn/art/2024/5/20/art_1229265248_1.html").unwrap();
        assert_eq!(Page::parse(&url, real).item(None).registration_number, "ZJAC16-2024-0301");
        let page = |reg: &str| {
            format!(
                r#"<html><body><table><tr><td>文号</td><td>杭政办〔2024〕3号</td><td>统一编号</td><td>{reg}</td></tr></table>
<h1>关于加强城市管理的通知</h1><div class="TRS_Editor"><p>现将有关事项通知如下，请认真贯彻执行。</p></div></body></html>"#
            )
        };
        let url = Url::parse("http://www.x.gov.cn/art/2024/t1.html").unwrap();
        let with = Page::parse(&url, &page("ZJAC01-2024-0007")).item(None);
        assert_eq!((with.registration_number.as_str(), with.category.as_str()), ("ZJAC01-2024-0007", "规范性文件"));
        let without = Page::parse(&url, &page("无")).item(None);
        assert_eq!((without.registration_number.as_str(), without.category.as_str()), ("", ""));
    }

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
        let it = Page::parse(&url, &page("")).item(None);
        assert_eq!(it.title, "关于印发某某办法的通知");
        assert_eq!(it.validity, "", "{it:?}");
        for v in ["有效", "部分失效", "有效期至2025年12月31日"] {
            assert_eq!(Page::parse(&url, &page(v)).item(None).validity, v);
        }
    }

    #[test]
    fn synthetic_item() {
        let url = Url::parse("http://www.x.gov.cn/zwgk/t20210506_1.html").unwrap();
        let it = Page::parse(&url, PAGE).item(None);
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
        let links = Page::parse(&url, PAGE).links();
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
            let _ = Page::parse(&url, &html).item(None);
            let _ = Page::parse(&url, &html).links();
            let _ = not_a_document(&html, &Page::parse(&url, &html).item(None));
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
