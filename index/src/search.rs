//! Search: from a `SearchRequest` to ranked, highlighted, faceted hits.
//!
//! # How a document matches and how it is ranked
//!
//! *Matching* is decided on the n-gram fields only, so it never depends on
//! how jieba cut the document: every query word (jieba's default cut of each
//! unquoted term, or a quoted phrase whole) must occur as an exact substring
//! of the normalised title, body, attachments or 文号/发布机构/索引号
//! (`NgramPhrase`). A word with synonyms may be found through any of them.
//! When that finds nothing and the query had several words, it is run again
//! with any word enough (`QueryInfo::relaxed`).
//!
//! *Ranking* adds, on top of the n-gram phrase scores (title ×3, 文号 etc. ×2,
//! body ×1; every weight is a constant of `rank`):
//! * BM25 over jieba words in the title (×2) (bodies are ranked by their
//!   n-gram phrase scores, which count the same occurrences);
//! * the whole unquoted term as a phrase in the title (×4) and body (×1.5):
//!   exact phrases beat scattered words. The body one is added to the top
//!   [`RESCORE_WINDOW`] hits only, which are then ranked again (see
//!   `Catalogue::collect_ranked`): it reads positions, and for common words it
//!   was most of a broad query's time at 1M documents;
//! * the whole query equal to the whole title (×12);
//! * a document number recognised in the query equal to the document's (×40):
//!   typing 粤公规2020 3号 puts that document first;
//! * then `rank::tweak`: 失效/废止 documents ×0.7 (still found, below valid ones of
//!   equal relevance) and up to +2% for recency, so newer documents win ties.

use std::collections::HashSet;
use std::ops::Bound;
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Order, Score, Searcher, Term};

use crate::analysis::{ngram_tokens, query_words};
use crate::any_of::{AnyOf, Part};
use crate::catalogue::{Catalogue, title_key};
use crate::error::{Error, Result};
use crate::facets::FacetCollector;
use crate::normalize::{is_cjk, normalize_char};
use crate::query::{ParsedQuery, QTerm, Scope, parse};
use crate::query_types::*;
use crate::schema::{Fields, day_number};
use crate::snippet::{Highlighter, Snippet, SnippetSource};
use crate::tuning::{PARALLEL_FROM_DOCS, search_threads};
use crate::{docnum, rank, synonyms};

/// Default page size.
pub const DEFAULT_PAGE_SIZE: usize = 10;

/// Hits by relevance that the costly boosts (see `TermPlan::rescore`) are
/// added to before the final ranking, as Lucene's `QueryRescorer` does.
const RESCORE_WINDOW: usize = 200;

/// The verbatim pass runs when the rarest n-gram of the query is in at most
/// this many documents' bodies (the cost of checking every holder's
/// positions); past it, the holders are so many that the top of the word
/// ranking holds them anyway and the rescoring window decides.
const VERBATIM_MAX_DF: u64 = 50_000;

/// The whole query as one phrase, when it is one unquoted stretch of several
/// words (a sentence pasted without quotes): documents whose title or body
/// hold it side by side come first, ranked among themselves by the main
/// query ([`Catalogue::collect_ranked`]). `None` when the query is anything
/// else, or when the phrase is too common to check every holder.
fn verbatim_query(f: &Fields, searcher: &Searcher, pq: &ParsedQuery, main: &dyn Query) -> Option<Box<dyn Query>> {
    let [group] = pq.groups.as_slice() else { return None };
    let [term] = group.any_of.as_slice() else { return None };
    if group.negated || term.phrase || term.scope != Scope::Any || query_words(&term.text).len() < 2 {
        return None;
    }
    let phrase = NgramPhrase::new(&term.text)?;
    let rarest = phrase
        .terms
        .iter()
        .map(|(_, t)| searcher.doc_freq(&Term::from_field_text(f.body_ng, t)).unwrap_or(u64::MAX))
        .min()?;
    if rarest > VERBATIM_MAX_DF {
        return None;
    }
    let holds = any_of([phrase.query(f.title_ng), phrase.query(f.body_ng)].into_iter().flatten().collect())?;
    Some(Box::new(BooleanQuery::new(vec![(Occur::Must, main.box_clone()), (Occur::Must, holds)])))
}

type Clause = (Occur, Box<dyn Query>);

/// Remove separators between two ideographs: inside a Chinese phrase a typed
/// space means nothing (政府 信息 is looked up as 政府信息).
fn join_ideographs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_cjk(normalize_char(c)) && !crate::normalize::is_word_char(normalize_char(c)) {
            // A run of separators: drop it when ideographs are on both sides.
            let mut j = i;
            while j < chars.len()
                && !is_cjk(normalize_char(chars[j]))
                && !crate::normalize::is_word_char(normalize_char(chars[j]))
            {
                j += 1;
            }
            let before = out.chars().last().is_some_and(|p| is_cjk(normalize_char(p)));
            let after = chars.get(j).is_some_and(|n| is_cjk(normalize_char(*n)));
            if !(before && after) {
                out.extend(&chars[i..j]);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// An exact-substring query for `text` on an n-gram field (see `analysis`):
/// the fewest terms that pin every character — bigrams at even offsets of each
/// ideograph run (plus the last bigram of an odd run), words as themselves,
/// and a lone ideograph (one between words) as its unigram, which the text
/// holds as a run start or run end. A query of one lone ideograph is a prefix
/// over the terms. `None` when `text` has nothing indexable.
///
/// The terms do not depend on the field: build them once with [`NgramPhrase::new`]
/// and ask for the query of each field.
pub(crate) struct NgramPhrase {
    /// (position, term text) of the chosen terms.
    pub(crate) terms: Vec<(usize, String)>,
    /// The whole text is one lone ideograph (a prefix query).
    only_lone: bool,
}

impl NgramPhrase {
    /// The terms of `text`; `None` when it has nothing indexable.
    pub(crate) fn new(text: &str) -> Option<NgramPhrase> {
        ngram_terms(text)
    }

    /// The query on one n-gram field.
    pub(crate) fn query(&self, field: Field) -> Option<Box<dyn Query>> {
        match self.terms.as_slice() {
            [] => None,
            [(_, t)] if self.only_lone => {
                let pattern = format!("{}.?", regex::escape(t));
                RegexQuery::from_pattern(&pattern, field).ok().map(|q| Box::new(q) as Box<dyn Query>)
            }
            [(_, t)] => Some(Box::new(TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs))),
            [(base, _), ..] => {
                let terms: Vec<(usize, Term)> =
                    self.terms.iter().map(|(p, t)| (p - base, Term::from_field_text(field, t))).collect();
                Some(Box::new(PhraseQuery::new_with_offset(terms)))
            }
        }
    }
}

fn ngram_terms(text: &str) -> Option<NgramPhrase> {
    let text = join_ideographs(text);
    let toks = ngram_tokens(&text);
    // Units: (position, token, is a one-ideograph token). A run start carries
    // a unigram and a bigram at one position: keep the bigram.
    let mut units: Vec<(usize, &str, bool)> = Vec::with_capacity(toks.len());
    for (t, p) in &toks {
        let mut cs = t.chars();
        let lone = matches!((cs.next(), cs.next()), (Some(c), None) if is_cjk(c));
        if units.last().is_some_and(|u| u.0 == *p) {
            units.pop();
        }
        units.push((*p, t.as_str(), lone));
    }
    let is_bigram = |t: &str| t.chars().count() == 2 && t.chars().all(is_cjk);
    let mut chosen: Vec<(usize, &str)> = Vec::new();
    let mut k = 0;
    while k < units.len() {
        let (p, t, _) = units[k];
        if is_bigram(t) {
            // A run: bigrams from k while they continue, ended by its last ideograph's unigram.
            let mut len = 1; // bigrams in the run
            while k + len < units.len() && is_bigram(units[k + len].1) {
                len += 1;
            }
            // Run of len + 1 ideographs; bigram j covers ideographs j, j+1.
            let mut j = 0;
            while j < len {
                chosen.push((units[k + j].0, units[k + j].1));
                j += 2;
            }
            if len % 2 == 0 {
                chosen.push((units[k + len - 1].0, units[k + len - 1].1));
            }
            k += len + 1; // skip the run-end unigram
        } else {
            chosen.push((p, t));
            k += 1;
        }
    }
    // A lone ideograph as the whole query may stand inside a run of the text,
    // where the index holds bigrams: match it as a prefix. After a word it is
    // a run start in any matching text, which has its unigram.
    let only_lone = units.len() == 1 && units[0].2;
    if chosen.is_empty() {
        return None;
    }
    Some(NgramPhrase { terms: chosen.into_iter().map(|(p, t)| (p, t.to_owned())).collect(), only_lone })
}

fn boosted(q: Box<dyn Query>, boost: Score) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, boost)) }
}

/// Any of `qs`, scored by the sum of those that match; evaluated lazily
/// (see `any_of`): most of these are phrases inside an intersection.
fn any_of(mut qs: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Box::new(AnyOf::new(qs))),
    }
}

/// Where a text is looked for, with its weight.
fn ngram_fields(f: &Fields, scope: Scope) -> Vec<(Field, Score)> {
    match scope {
        Scope::Any => vec![(f.title_ng, rank::TITLE), (f.meta_ng, rank::META), (f.body_ng, rank::BODY)],
        Scope::Title => vec![(f.title_ng, rank::TITLE)],
        Scope::DocNumber => vec![(f.meta_ng, rank::META)],
    }
}

/// "`text` occurs in scope", scored by field weight.
fn occurs(f: &Fields, scope: Scope, text: &str) -> Option<Box<dyn Query>> {
    // Tokenise once, then one query per field.
    let phrase = NgramPhrase::new(text)?;
    any_of(
        ngram_fields(f, scope)
            .into_iter()
            .filter_map(|(field, w)| phrase.query(field).map(|q| boosted(q, w)))
            .collect(),
    )
}

/// What one query term contributes.
struct TermPlan {
    /// Must hold for the document to match (strict mode).
    required: Vec<Box<dyn Query>>,
    /// Adds score only.
    boosts: Vec<Box<dyn Query>>,
    /// Adds score only, and only to the top [`RESCORE_WINDOW`] hits: the whole
    /// query as a phrase in the body, which would read positions of every
    /// candidate (at 1M documents, 安全生产 took 42 ms with it, 17.5 without).
    rescore: Vec<Box<dyn Query>>,
}

fn plan_term(f: &Fields, t: &QTerm, highlights: &mut Vec<String>) -> TermPlan {
    let mut plan = TermPlan { required: Vec::new(), boosts: Vec::new(), rescore: Vec::new() };
    match t.scope {
        Scope::DocNumber => {
            let key = docnum::key(&t.text);
            let mut alts: Vec<Box<dyn Query>> = Vec::new();
            if !key.is_empty() {
                alts.push(boosted(
                    Box::new(TermQuery::new(Term::from_field_text(f.doc_number_key, &key), IndexRecordOption::Basic)),
                    rank::DOC_NUMBER,
                ));
            }
            if let Some(q) = occurs(f, Scope::DocNumber, &t.text) {
                alts.push(q);
            }
            highlights.push(t.text.clone());
            plan.required.extend(any_of(alts));
        }
        _ if t.phrase => {
            highlights.push(t.text.clone());
            plan.required.extend(occurs(f, t.scope, &t.text));
        }
        _ => {
            let words = query_words(&t.text);
            for w in &words {
                let mut alts: Vec<Box<dyn Query>> = occurs(f, t.scope, w).into_iter().collect();
                highlights.push(w.clone());
                for alt in synonyms::alternatives(w) {
                    alts.extend(occurs(f, t.scope, alt).map(|q| boosted(q, rank::SYNONYM)));
                    highlights.push(alt.clone());
                }
                plan.required.extend(any_of(alts));
                plan.boosts.push(boosted(
                    Box::new(TermQuery::new(Term::from_field_text(f.title_w, w), IndexRecordOption::WithFreqs)),
                    rank::TITLE_WORDS,
                ));
            }
            if words.len() > 1 {
                highlights.push(t.text.clone());
                if let Some(phrase) = NgramPhrase::new(&t.text) {
                    if let Some(q) = phrase.query(f.title_ng) {
                        plan.boosts.push(boosted(q, rank::TITLE_PHRASE));
                    }
                    if t.scope == Scope::Any
                        && let Some(q) = phrase.query(f.body_ng)
                    {
                        plan.rescore.push(boosted(q, rank::BODY_PHRASE));
                    }
                }
            }
        }
    }
    plan
}

/// The text query (no filters). `None` when nothing positive is searchable.
/// `number` is the document number found in the query (`docnum::find_in_query`).
fn text_query(
    f: &Fields,
    pq: &ParsedQuery,
    number: Option<&docnum::FoundNumber>,
    relaxed: bool,
    highlights: &mut Vec<String>,
    rescore: &mut Vec<Box<dyn Query>>,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut positive = 0;
    for g in &pq.groups {
        let mut dummy = Vec::new();
        let hl = if g.negated { &mut dummy } else { &mut *highlights };
        let plans: Vec<TermPlan> = g.any_of.iter().map(|t| plan_term(f, t, hl)).collect();
        if g.negated {
            for p in plans {
                for r in p.required {
                    clauses.push((Occur::MustNot, r));
                }
            }
            continue;
        }
        // A group requires all words of one of its alternatives.
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for p in plans {
            if p.required.is_empty() {
                continue;
            }
            let occur = if relaxed { Occur::Should } else { Occur::Must };
            rescore.extend(p.rescore);
            let mut parts: Vec<Clause> = p.required.into_iter().map(|q| (occur, q)).collect();
            // One lazy union of the boosts: they are only looked at on documents that match.
            parts.extend(any_of(p.boosts).map(|q| (Occur::Should, q)));
            alternatives.push(Box::new(BooleanQuery::new(parts)));
        }
        if let Some(q) = any_of(alternatives) {
            positive += 1;
            clauses.push((if relaxed { Occur::Should } else { Occur::Must }, q));
        }
    }
    if positive == 0 {
        if clauses.is_empty() {
            return None;
        }
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    // Whole title typed.
    let key = title_key(&pq.normalized);
    if key.chars().count() >= 4 {
        clauses.push((
            Occur::Should,
            boosted(
                Box::new(TermQuery::new(Term::from_field_text(f.title_key, &key), IndexRecordOption::Basic)),
                rank::WHOLE_TITLE,
            ),
        ));
    }
    let mut main: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
    // A document number anywhere in the query.
    if let Some(found) = number {
        let nums: Vec<Box<dyn Query>> = found
            .candidates
            .iter()
            .map(|k| {
                boosted(
                    Box::new(TermQuery::new(Term::from_field_text(f.doc_number_key, k), IndexRecordOption::Basic)),
                    rank::DOC_NUMBER,
                )
            })
            .collect();
        if let Some(num) = any_of(nums) {
            main = Box::new(BooleanQuery::new(vec![(Occur::Should, main), (Occur::Should, num)]));
        }
    }
    Some(main)
}

/// A document's `tweak` from its segment's cached ones (1 when not cached).
fn tweak_of(tweaks: Option<&Vec<f32>>, doc: DocId) -> f32 {
    tweaks.and_then(|t| t.get(doc as usize)).copied().unwrap_or(1.0)
}

/// A hit from a stored document, the ranges of its title's matches and its snippet.
fn hit(doc: crate::Document, score: f32, title_highlights: Vec<std::ops::Range<usize>>, snippet: Snippet) -> Hit {
    Hit {
        title_highlights,
        snippet,
        id: doc.id,
        url: doc.url,
        title: doc.title,
        doc_number: doc.doc_number,
        index_number: doc.index_number,
        publisher: doc.publisher,
        category: doc.category,
        topic: doc.topic,
        issued_date: doc.issued_date,
        published_date: doc.published_date,
        validity: doc.validity,
        site: doc.site,
        score,
    }
}

/// The attachment whose text holds byte `at` of `doc.attachment_text()` (the
/// non-empty attachment texts joined by line breaks).
fn attachment_at(doc: &crate::Document, at: usize) -> SnippetSource {
    let mut end = 0;
    let mut name = "";
    for a in doc.attachments.iter().filter(|a| !a.text.is_empty()) {
        name = &a.name;
        end += a.text.len() + 1;
        if at < end {
            break;
        }
    }
    SnippetSource::Attachment { name: name.to_owned() }
}

fn parse_day(param: &'static str, v: &Option<String>) -> Result<Option<i64>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            if !crate::dates::is_date(s) {
                return Err(Error::BadParam { param, message: format!("{s:?} is not a date of the form YYYY-MM-DD") });
            }
            Ok(Some(day_number(s)))
        }
    }
}

fn filters(f: &Fields, req: &SearchRequest) -> Result<Vec<Clause>> {
    let mut out: Vec<Clause> = Vec::new();
    let exact = |field: Field, v: &str| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)),
            0.0,
        ))
    };
    for (field, v) in [
        (f.category, &req.category),
        (f.publisher, &req.publisher),
        (f.site, &req.site),
        (f.topic, &req.topic),
        (f.validity, &req.validity),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            out.push((Occur::Must, exact(field, v)));
        }
    }
    if let Some(y) = req.year {
        if !(1000..=9999).contains(&y) {
            return Err(Error::BadParam { param: "year", message: format!("{y} is not a four-digit year") });
        }
        out.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(Term::from_field_i64(f.year, i64::from(y)), IndexRecordOption::Basic)),
                0.0,
            )),
        ));
    }
    let from = parse_day("from", &req.from)?;
    let to = parse_day("to", &req.to)?;
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(Error::BadParam { param: "from", message: format!("from {a} is after to {b}") });
    }
    if from.is_some() || to.is_some() {
        let lo = from.map_or(Bound::Excluded(Term::from_field_i64(f.published_day, 0)), |d| {
            Bound::Included(Term::from_field_i64(f.published_day, d))
        });
        let hi = to.map_or(Bound::Unbounded, |d| Bound::Included(Term::from_field_i64(f.published_day, d)));
        out.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(RangeQuery::new(lo, hi)), 0.0))));
    }
    if !req.include_withdrawn {
        out.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_u64(f.withdrawn, 1), IndexRecordOption::Basic)),
        ));
    }
    Ok(out)
}

impl Catalogue {
    /// Run a search (see the module doc for matching and ranking).
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        self.search_as(req, true)
    }

    /// Fewer matches than this (or none holding every word) and the query is
    /// checked for a wrong homophone.
    const DID_YOU_MEAN_BELOW: u64 = 3;

    /// [`search`](Self::search); `correct`: look for a "did you mean" when few match.
    fn search_as(&self, req: &SearchRequest, correct: bool) -> Result<SearchResponse> {
        let started = Instant::now();
        let size = if req.size == 0 { DEFAULT_PAGE_SIZE } else { req.size };
        if size > MAX_PAGE_SIZE {
            return Err(Error::BadParam {
                param: "size",
                message: format!("{size} is more than the maximum {MAX_PAGE_SIZE}"),
            });
        }
        let page = req.page.max(1);
        // Checked: `page` comes from the URL and may be any usize.
        let offset = (page - 1).checked_mul(size).filter(|o| *o <= MAX_DEPTH - size);
        let Some(offset) = offset else {
            return Err(Error::BadParam {
                param: "page",
                message: format!("page {page} of size {size} goes past result {MAX_DEPTH}; narrow the search instead"),
            });
        };
        let f = &self.fields;
        let filter_clauses = filters(f, req)?;
        // a query typed wholly in pinyin also searches the characters it reads as
        let letters = crate::pinyin::as_pinyin(req.q.trim());
        let lexicon = match letters {
            Some(_) => self.suggester()?,
            None => None,
        };
        // (only the Han characters of what the lexicon gives: a 发布机构 may hold
        // punctuation the query language would read as operators)
        let pinyin = letters
            .as_deref()
            .zip(lexicon.as_deref())
            .and_then(|(l, s)| s.lexicon.characters_of(l))
            .map(|c| c.chars().filter(|c| is_cjk(*c)).collect::<String>())
            .filter(|c| !c.is_empty());
        let pq = match (&pinyin, &letters) {
            // the letters joined, so that `zhu fang gong ji jin` is one alternative, not five words
            (Some(chars), Some(l)) => parse(&format!("{l} OR {chars}")),
            _ => parse(&req.q),
        };
        let searcher = self.reader.searcher();
        // The regex runs once; the strict and the relaxed query both use it.
        let number = docnum::find_in_query(&pq.normalized);
        let mut info = QueryInfo {
            normalized: pq.normalized.clone(),
            literal_fallback: pq.literal_fallback,
            truncated: pq.truncated,
            doc_number: number.as_ref().map(|n| n.key.clone()),
            notes: pq.notes.clone(),
            relaxed: false,
            pinyin,
            did_you_mean: None,
        };
        let mut highlights = Vec::new();
        let mut rescore = Vec::new();
        let text = text_query(f, &pq, number.as_ref(), false, &mut highlights, &mut rescore);
        let sort = if text.is_none() { SortOrder::Date } else { req.sort };
        let with_filters = |q: Box<dyn Query>| -> Box<dyn Query> {
            let mut clauses: Vec<Clause> = vec![(Occur::Must, q)];
            clauses.extend(filter_clauses.iter().map(|(o, q)| (*o, q.box_clone())));
            Box::new(BooleanQuery::new(clauses))
        };
        let query = with_filters(text.unwrap_or_else(|| Box::new(AllQuery)));
        let verbatim = match sort {
            SortOrder::Relevance => verbatim_query(f, &searcher, &pq, query.as_ref()),
            SortOrder::Date => None,
        };
        let (mut total, mut addrs, mut facets) = match verbatim {
            Some(v) => self.collect_verbatim_first(&searcher, query.as_ref(), v.as_ref(), offset, size)?,
            None => self.collect_ranked(&searcher, query.as_ref(), rescore, sort, offset, size)?,
        };
        // Only when nothing matched: does the query have several words to relax?
        let several_words = || {
            pq.groups
                .iter()
                .filter(|g| !g.negated)
                .map(|g| g.any_of.len().max(query_words(&g.any_of[0].text).len()))
                .sum::<usize>()
                > 1
        };
        if total == 0 && several_words() {
            let mut hl = Vec::new();
            let mut rescore = Vec::new();
            if let Some(relaxed) = text_query(f, &pq, number.as_ref(), true, &mut hl, &mut rescore) {
                let query = with_filters(relaxed);
                (total, addrs, facets) = self.collect_ranked(&searcher, query.as_ref(), rescore, sort, offset, size)?;
                info.relaxed = true;
                info.notes.push("no document holds every word; showing documents with some of them".into());
            }
        }
        // few documents, or none holding every word: was a word mistyped?
        if correct && (total < Self::DID_YOU_MEAN_BELOW || info.relaxed) && info.pinyin.is_none() {
            info.did_you_mean = self.did_you_mean(req, &pq.normalized, if info.relaxed { 0 } else { total })?;
        }
        let hl = Highlighter::new(&highlights);
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let doc = self.load(&searcher, addr)?;
            let mut snippet = hl.snippet(&doc.body);
            if !snippet.has_match() && doc.attachments.iter().any(|a| !a.text.is_empty()) {
                let (s, start) = hl.snippet_at(&doc.attachment_text());
                if let Some(first) = s.passage.ranges.first() {
                    snippet = Snippet { from: attachment_at(&doc, start + first.start), ..s };
                }
            }
            let title_highlights = hl.highlight_all(&doc.title);
            hits.push(hit(doc, score, title_highlights, snippet));
        }
        Ok(SearchResponse {
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            page,
            size,
            hits,
            facets,
            query: info,
        })
    }

    /// The query with its wrong homophones corrected from the vocabulary,
    /// when that finds more than `found` documents under the same filters.
    fn did_you_mean(&self, req: &SearchRequest, normalized: &str, found: u64) -> Result<Option<String>> {
        // the normalised query: already cut to MAX_QUERY_CHARS, so the work is bounded
        let q = normalized.trim();
        // words only: operators, quotes and field scopes say the query is meant as written
        if q.is_empty() || q.contains(['"', ':', '：', '-']) || q.contains(" OR ") {
            return Ok(None);
        }
        let Some(suggester) = self.suggester()? else { return Ok(None) };
        let Some(corrected) = suggester.lexicon.correct(q) else { return Ok(None) };
        let check = SearchRequest { q: corrected.clone(), page: 1, size: 1, ..req.clone() };
        let better = self.search_as(&check, false)?;
        Ok((better.total > found && !better.query.relaxed).then_some(corrected))
    }

    /// The ranking of a sentence typed without quotes: the documents that
    /// hold it side by side (`verbatim`, a subset of `query`) first, by their
    /// score, then every other match by its own. Total and facets are the
    /// main query's. The rescoring window is not needed: its boost is the
    /// same phrase, which only the verbatim documents have.
    fn collect_verbatim_first(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        verbatim: &dyn Query,
        offset: usize,
        size: usize,
    ) -> Result<(u64, Vec<(f32, DocAddress)>, Facets)> {
        let first = self.top_by_relevance(searcher, verbatim, VERBATIM_MAX_DF as usize)?;
        let held: HashSet<DocAddress> = first.iter().map(|(_, a)| *a).collect();
        let end = offset + size;
        // the other matches needed: a page past the verbatim ones, each
        // verbatim document possibly among the main ranking's top
        let rest_needed = if end <= first.len() { 0 } else { end + first.len() };
        let (total, rest, facets) = self.collect(searcher, query, SortOrder::Relevance, 0, rest_needed.max(1))?;
        let page = first
            .into_iter()
            .chain(rest.into_iter().filter(|(_, a)| !held.contains(a)))
            .skip(offset)
            .take(size)
            .collect();
        Ok((total, page, facets))
    }

    /// [`collect`](Self::collect), then the `rescore` boosts added to the top
    /// [`RESCORE_WINDOW`] hits by relevance, which are ranked again; below the
    /// window the order is the main query's. Every page sees the same order.
    fn collect_ranked(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        rescore: Vec<Box<dyn Query>>,
        sort: SortOrder,
        offset: usize,
        size: usize,
    ) -> Result<(u64, Vec<(f32, DocAddress)>, Facets)> {
        let Some(boost) = any_of(rescore).filter(|_| sort == SortOrder::Relevance) else {
            return self.collect(searcher, query, sort, offset, size);
        };
        let (total, mut addrs, facets) = self.collect(searcher, query, sort, 0, (offset + size).max(RESCORE_WINDOW))?;
        let window = addrs.len().min(RESCORE_WINDOW);
        let weight = boost.weight(EnableScoring::enabled_from_searcher(searcher))?;
        // By segment, in doc order, so each scorer only moves forward; asked
        // with `seek_danger`, a phrase checks the positions of the window's
        // documents only, never of the ones between them.
        let mut order: Vec<usize> = (0..window).collect();
        order.sort_by_key(|&i| addrs[i].1);
        let mut current: Option<(u32, Part, Option<std::sync::Arc<Vec<f32>>>)> = None;
        for i in order {
            let addr = addrs[i].1;
            let found = match current.as_mut() {
                Some((ord, part, _)) if *ord == addr.segment_ord => part.at(addr.doc_id),
                _ => {
                    let segment = searcher.segment_reader(addr.segment_ord);
                    let part = Part::started_at(addr.doc_id, weight.scorer_danger(segment, addr.doc_id, 1.0)?);
                    let tweaks = self.segments.tweaks(segment).ok();
                    current.insert((addr.segment_ord, part, tweaks)).1.at(addr.doc_id)
                }
            };
            if let (true, Some((_, part, tweaks))) = (found, current.as_mut()) {
                addrs[i].0 += part.score() * tweak_of(tweaks.as_deref(), addr.doc_id);
            }
        }
        // Stable: equal scores keep the main query's order.
        addrs[..window].sort_by(|a, b| b.0.total_cmp(&a.0));
        let page = addrs.into_iter().skip(offset).take(size).collect();
        Ok((total, page, facets))
    }

    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: SortOrder,
        offset: usize,
        size: usize,
    ) -> Result<(u64, Vec<(f32, DocAddress)>, Facets)> {
        let live = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        self.segments.retain_live(&live);
        let facet_c = FacetCollector::new(
            &["category", "publisher", "site", "validity", "topic"],
            Some("year"),
            self.segments.clone(),
        );
        let top = TopDocs::with_limit(size).and_offset(offset);
        let (addrs, count, fruit) = match sort {
            SortOrder::Date => {
                let (docs, count, fruit) = self.run(
                    searcher,
                    query,
                    &(top.order_by_fast_field::<i64>("published_day", Order::Desc), Count, facet_c),
                )?;
                (docs.into_iter().map(|(_, a)| (0.0, a)).collect::<Vec<_>>(), count, fruit)
            }
            SortOrder::Relevance => {
                let segments = self.segments.clone();
                let tweak = top.tweak_score(move |segment: &tantivy::SegmentReader| {
                    // On error (a segment without the columns) scores stay as they are.
                    let tweaks = segments.tweaks(segment).ok();
                    move |doc: tantivy::DocId, score: Score| score * tweak_of(tweaks.as_deref(), doc)
                });
                self.run(searcher, query, &(tweak, Count, facet_c))?
            }
        };
        let mut lists = fruit.into_iter();
        let mut next = || lists.next().unwrap_or_default();
        let facets =
            Facets { category: next(), publisher: next(), site: next(), validity: next(), topic: next(), year: next() };
        Ok((count as u64, addrs, facets))
    }

    /// The top `limit` matches of `query` by relevance, each score with its
    /// document's tweak (validity, freshness) as [`collect`](Self::collect)
    /// gives it; no count, no facets.
    fn top_by_relevance(&self, searcher: &Searcher, query: &dyn Query, limit: usize) -> Result<Vec<(f32, DocAddress)>> {
        let segments = self.segments.clone();
        let top = TopDocs::with_limit(limit.max(1)).tweak_score(move |segment: &tantivy::SegmentReader| {
            let tweaks = segments.tweaks(segment).ok();
            move |doc: tantivy::DocId, score: Score| score * tweak_of(tweaks.as_deref(), doc)
        });
        self.run(searcher, query, &top)
    }

    /// `searcher.search`, spread over the cores when the index is large enough
    /// for that to pay (see [`PARALLEL_FROM_DOCS`]).
    fn run<C: tantivy::collector::Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> Result<C::Fruit> {
        let threads = search_threads();
        if threads < 2 || searcher.num_docs() < PARALLEL_FROM_DOCS || searcher.segment_readers().len() < 2 {
            return Ok(searcher.search(query, collector)?);
        }
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let executor = match self.executor.get() {
            Some(e) => e,
            None => {
                // Two searches racing here may both start a pool; one is kept.
                let _ = self.executor.set(tantivy::Executor::multi_thread(threads, "govsearch-search-")?);
                self.executor.get().expect("just set")
            }
        };
        Ok(searcher.search_with_executor(query, collector, executor, scoring)?)
    }

    /// The most similar other documents: shared rare words of title and opening.
    ///
    /// Each word of the title and the first 3,000 characters (jieba) stands in
    /// the body's n-gram path as its rarest term (the word itself for two
    /// ideographs); the 24 rarest words are looked for as those terms in the
    /// body and as words in the title (×2). A union of plain terms, so tantivy
    /// can skip blocks that cannot reach the top.
    pub fn related(&self, id: &str, limit: usize) -> Result<Vec<Hit>> {
        let Some(doc) = self.get(id)? else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut text = doc.title.clone();
        text.push('\n');
        text.extend(doc.body.chars().take(3000));
        let mut toks = Vec::new();
        crate::analysis::words(&text, &mut toks);
        let mut seen = HashSet::new();
        let n = searcher.num_docs().max(1) as f32;
        let mut scored: Vec<(f32, String, Term)> = Vec::new();
        for t in toks {
            if t.text.chars().count() < 2 || !seen.insert(t.text.clone()) {
                continue;
            }
            let Some(phrase) = NgramPhrase::new(&t.text) else { continue };
            let rarest = phrase
                .terms
                .iter()
                .map(|(_, term)| {
                    let term = Term::from_field_text(f.body_ng, term);
                    (searcher.doc_freq(&term).unwrap_or(0), term)
                })
                .min_by_key(|(df, _)| *df);
            let Some((df, term)) = rarest else { continue };
            if df < 2 {
                continue;
            }
            scored.push(((n / df as f32).ln(), t.text, term));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(24);
        let mut clauses: Vec<Clause> = Vec::new();
        for (_, w, body_term) in scored {
            clauses.push((Occur::Should, Box::new(TermQuery::new(body_term, IndexRecordOption::WithFreqs))));
            clauses.push((
                Occur::Should,
                boosted(
                    Box::new(TermQuery::new(Term::from_field_text(f.title_w, &w), IndexRecordOption::WithFreqs)),
                    rank::TITLE_WORDS,
                ),
            ));
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic)),
        ));
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_u64(f.withdrawn, 1), IndexRecordOption::Basic)),
        ));
        let q = BooleanQuery::new(clauses);
        let top = searcher.search(&q, &TopDocs::with_limit(limit).order_by_score())?;
        let hl = Highlighter::new(&[]);
        top.into_iter()
            .map(|(score, addr)| {
                let d = self.load(&searcher, addr)?;
                let title_highlights = hl.highlight_all(&d.title);
                Ok(hit(d, score, title_highlights, Snippet::default()))
            })
            .collect()
    }
}
