//! The query language, parsed into a small tree (pure; never fails).
//!
//! ```text
//! 政府 条例              all words required (relaxed to any word if that finds nothing)
//! "人民共和国政府"        exact phrase (substring of the normalised text)
//! -废止                  exclude
//! title:公积金 标题:公积金  in the title only
//! 文号:国发〔2019〕5号     document number (any bracket style); doc_number: too
//! 医保 OR 社保            either
//! ```
//! Malformed input (an unbalanced quote, a dangling `-` or `OR`, an empty
//! field prefix) degrades to a literal reading and a note says so.

use crate::normalize::normalize_collapse;
use crate::query_types::MAX_QUERY_CHARS;

/// Where a term must be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Title, body, attachments, 文号/发布机构/索引号.
    Any,
    Title,
    DocNumber,
}

/// One term of the query (normalised text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QTerm {
    pub text: String,
    /// Quoted: exact phrase, no word splitting, no synonyms.
    pub phrase: bool,
    pub scope: Scope,
}

/// A required group: any of its terms (more than one only with OR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub any_of: Vec<QTerm>,
    pub negated: bool,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Group>,
    /// The normalised query text.
    pub normalized: String,
    pub truncated: bool,
    /// Notes on what was ignored or read literally.
    pub notes: Vec<String>,
    /// True when some syntax was malformed and read literally.
    pub literal_fallback: bool,
}

impl ParsedQuery {
    /// True when nothing searchable is left (an empty query lists everything).
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.negated)
    }
}

fn scope_of(prefix: &str) -> Option<Scope> {
    match prefix {
        "title" | "标题" | "题名" => Some(Scope::Title),
        "文号" | "发文字号" | "doc_number" | "docnumber" => Some(Scope::DocNumber),
        _ => None,
    }
}

/// Parse a user query. Never fails; see the module doc.
pub fn parse(raw: &str) -> ParsedQuery {
    let mut pq = ParsedQuery::default();
    let cut: String =
        raw.chars().filter(|c| !c.is_control() || *c == '\t' || *c == '\n').take(MAX_QUERY_CHARS).collect();
    if raw.chars().count() > MAX_QUERY_CHARS {
        pq.truncated = true;
        pq.notes.push(format!("query cut to its first {MAX_QUERY_CHARS} characters"));
    }
    // Curly quotes count as quotes.
    let text = normalize_collapse(&cut.replace(['“', '”', '「', '」', '＂'], "\""));
    pq.normalized = text.clone();

    let quotes = text.matches('"').count();
    let quotes_ok = quotes.is_multiple_of(2);
    if !quotes_ok {
        pq.notes.push("unbalanced quote ignored".into());
        pq.literal_fallback = true;
    }

    // Lex into raw items: (negated, scope, text, phrase) and OR markers.
    enum Item {
        Term(QTerm, bool),
        Or,
    }
    let mut items: Vec<Item> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        let mut scope = Scope::Any;
        let mut j = i;
        if chars[j] == '-' && j + 1 < chars.len() && !chars[j + 1].is_whitespace() && chars[j + 1] != '-' {
            negated = true;
            j += 1;
        }
        // field prefix
        if let Some(colon) = chars[j..].iter().take(12).position(|&c| c == ':') {
            let prefix: String = chars[j..j + colon].iter().collect();
            if let Some(s) = scope_of(&prefix) {
                if j + colon + 1 < chars.len() && !chars[j + colon + 1].is_whitespace() {
                    scope = s;
                    j += colon + 1;
                } else {
                    pq.notes.push(format!("empty {prefix}: ignored"));
                    pq.literal_fallback = true;
                    i = j + colon + 1;
                    continue;
                }
            }
        }
        if quotes_ok && j < chars.len() && chars[j] == '"' {
            let close = chars[j + 1..].iter().position(|&c| c == '"').map(|p| j + 1 + p);
            if let Some(close) = close {
                let phrase: String = chars[j + 1..close].iter().collect();
                if !phrase.trim().is_empty() {
                    items.push(Item::Term(QTerm { text: phrase.trim().to_owned(), phrase: true, scope }, negated));
                }
                i = close + 1;
                continue;
            }
        }
        let mut k = j;
        while k < chars.len() && !chars[k].is_whitespace() && !(quotes_ok && chars[k] == '"' && k > j) {
            k += 1;
        }
        let word: String = chars[j..k].iter().filter(|&&c| c != '"').collect();
        i = k.max(i + 1);
        if (word == "OR" || word == "or" || word == "|") && scope == Scope::Any && !negated {
            items.push(Item::Or);
            continue;
        }
        // The document-number scope keeps spaces: 文号:粤公规2020 3号 is read whole.
        let word = if scope == Scope::DocNumber {
            let mut w = word;
            while i < chars.len() {
                let rest: String = chars[i..].iter().collect();
                let next = rest.split_whitespace().next().unwrap_or("");
                if next.is_empty()
                    || !next.chars().all(|c| c.is_ascii_digit() || c == '号' || c == '第' || c == '[' || c == ']')
                {
                    break;
                }
                let skip = rest.find(next).unwrap_or(0) + next.len();
                w.push(' ');
                w.push_str(next);
                i += rest[..skip].chars().count();
            }
            w
        } else {
            word
        };
        if word.chars().any(char::is_alphanumeric) {
            items.push(Item::Term(QTerm { text: word, phrase: false, scope }, negated));
        } else if !word.is_empty() {
            pq.notes.push(format!("{word:?} has nothing to search for and was ignored"));
        }
    }

    // Fold OR markers into groups.
    let mut pending_or = false;
    for item in items {
        match item {
            Item::Or => {
                if pq.groups.last().is_some_and(|g| !g.negated) {
                    pending_or = true;
                } else {
                    pq.notes.push("OR without a term before it ignored".into());
                    pq.literal_fallback = true;
                }
            }
            Item::Term(t, negated) => {
                if pending_or && !negated {
                    if let Some(g) = pq.groups.last_mut() {
                        g.any_of.push(t);
                    }
                } else {
                    pq.groups.push(Group { any_of: vec![t], negated });
                }
                pending_or = false;
            }
        }
    }
    if pending_or {
        pq.notes.push("OR without a term after it ignored".into());
        pq.literal_fallback = true;
    }
    pq
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<(Vec<(String, bool, Scope)>, bool)> {
        parse(q)
            .groups
            .into_iter()
            .map(|g| (g.any_of.into_iter().map(|t| (t.text, t.phrase, t.scope)).collect(), g.negated))
            .collect()
    }

    #[test]
    fn words_phrases_exclusions_fields_or() {
        assert_eq!(
            terms(r#"政府 "人民共和国政府" -废止 title:公积金 医保 OR 社保"#),
            vec![
                (vec![("政府".into(), false, Scope::Any)], false),
                (vec![("人民共和国政府".into(), true, Scope::Any)], false),
                (vec![("废止".into(), false, Scope::Any)], true),
                (vec![("公积金".into(), false, Scope::Title)], false),
                (vec![("医保".into(), false, Scope::Any), ("社保".into(), false, Scope::Any)], false),
            ]
        );
    }

    #[test]
    fn doc_number_scope_reads_spaced_numbers_whole() {
        assert_eq!(
            terms("文号:粤公规2020 3号"),
            vec![(vec![("粤公规2020 3号".into(), false, Scope::DocNumber)], false)]
        );
        assert_eq!(
            terms("文号：国发〔2019〕5号"),
            vec![(vec![("国发[2019]5号".into(), false, Scope::DocNumber)], false)]
        );
    }

    #[test]
    fn curly_quotes_and_full_width() {
        assert_eq!(terms("“规范性文件”"), vec![(vec![("规范性文件".into(), true, Scope::Any)], false)]);
    }

    #[test]
    fn malformed_degrades_with_a_note() {
        let p = parse(r#""政府 条例"#);
        assert!(p.literal_fallback);
        assert_eq!(p.groups.len(), 2);
        let p = parse("OR 政府 OR");
        assert!(p.literal_fallback);
        assert_eq!(p.groups.len(), 1);
        let p = parse("，。！");
        assert!(p.is_empty());
        let p = parse(&"长".repeat(10_000));
        assert!(p.truncated);
        assert_eq!(p.normalized.chars().count(), MAX_QUERY_CHARS);
        assert!(parse("- -- title: \u{0}\u{7}").is_empty());
    }
}
