//! Every real page of the fixture set goes through decode + extraction with
//! the invariants its manifest line promises; ~20 pages are pinned field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;

use govsearch_crawler::charset::decode;
use govsearch_crawler::extract::{extract_item, extract_links, is_anti_bot};
use url::Url;

const PREFIX: &str = "html/ljz060707-lang__China-Real-Estate-Policy-Database/";

struct Page {
    rel: String,
    url: Url,
    content_type: Option<String>,
    decode_as: String,
    metadata_fields: Vec<String>,
    attachment_links: Vec<String>,
    pagination: Vec<String>,
}

/// (file prefix, field): the page shows the label with an empty value (checked
/// by hand: `文号：-`, an empty `<td>`, `主题分类：` followed by nothing, `无`).
const EMPTY_ON_PAGE: &[(&str, &str)] = &[
    ("www.fuzhou.gov.cn/135dc87d", "topic"),
    ("www.fuzhou.gov.cn/fd1a92a7", "topic"),
    ("gjj.jiaxing.gov.cn/30aa8486", "validity"),
    ("www.cq.gov.cn/600f1437", "validity"),
    ("fcj.nanjing.gov.cn/4a23aeb7", "doc_number"),
    ("fcj.nanjing.gov.cn/78a2fc3c", "doc_number"),
    ("fgj.hangzhou.gov.cn/4d7470a4", "doc_number"),
    ("fgj.hangzhou.gov.cn/6d29a343", "doc_number"),
    ("fgj.hangzhou.gov.cn/cb168cb2", "doc_number"),
    ("fgj.hangzhou.gov.cn/e3c13f6b", "doc_number"),
    ("dgdp.dg.gov.cn/87a05629", "doc_number"),
    ("gjj.hainan.gov.cn/7b3f2621", "topic"),
    ("gjj.hainan.gov.cn/b71e6f64", "topic"),
    ("gjj.hainan.gov.cn/c3968e25", "topic"),
    ("gjj.hainan.gov.cn/c3968e25", "doc_number"),
    ("gjj.hainan.gov.cn/ea4ed810", "topic"),
    ("gjj.hainan.gov.cn/ea4ed810", "doc_number"),
    ("gjj.hainan.gov.cn/fdd7eeb8", "topic"),
    ("www.harbin.gov.cn/b8fdecd9", "topic"),
    // 文号 only in the body text of a guide page
    ("fcj.shenyang.gov.cn/d21a23bd", "doc_number"),
];

/// Expected failures of the link invariants, with the reason.
const LINK_EXCEPTIONS: &[&str] = &[
    // the .zip link is inside an HTML comment
    "www.chongyi.gov.cn/62400dfab",
    // "共 1 页": a one-page list, no further pages exist
    "fcj.nanjing.gov.cn/1b023159",
    "fcj.nanjing.gov.cn/87812aa5",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real")
}

fn pages() -> Vec<Page> {
    let text = std::fs::read_to_string(root().join("manifest.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let list = |k: &str| v[k].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect::<Vec<_>>();
            Page {
                rel: v["file"].as_str().unwrap().strip_prefix(PREFIX).unwrap().to_owned(),
                url: Url::parse(v["url"].as_str().unwrap()).unwrap(),
                content_type: v["content_type"].as_str().map(str::to_owned),
                decode_as: v["bytes_decode_as"].as_str().unwrap().to_owned(),
                metadata_fields: list("metadata_fields"),
                attachment_links: list("attachment_links"),
                pagination: list("pagination"),
            }
        })
        .collect()
}

fn bytes(rel: &str) -> Vec<u8> {
    let gz = std::fs::read(root().join(format!("{rel}.gz"))).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn all_real_pages_decode_and_extract() {
    let pages = pages();
    assert_eq!(pages.len(), 300);
    let mut failures = Vec::new();
    let dump = std::env::var_os("DUMP_EXTRACT").is_some();
    for p in &pages {
        let raw = bytes(&p.rel);
        let d = decode(&raw, p.content_type.as_deref());
        if !d.encoding.eq_ignore_ascii_case(&p.decode_as) {
            failures.push(format!("{}: decoded as {} not {}", p.rel, d.encoding, p.decode_as));
        }
        if d.had_errors {
            failures.push(format!("{}: decode errors", p.rel));
        }
        let item = extract_item(&p.url, &d.text, None);
        let links = extract_links(&p.url, &d.text);
        if dump {
            println!(
                "{}\t{}\ttitle={:?}\tdoc={:?}\tidx={:?}\tpub={:?}\tissued={:?}\tpubdate={:?}\tvalid={:?}\ttopic={:?}\tbody={}\t{:?}",
                p.rel,
                p.url,
                item.title,
                item.doc_number,
                item.index_number,
                item.publisher,
                item.issued_date,
                item.published_date,
                item.validity,
                item.topic,
                item.body.chars().count(),
                item.body.chars().take(40).collect::<String>()
            );
        }
        let has = |f: &str| p.metadata_fields.iter().any(|x| x == f);
        // list pages show 文号/发布日期 as column headings of the list
        let is_list = p.url.path().ends_with('/') || p.url.path().ends_with("/index.html");
        let mut need = |field: &str, value: &str, labels: &[&str]| {
            let excused = EMPTY_ON_PAGE.iter().any(|(f, x)| p.rel.starts_with(f) && *x == field);
            if labels.iter().any(|l| has(l)) && value.is_empty() && !is_list && !excused {
                failures.push(format!("{} ({}): {field} empty though manifest lists {labels:?}", p.rel, p.url));
            }
        };
        need("published_date", &item.published_date, &["发布日期"]);
        need("issued_date", &item.issued_date, &["成文日期"]);
        need("index_number", &item.index_number, &["索引号"]);
        need("publisher", &item.publisher, &["发布机构", "发文机关"]);
        need("doc_number", &item.doc_number, &["发文字号", "文号"]);
        need("validity", &item.validity, &["有效性"]);
        need("topic", &item.topic, &["主题分类"]);
        let stub = links.redirect.is_some() || is_anti_bot(&d.text);
        if item.title.is_empty() && !stub {
            failures.push(format!("{}: no title", p.rel));
        }
        if raw.len() < 300 && d.text.contains("location.href") && links.redirect.is_none() {
            failures.push(format!("{}: redirect stub without target", p.rel));
        }
        let link_excused = LINK_EXCEPTIONS.iter().any(|f| p.rel.starts_with(f));
        for kind in p.attachment_links.iter().filter(|_| !link_excused) {
            if !links.attachments.iter().any(|a| &a.kind == kind) {
                failures.push(format!("{} ({}): no {kind} attachment found", p.rel, p.url));
            }
        }
        if p.pagination.iter().any(|x| x == "createPageHTML") {
            let re = regex::Regex::new(r#"createPageHTML\((\d+),"#).unwrap();
            let n: usize = re.captures(&d.text).map_or(0, |c| c[1].parse().unwrap());
            if n > 1 && links.pagination.len() < n - 1 {
                failures.push(format!("{}: createPageHTML({n}) but {} pages", p.rel, links.pagination.len()));
            }
        }
        if p.pagination.iter().any(|x| x == "index_N.html") && links.pagination.is_empty() && !link_excused {
            failures.push(format!("{}: index_N.html pagination not found", p.rel));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
