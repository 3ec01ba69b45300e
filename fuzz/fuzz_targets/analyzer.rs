//! The analyzers: n-gram tokens and jieba words on any text, with offsets
//! that are in bounds and on character boundaries of the original text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let mut toks = Vec::new();
    govsearch_index::analysis::words(s, &mut toks);
    for t in &toks {
        assert!(t.offset_from <= t.offset_to && t.offset_to <= s.len(), "{t:?} out of {}", s.len());
        assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to), "{t:?}");
        assert!(!t.text.is_empty());
    }
    for (tok, _) in govsearch_index::analysis::ngram_tokens(s) {
        assert!(!tok.is_empty());
    }
    let n = govsearch_index::normalize::normalize(s);
    assert_eq!(n.chars().count(), s.chars().count(), "normalisation is char to char");
    let _ = govsearch_index::analysis::query_words(&n);
    let _ = govsearch_index::normalize::to_traditional(s);
});
