//! Property tests (the quick fuzzing CI runs on every change): the query
//! parser, normalisation, document-number keys and snippets never panic on
//! any input and keep their invariants (a highlight is a range of a match, on
//! character boundaries, inside its text).
#![allow(clippy::unwrap_used)]

use govsearch_index::snippet::Highlighter;
use govsearch_index::{docnum, normalize, query};
use proptest::prelude::*;

fn mixed() -> impl Strategy<Value = String> {
    // Chinese, full-width, brackets, quotes, operators, control characters, emoji.
    "[规范性文件国发〔〕［］【】()（）\"“”:：\\- ORtitle文号0-9０-９a-zA-Zａ-ｚ \u{3000}\u{0}\u{1b}\n😀龘與為]{0,80}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn query_parser_never_panics_and_bounds_length(s in mixed()) {
        let p = query::parse(&s);
        prop_assert!(p.normalized.chars().count() <= govsearch_index::MAX_QUERY_CHARS);
        for g in &p.groups {
            for t in &g.any_of {
                prop_assert!(!t.text.is_empty());
            }
        }
    }

    #[test]
    fn the_pinyin_lexicon_never_panics_and_keys_are_typed_letters(
        titles in proptest::collection::vec("[规范性文件住房公积金绿旅女略乐行长重和〔〕0-9a-zA-Z😀龘 ]{0,40}", 0..8),
        q in "[a-zü'规范姓文件绿 ]{0,20}",
    ) {
        use govsearch_index::pinyin::{Lexicon, Sources, as_pinyin, readings_of};
        let lex = Lexicon::build(&Sources { titles: titles.iter().map(String::as_str).collect(), ..Default::default() });
        if let Some(letters) = as_pinyin(&q) {
            prop_assert!(letters.bytes().all(|b| b.is_ascii_lowercase()));
            let _ = lex.suggest(&letters, 10);
            let _ = lex.characters_of(&letters);
        }
        let _ = lex.correct(&q);
        for t in &titles {
            for r in readings_of(t) {
                prop_assert!(r.full.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{}", r.full);
            }
        }
    }

    #[test]
    fn normalisation_is_one_char_to_one_char_and_idempotent(s in mixed()) {
        let n = normalize::normalize(&s);
        prop_assert_eq!(n.chars().count(), s.chars().count());
        prop_assert_eq!(normalize::normalize(&n), n);
    }

    #[test]
    fn doc_number_keys_are_stable(prefix in "[粤公规国发京政办]{1,4}", year in 1990u32..2030, serial in 1u32..999,
                                  open in prop::sample::select(vec!["〔", "[", "(", "（", "【", " ", ""]),
                                  close in prop::sample::select(vec!["〕", "]", ")", "）", "】", " ", ""])) {
        let typed = format!("{prefix}{open}{year}{close}{serial}号");
        let k = docnum::key(&typed);
        prop_assert_eq!(&k, &format!("{prefix}{year}-{serial}"));
        let found = docnum::find_in_query(&normalize::normalize(&typed)).unwrap();
        prop_assert!(found.candidates.contains(&k));
    }

    #[test]
    fn highlights_are_ranges_of_matches_inside_the_text(text in mixed(), term in "[规范性文件国发a-z<>&\"']{1,4}") {
        let norm = normalize::normalize(&term);
        let h = Highlighter::new(std::slice::from_ref(&norm));
        let s = h.snippet(&text);
        prop_assert!(text.contains(&s.passage.text), "the passage is a slice of the text");
        for (t, ranges) in [(text.as_str(), h.highlight_all(&text)), (s.passage.text.as_str(), s.passage.ranges.clone())] {
            let mut pos = 0;
            for r in &ranges {
                prop_assert!(pos <= r.start && r.start < r.end && r.end <= t.len(), "{:?} in {:?}", ranges, t);
                prop_assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end), "{:?} in {:?}", r, t);
                // What is marked is the term (or, at a window's end, a part of it), as normalised.
                let marked = normalize::normalize(&t[r.clone()]).to_lowercase();
                prop_assert!(norm.to_lowercase().contains(&marked), "{:?} marks {:?}", r, &t[r.clone()]);
                pos = r.end;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// The recall and precision guarantee, checked against brute force: a quoted
    /// phrase finds exactly the documents whose normalised text contains it.
    #[test]
    fn quoted_phrases_find_exactly_the_documents_that_contain_them(
        bodies in prop::collection::vec("[政府信息公开条例规定第条省公安厅，。1２a]{0,40}", 1..8),
        phrase in "[政府信息公开条例规定第条省公安厅1２a]{1,5}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let cat = govsearch_index::Catalogue::open(dir.path()).unwrap();
        let mut w = cat.writer().unwrap();
        for (i, b) in bodies.iter().enumerate() {
            w.upsert(&govsearch_index::Document { id: format!("d{i}"), body: b.clone(), ..Default::default() }).unwrap();
        }
        w.finish().unwrap();
        cat.reload().unwrap();
        let r = cat.search(&govsearch_index::SearchRequest { q: format!("\"{phrase}\""), size: 100, ..Default::default() }).unwrap();
        let mut got: Vec<String> = r.hits.into_iter().map(|h| h.id).collect();
        got.sort();
        // The model: text as units (an ideograph, or a whole run of letters and
        // digits), each knowing whether a separator stood before it. A phrase
        // matches a run of equal units; two ideographs side by side in the
        // phrase must be side by side in the text.
        fn units(s: &str) -> Vec<(String, bool)> {
            let mut out: Vec<(String, bool)> = Vec::new();
            let mut sep = false;
            let mut word = String::new();
            for c in normalize::normalize(s).chars() {
                if normalize::is_cjk(c) || !normalize::is_word_char(c) {
                    if !word.is_empty() {
                        out.push((std::mem::take(&mut word), sep));
                        sep = false;
                    }
                    if normalize::is_cjk(c) {
                        out.push((c.to_string(), sep));
                        sep = false;
                    } else {
                        sep = true;
                    }
                } else {
                    word.push(c);
                }
            }
            if !word.is_empty() {
                out.push((word, sep));
            }
            out
        }
        let is_ideo = |u: &str| u.chars().all(normalize::is_cjk);
        let q = units(&phrase);
        let contains = |b: &str| -> bool {
            let d = units(b);
            if q.is_empty() || d.len() < q.len() {
                return false;
            }
            (0..=d.len() - q.len()).any(|k| {
                q.iter().enumerate().all(|(j, (u, _))| {
                    d[k + j].0 == *u && !(j > 0 && is_ideo(&q[j - 1].0) && is_ideo(u) && d[k + j].1)
                })
            })
        };
        let mut want: Vec<String> = bodies.iter().enumerate().filter(|(_, b)| contains(b)).map(|(i, _)| format!("d{i}")).collect();
        want.sort();
        prop_assert_eq!(got, want, "phrase {:?} in {:?}", phrase, bodies);
    }
}
