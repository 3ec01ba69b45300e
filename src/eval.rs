//! The search-quality evaluation: a query set built from a corpus file, with the
//! expected documents of each query, and MRR@10 / recall@10 / phrase precision
//! per kind of query. `govsearch eval --corpus FILE` runs it; a test runs it on
//! the demo sample and holds the targets.
//!
//! Query kinds (all generated deterministically from the corpus):
//! * `title` — an exact title; expected: every document with that title;
//! * `fragment` — 6–10 characters of a title found in at most 3 titles;
//! * `docnum` — a 文号 in one of four bracket styles (〔〕, [], (), none);
//! * `phrase` — a quoted 8–12 character run of a text, held by 1–50 documents;
//!   expected: exactly the documents whose title, body, attachments, 文号,
//!   发布机构 or 索引号 hold it (recall and precision over all results);
//! * `two_words` — two words of a title, unquoted;
//! * `traditional` — a title written in traditional characters;
//! * `none` — a quoted string found in no document; expected: no result;
//! * `verbatim` — 8 characters of a body pasted without quotes (several
//!   words), held by exactly one document; expected: that document first.

use std::collections::HashMap;
use std::time::Instant;

use govsearch_index::normalize::{is_cjk, normalize, to_traditional};
use govsearch_index::{Catalogue, Document, SearchRequest};
use serde::Serialize;

/// One evaluation query.
#[derive(Debug, Clone, Serialize)]
pub struct EvalQuery {
    pub kind: &'static str,
    pub q: String,
    pub expected: Vec<String>,
}

/// Figures for one kind.
#[derive(Debug, Clone, Serialize, Default)]
pub struct KindFigures {
    pub kind: String,
    pub queries: usize,
    pub mrr_at_10: f64,
    pub recall_at_10: f64,
    /// For `phrase`: found∩expected / expected over all results; for `none`: share with zero results.
    pub recall_all: f64,
    /// For `phrase`: found∩expected / found over all results.
    pub precision: f64,
    pub p50_ms: f64,
    pub max_ms: f64,
    /// Up to 5 queries that missed, for debugging.
    pub misses: Vec<String>,
}

use crate::rng::SplitMix64 as Rng;
use govsearch_index::title_key;

/// Build up to `per_kind` queries of each kind from `docs`.
pub fn build_queries(docs: &[Document], per_kind: usize) -> Vec<EvalQuery> {
    let mut rng = Rng(0x5EED_2026);
    let mut out = Vec::new();
    // Every searchable text of a document: title, body, attachments and the
    // metadata the engine also matches (文号, 发布机构, 索引号).
    let texts: Vec<String> = docs
        .iter()
        .map(|d| {
            normalize(&format!(
                "{}\n{}\n{}\n{}\n{}\n{}",
                d.title,
                d.body,
                d.attachment_text(),
                d.doc_number,
                d.publisher,
                d.index_number
            ))
        })
        .collect();
    let titles: Vec<String> = docs.iter().map(|d| normalize(&d.title)).collect();
    let mut by_title: HashMap<String, Vec<String>> = HashMap::new();
    for d in docs {
        by_title.entry(title_key(&d.title)).or_default().push(d.id.clone());
    }
    let n = docs.len();
    let pick = |rng: &mut Rng| rng.below(n);

    // title
    for _ in 0..per_kind * 3 {
        if out.iter().filter(|q: &&EvalQuery| q.kind == "title").count() >= per_kind {
            break;
        }
        let d = &docs[pick(&mut rng)];
        if d.title.chars().count() < 4 || out.iter().any(|q: &EvalQuery| q.q == d.title) {
            continue;
        }
        out.push(EvalQuery { kind: "title", q: d.title.clone(), expected: by_title[&title_key(&d.title)].clone() });
    }
    // fragment
    let mut k = 0;
    for _ in 0..per_kind * 10 {
        if k >= per_kind {
            break;
        }
        let i = pick(&mut rng);
        let chars: Vec<char> = titles[i].chars().collect();
        if chars.len() < 12 {
            continue;
        }
        let len = 6 + rng.below(5);
        let start = rng.below(chars.len() - len);
        let frag: String = chars[start..start + len].iter().collect();
        if !frag.chars().all(is_cjk) {
            continue;
        }
        let holders: Vec<String> =
            titles.iter().zip(docs).filter(|(t, _)| t.contains(&frag)).map(|(_, d)| d.id.clone()).collect();
        if holders.len() > 3 {
            continue;
        }
        out.push(EvalQuery { kind: "fragment", q: frag, expected: holders });
        k += 1;
    }
    // docnum in four styles
    let numbered: Vec<&Document> =
        docs.iter().filter(|d| d.doc_number.contains('〔') && d.doc_number.contains('〕')).collect();
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    for d in docs {
        let key = govsearch_index::docnum::key(&d.doc_number);
        if !key.is_empty() {
            by_key.entry(key).or_default().push(d.id.clone());
        }
    }
    for j in 0..per_kind.min(numbered.len() * 4) {
        let d = numbered[(j * 7919 + rng.below(3)) % numbered.len()];
        let q = match j % 4 {
            0 => d.doc_number.clone(),
            1 => d.doc_number.replace('〔', "[").replace('〕', "]"),
            2 => d.doc_number.replace('〔', "(").replace('〕', ")"),
            _ => d.doc_number.replace('〔', "").replace('〕', " "),
        };
        out.push(EvalQuery {
            kind: "docnum",
            q,
            expected: by_key[&govsearch_index::docnum::key(&d.doc_number)].clone(),
        });
    }
    // phrase: held by 1..=50 documents
    let mut k = 0;
    for _ in 0..per_kind * 20 {
        if k >= per_kind {
            break;
        }
        let i = pick(&mut rng);
        let chars: Vec<char> = texts[i].chars().collect();
        if chars.len() < 40 {
            continue;
        }
        let len = 8 + rng.below(5);
        let start = rng.below(chars.len() - len);
        let phrase: String = chars[start..start + len].iter().collect();
        if !phrase.chars().all(is_cjk) {
            continue;
        }
        let holders: Vec<String> =
            texts.iter().zip(docs).filter(|(t, _)| t.contains(&phrase)).map(|(_, d)| d.id.clone()).collect();
        if holders.len() > 50 {
            continue;
        }
        out.push(EvalQuery { kind: "phrase", q: format!("\"{phrase}\""), expected: holders });
        k += 1;
    }
    // two words of a title
    let mut k = 0;
    for _ in 0..per_kind * 10 {
        if k >= per_kind {
            break;
        }
        let d = &docs[pick(&mut rng)];
        let words: Vec<String> = govsearch_index::analysis::query_words(&normalize(&d.title))
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && w.chars().all(is_cjk))
            .collect();
        if words.len() < 4 {
            continue;
        }
        let a = rng.below(words.len() / 2);
        let b = words.len() / 2 + rng.below(words.len() - words.len() / 2);
        out.push(EvalQuery {
            kind: "two_words",
            q: format!("{} {}", words[a], words[b]),
            expected: by_title[&title_key(&d.title)].clone(),
        });
        k += 1;
    }
    // traditional titles
    let mut k = 0;
    for _ in 0..per_kind * 5 {
        if k >= per_kind {
            break;
        }
        let d = &docs[pick(&mut rng)];
        let t = to_traditional(&d.title);
        if t == d.title || d.title.chars().count() < 6 {
            continue;
        }
        out.push(EvalQuery { kind: "traditional", q: t, expected: by_title[&title_key(&d.title)].clone() });
        k += 1;
    }
    // none: strings no document holds
    let pool: Vec<char> = "龘靐齉爩麤鱻驫骉羴猋蟲䨻㸚㗊".chars().collect();
    let mut k = 0;
    for _ in 0..per_kind * 5 {
        if k >= per_kind.min(50) {
            break;
        }
        let s: String = (0..4).map(|_| pool[rng.below(pool.len())]).chain("条例".chars()).collect();
        let s = normalize(&s);
        if texts.iter().any(|t| t.contains(&s)) {
            continue;
        }
        out.push(EvalQuery { kind: "none", q: format!("\"{s}\""), expected: Vec::new() });
        k += 1;
    }
    // verbatim: 8 characters of a body pasted without quotes, held by one document only
    let mut k = 0;
    for _ in 0..per_kind * 20 {
        if k >= per_kind {
            break;
        }
        let i = pick(&mut rng);
        let chars: Vec<char> = normalize(&docs[i].body).chars().collect();
        if chars.len() < 40 {
            continue;
        }
        let start = rng.below(chars.len() - 8);
        let text: String = chars[start..start + 8].iter().collect();
        let several_words = govsearch_index::analysis::query_words(&text).len() > 1;
        if !text.chars().all(is_cjk) || !several_words {
            continue;
        }
        let holders: Vec<&Document> =
            texts.iter().zip(docs).filter(|(t, _)| t.contains(&text)).map(|(_, d)| d).collect();
        if holders.len() != 1 {
            continue;
        }
        out.push(EvalQuery { kind: "verbatim", q: text, expected: vec![holders[0].id.clone()] });
        k += 1;
    }
    out
}

/// Run the queries against `cat`; figures per kind, in a fixed order.
pub fn run(cat: &Catalogue, queries: &[EvalQuery]) -> anyhow::Result<Vec<KindFigures>> {
    let kinds = ["title", "fragment", "docnum", "phrase", "two_words", "traditional", "none", "verbatim"];
    let mut out = Vec::new();
    for kind in kinds {
        let qs: Vec<&EvalQuery> = queries.iter().filter(|q| q.kind == kind).collect();
        if qs.is_empty() {
            continue;
        }
        let mut f = KindFigures { kind: kind.into(), queries: qs.len(), ..Default::default() };
        let mut times = Vec::new();
        let (mut rr, mut rec10, mut rec_all, mut prec) = (0.0, 0.0, 0.0, 0.0);
        for q in &qs {
            let started = Instant::now();
            let size = if kind == "phrase" || kind == "none" { 100 } else { 10 };
            let r = cat.search(&SearchRequest { q: q.q.clone(), size, ..Default::default() })?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            let ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
            if kind == "none" {
                let ok = r.total == 0;
                rec_all += f64::from(u8::from(ok));
                rr += f64::from(u8::from(ok));
                rec10 += f64::from(u8::from(ok));
                prec += f64::from(u8::from(ok));
                if !ok && f.misses.len() < 5 {
                    f.misses.push(q.q.clone());
                }
                continue;
            }
            let first = ids.iter().take(10).position(|id| q.expected.iter().any(|e| e == id));
            rr += first.map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
            rec10 += f64::from(u8::from(first.is_some()));
            if first.is_none() && f.misses.len() < 5 {
                f.misses.push(q.q.clone());
            }
            let found = ids.iter().filter(|id| q.expected.iter().any(|e| e == *id)).count() as f64;
            let exp = q.expected.len().min(size) as f64;
            rec_all += if exp > 0.0 { (found / exp).min(1.0) } else { 1.0 };
            prec += if ids.is_empty() { 0.0 } else { found / ids.len() as f64 };
            if (found as usize) < ids.len() && f.misses.len() < 5 {
                let extra: Vec<&str> =
                    ids.iter().copied().filter(|id| !q.expected.iter().any(|e| e == id)).take(3).collect();
                f.misses.push(format!("{} also found {extra:?}", q.q));
            }
        }
        let n = qs.len() as f64;
        f.mrr_at_10 = rr / n;
        f.recall_at_10 = rec10 / n;
        f.recall_all = rec_all / n;
        f.precision = prec / n;
        f.max_ms = times.iter().copied().fold(0.0, f64::max);
        f.p50_ms = crate::bench::pct(&mut times, 0.5);
        out.push(f);
    }
    Ok(out)
}

/// The figures as a Markdown table.
pub fn table(figs: &[KindFigures]) -> String {
    let mut s = String::from(
        "| kind | queries | MRR@10 | recall@10 | recall (all results) | precision | p50 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for f in figs {
        s.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} |\n",
            f.kind, f.queries, f.mrr_at_10, f.recall_at_10, f.recall_all, f.precision, f.p50_ms, f.max_ms
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The quality targets of the search-quality issue, held on the demo sample.
    #[test]
    fn targets_hold_on_the_demo_sample() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/docs.jsonl.gz");
        let docs: Vec<Document> =
            crate::data::read_corpus(&path).unwrap().into_iter().map(|r| r.into_document("demo")).collect();
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(dir.path()).unwrap();
        let mut w = cat.writer().unwrap();
        for d in &docs {
            w.upsert(d).unwrap();
        }
        w.finish().unwrap();
        cat.reload().unwrap();
        let queries = build_queries(&docs, 60);
        let figs = run(&cat, &queries).unwrap();
        println!("{}", table(&figs));
        let get = |k: &str| figs.iter().find(|f| f.kind == k).unwrap_or_else(|| panic!("no {k} queries"));
        for k in ["title", "fragment", "docnum"] {
            assert!(get(k).mrr_at_10 >= 0.95, "{k}: {:?}", get(k));
        }
        assert_eq!(get("phrase").recall_all, 1.0, "{:?}", get("phrase"));
        assert_eq!(get("phrase").precision, 1.0, "{:?}", get("phrase"));
        assert_eq!(get("none").recall_all, 1.0, "{:?}", get("none"));
        assert!(get("traditional").mrr_at_10 >= 0.9, "{:?}", get("traditional"));
        assert_eq!(get("verbatim").mrr_at_10, 1.0, "a pasted sentence's one holder is first: {:?}", get("verbatim"));
    }
}
