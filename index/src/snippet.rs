//! Snippets: the best passage of a text with every query match marked.
//!
//! Matching is a single Aho-Corasick pass for the query's normalised strings
//! over the stored text: no re-segmentation of a long body per hit. The text
//! is scanned as stored first (most government text is already simplified and
//! half-width); only when that finds nothing is a bounded prefix normalised
//! and scanned again, with positions mapped back character for character.
//!
//! Highlights are data: a text and the byte ranges of its matches
//! ([`Highlighted`]), and for a snippet where its passage came from
//! ([`SnippetSource`]). The index emits no markup; each edge renders them its
//! own way (the web page and the JSON API as escaped HTML with `<mark>`, the
//! CLI with its own markers).

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::normalize::normalize_char;

/// Characters in a body snippet.
pub const SNIPPET_CHARS: usize = 120;
/// Characters of context kept before the first match in the window.
const LEAD_CHARS: usize = 24;
/// Most matches considered when choosing the window.
const MAX_MATCHES: usize = 4000;
/// Characters normalised on the fallback path.
const FALLBACK_CHARS: usize = 100_000;

/// A text and the byte ranges of its matches: in order, not overlapping, not
/// empty, on `char` boundaries and inside the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlighted {
    pub text: String,
    pub ranges: Vec<Range<usize>>,
}

/// Where a snippet's passage came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum SnippetSource {
    /// The body text.
    #[default]
    Body,
    /// The text of an attachment (the body had no match).
    Attachment {
        /// The attachment's name (its link text).
        name: String,
    },
}

/// A passage of a document with its matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The passage; its line breaks are the stored text's.
    pub passage: Highlighted,
    pub from: SnippetSource,
    /// Text was left out before the passage.
    pub cut_before: bool,
    /// Text was left out after it.
    pub cut_after: bool,
}

impl Snippet {
    /// True when the passage holds a match.
    pub fn has_match(&self) -> bool {
        !self.passage.ranges.is_empty()
    }
}

/// Marks the matches of a fixed set of normalised strings.
pub struct Highlighter {
    ac: Option<AhoCorasick>,
    patterns: usize,
}

impl Highlighter {
    /// `terms` are normalised query strings (words and phrases); empty ones are ignored.
    pub fn new(terms: &[String]) -> Highlighter {
        let mut pats: Vec<&str> = terms.iter().map(|t| t.as_str()).filter(|t| !t.trim().is_empty()).collect();
        pats.sort();
        pats.dedup();
        let patterns = pats.len();
        let ac = if pats.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&pats)
                .ok()
        };
        Highlighter { ac, patterns }
    }

    /// Byte ranges (in `text`) of matches and their pattern ids.
    fn matches(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let mut out: Vec<(usize, usize, usize)> =
            ac.find_iter(text).take(MAX_MATCHES).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
        if out.is_empty() {
            // Fallback: normalise a bounded prefix and map positions back.
            let mut norm = String::new();
            let mut starts = Vec::new();
            let mut end_orig = 0;
            for (b, c) in text.char_indices().take(FALLBACK_CHARS) {
                starts.push((norm.len(), b));
                norm.push(normalize_char(c));
                end_orig = b + c.len_utf8();
            }
            starts.push((norm.len(), end_orig));
            let map = |nb: usize| -> usize {
                match starts.binary_search_by(|(n, _)| n.cmp(&nb)) {
                    Ok(i) => starts[i].1,
                    Err(i) => starts[i.saturating_sub(1)].1,
                }
            };
            out = ac
                .find_iter(&norm)
                .take(MAX_MATCHES)
                .map(|m| (map(m.start()), map(m.end()), m.pattern().as_usize()))
                .collect();
        }
        out
    }

    /// The ranges of every match in the whole `text` (for titles).
    pub fn highlight_all(&self, text: &str) -> Vec<Range<usize>> {
        let ms = self.matches(text);
        ranges_in(0, text.len(), &ms)
    }

    /// The best window of about [`SNIPPET_CHARS`] characters of `text`, with its matches.
    pub fn snippet(&self, text: &str) -> Snippet {
        self.snippet_at(text).0
    }

    /// [`Highlighter::snippet`] and where its passage starts in `text` (a byte offset).
    pub(crate) fn snippet_at(&self, text: &str) -> (Snippet, usize) {
        let ms = self.matches(text);
        if ms.is_empty() {
            let end = text.char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(b, _)| b);
            let snippet = Snippet {
                passage: Highlighted { text: text[..end].to_owned(), ranges: Vec::new() },
                from: SnippetSource::Body,
                cut_before: false,
                cut_after: end < text.len(),
            };
            return (snippet, 0);
        }
        // Choose the window (starting at a match) covering the most distinct
        // patterns, then the most matches: a two-pointer pass over the matches.
        let win_bytes = SNIPPET_CHARS * 3;
        let mut best = (0usize, 0usize, 0usize); // (distinct, count, first match index)
        let mut seen = vec![0u32; self.patterns.max(1)];
        let mut distinct = 0usize;
        let mut j = 0usize;
        for i in 0..ms.len() {
            while j < ms.len() && ms[j].1 <= ms[i].0 + win_bytes {
                if seen[ms[j].2] == 0 {
                    distinct += 1;
                }
                seen[ms[j].2] += 1;
                j += 1;
            }
            if (distinct, j - i) > (best.0, best.1) {
                best = (distinct, j - i, i);
            }
            seen[ms[i].2] -= 1;
            if seen[ms[i].2] == 0 {
                distinct -= 1;
            }
        }
        let first = ms[best.2].0;
        // Back up LEAD_CHARS characters, but not past a line start.
        let mut start = first;
        for (k, (b, c)) in text[..first].char_indices().rev().enumerate() {
            if c == '\n' || k >= LEAD_CHARS {
                break;
            }
            start = b;
        }
        let end = text[start..].char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(b, _)| start + b);
        let ranges = ranges_in(start, end, &ms).into_iter().map(|r| r.start - start..r.end - start).collect();
        let snippet = Snippet {
            passage: Highlighted { text: text[start..end].to_owned(), ranges },
            from: SnippetSource::Body,
            cut_before: start > 0,
            cut_after: end < text.len(),
        };
        (snippet, start)
    }
}

/// The parts of the matches `ms` inside `text[start..end]`, clipped to it and
/// to each other, in order.
fn ranges_in(start: usize, end: usize, ms: &[(usize, usize, usize)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut pos = start;
    for &(s, e, _) in ms {
        if e <= pos || s >= end {
            continue;
        }
        let s = s.max(pos);
        let e = e.min(end);
        out.push(s..e);
        pos = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, ranges: &[Range<usize>]) -> String {
        let mut out = String::new();
        let mut pos = 0;
        for r in ranges {
            out.push_str(&text[pos..r.start]);
            out.push('[');
            out.push_str(&text[r.clone()]);
            out.push(']');
            pos = r.end;
        }
        out.push_str(&text[pos..]);
        out
    }

    #[test]
    fn marks_exact_characters_and_leaves_the_text_as_it_is() {
        let h = Highlighter::new(&["规范性文件".into()]);
        let t = "<b>规范性文件</b>管理";
        assert_eq!(marked(t, &h.highlight_all(t)), "<b>[规范性文件]</b>管理");
    }

    #[test]
    fn traditional_text_is_marked_through_normalisation() {
        let h = Highlighter::new(&["规范性文件".into()]);
        let t = "關於規範性文件";
        assert_eq!(marked(t, &h.highlight_all(t)), "關於[規範性文件]");
    }

    #[test]
    fn window_prefers_the_passage_with_all_terms() {
        let filler = "无关内容。".repeat(100);
        let text = format!("政府{filler}政府和条例在这里{filler}");
        let h = Highlighter::new(&["政府".into(), "条例".into()]);
        let s = h.snippet(&text);
        let m = marked(&s.passage.text, &s.passage.ranges);
        assert!(m.contains("[政府]和[条例]"), "{m}");
        assert!(s.cut_before && s.cut_after && s.has_match());
        assert_eq!(s.from, SnippetSource::Body);
    }

    #[test]
    fn no_match_gives_the_opening() {
        let h = Highlighter::new(&[]);
        let s = h.snippet("短文本");
        assert_eq!(
            (s.passage.text.as_str(), s.has_match(), s.cut_before, s.cut_after),
            ("短文本", false, false, false)
        );
        let long = "字".repeat(SNIPPET_CHARS + 1);
        let s = h.snippet(&long);
        assert_eq!((s.passage.text.chars().count(), s.cut_after), (SNIPPET_CHARS, true));
    }
}
