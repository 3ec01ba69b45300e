//! Document numbers (发文字号 / 文号): one normalised key whatever the brackets.
//!
//! People type 粤公规〔2020〕3号 as 粤公规[2020]3号, 粤公规(2020)3号,
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
    if let Some(c) = DOC_NUMBER.captures(&n) {
        return format!("{}{}-{}", &c["prefix"], &c["year"], c["serial"].trim_start_matches('0'));
    }
    if let Some(c) = ORDER_NUMBER.captures(&n) {
        return format!("{}{}", &c["prefix"], c["serial"].trim_start_matches('0'));
    }
    n.chars().filter(|c| !c.is_whitespace() && !matches!(c, '[' | ']')).collect()
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
