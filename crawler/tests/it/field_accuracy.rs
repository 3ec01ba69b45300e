//! Field accuracy of decode + extraction on an independent, hand-labelled
//! sample of the real fixture pages (`tests/fixtures/labels.jsonl`).
//!
//! The labels were written by reading each page's source as a person reads
//! the rendered page, not from the extractor's output. Conventions: a field is
//! "" when the page does not show it; `publisher` is the value of a
//! 发布机构/发文机关/发文机构/发布单位 label, else a visible `来源：` naming a
//! government body (not a newspaper); `issued_date` only from a 成文日期/印发日期/生成日期 label; `doc_number` from a label or the 文号 line heading the document text; `published_date` is the visible 发布日期/发布时间 (or the
//! date line under the headline); `body` is the first 20 characters (whitespace
//! removed) of the article text below the headline and metadata.
//! None of these pages is among the ones pinned in `real_pages.rs`.
//!
//! `cargo test -p govsearch-crawler --test it field_accuracy -- --nocapture`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;

use govsearch_crawler::charset::decode;
use govsearch_crawler::extract::{ExtractedItem, Page};
use url::Url;

const PREFIX: &str = "html/ljz060707-lang__China-Real-Estate-Policy-Database/";

const FIELDS: &[&str] =
    &["title", "doc_number", "index_number", "publisher", "issued_date", "published_date", "validity", "body"];

/// Overall floor (all fields together), a little under the measured figure
/// (319/328 = 97.3%).
const FLOOR: f64 = 0.97;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn content_types() -> std::collections::HashMap<String, Option<String>> {
    let text = std::fs::read_to_string(root().join("real/manifest.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let rel = v["file"].as_str().unwrap().strip_prefix(PREFIX).unwrap().to_owned();
            (rel, v["content_type"].as_str().map(str::to_owned))
        })
        .collect()
}

fn bytes(rel: &str) -> Vec<u8> {
    let gz = std::fs::read(root().join(format!("real/{rel}.gz"))).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
    out
}

fn no_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn got<'a>(it: &'a ExtractedItem, field: &str) -> &'a str {
    match field {
        "title" => &it.title,
        "doc_number" => &it.doc_number,
        "index_number" => &it.index_number,
        "publisher" => &it.publisher,
        "issued_date" => &it.issued_date,
        "published_date" => &it.published_date,
        "validity" => &it.validity,
        "body" => &it.body,
        _ => unreachable!(),
    }
}

fn matches(field: &str, want: &str, got: &str) -> bool {
    if field == "body" { no_ws(got).starts_with(&no_ws(want)) } else { want.trim() == got.trim() }
}

#[test]
fn field_accuracy_on_labelled_sample() {
    let types = content_types();
    let labels = std::fs::read_to_string(root().join("labels.jsonl")).unwrap();
    let mut correct = vec![0usize; FIELDS.len()];
    let mut total = 0usize;
    let mut mismatches = Vec::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap();
        let url = Url::parse(v["url"].as_str().unwrap()).unwrap();
        let ct = types.get(file).unwrap_or_else(|| panic!("{file} not in the manifest"));
        let d = decode(&bytes(file), ct.as_deref());
        let it = Page::parse(&url, &d.text).item(None);
        total += 1;
        for (i, field) in FIELDS.iter().enumerate() {
            let want = v[*field].as_str().unwrap_or_else(|| panic!("{file}: no {field}"));
            let g = got(&it, field);
            if matches(field, want, g) {
                correct[i] += 1;
            } else {
                let shown: String = if *field == "body" { no_ws(g).chars().take(20).collect() } else { g.to_owned() };
                mismatches.push(format!("{file}\t{field}\texpected {want:?}\tgot {shown:?}"));
            }
        }
    }
    assert!(total >= 40, "only {total} labelled pages");
    println!("\nfield accuracy on {total} hand-labelled pages\n");
    println!("| field | correct | % |");
    println!("|---|---|---|");
    for (i, field) in FIELDS.iter().enumerate() {
        println!("| {field} | {}/{total} | {:.1} |", correct[i], 100.0 * correct[i] as f64 / total as f64);
    }
    let all: usize = correct.iter().sum();
    let n = total * FIELDS.len();
    let overall = all as f64 / n as f64;
    println!("| all fields | {all}/{n} | {:.1} |", 100.0 * overall);
    println!("\n{} mismatches:", mismatches.len());
    for m in &mismatches {
        println!("{m}");
    }
    assert!(overall >= FLOOR, "overall field accuracy {overall:.3} fell below {FLOOR}");
}
