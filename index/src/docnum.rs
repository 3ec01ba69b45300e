//! Document numbers (发文字号 / 文号): one normalised key whatever the brackets.
//!
//! People type 粤公规〔2020〕3号 as `粤公规[2020]3号`, 粤公规(2020)3号,
//! 粤公规2020 3号 or 粤公规２０２０第３号. All of them reduce to the key
//! `粤公规2020-3`: prefix, year, serial. Numbers of other shapes (国务院令第320号)
//! keep their normalised text without brackets and spaces as the key.

use std::sync::LazyLock;

use regex::Regex;

use crate::normalize::normalize;

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    // prefix (ideographs/letters), optional bracket, 4-digit year, optional
    // bracket, optional 第, serial, 号.
    Regex::new(
        r"(?x)
        (?P<prefix>[\p{Han}a-z]{1,20}?)
        \s*\[?\s*(?P<year>(?:19|20)\d{2})\s*\]?\s*
        第?\s*(?P<serial>\d{1,5})\s*号",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

static ORDER_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<prefix>[\p{Han}]{1,30}令)\s*第?\s*(?P<serial>\d{1,5})\s*号")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// The normalised key of a document number as published; empty for empty input.
pub fn key(doc_number: &str) -> String {
    let n = normalize(doc_number);
    // The shapes are tried on the text as typed, then without its separators
    // (国务院令 [第320号]), so that a key, keyed again, is the same key.
    let cleaned = fallback_key(&n);
    shaped_key(&n).or_else(|| shaped_key(&cleaned)).unwrap_or(cleaned)
}

/// The key of a `prefix〔year〕serial号` or `…令第N号` number, if `n` holds one.
fn shaped_key(n: &str) -> Option<String> {
    if let Some(c) = DOC_NUMBER.captures(n) {
        return Some(format!("{}{}-{}", &c["prefix"], &c["year"], c["serial"].trim_start_matches('0')));
    }
    ORDER_NUMBER.captures(n).map(|c| format!("{}{}", &c["prefix"], c["serial"].trim_start_matches('0')))
}

/// Other shapes: the normalised text without brackets and spaces, except that
/// a bracket or space between two digits becomes `-`: it separated two
/// numbers, and joining them would make a key that reads as another document
/// number (国发〔20219〕5号 must not become 国发202195号, which is 国发2021-95).
fn fallback_key(n: &str) -> String {
    let sep = |c: char| c.is_whitespace() || matches!(c, '[' | ']');
    let chars: Vec<char> = n.chars().collect();
    let mut out = String::with_capacity(n.len());
    let mut i = 0;
    while i < chars.len() {
        if !sep(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && sep(chars[i]) {
            i += 1;
        }
        let digit_before = start > 0 && chars[start - 1].is_ascii_digit();
        let digit_after = chars.get(i).is_some_and(char::is_ascii_digit);
        if digit_before && digit_after {
            out.push('-');
        }
    }
    out
}

/// A document number found inside free query text, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundNumber {
    /// The normalised key (see [`key`]) of the longest reading.
    pub key: String,
    /// Every key the text could mean: the prefix may have swallowed words
    /// typed before it (关于国发2019 5号 → 关于国发…, 于国发…, 国发…, 发…).
    pub candidates: Vec<String>,
    /// Byte range in the normalised query.
    pub range: std::ops::Range<usize>,
}

/// Find a document number in normalised query text (`粤公规2020 3号` counts).
pub fn find_in_query(normalized_query: &str) -> Option<FoundNumber> {
    if let Some(c) = DOC_NUMBER.captures(normalized_query) {
        let m = c.get(0)?;
        // A bare "2020年3号" is not a document number: the prefix must be there.
        let tail = format!("{}-{}", &c["year"], c["serial"].trim_start_matches('0'));
        return Some(found(&c["prefix"], &tail, m.range()));
    }
    let c = ORDER_NUMBER.captures(normalized_query)?;
    let m = c.get(0)?;
    Some(found(&c["prefix"], c["serial"].trim_start_matches('0'), m.range()))
}

fn found(prefix: &str, tail: &str, range: std::ops::Range<usize>) -> FoundNumber {
    let candidates: Vec<String> = prefix.char_indices().map(|(i, _)| format!("{}{tail}", &prefix[i..])).collect();
    FoundNumber { key: format!("{prefix}{tail}"), candidates, range }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `scripts/fuzz.sh` (target docnum): a malformed year made a key
    /// that, keyed again, read as another document number.
    #[test]
    fn keys_are_stable_when_separators_split_numbers() {
        for (raw, want) in [
            ("国发〔20219〕5号", "国发20219-5号"),
            ("国发 2021 9 5号", "国发2021-9-5号"),
            ("国务院令 [第320号]", "国务院令320"),
            ("某某 [2021] 号", "某某2021号"),
        ] {
            let k = key(raw);
            assert_eq!(k, want, "key of {raw}");
            assert_eq!(key(&k), k, "key of the key of {raw}");
        }
    }

    #[test]
    fn every_bracket_style_gives_one_key() {
        let want = "粤公规2020-3";
        for typed in [
            "粤公规〔2020〕3号",
            "粤公规[2020]3号",
            "粤公规(2020)3号",
            "粤公规（2020）3号",
            "粤公规2020 3号",
            "粤公规【2020】3号",
            "粤公规２０２０第３号",
            "粤公规〔2020〕03号",
        ] {
            assert_eq!(key(typed), want, "{typed}");
        }
    }

    #[test]
    fn order_numbers() {
        assert_eq!(key("中华人民共和国国务院令第320号"), "中华人民共和国国务院令320");
        assert_eq!(find_in_query("国务院令第 320 号").map(|f| f.key).as_deref(), Some("国务院令320"));
    }

    #[test]
    fn found_inside_a_query() {
        let q = normalize("关于 国发〔2019〕5号 的解读");
        let f = find_in_query(&q).expect("found");
        assert_eq!(f.key, "国发2019-5");
        assert_eq!(&q[f.range.clone()], "国发[2019]5号");
        assert_eq!(find_in_query("2020年工作报告"), None);
        let f = find_in_query(&normalize("关于国发2019 5号")).expect("found");
        assert!(f.candidates.contains(&"国发2019-5".to_owned()), "{:?}", f.candidates);
    }

    #[test]
    fn other_shapes_keep_their_text() {
        assert_eq!(key(" 京政办发 〔2020〕 "), "京政办发2020");
        assert_eq!(key(""), "");
    }
}
