//! `AnyOf`: a union of queries that only evaluates its parts where asked.
//!
//! tantivy's union of `Should` clauses (`BufferedUnionScorer`) fills a window
//! of 4,096 documents from every part at each step. For term queries that is
//! the fastest way to walk a union, but our parts are mostly phrase queries on
//! n-gram fields: "管理条例 in the title, 文号 or body" is a union of three
//! phrases, and filling a window checks the positions of every document in it
//! that holds both bigrams. Inside an intersection with a rare word (燃气 AND
//! 管理条例) almost all of that work is thrown away: at a million documents it
//! was 90% of such a query's time.
//!
//! `AnyOf` moves each part only to the documents the intersection proposes
//! (`seek_danger`, so a phrase part checks positions of that one document), and
//! sums the scores of the parts on the current document, as a `Should` union does.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED};

/// Matches what any of its parts matches; the score is the sum of the parts that match.
#[derive(Debug)]
pub(crate) struct AnyOf {
    parts: Vec<Box<dyn Query>>,
}

impl AnyOf {
    pub(crate) fn new(parts: Vec<Box<dyn Query>>) -> AnyOf {
        AnyOf { parts }
    }
}

impl Clone for AnyOf {
    fn clone(&self) -> Self {
        AnyOf { parts: self.parts.iter().map(|q| q.box_clone()).collect() }
    }
}

impl Query for AnyOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let parts = self.parts.iter().map(|q| q.weight(enable_scoring)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AnyOfWeight { parts }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for q in &self.parts {
            q.query_terms(visitor);
        }
    }
}

struct AnyOfWeight {
    parts: Vec<Box<dyn Weight>>,
}

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for w in &self.parts {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                parts.push(Part { pos: s.doc(), valid: true, scorer: s });
            }
        }
        match parts.len() {
            0 => Ok(Box::new(EmptyScorer)),
            1 => Ok(parts.pop().map(|p| p.scorer).expect("one part")),
            _ => Ok(Box::new(AnyOfScorer::new(parts))),
        }
    }

    /// Each part starts at `target` itself, so none has to find its first
    /// match (for a phrase: check positions) before the intersection asks.
    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for w in &self.parts {
            let part = Part::started_at(target, w.scorer_danger(reader, target, boost)?);
            if part.pos != TERMINATED {
                parts.push(part);
            }
        }
        let mut scorer = AnyOfScorer::new(parts);
        let result = scorer.answer(target);
        Ok((result, Box::new(scorer)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        let mut e = Explanation::new("any of", scorer.score());
        for w in &self.parts {
            if let Ok(child) = w.explain(reader, doc) {
                e.add_detail(child);
            }
        }
        Ok(e)
    }
}

/// One part of the union, and a scorer asked about chosen documents only
/// (`Catalogue::collect_ranked`). When `valid`, `pos` is the scorer's current
/// document; otherwise it was left by `seek_danger` and `pos` is a lower bound
/// of its next document (it holds nothing before `pos`).
pub(crate) struct Part {
    scorer: Box<dyn Scorer>,
    pos: DocId,
    valid: bool,
}

impl Part {
    /// The scorer `Weight::scorer_danger(reader, target, _)` made, with its answer.
    pub(crate) fn started_at(target: DocId, (result, scorer): (SeekDangerResult, Box<dyn Scorer>)) -> Part {
        // A scorer may have started past `target` while valid: treating it as
        // invalid only means it is moved with `seek_danger`, which it allows.
        let mut part = Part { scorer, pos: target, valid: true };
        part.landed(target, result);
        part
    }

    /// Whether the scorer matches `target`, moving it there with `seek_danger`
    /// when it may (a phrase checks that one document's positions, none
    /// between). Targets must not go down.
    pub(crate) fn at(&mut self, target: DocId) -> bool {
        if self.pos < target || (!self.valid && self.pos == target) {
            let result = self.scorer.seek_danger(target);
            self.landed(target, result);
        }
        self.valid && self.pos == target
    }

    /// The scorer's score at the document [`at`](Self::at) found.
    pub(crate) fn score(&mut self) -> Score {
        self.scorer.score()
    }

    /// Move to the first document at or after `target` (`target` ≥ `pos`
    /// when invalid: only `seek_danger` is allowed then).
    fn seek(&mut self, target: DocId) {
        if self.valid {
            if self.pos < target {
                self.pos = self.scorer.seek(target);
            }
            return;
        }
        let mut t = target.max(self.pos);
        loop {
            let result = self.scorer.seek_danger(t);
            self.landed(t, result);
            if self.valid {
                return;
            }
            t = self.pos;
        }
    }

    /// Record the answer of the part's `seek_danger(target)`: on `target`, or
    /// invalid with a lower bound (valid again once the bound is TERMINATED).
    fn landed(&mut self, target: DocId, result: SeekDangerResult) {
        match result {
            SeekDangerResult::Found => {
                self.pos = target;
                self.valid = true;
            }
            SeekDangerResult::SeekLowerBound(lb) => {
                self.pos = lb;
                self.valid = lb >= TERMINATED;
            }
        }
    }
}

/// Documents evaluated at once when the union is walked with `advance`
/// (small in tests, so that windows end inside segments).
#[cfg(not(test))]
const WINDOW: u32 = 4096;
#[cfg(test)]
const WINDOW: u32 = 64;

/// The next window of a scan: every part's documents in `[start, start + WINDOW)`
/// with their summed scores (what tantivy's buffered union does, and the
/// fastest way to walk all of a union: each part's postings are read in one go).
struct Window {
    start: DocId,
    bits: Box<[u64; WINDOW as usize / 64]>,
    scores: Box<[Score; WINDOW as usize]>,
}

impl Window {
    fn new() -> Window {
        Window { start: 0, bits: Box::new([0; WINDOW as usize / 64]), scores: Box::new([0.0; WINDOW as usize]) }
    }

    fn end(&self) -> DocId {
        self.start.saturating_add(WINDOW)
    }

    /// The first document of the window at or after `from`.
    fn next_from(&self, from: DocId) -> Option<DocId> {
        if from >= self.end() {
            return None;
        }
        let off = from.saturating_sub(self.start) as usize;
        let (mut word, bit) = (off / 64, off % 64);
        let mut w = self.bits[word] & (u64::MAX << bit);
        loop {
            if w != 0 {
                return Some(self.start + (word * 64) as DocId + w.trailing_zeros());
            }
            word += 1;
            if word == self.bits.len() {
                return None;
            }
            w = self.bits[word];
        }
    }
}

struct AnyOfScorer {
    parts: Vec<Part>,
    doc: DocId,
    /// Set while a scan reads from a filled window; the parts are then all
    /// valid and past its end.
    window: Option<Window>,
    /// Kept between windows to avoid reallocating.
    spare: Option<Window>,
}

impl AnyOfScorer {
    fn new(parts: Vec<Part>) -> AnyOfScorer {
        let doc = parts.iter().map(|p| p.pos).min().unwrap_or(TERMINATED);
        AnyOfScorer { parts, doc, window: None, spare: None }
    }

    fn settle(&mut self) -> DocId {
        self.parts.retain(|p| p.pos != TERMINATED);
        self.doc = self.parts.iter().map(|p| p.pos).min().unwrap_or(TERMINATED);
        self.doc
    }

    /// The union's answer to `seek_danger(target)` once every part has
    /// answered for it: `Found` if one is on `target`, else the least bound.
    fn answer(&mut self, target: DocId) -> SeekDangerResult {
        if self.parts.iter().any(|p| p.valid && p.pos == target) {
            self.doc = target;
            return SeekDangerResult::Found;
        }
        self.doc = self.parts.iter().map(|p| p.pos).min().unwrap_or(TERMINATED);
        SeekDangerResult::SeekLowerBound(self.doc)
    }

    /// Leave window mode (the parts already stand past the window).
    fn drop_window(&mut self) {
        if let Some(w) = self.window.take() {
            self.spare = Some(w);
        }
    }

    /// Fill the window starting at the first document at or after `from`;
    /// `false` when no part has one.
    fn fill(&mut self, from: DocId) -> bool {
        for p in &mut self.parts {
            p.seek(from);
        }
        let start = self.settle();
        if start == TERMINATED {
            return false;
        }
        let mut w = self.spare.take().unwrap_or_else(Window::new);
        w.start = start;
        w.bits.fill(0);
        w.scores.fill(0.0);
        let end = w.end();
        for p in &mut self.parts {
            while p.pos < end {
                let off = (p.pos - start) as usize;
                w.bits[off / 64] |= 1 << (off % 64);
                w.scores[off] += p.scorer.score();
                p.pos = p.scorer.advance();
            }
        }
        self.parts.retain(|p| p.pos != TERMINATED);
        self.doc = start;
        self.window = Some(w);
        true
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.doc + 1;
        if let Some(w) = &self.window {
            if let Some(d) = w.next_from(next) {
                self.doc = d;
                return d;
            }
            let end = w.end();
            self.drop_window();
            if !self.fill(end) {
                self.doc = TERMINATED;
            }
            return self.doc;
        }
        if !self.fill(next) {
            self.doc = TERMINATED;
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        // Already there: tantivy's intersection seeks every clause to its first
        // candidate, and moving the parts left behind would check positions
        // up to each one's next match (found in review).
        if target <= self.doc {
            return self.doc;
        }
        if let Some(w) = &self.window {
            if let Some(d) = w.next_from(target) {
                self.doc = d;
                return d;
            }
            if target < w.end() {
                // Nothing left in the window: the next document is the parts' first.
                self.drop_window();
                return self.settle();
            }
            self.drop_window();
        }
        for p in &mut self.parts {
            p.seek(target);
        }
        self.settle()
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if let Some(w) = &self.window {
            match w.next_from(target) {
                Some(d) => {
                    // Every document of the window is known: this is an exact answer.
                    self.doc = d;
                    return if d == target { SeekDangerResult::Found } else { SeekDangerResult::SeekLowerBound(d) };
                }
                None => self.drop_window(),
            }
        }
        for p in &mut self.parts {
            p.at(target);
        }
        self.answer(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.parts.iter().fold(0u32, |a, p| a.saturating_add(p.scorer.size_hint()))
    }

    fn cost(&self) -> u64 {
        self.parts.iter().fold(0u64, |a, p| a.saturating_add(p.scorer.cost()))
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        if let Some(w) = &self.window
            && doc >= w.start
            && doc < w.end()
        {
            return w.scores[(doc - w.start) as usize];
        }
        self.parts.iter_mut().filter(|p| p.valid && p.pos == doc).map(|p| p.scorer.score()).sum()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::collector::{Count, DocSetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index, IndexWriter, Searcher, TantivyDocument, Term};

    use super::AnyOf;
    use tantivy::query::Query;

    const WORDS: [&str; 5] = ["a", "b", "c", "d", "e"];

    /// An index of `docs` (each a list of word indexes) over two fields,
    /// committed in segments of 211 documents: seeks cross segment ends, and
    /// each segment spans several windows.
    fn index(docs: &[(Vec<usize>, Vec<usize>)]) -> (Searcher, Field, Field) {
        let mut b = Schema::builder();
        let title = b.add_text_field("title", TEXT);
        let body = b.add_text_field("body", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for (i, (t, bd)) in docs.iter().enumerate() {
            let text = |ws: &[usize]| ws.iter().map(|&k| WORDS[k]).collect::<Vec<_>>().join(" ");
            let mut d = TantivyDocument::new();
            d.add_text(title, text(t));
            d.add_text(body, text(bd));
            w.add_document(d).expect("add");
            if i % 211 == 210 {
                w.commit().expect("commit");
            }
        }
        w.commit().expect("commit");
        (index.reader().expect("reader").searcher(), title, body)
    }

    fn term(f: Field, k: usize) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(f, WORDS[k]), IndexRecordOption::WithFreqsAndPositions))
    }

    fn phrase(f: Field, a: usize, b: usize) -> Box<dyn Query> {
        Box::new(PhraseQuery::new(vec![Term::from_field_text(f, WORDS[a]), Term::from_field_text(f, WORDS[b])]))
    }

    fn should(qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(qs.into_iter().map(|q| (Occur::Should, q)).collect()))
    }

    /// Every matching document with its score, in document order.
    fn scored(s: &Searcher, q: &dyn Query) -> Vec<(DocAddress, f32)> {
        let mut v = s.search(q, &TopDocs::with_limit(100_000).order_by_score()).expect("search");
        v.sort_by_key(|(_, a)| *a);
        v.into_iter().map(|(sc, a)| (a, sc)).collect()
    }

    fn same(a: &[(DocAddress, f32)], b: &[(DocAddress, f32)]) -> Result<(), TestCaseError> {
        prop_assert_eq!(a.len(), b.len(), "match counts differ");
        for ((da, sa), (db, sb)) in a.iter().zip(b) {
            prop_assert_eq!(da, db);
            prop_assert!((sa - sb).abs() <= 1e-4 * sa.abs().max(1.0), "score {} vs {} at {:?}", sa, sb, da);
        }
        Ok(())
    }

    fn doc() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
        (prop::collection::vec(0..5usize, 0..4), prop::collection::vec(0..5usize, 0..12))
    }

    /// One step of driving a scorer by hand: advance, seek or seek_danger to `+gap`.
    #[derive(Debug, Clone)]
    enum Step {
        Advance,
        Seek(u32),
        SeekDanger(u32),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![Just(Step::Advance), (1..300u32).prop_map(Step::Seek), (1..300u32).prop_map(Step::SeekDanger)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Driven by any mix of `advance`, `seek` and `seek_danger` (windows and
        /// lazy parts interleaved), the scorer follows the `DocSet` contract
        /// against the documents and scores of the reference union.
        #[test]
        fn any_of_scorer_keeps_the_docset_contract(
            docs in prop::collection::vec(doc(), 1..700),
            a in 0..5usize, b in 0..5usize, c in 0..5usize,
            steps in prop::collection::vec(step(), 1..80),
            start in 0..120u32,
        ) {
            use tantivy::query::EnableScoring;
            use tantivy::{DocSet, SeekDangerResult, TERMINATED};
            let (s, title, body) = index(&docs);
            let parts = || vec![phrase(body, a, b), term(title, c), phrase(body, b, c)];
            let expected: Vec<(DocAddress, f32)> = scored(&s, should(parts()).as_ref());
            let weight = AnyOf::new(parts()).weight(EnableScoring::enabled_from_searcher(&s)).expect("weight");
            for (ord, reader) in s.segment_readers().iter().enumerate() {
                let want: Vec<(u32, f32)> = expected
                    .iter()
                    .filter(|(addr, _)| addr.segment_ord as usize == ord)
                    .map(|(addr, sc)| (addr.doc_id, *sc))
                    .collect();
                let next_at = |t: u32| want.iter().find(|(d, _)| *d >= t).map_or(TERMINATED, |(d, _)| *d);
                let score_of = |d: u32| want.iter().find(|(x, _)| *x == d).map(|(_, sc)| *sc);
                // Created plainly, or (as an intersection does) around a target.
                let (mut sc, mut at, mut danger) = if start == 0 {
                    let sc = weight.scorer(reader, 1.0).expect("scorer");
                    prop_assert_eq!(sc.doc(), next_at(0));
                    let at = sc.doc();
                    (sc, at, false)
                } else {
                    let (result, sc) = weight.scorer_danger(reader, start, 1.0).expect("scorer_danger");
                    match result {
                        SeekDangerResult::Found => {
                            prop_assert_eq!(next_at(start), start, "Found at {} which does not match", start);
                            (sc, start, false)
                        }
                        SeekDangerResult::SeekLowerBound(lb) => {
                            prop_assert!(lb > start && lb <= next_at(start), "bound {} for {}", lb, start);
                            (sc, lb, true)
                        }
                    }
                };
                for st in &steps {
                    if at == TERMINATED {
                        break;
                    }
                    match st {
                        Step::Advance | Step::Seek(_) if danger => continue,
                        Step::Advance => {
                            let before = at;
                            at = sc.advance();
                            prop_assert_eq!(at, next_at(before + 1), "advance from {}", before);
                        }
                        Step::Seek(gap) => {
                            let t = at + gap;
                            at = sc.seek(t);
                            prop_assert_eq!(at, next_at(t), "seek({})", t);
                        }
                        Step::SeekDanger(gap) => {
                            let t = at + gap;
                            match sc.seek_danger(t) {
                                SeekDangerResult::Found => {
                                    prop_assert_eq!(next_at(t), t, "Found at {} which does not match", t);
                                    danger = false;
                                    at = t;
                                }
                                SeekDangerResult::SeekLowerBound(lb) => {
                                    prop_assert!(lb > t && lb <= next_at(t), "bound {} for target {} (next {})", lb, t, next_at(t));
                                    danger = true;
                                    at = lb;
                                }
                            }
                        }
                    }
                    if !danger && at != TERMINATED {
                        let want_score = score_of(at);
                        prop_assert!(want_score.is_some(), "at {} which does not match", at);
                        let got = sc.score();
                        let w = want_score.unwrap_or_default();
                        prop_assert!((got - w).abs() <= 1e-4 * w.abs().max(1.0), "score {} vs {} at {}", got, w, at);
                    }
                }
            }
        }

        /// Alone, inside an intersection (sought with `seek_danger`) and as an
        /// optional boost (sought with `seek`), `AnyOf` matches and scores
        /// exactly as tantivy's `Should` union of the same parts.
        #[test]
        fn any_of_matches_and_scores_like_a_should_union(
            docs in prop::collection::vec(doc(), 1..700),
            a in 0..5usize, b in 0..5usize, c in 0..5usize, d in 0..5usize,
        ) {
            let (s, title, body) = index(&docs);
            let parts = || vec![phrase(title, a, b), phrase(body, a, b), term(title, c), phrase(body, c, d)];
            let lazy: Box<dyn Query> = Box::new(AnyOf::new(parts()));
            let reference = should(parts());
            same(&scored(&s, lazy.as_ref()), &scored(&s, reference.as_ref()))?;
            prop_assert_eq!(
                s.search(lazy.as_ref(), &Count).expect("count"),
                s.search(reference.as_ref(), &Count).expect("count")
            );
            prop_assert_eq!(
                s.search(lazy.as_ref(), &DocSetCollector).expect("docs"),
                s.search(reference.as_ref(), &DocSetCollector).expect("docs")
            );

            let within = |u: Box<dyn Query>| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![(Occur::Must, term(body, d)), (Occur::Must, u)]))
            };
            same(
                &scored(&s, within(Box::new(AnyOf::new(parts()))).as_ref()),
                &scored(&s, within(should(parts())).as_ref()),
            )?;

            let boosting = |u: Box<dyn Query>| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![(Occur::Must, term(body, c)), (Occur::Should, u)]))
            };
            same(
                &scored(&s, boosting(Box::new(AnyOf::new(parts()))).as_ref()),
                &scored(&s, boosting(should(parts())).as_ref()),
            )?;
        }
    }

    /// A part that never matches is not walked to its end: `+x +AnyOf[x a, b a]`
    /// over one document with "x a b" and 5,000 with "b c a" (the phrase
    /// "b a" never occurs, its terms everywhere) looks at that part a few
    /// times, not once per document (review finding: a seek to the current
    /// document used to scan).
    #[test]
    fn parts_are_only_moved_to_the_intersections_candidates() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        use tantivy::collector::Count;
        use tantivy::query::{EnableScoring, Explanation, Scorer, Weight};
        use tantivy::schema::TEXT;
        use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader};

        /// Counts the moves its scorer is asked to make.
        #[derive(Debug)]
        struct Counting(Box<dyn Query>, Arc<AtomicUsize>);
        impl Clone for Counting {
            fn clone(&self) -> Self {
                Counting(self.0.box_clone(), self.1.clone())
            }
        }
        impl Query for Counting {
            fn weight(&self, es: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
                Ok(Box::new(CountingWeight(self.0.weight(es)?, self.1.clone())))
            }
        }
        struct CountingWeight(Box<dyn Weight>, Arc<AtomicUsize>);
        impl Weight for CountingWeight {
            fn scorer(&self, r: &SegmentReader, b: Score) -> tantivy::Result<Box<dyn Scorer>> {
                Ok(Box::new(CountingScorer(self.0.scorer(r, b)?, self.1.clone())))
            }
            fn scorer_danger(
                &self,
                r: &SegmentReader,
                t: DocId,
                b: Score,
            ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
                let (res, s) = self.0.scorer_danger(r, t, b)?;
                Ok((res, Box::new(CountingScorer(s, self.1.clone()))))
            }
            fn explain(&self, r: &SegmentReader, d: DocId) -> tantivy::Result<Explanation> {
                self.0.explain(r, d)
            }
        }
        struct CountingScorer(Box<dyn Scorer>, Arc<AtomicUsize>);
        impl DocSet for CountingScorer {
            fn advance(&mut self) -> DocId {
                self.1.fetch_add(1, Ordering::Relaxed);
                self.0.advance()
            }
            fn seek(&mut self, t: DocId) -> DocId {
                self.1.fetch_add(1, Ordering::Relaxed);
                self.0.seek(t)
            }
            fn seek_danger(&mut self, t: DocId) -> SeekDangerResult {
                self.1.fetch_add(1, Ordering::Relaxed);
                self.0.seek_danger(t)
            }
            fn doc(&self) -> DocId {
                self.0.doc()
            }
            fn size_hint(&self) -> u32 {
                self.0.size_hint()
            }
        }
        impl Scorer for CountingScorer {
            fn score(&mut self) -> Score {
                self.0.score()
            }
        }

        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        let add = |text: &str| {
            let mut d = TantivyDocument::new();
            d.add_text(body, text);
            w.add_document(d).expect("add");
        };
        add("x a b");
        for _ in 0..5000 {
            add("b c a");
        }
        w.commit().expect("commit");
        let s = index.reader().expect("reader").searcher();
        let t = |w: &str| Term::from_field_text(body, w);
        let calls = Arc::new(AtomicUsize::new(0));
        let never: Box<dyn Query> = Box::new(Counting(Box::new(PhraseQuery::new(vec![t("b"), t("a")])), calls.clone()));
        let parts: Vec<Box<dyn Query>> = vec![Box::new(PhraseQuery::new(vec![t("x"), t("a")])), never];
        let q = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(t("x"), IndexRecordOption::WithFreqs)) as Box<dyn Query>),
            (Occur::Must, Box::new(AnyOf::new(parts))),
        ]);
        assert_eq!(s.search(&q, &Count).expect("count"), 1);
        let n = calls.load(Ordering::Relaxed);
        assert!(n <= 3, "the never-matching part was moved {n} times for one candidate");
    }
}
