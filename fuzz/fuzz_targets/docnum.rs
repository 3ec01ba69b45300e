//! Document-number normalisation: keys are stable (normalising a key gives
//! the same key) and finding a number in a query never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let k = govsearch_index::docnum::key(s);
    assert_eq!(govsearch_index::docnum::key(&k), k, "key of {s:?} is not stable");
    let n = govsearch_index::normalize::normalize(s);
    let _ = govsearch_index::docnum::find_in_query(&n);
});
