//! Property tests (the quick fuzzing CI runs on every change): the query
//! parser, normalisation, document-number keys and snippets never panic on
//! any input and keep their invariants.
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
    fn snippets_escape_and_only_add_marks(text in mixed(), term in "[规范性文件国发a-z<>&\"']{1,4}") {
        let h = Highlighter::new(&[normalize::normalize(&term)]);
        for out in [h.snippet(&text), h.highlight_all(&text)] {
            let stripped = out.replace("<mark>", "").replace("</mark>", "");
            prop_assert!(!stripped.contains('<') && !stripped.contains('>'), "{}", out);
            let plain = stripped.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&").replace('…', "");
            let flat = text.replace(['\n', '\r'], " ");
            prop_assert!(flat.contains(&plain), "{:?} not in {:?}", plain, flat);
        }
    }
}
