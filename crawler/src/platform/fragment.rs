//! Items out of the HTML fragments that list endpoints wrap in XML or JSON
//! (Hanweb's `<record><![CDATA[<li>…</li>]]></record>`, jpaas's `data.html`,
//! the Anhui `site/label` lists): a link to the detail page, its title, a date
//! and a 文号 when the template shows one.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

use super::{ListedItem, bounded, limits};
use crate::dates;

static LINK: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").expect("static selector"));
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,5}\s*号").expect("static regex")
});

/// The detail-page links of one list fragment, in order, each URL once.
/// `item_path` tells a detail link from navigation (e.g. `/art/`); when no
/// link has it, every link of a record counts.
pub fn items(html: &str, base: &Url, item_path: &str) -> Vec<ListedItem> {
    // A record that is a table row is dropped by the HTML parser outside a table.
    let head = html.trim_start().get(..3).unwrap_or("").to_ascii_lowercase();
    let wrapped;
    let html = if head == "<tr" || head == "<td" {
        wrapped = format!("<table>{html}</table>");
        &wrapped
    } else {
        html
    };
    let doc = Html::parse_fragment(html);
    let mut out: Vec<ListedItem> = Vec::new();
    let anchors: Vec<_> = doc.select(&LINK).collect();
    let single = anchors.len() == 1;
    let has_item_path = anchors.iter().any(|a| a.value().attr("href").is_some_and(|h| h.contains(item_path)));
    for a in anchors {
        if out.len() >= limits::MAX_ITEMS_PER_PAGE {
            break;
        }
        let Some(href) = a.value().attr("href") else { continue };
        if has_item_path && !href.contains(item_path) {
            continue;
        }
        let Ok(url) = base.join(href.trim()) else { continue };
        if !matches!(url.scheme(), "http" | "https") || url.as_str() == base.as_str() {
            continue;
        }
        let url = String::from(url);
        if out.iter().any(|i| i.url == url) {
            continue;
        }
        let text: String = a.text().collect::<String>();
        // The anchor text is often cut with "..."; the title attribute is whole.
        let title = a.value().attr("title").map(str::trim).filter(|t| !t.is_empty()).unwrap_or(text.trim());
        // The record around the link: its row or list item.
        let row = a
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .find(|e| matches!(e.value().name(), "li" | "tr" | "dd" | "dl"))
            .map(|e| e.text().collect::<String>())
            .unwrap_or_else(|| if single { doc.root_element().text().collect() } else { text.clone() });
        let row_without_title = row.replace(title, " ");
        out.push(ListedItem {
            url,
            title: bounded(title, limits::MAX_FIELD_BYTES),
            published_date: dates::parse_date(&row_without_title).unwrap_or_default(),
            doc_number: DOC_NUMBER
                .find(&row_without_title)
                .map(|m| bounded(m.as_str(), limits::MAX_FIELD_BYTES))
                .unwrap_or_default(),
            ..Default::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_titles_dates_and_numbers_of_a_record() {
        let base = Url::parse("http://www.nhsa.gov.cn/col/col147/index.html").expect("url");
        let html = "<li><span>1</span><span><a href='/art/2026/7/17/art_147_1.html' title='关于做好2026年医保工作的通知'>关于做好2026年医保...</a></span>\
            <span>医保办函〔2026〕1号</span><span>2026-07-17</span></li>\
            <li><a href='/col/col147/index.html?uid=1&pageNum=2'>下一页</a></li>\
            <li><a href='/art/2026/7/1/art_147_2.html'>2025年度报告</a><b>[2026-07-01]</b></li>";
        let items = items(html, &base, "/art/");
        assert_eq!(items.len(), 2, "navigation links are not items");
        assert_eq!(items[0].url, "http://www.nhsa.gov.cn/art/2026/7/17/art_147_1.html");
        assert_eq!(items[0].title, "关于做好2026年医保工作的通知");
        assert_eq!(items[0].doc_number, "医保办函〔2026〕1号");
        assert_eq!(items[0].published_date, "2026-07-17");
        assert_eq!((items[1].title.as_str(), items[1].published_date.as_str()), ("2025年度报告", "2026-07-01"));
    }

    #[test]
    fn hostile_fragments_give_no_scripts_and_no_panic() {
        let base = Url::parse("http://a.gov.cn/").expect("url");
        let items = items("<a href='javascript:alert(1)'>x</a><a href='http://[::1'>y</a><a href=''>", &base, "/art/");
        assert!(items.is_empty(), "{items:?}");
    }
}
