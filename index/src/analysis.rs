//! Chinese analysis: the two token streams every text field goes through.
//!
//! * **n-gram path** (`gs_ngram`): one token per unit at position `i`, where
//!   `i` counts units (ideographs and alphanumeric words), not characters. An
//!   ideograph followed by another ideograph gives the bigram of the two; the
//!   first and the last ideograph of a run also give their unigram; a word
//!   gives itself. So 中华人民 gives 中(0) 中华(0) 华人(1) 人民(2) 民(3). Punctuation and spaces take no position,
//!   so a phrase typed with a space or bracket where the text has another
//!   separator (粤公规2020 3号 against 粤公规〔2020〕3号) still lines up, while two
//!   ideographs typed side by side must be side by side in the text (their
//!   bigram must be there). Any substring of the normalised text is then an
//!   exact phrase query over these terms (see `search::NgramPhrase`),
//!   whatever jieba did with it; a query of one lone ideograph is a prefix
//!   over the terms. About one token per character keeps the index small: a
//!   unigram for every character as well would double the postings. This is the recall
//!   guarantee: `人民共和国政府` finds 中华人民共和国政府信息公开条例 although
//!   jieba never emits 人民共和国.
//! * **word path** (`gs_words`): jieba search-mode words over the normalised
//!   text (with the government user dictionary), stop words dropped. Used for
//!   BM25 ranking only (freqs, no positions), never to decide whether a
//!   document matches.
//!
//! Both report offsets in bytes of the *original* text, on char boundaries:
//! normalisation is one char to one char (see `normalize`).

use std::path::Path;
use std::str::CharIndices;
use std::sync::{LazyLock, OnceLock};

use jieba_rs::Jieba;
pub use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::normalize::{is_alnum, is_cjk, is_word_char, normalize_char};

/// Name of the n-gram tokenizer in the tantivy index.
pub const NGRAM: &str = "gs_ngram";
/// Name of the jieba word tokenizer in the tantivy index.
pub const WORDS: &str = "gs_words";
/// Longest alphanumeric word kept whole; longer runs are cut.
const MAX_WORD_CHARS: usize = 64;

const USER_DICT: &str = include_str!("../data/userdict.txt");
const STOP_WORDS: &str = include_str!("../data/stopwords.txt");

static EXTRA_DICT: OnceLock<String> = OnceLock::new();

/// Add an operator's user dictionary (same format as `data/userdict.txt`).
/// Must be called before the first analysis; later calls are ignored.
pub fn set_extra_user_dict(path: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let _ = EXTRA_DICT.set(text);
    Ok(())
}

/// The words of the user dictionaries (built in, then the data folder's):
/// vocabulary even where no title holds them.
pub(crate) fn dictionary_words() -> Vec<&'static str> {
    let extra = EXTRA_DICT.get().map(String::as_str).unwrap_or("");
    USER_DICT
        .lines()
        .chain(extra.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

/// The one shared jieba (it costs ~200 ms and ~33 MB to build).
pub fn jieba() -> &'static Jieba {
    static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
        let mut j = Jieba::new();
        let extra = EXTRA_DICT.get().map(String::as_str).unwrap_or("");
        for line in USER_DICT.lines().chain(extra.lines()) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let freq = parts.next().and_then(|f| f.parse().ok());
            j.add_word(word, freq, parts.next());
        }
        j
    });
    &JIEBA
}

/// Stop words are single characters (see `data/stopwords.txt`): a sorted
/// table and a binary search, no hashing on the indexing hot path.
fn is_stop_word(w: &str) -> bool {
    static STOPS: LazyLock<Vec<char>> = LazyLock::new(|| {
        let mut v: Vec<char> = STOP_WORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .filter_map(|w| {
                let mut cs = w.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                }
            })
            .collect();
        v.sort_unstable();
        v
    });
    let mut cs = w.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => STOPS.binary_search(&c).is_ok(),
        _ => false,
    }
}

/// The n-gram tokenizer (see the module doc).
#[derive(Clone, Default)]
pub struct NgramTokenizer {
    token: Token,
    /// Bytes analysed so far, shared with the writer for backpressure (see
    /// `CatalogueWriter::upsert`); `None` at query time.
    analysed: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl NgramTokenizer {
    /// A tokenizer that adds the length of every text it analyses to `counter`.
    pub fn counting(counter: std::sync::Arc<std::sync::atomic::AtomicU64>) -> NgramTokenizer {
        NgramTokenizer { token: Token::default(), analysed: Some(counter) }
    }
}

/// Token stream of [`NgramTokenizer`].
pub struct NgramStream<'a> {
    chars: std::iter::Peekable<CharIndices<'a>>,
    index: usize,
    token: &'a mut Token,
    /// The bigram that follows a run-start unigram at the same position.
    pending: Option<(usize, usize, usize, [char; 2])>,
    /// The previous character was an ideograph (so this one is not a run start).
    in_run: bool,
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = NgramStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        self.token.reset();
        if let Some(c) = &self.analysed {
            c.fetch_add(text.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        NgramStream {
            chars: text.char_indices().peekable(),
            index: 0,
            token: &mut self.token,
            pending: None,
            in_run: false,
        }
    }
}

impl NgramStream<'_> {
    fn set(&mut self, from: usize, to: usize, position: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = 1;
    }
}

impl TokenStream for NgramStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((from, to, pos, [a, b])) = self.pending.take() {
            self.token.text.clear();
            self.token.text.push(a);
            self.token.text.push(b);
            self.set(from, to, pos);
            return true;
        }
        while let Some((byte, c)) = self.chars.next() {
            let n = normalize_char(c);
            let i = self.index;
            if is_cjk(n) {
                self.index += 1;
                let run_start = !self.in_run;
                self.in_run = true;
                self.token.text.clear();
                self.token.text.push(n);
                let end = byte + c.len_utf8();
                if let Some(&(b2, c2)) = self.chars.peek() {
                    let n2 = normalize_char(c2);
                    if is_cjk(n2) {
                        let bigram_end = b2 + c2.len_utf8();
                        if run_start {
                            // The run-start unigram, then the bigram at the same position.
                            self.pending = Some((byte, bigram_end, i, [n, n2]));
                            self.set(byte, end, i);
                        } else {
                            self.token.text.push(n2);
                            self.set(byte, bigram_end, i);
                        }
                        return true;
                    }
                }
                self.set(byte, end, i);
                return true;
            }
            self.in_run = false;
            if is_word_char(n) {
                self.index += 1;
                self.token.text.clear();
                self.token.text.push(n);
                let mut end = byte + c.len_utf8();
                let mut len = 1;
                while let Some(&(b2, c2)) = self.chars.peek() {
                    let n2 = normalize_char(c2);
                    if !is_word_char(n2) || len >= MAX_WORD_CHARS {
                        break;
                    }
                    self.token.text.push(n2);
                    end = b2 + c2.len_utf8();
                    len += 1;
                    self.chars.next();
                }
                self.set(byte, end, i);
                return true;
            }
        }
        false
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The jieba word tokenizer (see the module doc).
#[derive(Clone, Default)]
pub struct WordTokenizer {
    tokens: Vec<Token>,
}

/// Token stream of [`WordTokenizer`]: the words are cut up front.
pub struct WordStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

/// Cut `text` into normalised jieba search-mode words with original byte offsets.
///
/// Hot path of indexing: only letters, digits and ideographs are normalised
/// (punctuation separates words whatever its width), so the normalised text
/// usually has the same byte layout as the original and jieba's offsets are
/// used as they are; an offset table is built only when a character changed
/// its UTF-8 length (full-width letters or digits). Token strings are reused.
pub fn words(text: &str, out: &mut Vec<Token>) {
    let mut norm = String::with_capacity(text.len());
    let mut shifted = false;
    for c in text.chars() {
        // ASCII and ideographs take the fast paths; `is_alphanumeric` is a slow
        // table lookup for everything else.
        let n = if c.is_ascii() {
            c.to_ascii_lowercase()
        } else if is_alnum(c) {
            normalize_char(c)
        } else {
            c
        };
        shifted |= n.len_utf8() != c.len_utf8();
        norm.push(n);
    }
    // Original byte offset of each normalised char, plus the end, when they differ.
    let starts: Option<Vec<u32>> = shifted.then(|| {
        let mut v: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        v.push(text.len() as u32);
        v
    });
    let mut used = 0;
    for t in jieba().cut_for_search(&norm, false) {
        let w = t.word;
        if !w.chars().any(is_alnum) || is_stop_word(w) {
            continue;
        }
        let (from, to) = match &starts {
            None => (t.byte_start, t.byte_end),
            Some(s) => (s[t.start] as usize, s[t.end] as usize),
        };
        if used == out.len() {
            out.push(Token::default());
        }
        let tok = &mut out[used];
        tok.text.clear();
        tok.text.push_str(w);
        tok.offset_from = from;
        tok.offset_to = to;
        tok.position = t.start;
        tok.position_length = 1;
        used += 1;
    }
    out.truncate(used);
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        words(text, &mut self.tokens);
        WordStream { tokens: &mut self.tokens, next: 0 }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The n-gram tokens of `text` (text, position), for building queries.
pub fn ngram_tokens(text: &str) -> Vec<(String, usize)> {
    let mut t = NgramTokenizer::default();
    let mut s = t.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        out.push((s.token().text.clone(), s.token().position));
    }
    out
}

/// Query-side cut: jieba default mode over normalised text, keeping every word
/// that has a letter, digit or ideograph (stop words included: a query made
/// only of them must still find something).
pub fn query_words(normalized: &str) -> Vec<String> {
    jieba()
        .cut(normalized, false)
        .into_iter()
        .map(|t| t.word.trim().to_owned())
        .filter(|w| w.chars().any(is_alnum))
        .collect()
}

/// True when `w` is in the stop word list.
pub fn stop_word(w: &str) -> bool {
    is_stop_word(w)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn all(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = NgramTokenizer::default();
        let mut s = t.token_stream(text);
        let mut v = Vec::new();
        while s.advance() {
            let k = s.token();
            v.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
        }
        v
    }

    #[test]
    fn ngram_tokens_and_offsets() {
        let got = all("政府條例 COVID-19");
        let want: Vec<(String, usize, usize, usize)> = vec![
            ("政".into(), 0, 0, 3),
            ("政府".into(), 0, 0, 6),
            ("府条".into(), 1, 3, 9),
            ("条例".into(), 2, 6, 12),
            ("例".into(), 3, 9, 12),
            ("covid".into(), 4, 13, 18),
            ("19".into(), 5, 19, 21),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn full_width_digits_fold_in_ngrams() {
        let got = all("第１２条");
        assert_eq!(got[1].0, "12");
        assert_eq!((got[1].2, got[1].3), (3, 9));
        assert_eq!(got.iter().map(|t| t.1).collect::<Vec<_>>(), [0, 1, 2]);
        // A run of one ideograph gives its unigram once.
        assert_eq!(got[0].0, "第");
    }

    #[test]
    fn words_of_a_real_sentence() {
        // From the corpus: 中华人民共和国政府信息公开条例.
        let text = "为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度";
        let mut out = Vec::new();
        words(text, &mut out);
        let got: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            got,
            [
                "为了",
                "保障",
                "公民",
                "法人",
                "其他",
                "组织",
                "依法",
                "获取",
                "政府",
                "信息",
                "提高",
                "政府",
                "工作",
                "透明",
                "明度",
                "透明度"
            ]
        );
        for t in &out {
            assert_eq!(crate::normalize::normalize(&text[t.offset_from..t.offset_to]), t.text);
        }
    }

    #[test]
    fn user_dictionary_keeps_government_terms_whole() {
        let mut out = Vec::new();
        words("深化放管服改革，推进一网通办和规范性文件清理", &mut out);
        let got: Vec<&str> = out.iter().map(|t| t.text.as_str()).collect();
        assert!(got.contains(&"放管服"), "{got:?}");
        assert!(got.contains(&"一网通办"), "{got:?}");
        assert!(got.contains(&"规范性文件"), "{got:?}");
    }

    proptest! {
        #[test]
        fn offsets_are_char_boundaries_and_cover_the_token(s in "[a-zA-Z0-9 ，。、〔〕ＡＢ１２政府信息公開条例规範性文件中华人民共和国\u{3000}😀-]{0,60}") {
            for (text, _pos, from, to) in all(&s) {
                prop_assert!(s.is_char_boundary(from) && s.is_char_boundary(to) && from < to);
                prop_assert_eq!(crate::normalize::normalize(&s[from..to]), text);
            }
            let mut out = Vec::new();
            words(&s, &mut out);
            let mut last = 0;
            for t in &out {
                prop_assert!(s.is_char_boundary(t.offset_from) && s.is_char_boundary(t.offset_to));
                prop_assert_eq!(crate::normalize::normalize(&s[t.offset_from..t.offset_to]), t.text.clone());
                prop_assert!(t.offset_from >= last || t.offset_from < t.offset_to);
                last = t.offset_from;
            }
        }
    }
}
