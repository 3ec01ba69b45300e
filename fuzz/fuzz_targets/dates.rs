//! Date parsing: whatever the input, an answer is a real YYYY-MM-DD date that
//! the strict parser accepts, and the strict parser agrees with itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Some(d) = govsearch_crawler::dates::parse_date(s) {
        assert!(govsearch_index::dates::is_date(&d), "crawler date {d:?} from {s:?} is not a valid date");
    }
    if let Some((y, m, day)) = govsearch_index::dates::parse_ymd(s) {
        let again = format!("{y:04}-{m:02}-{day:02}");
        assert_eq!(govsearch_index::dates::parse_ymd(&again), Some((y, m, day)));
        assert!(govsearch_index::dates::day_index(&again).is_some());
    }
});
