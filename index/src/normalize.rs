//! Character normalisation shared by indexing and querying.
//!
//! Every rule here maps one `char` to one `char`, so a position in normalised
//! text is the same character position in the original: that is what lets the
//! tokenizers report offsets in the original bytes and the snippets highlight
//! exactly the matched characters.
//!
//! Rules: full-width ASCII → half-width; the ideographic space → space; ASCII
//! and Latin case folding; traditional → simplified Chinese (one character at a
//! time, from the `fast2s` table); the bracket family 〔〕［］【】（）() [] folds
//! to `[`/`]` so document numbers typed with any of them compare equal.

use std::collections::HashMap;
use std::sync::LazyLock;

/// First code point of the dense traditional → simplified table.
const T2S_LO: u32 = 0x3400;
/// Last code point of the dense table (CJK extension A and the unified block).
const T2S_HI: u32 = 0x9FFF;

/// Traditional → simplified, one character at a time: a dense table over
/// U+3400..=U+9FFF (one array read per character on the indexing hot path)
/// plus a small map for the compatibility ideographs.
static T2S: LazyLock<(Vec<char>, HashMap<char, char>)> = LazyLock::new(|| {
    let mut dense: Vec<char> = (T2S_LO..=T2S_HI).map(|cp| char::from_u32(cp).unwrap_or(' ')).collect();
    let mut map = HashMap::new();
    let ranges = [(T2S_LO, T2S_HI), (0xF900, 0xFAFF)];
    let mut buf = String::with_capacity(4);
    for (lo, hi) in ranges {
        for cp in lo..=hi {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            buf.clear();
            buf.push(c);
            let s = fast2s::convert(&buf);
            let mut it = s.chars();
            if let (Some(t), None) = (it.next(), it.next())
                && t != c
            {
                if (T2S_LO..=T2S_HI).contains(&cp) {
                    dense[(cp - T2S_LO) as usize] = t;
                } else {
                    map.insert(c, t);
                }
            }
        }
    }
    // Characters the table keeps as they are but government text uses in both forms.
    for (t, s) in [('規', '规'), ('範', '范'), ('於', '于'), ('裏', '里'), ('麵', '面')] {
        dense[(t as u32 - T2S_LO) as usize] = s;
    }
    (dense, map)
});

/// Forces the traditional → simplified table to be built now (it takes a few ms).
pub fn warm_up() {
    LazyLock::force(&T2S);
}

/// Normalise one character (see the module doc for the rules).
#[inline]
pub fn normalize_char(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{0}'..='\u{7f}' => match c {
            '(' => '[',
            ')' => ']',
            _ => c,
        },
        // Full-width ASCII variants.
        '\u{FF01}'..='\u{FF5E}' => {
            let h = char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c);
            normalize_char(h)
        }
        '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200A}' => ' ',
        '〔' | '【' | '〖' | '「' | '『' => '[',
        '〕' | '】' | '〗' | '」' | '』' => ']',
        '\u{3400}'..='\u{9FFF}' => T2S.0[(c as u32 - T2S_LO) as usize],
        '\u{F900}'..='\u{FAFF}' => T2S.1.get(&c).copied().unwrap_or(c),
        _ if c.is_uppercase() => {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        }
        _ => c,
    }
}

/// Normalise a string character by character; same number of chars out as in.
pub fn normalize(s: &str) -> String {
    s.chars().map(normalize_char).collect()
}

/// Normalise and collapse runs of whitespace to one space, trimming the ends
/// (for labels and queries, where the character mapping need not be kept).
pub fn normalize_collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().map(normalize_char) {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// True for the ideographs the n-gram path indexes character by character.
#[inline]
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' | '\u{3007}')
}

/// Spaces and punctuation common in Chinese text (general punctuation, CJK
/// symbols such as 、。《》〔〕, full-width ，：；（）), none of them a letter or
/// digit. One in ten characters of a government text is one of these, and
/// `char::is_alphanumeric` answers them with a slow table lookup; this does not.
#[inline]
pub fn is_common_punct(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

/// `char::is_alphanumeric` with fast paths for ASCII, ideographs and common punctuation.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if is_cjk(c) {
        true
    } else {
        !is_common_punct(c) && c.is_alphanumeric()
    }
}

/// True for characters that make up words in alphabetic runs (letters, digits).
#[inline]
pub fn is_word_char(c: char) -> bool {
    !is_cjk(c) && is_alnum(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_paths_agree_with_the_unicode_tables() {
        // Ideograph blocks count whole (with their few unassigned code points).
        for c in (0..=0x3_FFFF).filter_map(char::from_u32).filter(|&c| !is_cjk(c)) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "is_alnum({c:?} U+{:04X})", c as u32);
            if is_common_punct(c) {
                assert!(!c.is_alphanumeric(), "U+{:04X} is alphanumeric", c as u32);
            }
            assert_eq!(is_word_char(c), !is_cjk(c) && c.is_alphanumeric(), "is_word_char(U+{:04X})", c as u32);
        }
    }

    #[test]
    fn full_width_and_case() {
        assert_eq!(normalize("ＡＢＣ１２３ｘ"), "abc123x");
        assert_eq!(normalize("COVID-19"), "covid-19");
    }

    #[test]
    fn brackets_fold() {
        assert_eq!(normalize("国发〔2019〕5号"), "国发[2019]5号");
        assert_eq!(normalize("国发［2019］5号"), "国发[2019]5号");
        assert_eq!(normalize("国发【2019】5号"), "国发[2019]5号");
        assert_eq!(normalize("国发(2019)5号"), "国发[2019]5号");
        assert_eq!(normalize("国发（2019）5号"), "国发[2019]5号");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(normalize("規範性文件"), "规范性文件");
        assert_eq!(normalize("中華人民共和國政府資訊公開條例"), "中华人民共和国政府资讯公开条例");
        // Simplified text is left alone.
        assert_eq!(normalize("规范性文件"), "规范性文件");
    }

    #[test]
    fn one_char_in_one_char_out() {
        let s = "ＡＢ〔2020〕規範　文件 x\u{3000}";
        assert_eq!(normalize(s).chars().count(), s.chars().count());
    }

    #[test]
    fn collapse() {
        assert_eq!(normalize_collapse("  索　引  号 "), "索 引 号");
    }
}

/// Simplified → one traditional form per character (the inverse of the
/// folding table), for tests and the evaluation's traditional-title queries.
pub fn to_traditional(s: &str) -> String {
    static S2T: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
        let mut m = HashMap::new();
        for (i, &simp) in T2S.0.iter().enumerate() {
            let trad = char::from_u32(T2S_LO + i as u32).unwrap_or(simp);
            if trad != simp {
                m.entry(simp).or_insert(trad);
            }
        }
        m
    });
    s.chars().map(|c| S2T.get(&c).copied().unwrap_or(c)).collect()
}

#[cfg(test)]
mod trad_tests {
    #[test]
    fn round_trip() {
        let t = super::to_traditional("规范性文件管理办法");
        assert_ne!(t, "规范性文件管理办法");
        assert_eq!(super::normalize(&t), "规范性文件管理办法");
    }
}
