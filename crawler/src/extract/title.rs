//! The title: the metadata table's 标题, the article heading or `<meta>`,
//! else `<title>` without the site-name suffix.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

use super::*;

pub(super) static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
pub(super) static HEADINGS: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        r#"h1, h2, h3, .title, #title, #NewsArticleTitle, [class*="detail-title"], [class*="article-title"], [class*="news-title"], [class*="art-title"], [class*="content-title"], [class*="xl-title"], [class*="bt-title"]"#,
    )
});
pub(super) static TRAILING_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\s*[(（]\s*\d{4}年\d{1,2}月\d{1,2}日\s*[)）]$"));
pub(super) fn title_of(doc: &Html, metas: &[(String, String)], meta_title: &str, site: Option<&SiteConfig>) -> String {
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
pub(super) fn strip_title_suffix(title: &str, site_name: &str) -> String {
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
