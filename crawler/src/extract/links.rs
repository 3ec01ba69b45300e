//! Links out of a page: items, pagination (`createPageHTML`, `index_N`),
//! attachments, redirects, and the related interpretations of a policy.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::*;

pub(super) static A: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
pub(super) static PAGE_JS: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"createPageHTML\(\s*(?:['"][^'"]*['"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]"#)
});
pub(super) static META_REFRESH: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)"#)
});
pub(super) static JS_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:window\.|document\.|self\.|top\.)?location(?:\.href)?\s*=\s*(?:["']([^"']+)["']|(\w+))|location\.replace\(\s*["']([^"']+)["']"#,
    )
});
pub(super) static SCRIPT_HREF: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)href\s*=\s*\\?["']([^"'<>\s]+)\\?["'][^>]{0,200}>([^<]{0,300})</a>"#));
pub(super) static INDEX_N: LazyLock<Regex> = LazyLock::new(|| re(r"/(index|list|default)_(\d+)\.(s?html?|jsp)$"));

pub(super) static POLICY_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^《.+》|关于.{2,80}的(通知|意见|办法|规定|决定|方案|公告|通告|批复|细则|规划)|原文|政策文件|相关文件")
});

/// 政策解读 ↔ policy links: on a policy page, links whose text has 解读/图解;
/// on an interpretation page, links in the body (or named 原文/相关文件) to a
/// policy-like title.
pub(super) fn related(doc: &Html, url: &Url, links: &PageLinks, body: Option<ElementRef<'_>>) -> Vec<String> {
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

pub(super) fn attachment_kind(u: &Url) -> Option<String> {
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

/// Links, pagination and attachments of a parsed page ([`super::Page::links`]).
pub(super) fn links_of(doc: &Html, url: &Url, html: &str) -> PageLinks {
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
pub(super) fn redirect_target(url: &Url, html: &str) -> Option<Url> {
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
