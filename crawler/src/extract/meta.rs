//! The metadata table (索引号, 发布机构, 文号, 成文日期, 发布日期, 有效性 …) and
//! the page's `<meta>` tags: labels found in any layout (table cells,
//! `label：value` lines, definition lists), values cleaned field by field.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use super::*;

pub(super) static META: LazyLock<Selector> = LazyLock::new(|| sel("meta[name][content]"));
pub(super) static NEWS_SOURCE: LazyLock<Selector> = LazyLock::new(|| sel("#NewsArticleSource"));
pub(super) static NEWS_PUBDAY: LazyLock<Selector> = LazyLock::new(|| sel("#NewsArticlePubDay"));

/// TRS pages carry hidden `<div id="NewsArticleSource">` fields.
pub(super) fn hidden_field(doc: &Html, s: &Selector) -> Option<String> {
    doc.select(s).next().map(element_text).filter(|t| !t.is_empty()).map(|t| cap(t, MAX_FIELD_CHARS))
}

/// A name of an office rather than of a document (a `<title>` that is just the site).
pub(super) static ORG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[\p{Han}（）()]{2,14}(中心|局|人民政府|政府|委员会|办公室|办公厅|厅|委|网|门户|市|县|区|省)$")
});
/// Metadata fields the table labels map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
    /// 统一编号 / 统一登记号: the registration number a province gives each
    /// 规范性文件 (Zhejiang's `ZJAC16-2024-0301`).
    Registration,
}

/// Labels (whitespace removed) → field. Longer labels first where one is a prefix of another.
pub(super) const LABELS: &[(&str, Field)] = &[
    ("索引号", Field::Index),
    ("统一编号", Field::Registration),
    ("统一登记号", Field::Registration),
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

pub(super) fn is_skipped(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template" | "head" | "select" | "option" | "iframe" | "object")
}

/// Text nodes of the document body in order (no script/style), trimmed, non-empty.
pub(super) fn text_nodes<'a>(root: NodeRef<'a>) -> Vec<(NodeRef<'a>, String)> {
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
pub(super) fn segments(text: &str) -> Vec<String> {
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
pub(super) fn label_of(text: &str) -> Option<(Field, String, bool)> {
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
pub(super) fn looks_like_label(text: &str) -> bool {
    let c = compact(text);
    if label_of(text).is_some() {
        return true;
    }
    let n = c.chars().count();
    (c.ends_with('：') || c.ends_with(':')) && n <= 12
}

/// An inline value runs until the next `label：` in the same text.
pub(super) fn inline_value(rest: &str) -> String {
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

/// A label whose characters are split by empty tags (`索<i></i>引<i></i>号：`):
/// its element and whole text, when `node` is the element's first text and
/// the element holds little else.
fn split_label(node: NodeRef<'_>) -> Option<(NodeRef<'_>, String)> {
    let owner = node.parent().filter(|p| p.value().is_element())?;
    // bounded: a label is a few characters and tags (crafted pages may hold millions)
    let first = owner.descendants().take(64).find(|n| n.value().as_text().is_some_and(|t| !t.trim().is_empty()))?;
    if first.id() != node.id() || !owner.children().take(64).any(|c| c.value().is_element()) {
        return None;
    }
    let text: String = ElementRef::wrap(owner)?.text().take(20).collect();
    (compact(&text).chars().count() <= 40 && label_of(&text).is_some()).then_some((owner, text))
}

pub(super) fn ancestor_cell(node: NodeRef<'_>) -> Option<ElementRef<'_>> {
    node.ancestors()
        .take(4)
        .filter_map(ElementRef::wrap)
        .find(|e| matches!(e.value().name(), "td" | "th" | "dt" | "label"))
}

/// The text of a value element: pieces joined without spaces (`京政办发` `〔2011〕` `8号`).
pub(super) fn value_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().take(50).collect::<String>())
}

pub(super) fn element_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().collect::<Vec<_>>().join(" "))
}

/// What the metadata table says, field by field ("" when absent).
#[derive(Default)]
pub(super) struct Meta {
    pub(super) index_number: String,
    pub(super) topic: String,
    pub(super) publisher: String,
    pub(super) doc_number: String,
    pub(super) published: String,
    pub(super) issued: String,
    pub(super) validity: String,
    pub(super) expiry: String,
    pub(super) title: String,
    pub(super) date: String,
    pub(super) source: String,
    pub(super) registration: String,
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
            Field::Registration => &mut self.registration,
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
            Field::Registration => &self.registration,
        }
    }
}

/// A newspaper or a website rather than an office (大连日报, 本网).
pub(super) fn is_press(v: &str) -> bool {
    ["日报", "晚报", "网", "报社", "新闻"].iter().any(|e| v.ends_with(e)) || matches!(v, "本网" | "本站")
}

/// A name of a government body (…局, …委员会, …中心, …人民政府, 证监会).
pub(super) fn is_gov_body(v: &str) -> bool {
    let n = v.chars().count();
    (2..=40).contains(&n)
        && !is_press(v)
        && ["局", "委", "会", "厅", "办", "办公室", "政府", "中心", "部", "署", "院", "处", "室", "所", "站"]
            .iter()
            .any(|e| v.ends_with(e))
}

/// A word stating whether a document is in force (有效, 已失效, 废止, …).
pub(super) fn is_validity_word(v: &str) -> bool {
    matches!(v, "有效" | "现行有效" | "失效" | "废止" | "已失效" | "已废止" | "已修改" | "修改")
}

/// What an 有效性 cell may hold: a validity word, 是 / 否 (Beijing's 是否有效),
/// or a short statement of force (部分失效, 尚未生效, 有效期至2025年12月31日).
pub(super) fn is_validity_value(v: &str) -> bool {
    is_validity_word(v)
        || matches!(v, "是" | "否")
        || (v.chars().count() <= 16 && ["效", "废止", "修改", "修订", "撤销"].iter().any(|w| v.contains(w)))
}

pub(super) fn clean_value(f: Field, v: &str) -> Option<String> {
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
        Field::Index | Field::Registration if !v.chars().any(|c| c.is_alphanumeric()) => None,
        _ => Some(cap(v, MAX_FIELD_CHARS)),
    }
}

pub(super) fn read_metadata(root: NodeRef<'_>) -> Meta {
    let nodes = text_nodes(root);
    let mut meta = Meta::default();
    for (i, (node, text)) in nodes.iter().enumerate() {
        if compact(text).chars().count() > 60 {
            continue;
        }
        // a label split by tags (`索<i></i>引<i></i>号：`) is read whole from its
        // element, which then stands for the label's node
        let joined;
        let (node, text) = match label_of(text) {
            Some(_) => (node, text),
            None => match split_label(*node) {
                Some((owner, t)) => {
                    joined = (owner, t);
                    (&joined.0, &joined.1)
                }
                None => continue,
            },
        };
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

pub(super) fn metas(doc: &Html) -> Vec<(String, String)> {
    doc.select(&META)
        .filter_map(|m| {
            let name = m.value().attr("name")?.to_ascii_lowercase();
            let content = collapse(m.value().attr("content")?);
            Some((name, content))
        })
        .collect()
}

pub(super) fn meta_get<'a>(metas: &'a [(String, String)], name: &str) -> Option<&'a str> {
    metas.iter().find(|(n, c)| n == name && !c.is_empty()).map(|(_, c)| c.as_str())
}
