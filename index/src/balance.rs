//! Segment layout for searching on every core.
//!
//! A search over a large catalogue runs one task per segment on each core
//! (`Catalogue::run`), so it takes as long as its busiest core. tantivy's log
//! merge policy left a 1M-document catalogue in three segments of 310,000 and
//! eight small ones: on two cores, one core searched 620,000 documents while
//! the other searched 380,000. So:
//!
//! * while documents are added, the merge policy only merges segments of up to
//!   [`MERGE_UP_TO`] documents (small segments still get merged, big ones are
//!   not rewritten for every few additions);
//! * a batch job ends ([`CatalogueWriter::finish`](crate::CatalogueWriter::finish))
//!   by merging the segments into one per core, of about equal size — when the
//!   catalogue is big enough to be searched in parallel and its segments are
//!   not already laid out that way. Parts hold at least twice `MERGE_UP_TO`
//!   documents, so the merge policy never folds them back together; and a
//!   segment with a tenth of its documents deleted is rewritten without them.
//!
//! This only changes how fast searches are: every step is a tantivy merge,
//! which commits on its own (a kill leaves the catalogue before or after it),
//! and a failure is logged, not returned to the batch job.

use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::{Index, IndexReader, IndexWriter};

use crate::error::{Error, Result};

/// Segments bigger than this are left to [`plan`]; see the module doc.
pub(crate) const MERGE_UP_TO: usize = 20_000;

/// The merge policy while documents are added.
pub(crate) fn merge_policy() -> LogMergePolicy {
    let mut p = LogMergePolicy::default();
    p.set_max_docs_before_merge(MERGE_UP_TO);
    p
}

/// The layout a batch job leaves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    /// Segments wanted: the cores a search runs on.
    pub parts: usize,
    /// Below this many live documents searches run on one core: no layout.
    pub min_docs: u64,
    /// No part smaller than this. Parts of [`MERGE_UP_TO`] documents or fewer
    /// would be merged back together by the merge policy at the next commit.
    pub min_part: u64,
}

impl Layout {
    /// For this machine: one segment per core, from [`crate::tuning::PARALLEL_FROM_DOCS`]
    /// documents, parts of at least twice [`MERGE_UP_TO`].
    pub(crate) fn for_this_machine() -> Layout {
        Layout {
            // One per search thread, two at least: one core searches two parts
            // in turn, and one part of a million documents would be a bigger
            // merge than was measured.
            parts: crate::tuning::search_threads().max(2),
            min_docs: crate::tuning::PARALLEL_FROM_DOCS,
            min_part: 2 * MERGE_UP_TO as u64,
        }
    }
}

/// One segment as [`plan`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentSize<Id> {
    pub id: Id,
    pub alive: u64,
    pub deleted: u64,
}

impl<Id> SegmentSize<Id> {
    /// A tenth or more of its documents are deleted.
    fn worn(&self) -> bool {
        self.deleted * 10 >= self.alive + self.deleted
    }
}

/// The merges to make: groups of segment ids, each to be merged into one.
///
/// * From `layout.min_docs` live documents: about `layout.parts` segments of
///   equal size (fewer if parts would be smaller than `layout.min_part`).
///   Nothing when the largest of them already hold 90% of the documents and
///   fewer than 10% are deleted: what was added since is left to the merge
///   policy. Segments are taken largest first, each into the lightest group
///   (merges cannot split a segment, so a group is never lighter than its
///   largest one).
/// * Below it, and for a segment left alone above it: a segment with a tenth
///   or more of its documents deleted is rewritten alone, without them (the
///   merge policy does not look at segments over [`MERGE_UP_TO`] documents).
pub(crate) fn plan<Id: Copy>(segments: &[SegmentSize<Id>], layout: &Layout) -> Vec<Vec<Id>> {
    let alive: u64 = segments.iter().map(|s| s.alive).sum();
    let deleted: u64 = segments.iter().map(|s| s.deleted).sum();
    let parts = layout.parts.min((alive / layout.min_part.max(1)) as usize).max(1);
    let worn_alone = || segments.iter().filter(|s| s.worn()).map(|s| vec![s.id]).collect();
    if alive < layout.min_docs || segments.len() <= 1 {
        return worn_alone();
    }
    let mut sorted: Vec<&SegmentSize<Id>> = segments.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.alive));
    let rest: u64 = sorted.iter().skip(parts).map(|s| s.alive).sum();
    if rest * 10 < alive && deleted * 10 < alive + deleted {
        return worn_alone();
    }
    let mut groups: Vec<Vec<&SegmentSize<Id>>> = vec![Vec::new(); parts];
    let mut totals = vec![0u64; parts];
    for s in sorted {
        // The lightest group (`parts` >= 1, so there is one).
        let g = (0..parts).min_by_key(|&g| totals[g]).unwrap_or(0);
        totals[g] += s.alive;
        groups[g].push(s);
    }
    groups
        .into_iter()
        .filter(|g| g.len() > 1 || g.first().is_some_and(|s| s.worn()))
        .map(|g| g.into_iter().map(|s| s.id).collect())
        .collect()
}

/// Carry out [`plan`] on `index`'s committed segments. The catalogue is
/// correct whatever happens here, only slower to search: if another process
/// holds the writer, nothing is done; if a merge fails, the others are waited
/// for and the first error is returned (the caller logs it).
pub(crate) fn run(index: &Index, reader: &IndexReader, layout: &Layout) -> Result<()> {
    // Only ids and counts are kept: a SegmentMeta held here would keep its
    // files from being collected when its merge ends.
    let sizes = || -> Result<Vec<SegmentSize<SegmentId>>> {
        Ok(index
            .searchable_segment_metas()?
            .iter()
            .map(|m| SegmentSize {
                id: m.id(),
                alive: u64::from(m.num_docs()),
                deleted: u64::from(m.num_deleted_docs()),
            })
            .collect())
    };
    // Most batch jobs end with nothing to do: no writer is taken for them.
    if plan(&sizes()?, layout).is_empty() {
        return Ok(());
    }
    let options = tantivy::indexer::IndexWriterOptions::builder()
        .num_worker_threads(1)
        .memory_budget_per_thread(crate::catalogue::MIN_HEAP_PER_THREAD)
        // Two merges side by side at most, as measured (see below).
        .num_merge_threads(2)
        .build();
    let mut writer: IndexWriter = match index.writer_with_options(options) {
        Ok(w) => w,
        Err(tantivy::TantivyError::LockFailure(..)) => {
            tracing::warn!("segments not laid out for parallel search: another writer holds the index");
            return Ok(());
        }
        Err(e) => return Err(Error::Tantivy(e)),
    };
    writer.set_merge_policy(Box::new(NoMergePolicy));
    // Planned again under the lock: another writer may have committed since.
    let sizes = sizes()?;
    let groups = plan(&sizes, layout);
    if groups.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    tracing::info!(segments = sizes.len(), merges = groups.len(), "laying out segments for parallel search");
    // Start the merges, then wait for every one of them, so that none is still
    // running when the writer goes. Side by side they took 35 s at 1M; one at a
    // time 88 s (with a test build beside it), and the build's peak heap was
    // 1.5 GB either way.
    let pending: Vec<_> = groups.iter().map(|g| writer.merge(g)).collect();
    let mut first_error = None;
    for p in pending {
        if let Err(e) = p.wait() {
            first_error.get_or_insert(e);
        }
    }
    if let Some(e) = first_error {
        return Err(Error::Tantivy(e));
    }
    // Each merge removed its old files as it ended; reloading lets go of the
    // reader's maps of them, so their disk space is freed now (a search in
    // flight keeps its own until it ends).
    reader.reload()?;
    writer.wait_merging_threads()?;
    tracing::info!(
        segments = sizes.len(),
        merges = groups.len(),
        seconds = started.elapsed().as_secs_f64(),
        "segments laid out for parallel search"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Catalogue, Document, SearchRequest};
    use proptest::prelude::*;

    /// Two cores, from 100k documents, parts of at least 40k (as on this machine).
    const TWO: Layout = Layout { parts: 2, min_docs: 100_000, min_part: 40_000 };

    fn seg(id: usize, alive: u64) -> SegmentSize<usize> {
        SegmentSize { id, alive, deleted: 0 }
    }

    fn group_sizes(groups: &[Vec<usize>], segments: &[SegmentSize<usize>]) -> Vec<u64> {
        let mut v: Vec<u64> = groups.iter().map(|g| g.iter().map(|&i| segments[i].alive).sum()).collect();
        v.sort_unstable();
        v
    }

    /// The segments after carrying out `groups` (a merge drops deletions).
    fn after(segments: &[SegmentSize<usize>], groups: &[Vec<usize>]) -> Vec<SegmentSize<usize>> {
        let mut out: Vec<SegmentSize<usize>> =
            segments.iter().filter(|s| !groups.iter().any(|g| g.contains(&s.id))).copied().collect();
        for (k, g) in groups.iter().enumerate() {
            let alive = g.iter().map(|&i| segments.iter().find(|s| s.id == i).unwrap().alive).sum();
            out.push(SegmentSize { id: 1_000_000 + k, alive, deleted: 0 });
        }
        out
    }

    /// The layout that prompted this: a fresh 1M build in ~40k segments ends as
    /// two halves; three segments of 310k (what the log policy made) cannot.
    #[test]
    fn a_bulk_build_becomes_one_equal_segment_per_core() {
        let segments: Vec<_> = (0..25).map(|i| seg(i, 39_000 + (i as u64 % 3) * 500)).chain([seg(25, 4_800)]).collect();
        let groups = plan(&segments, &TWO);
        assert_eq!(groups.len(), 2);
        let sizes = group_sizes(&groups, &segments);
        assert!(sizes[1] - sizes[0] <= 39_500, "{sizes:?}");
        let mut all: Vec<usize> = groups.concat();
        all.sort_unstable();
        assert_eq!(all, (0..26).collect::<Vec<_>>(), "every segment goes into exactly one merge");
        assert!(plan(&after(&segments, &groups), &TWO).is_empty(), "laid out once, left alone");
    }

    #[test]
    fn nothing_to_do_when_small_or_already_laid_out() {
        let small: Vec<_> = (0..9).map(|i| seg(i, 10_000)).collect();
        assert!(plan(&small, &TWO).is_empty(), "below the parallel threshold");
        let settled = [seg(0, 500_000), seg(1, 499_000), seg(2, 20_000), seg(3, 3_000)];
        assert!(plan(&settled, &TWO).is_empty(), "a crawl's few additions do not rewrite a million documents");
        let one = [seg(0, 1_000_000)];
        assert!(plan(&one, &TWO).is_empty());
        // A tenth or more added since: merged again.
        let grown = [seg(0, 500_000), seg(1, 500_000), seg(2, 60_000), seg(3, 60_000)];
        assert_eq!(group_sizes(&plan(&grown, &TWO), &grown), vec![560_000, 560_000]);
    }

    /// Eight cores and 120k documents: eight parts of 15k would be at most
    /// `MERGE_UP_TO` each, and the merge policy would fold them back into one
    /// at the next commit. Parts stay at 40k or more: three here.
    #[test]
    fn parts_stay_big_enough_for_the_merge_policy_to_leave_them() {
        let eight = Layout { parts: 8, ..TWO };
        let segments: Vec<_> = (0..12).map(|i| seg(i, 10_000)).collect();
        let groups = plan(&segments, &eight);
        assert_eq!(group_sizes(&groups, &segments), vec![40_000, 40_000, 40_000]);
        assert!(group_sizes(&groups, &segments).iter().all(|&n| n > MERGE_UP_TO as u64));
    }

    #[test]
    fn deleted_documents_are_merged_away_only_where_they_weigh() {
        let mut worn = [seg(0, 500_000), seg(1, 400_000)];
        worn[1].deleted = 150_000;
        assert_eq!(plan(&worn, &TWO), vec![vec![1]], "only the segment with deletions is rewritten");
        worn[1].deleted = 1;
        assert!(plan(&worn, &TWO).is_empty(), "one deletion does not rewrite 400k documents");
        // Below the parallel threshold, a worn big segment is rewritten alone
        // (the merge policy never looks at it).
        let mut small = [seg(0, 30_000), seg(1, 5_000)];
        small[0].deleted = 4_000;
        assert_eq!(plan(&small, &TWO), vec![vec![0]]);
    }

    proptest! {
        /// Any layout: each segment in one merge at most, at most `parts`
        /// merges, none making a part under `min_part`, groups within one
        /// segment of each other; and once carried out, nothing more to do.
        #[test]
        fn plans_are_balanced_and_settle_in_one_step(
            sizes in proptest::collection::vec((1u64..50_000, 0u64..10_000), 2..60),
            parts in 1usize..9,
        ) {
            let layout = Layout { parts, min_docs: 0, min_part: 40_000 };
            let segments: Vec<_> =
                sizes.iter().enumerate().map(|(i, &(n, d))| SegmentSize { id: i, alive: n, deleted: d }).collect();
            let alive: u64 = segments.iter().map(|s| s.alive).sum();
            let groups = plan(&segments, &layout);
            let mut seen: Vec<usize> = groups.concat();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), groups.iter().map(Vec::len).sum::<usize>(), "a segment in two merges");
            let merges = groups.iter().filter(|g| g.len() > 1).count();
            prop_assert!(merges <= parts && merges as u64 <= (alive / 40_000).max(1), "{} merges", merges);
            let after = after(&segments, &groups);
            prop_assert!(plan(&after, &layout).is_empty(), "not settled: {:?}", group_sizes(&plan(&after, &layout), &after));
            let totals: Vec<u64> = groups.iter().filter(|g| g.len() > 1).map(|g| g.iter().map(|&i| segments[i].alive).sum()).collect();
            if let (Some(lo), Some(hi)) = (totals.iter().min(), totals.iter().max()) {
                let max = sizes.iter().map(|s| s.0).max().unwrap_or(0);
                prop_assert!(hi - lo <= max, "{:?} with largest segment {}", totals, max);
            }
        }
    }

    fn doc(i: usize) -> Document {
        Document {
            id: format!("d{i}"),
            title: format!("关于第{i}号安全生产检查的通知"),
            body: if i.is_multiple_of(2) {
                "危险化学品仓库检查。".into()
            } else {
                "道路运输安全。".into()
            },
            ..Document::default()
        }
    }

    fn count(cat: &Catalogue, q: &str) -> u64 {
        cat.search(&SearchRequest { q: q.into(), ..SearchRequest::default() }).unwrap().total
    }

    /// A catalogue of 60 documents in 12 or more committed segments (no
    /// background merges), one of them deleted.
    fn many_segments(cat: &Catalogue) -> crate::CatalogueWriter {
        let mut w = cat.writer().unwrap();
        w.without_merges();
        for i in 0..60 {
            w.upsert(&doc(i)).unwrap();
            if i % 5 == 4 {
                w.commit().unwrap();
            }
        }
        w.delete("d7");
        w
    }

    fn sizes(cat: &Catalogue) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = cat
            .index
            .searchable_segment_metas()
            .unwrap()
            .iter()
            .map(|m| (m.num_docs(), m.num_deleted_docs()))
            .collect();
        v.sort_unstable();
        v
    }

    const TINY: Layout = Layout { parts: 2, min_docs: 10, min_part: 5 };

    /// End to end through `finish`: the writer's lock passes to the layout's
    /// writer, the parts are equal, every document is found once, the
    /// deletion stays, the old files are gone; a second finish changes nothing.
    #[test]
    fn finish_lays_out_a_real_index_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(dir.path()).unwrap();
        let w = many_segments(&cat);
        w.finish_with(&TINY).unwrap();
        cat.reload().unwrap();
        let laid_out = sizes(&cat);
        assert_eq!(laid_out.len(), 2, "{laid_out:?}");
        assert!(laid_out[1].0 - laid_out[0].0 <= 5, "{laid_out:?}");
        assert!(laid_out.iter().all(|s| s.1 == 0), "the deletion is merged away: {laid_out:?}");
        let idx = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok());
        assert_eq!(idx.filter(|e| e.path().extension().is_some_and(|x| x == "idx")).count(), 2, "old files gone");
        assert_eq!(count(&cat, "安全生产"), 59);
        assert_eq!(count(&cat, "危险化学品"), 30);
        assert_eq!(count(&cat, "\"第8号\""), 1);
        assert_eq!(count(&cat, "\"第7号\""), 0, "the deleted document stays deleted");

        let ids: Vec<_> = cat.index.searchable_segment_metas().unwrap().iter().map(|m| m.id()).collect();
        let mut w = cat.writer().unwrap();
        w.upsert(&doc(100)).unwrap();
        w.finish_with(&TINY).unwrap();
        let again = cat.index.searchable_segment_metas().unwrap();
        assert_eq!(again.len(), 3, "one new document is not worth a rewrite");
        assert!(ids.iter().all(|id| again.iter().any(|m| m.id() == *id)), "the two parts are untouched");
    }

    /// Another writer holds the index: the layout waits for another day, and
    /// nothing is lost or changed.
    #[test]
    fn run_leaves_the_index_alone_when_the_writer_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(dir.path()).unwrap();
        let mut w = many_segments(&cat);
        w.commit().unwrap();
        let before = sizes(&cat);
        run(&cat.index, &cat.reader, &TINY).unwrap();
        assert_eq!(sizes(&cat), before);
        drop(w);
        run(&cat.index, &cat.reader, &TINY).unwrap();
        assert_eq!(sizes(&cat).len(), 2, "and once it is free, it is done");
    }
}
