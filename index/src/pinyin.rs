//! Pinyin and the catalogue's own vocabulary, for the search box: people
//! type on phones and old IMEs, so `gfxwj` (initials) and `guifanxing` (full
//! pinyin, a prefix) must suggest 规范性文件, a query typed wholly in pinyin
//! must find what its characters would, and a wrong homophone (规范姓文件,
//! 住房公积今) must be offered its correction.
//!
//! Everything comes from the catalogue itself — its titles, the words jieba
//! cuts them into (with the government user dictionary), word pairs that
//! recur, 发布机构 and 文号 — never from a guess: a [`Lexicon`] is built once
//! per index generation, beside the suggestion list.
//!
//! Polyphonic characters (行 in 银行 / 行政, 长, 重 …) have every reading: a
//! short term is keyed by the combinations of its characters' readings (up
//! to [`MAX_VARIANTS`]); a title, which can be long, by its most common
//! reading and one other. Memory is bounded: titles are keyed only in a
//! catalogue of up to [`MAX_PINYIN_TITLES`] of them, words and pairs only
//! up to their most frequent few hundred thousand.

use std::collections::HashMap;

use pinyin::ToPinyinMulti;

/// Most readings kept for one text.
pub const MAX_VARIANTS: usize = 8;
/// Most readings kept for a title (long, and there are many).
const MAX_TITLE_VARIANTS: usize = 2;
/// Titles keyed by their pinyin, at most; a larger catalogue keys its words,
/// pairs and 发布机构 only (at a million titles the keys alone would take
/// hundreds of MB, and the words already reach what people type).
pub const MAX_PINYIN_TITLES: usize = 100_000;
/// Words and word pairs kept, the most frequent first.
const MAX_WORDS: usize = 300_000;
const MAX_PAIRS: usize = 100_000;
/// Bytes of a title's key kept: what is typed is its start.
const TITLE_KEY_BYTES: usize = 48;
/// A term longer than this (in pieces) is keyed from its start only.
const SHORT_TERM: usize = 8;
/// Pieces of a title keyed (what people type is its start).
const TITLE_PIECES: usize = 24;
/// Key entries looked at for one prefix.
const PREFIX_SCAN: usize = 5_000;
/// A word pair becomes a term when it recurs this often.
const MIN_PAIR_COUNT: u32 = 3;
/// Longest stretch of a query (in characters) one correction replaces.
const MAX_CORRECTION_CHARS: usize = 10;

/// The toneless readings of a character, most common first (`None` if it
/// has none), as typed on a keyboard: ASCII letters only, ü as `v` (lv 绿).
fn readings(c: char) -> Option<Vec<String>> {
    let multi = c.to_pinyin_multi()?;
    let mut out: Vec<String> = Vec::new();
    for p in multi {
        let typed: String = p
            .plain()
            .chars()
            .filter_map(|c| match c {
                'a'..='z' => Some(c),
                'ü' => Some('v'),
                'ê' => Some('e'),
                _ => None,
            })
            .collect();
        if !typed.is_empty() && !out.contains(&typed) {
            out.push(typed);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut_to(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A text as pieces, each with its alternatives: a Han character's readings,
/// a Latin letter or digit as itself (lowercase); the rest (punctuation,
/// brackets, spaces) is not typed and is left out.
fn pieces(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for c in text.chars() {
        if let Some(r) = readings(c) {
            out.push(r);
        } else if c.is_ascii_alphanumeric() {
            out.push(vec![c.to_ascii_lowercase().to_string()]);
        }
    }
    out
}

/// One reading of a text: its full pinyin and its initials, with the byte
/// offset in each where every piece starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub full: String,
    pub initials: String,
    full_starts: Vec<usize>,
}

fn reading_of(pieces: &[Vec<String>], choice: &[usize]) -> Reading {
    let mut r = Reading { full: String::new(), initials: String::new(), full_starts: Vec::new() };
    for (p, &i) in pieces.iter().zip(choice) {
        let s = &p[i];
        r.full_starts.push(r.full.len());
        r.full.push_str(s);
        r.initials.push_str(&s[..s.chars().next().map_or(0, char::len_utf8)]);
    }
    r
}

/// Up to [`MAX_VARIANTS`] readings of `text`, the most common first. A
/// short text gets every combination (in order); a long one its most common
/// reading and then each piece's other readings one at a time.
pub fn readings_of(text: &str) -> Vec<Reading> {
    readings_of_pieces(&pieces(text), MAX_VARIANTS)
}

fn readings_of_pieces(pieces: &[Vec<String>], max: usize) -> Vec<Reading> {
    if pieces.is_empty() {
        return Vec::new();
    }
    let mut out = vec![reading_of(pieces, &vec![0; pieces.len()])];
    if pieces.len() <= SHORT_TERM {
        // every combination, odometer order from the last piece
        let mut choice = vec![0usize; pieces.len()];
        'odometer: while out.len() < max {
            let mut i = pieces.len();
            loop {
                if i == 0 {
                    break 'odometer;
                }
                i -= 1;
                choice[i] += 1;
                if choice[i] < pieces[i].len() {
                    break;
                }
                choice[i] = 0;
            }
            out.push(reading_of(pieces, &choice));
        }
    } else {
        for (i, p) in pieces.iter().enumerate() {
            for alt in 1..p.len() {
                if out.len() >= max {
                    return out;
                }
                let mut choice = vec![0; pieces.len()];
                choice[i] = alt;
                out.push(reading_of(pieces, &choice));
            }
        }
    }
    out
}

/// What a query typed in Latin letters is: two or more letters (an
/// apostrophe or space between syllables allowed), nothing else.
pub fn as_pinyin(q: &str) -> Option<String> {
    let letters: String =
        q.chars().filter(|c| !matches!(c, '\'' | ' ' | '’')).map(|c| c.to_ascii_lowercase()).collect();
    (letters.len() >= 2 && letters.len() <= 60 && letters.bytes().all(|b| b.is_ascii_lowercase())).then_some(letters)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    /// A word, a recurring word pair, a 发布机构 or a user-dictionary word.
    Term,
    Title,
    DocNumber,
}

impl TermKind {
    pub fn name(self) -> &'static str {
        match self {
            TermKind::Term => "term",
            TermKind::Title => "title",
            TermKind::DocNumber => "doc_number",
        }
    }
}

#[derive(Debug)]
struct Term {
    text: Box<str>,
    count: u32,
    kind: TermKind,
}

/// One way to reach a term by typing: a key (full pinyin or initials, from
/// the start of the term or of one of its pieces).
#[derive(Debug)]
struct Key {
    key: Box<str>,
    term: u32,
    /// The piece of the term the key starts at (0: its start).
    piece: u8,
    at_start: bool,
}

/// The catalogue's vocabulary with its pinyin.
#[derive(Debug, Default)]
pub struct Lexicon {
    terms: Vec<Term>,
    /// Sorted by key.
    keys: Vec<Key>,
    /// The whole full pinyin of a term (any of its readings) → terms.
    exact: HashMap<Box<str>, Vec<u32>>,
    /// A term's text → the term.
    by_text: HashMap<Box<str>, u32>,
}

/// What a [`Lexicon`] is built from.
#[derive(Debug, Default)]
pub struct Sources<'a> {
    pub titles: Vec<&'a str>,
    pub doc_numbers: Vec<&'a str>,
    pub publishers: Vec<&'a str>,
    /// Words that are vocabulary even when no title holds them (the user dictionary).
    pub words: Vec<&'a str>,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// At least two characters, all of them Han.
fn is_han_word(w: &str) -> bool {
    w.chars().count() >= 2 && w.chars().all(is_han)
}

impl Lexicon {
    pub fn build(src: &Sources<'_>) -> Lexicon {
        let mut counts: HashMap<&str, (u32, TermKind)> = HashMap::new();
        let mut pairs: HashMap<String, u32> = HashMap::new();
        let jieba = crate::analysis::jieba();
        for title in &src.titles {
            let words: Vec<&str> =
                jieba.cut(title, false).into_iter().map(|t| t.word).filter(|w| is_han_word(w)).collect();
            for w in &words {
                counts.entry(w).or_insert((0, TermKind::Term)).0 += 1;
            }
            for pair in words.windows(2) {
                if pair[0].chars().count() + pair[1].chars().count() <= MAX_CORRECTION_CHARS {
                    *pairs.entry(format!("{}{}", pair[0], pair[1])).or_default() += 1;
                }
            }
        }
        for &w in src.publishers.iter().chain(&src.words) {
            if w.chars().any(is_han) {
                counts.entry(w).or_insert((0, TermKind::Term)).0 += 1;
            }
        }
        let mut lex = Lexicon::default();
        let add = |lex: &mut Lexicon, text: &str, count: u32, kind: TermKind| {
            if lex.by_text.contains_key(text) {
                return;
            }
            let id = lex.terms.len() as u32;
            lex.terms.push(Term { text: text.into(), count, kind });
            lex.by_text.insert(text.into(), id);
            let ps = pieces(text);
            let term = kind == TermKind::Term;
            let keyed = if term { ps.len() } else { ps.len().min(TITLE_PIECES) };
            let readings = readings_of_pieces(&ps[..keyed], if term { MAX_VARIANTS } else { MAX_TITLE_VARIANTS });
            for r in &readings {
                if term {
                    lex.exact.entry(r.full.as_str().into()).or_default().push(id);
                }
                let cut = |k: &str| -> Box<str> { if term { k.into() } else { cut_to(k, TITLE_KEY_BYTES).into() } };
                lex.keys.push(Key { key: cut(&r.full), term: id, piece: 0, at_start: true });
                if r.initials.len() >= 2 {
                    lex.keys.push(Key { key: cut(&r.initials), term: id, piece: 0, at_start: true });
                }
                // a word is also reached from inside it (公积金 in 住房公积金), by its full pinyin
                if term && ps.len() <= SHORT_TERM {
                    for i in 1..ps.len() {
                        lex.keys.push(Key {
                            key: r.full[r.full_starts[i]..].into(),
                            term: id,
                            piece: i as u8,
                            at_start: false,
                        });
                    }
                }
            }
        };
        let mut words: Vec<(&str, (u32, TermKind))> = counts.into_iter().collect();
        words.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
        for (w, (n, kind)) in words.into_iter().take(MAX_WORDS) {
            add(&mut lex, w, n, kind);
        }
        let mut recurring: Vec<(String, u32)> = pairs.into_iter().filter(|(_, n)| *n >= MIN_PAIR_COUNT).collect();
        recurring.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (p, n) in recurring.into_iter().take(MAX_PAIRS) {
            add(&mut lex, &p, n, TermKind::Term);
        }
        if src.titles.len() <= MAX_PINYIN_TITLES {
            for t in &src.titles {
                add(&mut lex, t, 1, TermKind::Title);
            }
        }
        for d in &src.doc_numbers {
            add(&mut lex, d, 1, TermKind::DocNumber);
        }
        lex.keys.sort_by(|a, b| a.key.cmp(&b.key));
        lex.keys.dedup_by(|a, b| a.key == b.key && a.term == b.term);
        lex
    }

    /// Terms, titles and 文号 whose pinyin (full or initials) starts with
    /// `letters`: those whose own start it is first, then those it starts
    /// inside (公积金 in 住房公积金), each group most frequent first.
    pub fn suggest(&self, letters: &str, limit: usize) -> Vec<(String, TermKind)> {
        let start = self.keys.partition_point(|k| &*k.key < letters);
        let mut found: Vec<(bool, bool, u32)> = Vec::new();
        let mut at: HashMap<u32, usize> = HashMap::new();
        for k in self.keys[start..].iter().take(PREFIX_SCAN).take_while(|k| k.key.starts_with(letters)) {
            let whole = &*k.key == letters;
            match at.get(&k.term) {
                Some(&i) => {
                    found[i].0 |= k.at_start;
                    found[i].1 |= whole && k.at_start;
                }
                None => {
                    at.insert(k.term, found.len());
                    found.push((k.at_start, whole && k.at_start, k.term));
                }
            }
        }
        found.sort_by(|a, b| {
            let (ta, tb) = (&self.terms[a.2 as usize], &self.terms[b.2 as usize]);
            b.1.cmp(&a.1)
                .then(b.0.cmp(&a.0))
                .then(ta.kind.cmp(&tb.kind))
                .then(tb.count.cmp(&ta.count))
                .then(ta.text.chars().count().cmp(&tb.text.chars().count()))
                .then_with(|| ta.text.cmp(&tb.text))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, t)| {
                let t = &self.terms[t as usize];
                (t.text.to_string(), t.kind)
            })
            .collect()
    }

    /// The characters a query typed wholly in full pinyin stands for: the
    /// most frequent term read exactly so (`gongjijin` → 公积金).
    pub fn characters_of(&self, letters: &str) -> Option<String> {
        let whole = self.exact.get(letters).into_iter().flatten().map(|&i| &self.terms[i as usize]);
        let best = whole
            .filter(|t| t.kind == TermKind::Term)
            .max_by(|a, b| a.count.cmp(&b.count).then_with(|| b.text.cmp(&a.text)));
        if let Some(t) = best {
            return Some(t.text.to_string());
        }
        // else the stretch of a word read so (gongkai → the 公开 of 政府信息公开)
        self.stretches(letters, None)
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(text, _)| text)
    }

    /// A correction of `query`: each stretch of Han characters that reads
    /// like a vocabulary term but is written otherwise (a wrong homophone)
    /// and is much rarer than that term is replaced by it, longest first,
    /// left to right. `None` when nothing is replaced.
    pub fn correct(&self, query: &str) -> Option<String> {
        let chars: Vec<char> = query.chars().collect();
        let mut out = String::new();
        let mut changed = false;
        let mut i = 0;
        while i < chars.len() {
            if !is_han(chars[i]) {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let run_end = (i..chars.len()).find(|&j| !is_han(chars[j])).unwrap_or(chars.len());
            let mut replaced = None;
            for len in (2..=(run_end - i).min(MAX_CORRECTION_CHARS)).rev() {
                let sub: String = chars[i..i + len].iter().collect();
                if let Some(better) = self.better_term(&sub) {
                    replaced = Some((len, better));
                    break;
                }
            }
            match replaced {
                Some((len, better)) => {
                    out.push_str(&better);
                    changed = true;
                    i += len;
                }
                None => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        changed.then_some(out)
    }

    /// What `sub` was likely meant to be: the same number of characters,
    /// read the same, written otherwise somewhere in the vocabulary (a whole
    /// term or the stretch of one at the same reading: 公凯 → the 公开 of
    /// 政府信息公开), in terms seen at least twice and three times as often
    /// as `sub` itself.
    fn better_term(&self, sub: &str) -> Option<String> {
        let n = sub.chars().count();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for r in readings_of(sub) {
            for (text, count) in self.stretches(&r.full, Some(n)) {
                *seen.entry(text).or_default() += count;
            }
        }
        let own = seen.get(sub).copied().unwrap_or(0);
        seen.into_iter()
            .filter(|(text, count)| text != sub && *count >= 2 && *count >= own.saturating_mul(3).max(1))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(text, _)| text)
    }

    /// The stretches of vocabulary words read exactly `full` (of `chars`
    /// characters when given, else of two or more), with how often the
    /// words holding them occur.
    fn stretches(&self, full: &str, chars: Option<usize>) -> HashMap<String, u32> {
        let mut seen: HashMap<String, u32> = HashMap::new();
        let start = self.keys.partition_point(|k| *k.key < *full);
        for k in self.keys[start..].iter().take(PREFIX_SCAN).take_while(|k| k.key.starts_with(full)) {
            let t = &self.terms[k.term as usize];
            if t.kind != TermKind::Term || !is_han_word(&t.text) {
                continue;
            }
            let rest: Vec<char> = t.text.chars().skip(k.piece as usize).collect();
            let lengths = match chars {
                Some(n) => n..=n,
                None => 2..=rest.len().min(MAX_CORRECTION_CHARS),
            };
            for m in lengths {
                let stretch: String = rest.iter().take(m).collect();
                // read so exactly, not only starting so (公开 in 公开发布, not in 公开法)
                if stretch.chars().count() == m && readings_of(&stretch).iter().any(|x| x.full == full) {
                    *seen.entry(stretch).or_default() += t.count;
                    break;
                }
            }
        }
        seen
    }

    /// Terms held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Keys held and the heap bytes they and the terms take, roughly.
    pub fn footprint(&self) -> (usize, usize) {
        let keys: usize = self.keys.iter().map(|k| k.key.len() + std::mem::size_of::<Key>()).sum();
        let terms: usize = self.terms.iter().map(|t| 2 * t.text.len() + std::mem::size_of::<Term>() + 48).sum();
        let exact: usize = self.exact.iter().map(|(k, v)| k.len() + 4 * v.len() + 64).sum();
        (self.keys.len(), keys + terms + exact)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn lexicon() -> Lexicon {
        let titles = vec![
            "关于印发规范性文件管理办法的通知",
            "规范性文件备案审查规定",
            "住房公积金管理条例",
            "关于调整住房公积金缴存比例的通知",
            "住房公积金提取办法",
            "中国人民银行关于银行卡业务的通知",
            "行政许可实施办法",
            "行政处罚程序规定",
        ];
        Lexicon::build(&Sources {
            titles,
            doc_numbers: vec!["国办发〔2019〕5号"],
            publishers: vec!["住房和城乡建设部"],
            words: vec!["规范性文件", "住房公积金", "公积金"],
        })
    }

    fn texts(found: Vec<(String, TermKind)>) -> Vec<String> {
        found.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn readings_cover_every_reading_of_short_terms() {
        let fulls: Vec<String> = readings_of("银行").into_iter().map(|r| r.full).collect();
        assert!(fulls.contains(&"yinhang".to_owned()) && fulls.contains(&"yinxing".to_owned()), "{fulls:?}");
        let r = &readings_of("规范性文件")[0];
        assert_eq!((r.full.as_str(), r.initials.as_str()), ("guifanxingwenjian", "gfxwj"));
        assert_eq!(readings_of("国发〔2019〕5号")[0].initials, "gf20195h", "digits typed as they are");
        assert_eq!(readings_of("旅游")[0].full, "lvyou", "ü typed as v");
        assert!(readings_of("绿色出行乐园女").iter().all(|r| r.full.is_ascii() && r.initials.is_ascii()));
        assert_eq!(cut_to("abü", 3), "ab");
        assert!(readings_of("").is_empty());
        assert!(readings_of(&"和".repeat(40)).len() <= MAX_VARIANTS, "bounded for long texts");
        assert!(readings_of("和和").len() <= MAX_VARIANTS, "and for short ones");
    }

    #[test]
    fn initials_and_full_pinyin_suggest_terms_and_titles() {
        let lex = lexicon();
        let got = texts(lex.suggest("gfxwj", 5));
        assert_eq!(got.first().map(String::as_str), Some("规范性文件"), "{got:?}");
        assert!(got.iter().any(|t| t == "规范性文件备案审查规定"), "a title that starts so: {got:?}");
        assert!(texts(lex.suggest("guifanxing", 5)).contains(&"规范性文件".to_owned()));
        let got = texts(lex.suggest("gongjijin", 5));
        assert!(got.contains(&"公积金".to_owned()) && got.contains(&"住房公积金".to_owned()), "{got:?}");
        let got = texts(lex.suggest("yinhang", 5));
        assert!(
            got.contains(&"银行卡".to_owned()) && got.contains(&"中国人民银行".to_owned()),
            "行 read háng: {got:?}"
        );
        let got = texts(lex.suggest("xingzheng", 5));
        assert!(got.len() >= 2 && got.iter().all(|t| t.starts_with("行政")), "行 read xíng: {got:?}");
        assert!(lex.suggest("qqqq", 5).is_empty());
    }

    #[test]
    fn pinyin_queries_stand_for_their_characters() {
        let lex = lexicon();
        assert_eq!(lex.characters_of("gongjijin").as_deref(), Some("公积金"));
        assert_eq!(lex.characters_of("zhufanggongjijin").as_deref(), Some("住房公积金"));
        assert_eq!(lex.characters_of("jiaocun").as_deref(), Some("缴存"), "a word's own reading");
        assert_eq!(lex.characters_of("beian").as_deref(), Some("备案"));
        assert_eq!(lex.characters_of("gongjij"), None, "whole syllables only");
        assert_eq!(as_pinyin("Gong'Ji Jin").as_deref(), Some("gongjijin"));
        assert_eq!(as_pinyin("公积金"), None);
        assert_eq!(as_pinyin("g"), None);
    }

    #[test]
    fn wrong_homophones_are_corrected_from_the_vocabulary() {
        let lex = lexicon();
        assert_eq!(lex.correct("规范姓文件").as_deref(), Some("规范性文件"));
        assert_eq!(lex.correct("住房公积今").as_deref(), Some("住房公积金"));
        assert_eq!(lex.correct("住房公积今 提取").as_deref(), Some("住房公积金 提取"));
        assert_eq!(lex.correct("规范性文件"), None, "nothing to correct");
        assert_eq!(lex.correct("火星探测"), None, "no term reads like it");
        assert_eq!(lex.correct("备案审察").as_deref(), Some("备案审查"), "a stretch inside a longer term");
    }
}
