//! What counts as **one published item**: the single place that says when two
//! records (two crawled pages, two URLs, two sites) are the same item, and the
//! stable hash that names a URL.
//!
//! Government sites publish one item under several URLs: the same page listed
//! under two columns (栏目), a copy under 其他, a mirror on a second site
//! (a department's site and the city portal). The tally counts items, not URLs,
//! so the records are merged before indexing ([`merge`]), and this is the only
//! rule that merges them: the crawler returns one record per stored page.
//!
//! # The rule
//!
//! A record carries up to three identifiers, from the strongest to the weakest:
//!
//! 1. **索引号 with its publisher** — the index number is unique per publisher
//!    only; two publishers may number their items alike.
//! 2. **文号 with the title** — the document number, normalised by
//!    [`crate::docnum::key`] (`国发〔2021〕5号` = `国发[2021]5号`), with the
//!    title (one 文号 heads a notice and the rules it issues).
//! 3. **The text** — the body with whitespace removed, when it has at least
//!    [`MIN_BODY_CHARS`] characters; a shorter body says too little alone, so it
//!    identifies only together with the title, publisher, 发布日期 and 有效性
//!    (a page identical in all of them).
//!
//! Two records are one item when **the strongest identifier both carry is
//! equal**. So two records with different 索引号 are two items even if their
//! bodies are the same; a record with 索引号 and 文号 and a record with only the
//! same 文号 and title are one item; a record with neither is only compared by
//! its text, and one with no text at all is an item of its own.
//!
//! # The merged document
//!
//! Records are taken in URL order; the first of an item is kept (its id, URL,
//! fields), every other record's URLs are added to its `urls`, an empty
//! column or category is filled from the next record that has one, and the item
//! is withdrawn only when every record of it is withdrawn (still published
//! somewhere: not withdrawn). A record is compared with the first record of each
//! item, not with every record merged into it.

use std::collections::HashMap;

use crate::Document;

/// A body shorter than this (whitespace removed) identifies an item only with
/// its title, publisher, 发布日期 and 有效性.
pub const MIN_BODY_CHARS: usize = 50;

/// FNV-1a, 64 bits: a hash that does not change between runs, platforms or
/// Rust versions (ids and ETags are stored and compared across them).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A stable, short id for a URL: [`fnv1a`] in 16 hex digits.
pub fn url_key(url: &str) -> String {
    format!("{:016x}", fnv1a(url.as_bytes()))
}

/// The identifiers of one record, strongest first (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Publisher and 索引号, when the record has a 索引号.
    pub index_number: Option<String>,
    /// Normalised 文号 and title, when the record has a 文号.
    pub doc_number: Option<String>,
    /// Hash of the text, when the record has a body.
    pub text: Option<String>,
}

impl Identity {
    /// The identifiers of `d`.
    pub fn of(d: &Document) -> Identity {
        let index_number = (!d.index_number.trim().is_empty())
            .then(|| format!("{}\u{1}{}", d.publisher.trim(), d.index_number.trim()));
        let num = crate::docnum::key(&d.doc_number);
        let doc_number = (!num.is_empty()).then(|| format!("{num}\u{1}{}", d.title.trim()));
        let body: String = d.body.chars().filter(|c| !c.is_whitespace()).collect();
        let text = if body.chars().count() >= MIN_BODY_CHARS {
            Some(url_key(&body))
        } else if !body.is_empty() {
            let parts = [d.title.trim(), d.publisher.trim(), d.published_date.trim(), d.validity.trim(), &body];
            Some(format!("short:{}", url_key(&parts.join("\u{1}"))))
        } else {
            None
        };
        Identity { index_number, doc_number, text }
    }

    fn levels(&self) -> [Option<&str>; 3] {
        [self.index_number.as_deref(), self.doc_number.as_deref(), self.text.as_deref()]
    }

    /// Whether two records with these identities are one item: the strongest
    /// identifier both carry is equal (`false` when they share none).
    pub fn same_item(&self, other: &Identity) -> bool {
        self.levels().into_iter().zip(other.levels()).find_map(|(a, b)| Some(a? == b?)).unwrap_or(false)
    }
}

/// Merge the records that are one item (see the module docs). Returns the
/// items in URL order of their first record, and how many records were merged
/// into another.
pub fn merge(docs: Vec<Document>) -> (Vec<Document>, usize) {
    let mut docs = docs;
    docs.sort_by(|a, b| a.url.cmp(&b.url));
    let mut out: Vec<(Identity, Document)> = Vec::with_capacity(docs.len());
    // per level, identifier → the items whose first record carries it
    let mut by_level: [HashMap<String, Vec<usize>>; 3] = Default::default();
    let mut merged = 0;
    for d in docs {
        let id = Identity::of(&d);
        let found = id
            .levels()
            .into_iter()
            .zip(&by_level)
            .find_map(|(key, map)| map.get(key?)?.iter().copied().find(|&i| out[i].0.same_item(&id)));
        match found {
            Some(i) => {
                let keep = &mut out[i].1;
                let mut d = d;
                if keep.pending && !d.pending {
                    // the fetched record's text and fields win over a listing; the id stays
                    std::mem::swap(keep, &mut d);
                    std::mem::swap(&mut keep.id, &mut d.id);
                }
                for u in d.urls {
                    if !keep.urls.contains(&u) {
                        keep.urls.push(u);
                    }
                }
                if keep.column.is_empty() {
                    keep.column = d.column;
                }
                if keep.category.is_empty() {
                    keep.category = d.category;
                }
                keep.withdrawn &= d.withdrawn;
                keep.pending &= d.pending;
                merged += 1;
            }
            None => {
                for (key, map) in id.levels().into_iter().zip(&mut by_level) {
                    if let Some(key) = key {
                        map.entry(key.to_owned()).or_default().push(out.len());
                    }
                }
                out.push((id, d));
            }
        }
    }
    (out.into_iter().map(|(_, d)| d).collect(), merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "为加强本市电动自行车登记管理，保障道路交通安全，根据有关法律法规，结合本市实际，制定本办法。本办法自发布之日起施行。";

    fn rec(url: &str, site: &str, publisher: &str, index_number: &str) -> Document {
        Document {
            id: format!("{site}:{}", url_key(url)),
            url: url.into(),
            urls: vec![url.into()],
            site: site.into(),
            title: "示例市电动自行车管理办法".into(),
            publisher: publisher.into(),
            index_number: index_number.into(),
            published_date: "2024-03-01".into(),
            body: BODY.into(),
            ..Default::default()
        }
    }

    fn urls(d: &Document) -> Vec<&str> {
        d.urls.iter().map(String::as_str).collect()
    }

    #[test]
    fn fnv1a_and_url_key_are_the_stored_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(url_key("a"), "af63dc4c8601ec8c");
        assert_eq!(url_key("http://www.example.gov.cn/zwgk/t20240101_1.html").len(), 16);
    }

    #[test]
    fn same_page_under_two_columns_is_one_item() {
        let mut a = rec("http://a.gov.cn/zwgk/gfxwj/1.html", "a", "示例市人民政府", "IDX-1");
        a.column = "规范性文件".into();
        a.category = String::new();
        let mut b = rec("http://a.gov.cn/zwgk/qt/1.html", "a", "示例市人民政府", "IDX-1");
        b.column = "其他".into();
        b.category = "规范性文件".into();
        let (out, merged) = merge(vec![b, a]);
        assert_eq!((out.len(), merged), (1, 1));
        assert_eq!(urls(&out[0]), ["http://a.gov.cn/zwgk/gfxwj/1.html", "http://a.gov.cn/zwgk/qt/1.html"]);
        assert_eq!(out[0].column, "规范性文件", "the first record's column is kept");
        assert_eq!(out[0].category, "规范性文件", "an empty category is filled from the other record");
        assert_eq!(out[0].id, format!("a:{}", url_key("http://a.gov.cn/zwgk/gfxwj/1.html")));
    }

    #[test]
    fn a_fetched_page_replaces_the_listing_of_the_same_item() {
        let mut listed = rec("http://a.gov.cn/gkmlpt/content/1/1000/post_1000.html", "a", "甲局", "IDX-1");
        listed.pending = true;
        listed.body = String::new();
        let portal = rec("http://www.a.gov.cn/zcwj/1000.html", "a", "甲局", "IDX-1");
        let (out, merged) = merge(vec![listed.clone(), portal.clone()]);
        assert_eq!((out.len(), merged), (1, 1));
        assert!(!out[0].pending, "one record of it is fetched");
        assert_eq!(out[0].body, portal.body, "the fetched text is kept");
        assert_eq!(out[0].id, listed.id, "the first record's id stays");
        assert_eq!(out[0].urls.len(), 2);
    }

    #[test]
    fn same_index_number_of_two_publishers_is_two_items() {
        let a = rec("http://a.gov.cn/1.html", "a", "甲局", "2020-00001");
        let b = rec("http://a.gov.cn/2.html", "a", "乙局", "2020-00001");
        let a2 = rec("http://a.gov.cn/col2/1.html", "a", "甲局", "2020-00001");
        let (out, merged) = merge(vec![a, b, a2]);
        assert_eq!(merged, 1);
        let got: Vec<(&str, usize)> = out.iter().map(|d| (d.publisher.as_str(), d.urls.len())).collect();
        assert_eq!(got, [("甲局", 2), ("乙局", 1)]);
    }

    #[test]
    fn same_body_at_two_urls_is_one_item() {
        let a = rec("http://a.gov.cn/1.html", "a", "甲局", "");
        let mut b = rec("http://a.gov.cn/2.html", "a", "", "");
        b.title = "另一个标题".into();
        b.body = format!("　　{}\n", BODY.replace('。', "。\n"));
        let (out, merged) = merge(vec![a, b]);
        assert_eq!((out.len(), merged), (1, 1), "whitespace aside, the same long body");
    }

    #[test]
    fn same_body_with_different_index_numbers_is_two_items() {
        let a = rec("http://a.gov.cn/1.html", "a", "甲局", "IDX-1");
        let b = rec("http://a.gov.cn/2.html", "a", "甲局", "IDX-2");
        let (out, merged) = merge(vec![a, b]);
        assert_eq!((out.len(), merged), (2, 0), "the 索引号 both carry decides");
    }

    #[test]
    fn same_document_on_two_sites_is_one_item() {
        let mut dept = rec("http://zjj.a.gov.cn/zcwj/1.html", "zjj", "示例市住房和城乡建设局", "IDX-9");
        dept.withdrawn = true;
        let portal = rec("http://www.a.gov.cn/zcwj/9.html", "portal", "示例市住房和城乡建设局", "IDX-9");
        let (out, merged) = merge(vec![portal, dept]);
        assert_eq!((out.len(), merged), (1, 1));
        assert_eq!(out[0].site, "portal", "the first by URL is kept");
        assert_eq!(out[0].urls.len(), 2);
        assert!(!out[0].withdrawn, "still published on one site: not withdrawn");
    }

    #[test]
    fn same_doc_number_and_title_is_one_item_even_when_one_has_an_index_number() {
        let mut a = rec("http://a.gov.cn/1.html", "a", "甲局", "IDX-1");
        a.doc_number = "示府〔2024〕1号".into();
        a.body = "正文一。".into();
        let mut b = rec("http://b.gov.cn/1.html", "b", "甲局", "");
        b.doc_number = "示府[2024]1号".into();
        b.body = "另一正文。".into();
        let mut c = rec("http://b.gov.cn/2.html", "b", "甲局", "");
        c.doc_number = "示府〔2024〕1号".into();
        c.title = "关于印发示例市电动自行车管理办法的通知".into();
        c.body = "正文一。".into();
        let (out, merged) = merge(vec![a, b, c]);
        assert_eq!(merged, 1, "same 文号 + title merge; same 文号, other title do not");
        assert_eq!(urls(&out[0]), ["http://a.gov.cn/1.html", "http://b.gov.cn/1.html"]);
    }

    #[test]
    fn short_bodies_are_not_merged_by_body_alone() {
        let mut a = rec("http://a.gov.cn/1.html", "a", "甲局", "");
        a.body = "详见附件。".into();
        let mut b = a.clone();
        b.url = "http://a.gov.cn/2.html".into();
        b.urls = vec![b.url.clone()];
        b.title = "另一份通知".into();
        let mut same = a.clone();
        same.url = "http://a.gov.cn/3.html".into();
        same.urls = vec![same.url.clone()];
        let (out, merged) = merge(vec![a, b, same]);
        assert_eq!(merged, 1, "a short body identifies only with title, publisher and dates");
        assert_eq!(urls(&out[0]), ["http://a.gov.cn/1.html", "http://a.gov.cn/3.html"]);
    }

    #[test]
    fn records_without_identifiers_stay_apart() {
        let mut a = rec("http://a.gov.cn/1.html", "a", "甲局", "");
        a.body = String::new();
        let mut b = a.clone();
        b.url = "http://a.gov.cn/2.html".into();
        b.urls = vec![b.url.clone()];
        let (out, merged) = merge(vec![a, b]);
        assert_eq!((out.len(), merged), (2, 0));
    }
}
