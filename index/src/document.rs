//! The catalogue record: one published item, whatever channel it came from.

use serde::{Deserialize, Serialize};

/// One published government item (政府信息) as the catalogue keeps it.
///
/// Dates are `YYYY-MM-DD` strings or empty when the source does not say; they
/// are never guessed. `id` is stable across recrawls and reimports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    /// Stable id: `<site>:<key>` for crawled items, the corpus id for imports.
    pub id: String,
    /// Canonical URL (the first one it was seen at); empty for offline channels.
    pub url: String,
    /// Every URL the item was seen at (columns, mirrors, other sites).
    pub urls: Vec<String>,
    /// The site (crawled) or channel (imported) it came from.
    pub site: String,
    /// The column (栏目) it was listed under, if known.
    pub column: String,
    pub title: String,
    /// 发文字号 as published, e.g. `粤公规〔2020〕3号`.
    pub doc_number: String,
    /// 索引号.
    pub index_number: String,
    /// 统一编号 / 统一登记号: the registration number a province gives a 规范性文件.
    pub registration_number: String,
    /// 发布机构 / 发文机关.
    pub publisher: String,
    /// 法律, 行政法规, 规范性文件, 政策文件, 政策解读, …
    pub category: String,
    /// 主题分类.
    pub topic: String,
    /// 成文日期.
    pub issued_date: String,
    /// 发布日期: the tally counts by this.
    pub published_date: String,
    /// 有效性: 有效, 失效, 废止, 已修改 or empty.
    pub validity: String,
    /// 失效日期 / end of 有效期 when stated.
    pub expiry_date: String,
    /// Plain text, one paragraph per line.
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// URLs or ids of the policies this item interprets (for 政策解读) or of its interpretations.
    pub related_links: Vec<String>,
    /// True once the page is gone from the site (404/410 twice): hidden from
    /// public search, still counted for the period it was published in.
    pub withdrawn: bool,
    /// Known from the site's catalogue listing only: the page is not fetched
    /// yet, so `body` is empty. Counted by the tally (which says how many),
    /// shown with a note; the next crawl fetches it.
    pub pending: bool,
}

/// A file attached to a document, with the text extracted from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attachment {
    pub name: String,
    pub url: String,
    /// File kind: pdf, docx, doc, xls, ofd, …
    pub kind: String,
    /// Extracted text; empty when unreadable (see `error`).
    pub text: String,
    /// Why the text could not be extracted, if it could not.
    pub error: String,
}

impl Document {
    /// The year of `published_date`, if it has one.
    pub fn published_year(&self) -> Option<i32> {
        self.published_date.get(..4)?.parse().ok()
    }

    /// All searchable text of the attachments, joined by newlines.
    pub fn attachment_text(&self) -> String {
        let mut out = String::new();
        for a in &self.attachments {
            if !a.text.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&a.text);
            }
        }
        out
    }
}
