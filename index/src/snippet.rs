//! Snippets: the best passage of a text with every query match marked.
//!
//! Matching is a single Aho-Corasick pass for the query's normalised strings
//! over the stored text: no re-segmentation of a long body per hit. The text
//! is scanned as stored first (most government text is already simplified and
//! half-width); only when that finds nothing is a bounded prefix normalised
//! and scanned again, with positions mapped back character for character.
//! Output is HTML-escaped except for the `<mark>` tags.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::normalize::normalize_char;

/// Characters in a body snippet.
pub const SNIPPET_CHARS: usize = 120;
/// Characters of context kept before the first match in the window.
const LEAD_CHARS: usize = 24;
/// Most matches considered when choosing the window.
const MAX_MATCHES: usize = 4000;
/// Characters normalised on the fallback path.
const FALLBACK_CHARS: usize = 100_000;

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

    /// The whole `text`, escaped, with every match marked (for titles).
    pub fn highlight_all(&self, text: &str) -> String {
        let ms = self.matches(text);
        render(text, 0, text.len(), &ms)
    }

    /// The best window of about [`SNIPPET_CHARS`] characters, escaped and marked.
    pub fn snippet(&self, text: &str) -> String {
        let ms = self.matches(text);
        if ms.is_empty() {
            let end = text.char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(b, _)| b);
            let mut s = render(text, 0, end, &[]);
            if end < text.len() {
                s.push('…');
            }
            return s;
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
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(&render(text, start, end, &ms));
        if end < text.len() {
            out.push('…');
        }
        out
    }
}

/// Escape `text[start..end]`, wrapping the parts of `ms` inside it in `<mark>`.
fn render(text: &str, start: usize, end: usize, ms: &[(usize, usize, usize)]) -> String {
    let mut out = String::with_capacity((end - start) + 32);
    let mut pos = start;
    for &(s, e, _) in ms {
        if e <= pos || s >= end {
            continue;
        }
        let s = s.max(pos);
        let e = e.min(end);
        escape_into(&text[pos..s], &mut out);
        out.push_str("<mark>");
        escape_into(&text[s..e], &mut out);
        out.push_str("</mark>");
        pos = e;
    }
    escape_into(&text[pos..end], &mut out);
    out
}

/// HTML-escape `s` into `out`; newlines become spaces.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_exact_characters_and_escapes() {
        let h = Highlighter::new(&["规范性文件".into()]);
        assert_eq!(h.highlight_all("<b>规范性文件</b>管理"), "&lt;b&gt;<mark>规范性文件</mark>&lt;/b&gt;管理");
    }

    #[test]
    fn traditional_text_is_marked_through_normalisation() {
        let h = Highlighter::new(&["规范性文件".into()]);
        assert_eq!(h.highlight_all("關於規範性文件"), "關於<mark>規範性文件</mark>");
    }

    #[test]
    fn window_prefers_the_passage_with_all_terms() {
        let filler = "无关内容。".repeat(100);
        let text = format!("政府{filler}政府和条例在这里{filler}");
        let h = Highlighter::new(&["政府".into(), "条例".into()]);
        let s = h.snippet(&text);
        assert!(s.contains("<mark>政府</mark>和<mark>条例</mark>"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'));
    }

    #[test]
    fn no_match_gives_the_opening() {
        let h = Highlighter::new(&[]);
        assert_eq!(h.snippet("短文本"), "短文本");
    }
}
