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
//!   not already laid out that way.

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

/// One segment as [`plan`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentSize<Id> {
    pub id: Id,
    pub alive: u64,
    pub deleted: u64,
}

/// The merges that leave about `parts` segments of equal size: groups of
/// segment ids, each to be merged into one. Empty when the catalogue holds
/// fewer than `min_docs` live documents, or when its `parts` largest segments
/// already hold 90% of them and fewer than 10% of all documents are deleted
/// (what was added since is left to the merge policy).
///
/// Segments are taken largest first, each into the lightest group (merges
/// cannot split a segment, so a group is never lighter than its largest one).
pub(crate) fn plan<Id: Copy>(segments: &[SegmentSize<Id>], parts: usize, min_docs: u64) -> Vec<Vec<Id>> {
    let parts = parts.max(1);
    let alive: u64 = segments.iter().map(|s| s.alive).sum();
    let deleted: u64 = segments.iter().map(|s| s.deleted).sum();
    if alive < min_docs || segments.len() <= 1 {
        return Vec::new();
    }
    let mut sorted: Vec<&SegmentSize<Id>> = segments.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.alive));
    let rest: u64 = sorted.iter().skip(parts).map(|s| s.alive).sum();
    if rest * 10 < alive && deleted * 10 < alive + deleted {
        return Vec::new();
    }
    // (live documents, deleted documents, segments) of each group.
    let mut groups: Vec<(u64, u64, Vec<Id>)> = vec![(0, 0, Vec::new()); parts];
    for s in sorted {
        // `groups` is never empty (parts >= 1).
        if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
            g.0 += s.alive;
            g.1 += s.deleted;
            g.2.push(s.id);
        }
    }
    // A lone segment is rewritten only to drop its deleted documents.
    groups.into_iter().filter(|g| g.2.len() > 1 || (g.2.len() == 1 && g.1 > 0)).map(|g| g.2).collect()
}

/// Carry out [`plan`] on `index` (committed segments only). Called with no
/// other writer open; if another process took the writer meanwhile, the layout
/// is left as it is (the catalogue is correct either way, only slower to search).
pub(crate) fn run(index: &Index, reader: &IndexReader, parts: usize, min_docs: u64) -> Result<()> {
    // Only ids and counts are kept: a SegmentMeta held here would keep its
    // files from being collected below.
    let sizes: Vec<SegmentSize<SegmentId>> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| SegmentSize { id: m.id(), alive: u64::from(m.num_docs()), deleted: u64::from(m.num_deleted_docs()) })
        .collect();
    let groups = plan(&sizes, parts, min_docs);
    if groups.is_empty() {
        return Ok(());
    }
    let mut writer: IndexWriter = match index.writer_with_num_threads(1, 16 * 1024 * 1024) {
        Ok(w) => w,
        Err(tantivy::TantivyError::LockFailure(..)) => {
            tracing::warn!("segments not merged for parallel search: another writer holds the index");
            return Ok(());
        }
        Err(e) => return Err(Error::Tantivy(e)),
    };
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let started = std::time::Instant::now();
    // Start every merge, then wait: they run side by side on the merge threads.
    // (One at a time took 88 s at 1M, with a test build running beside it,
    // instead of 35 s; the build's peak heap was 1.5 GB either way.)
    let pending: Vec<_> = groups.iter().map(|g| writer.merge(g)).collect();
    for p in pending {
        p.wait()?;
    }
    // The merged-away segments' files go now, not at the next commit; tantivy
    // keeps those of segments a searcher still holds, so move the reader first
    // (a search in flight keeps its own until it ends).
    reader.reload()?;
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    tracing::info!(
        segments = sizes.len(),
        merges = groups.len(),
        seconds = started.elapsed().as_secs_f64(),
        "segments merged into {parts} for parallel search"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Catalogue, Document, SearchRequest};
    use proptest::prelude::*;

    fn seg(id: usize, alive: u64) -> SegmentSize<usize> {
        SegmentSize { id, alive, deleted: 0 }
    }

    fn group_sizes(groups: &[Vec<usize>], segments: &[SegmentSize<usize>]) -> Vec<u64> {
        let mut v: Vec<u64> = groups.iter().map(|g| g.iter().map(|&i| segments[i].alive).sum()).collect();
        v.sort_unstable();
        v
    }

    /// The layout that prompted this: a fresh 1M build in ~40k segments ends as
    /// two halves; three segments of 310k (what the log policy made) cannot.
    #[test]
    fn a_bulk_build_becomes_one_equal_segment_per_core() {
        let segments: Vec<_> = (0..25).map(|i| seg(i, 39_000 + (i as u64 % 3) * 500)).chain([seg(25, 4_800)]).collect();
        let groups = plan(&segments, 2, 100_000);
        assert_eq!(groups.len(), 2);
        let sizes = group_sizes(&groups, &segments);
        assert!(sizes[1] - sizes[0] <= 39_500, "{sizes:?}");
        let mut all: Vec<usize> = groups.concat();
        all.sort_unstable();
        assert_eq!(all, (0..26).collect::<Vec<_>>(), "every segment goes into exactly one merge");
    }

    #[test]
    fn nothing_to_do_when_small_or_already_laid_out() {
        let small: Vec<_> = (0..9).map(|i| seg(i, 10_000)).collect();
        assert!(plan(&small, 2, 100_000).is_empty(), "below the parallel threshold");
        let settled = [seg(0, 500_000), seg(1, 499_000), seg(2, 20_000), seg(3, 3_000)];
        assert!(plan(&settled, 2, 100_000).is_empty(), "a crawl's few additions do not rewrite a million documents");
        let one = [seg(0, 1_000_000)];
        assert!(plan(&one, 2, 100_000).is_empty());
        // A tenth or more added since: merged again.
        let grown = [seg(0, 500_000), seg(1, 500_000), seg(2, 60_000), seg(3, 60_000)];
        assert_eq!(group_sizes(&plan(&grown, 2, 100_000), &grown), vec![560_000, 560_000]);
    }

    #[test]
    fn deleted_documents_are_merged_away() {
        let mut worn = [seg(0, 500_000), seg(1, 400_000)];
        worn[1].deleted = 150_000;
        assert_eq!(plan(&worn, 2, 100_000), vec![vec![1]], "only the segment with deletions is rewritten");
    }

    proptest! {
        #[test]
        fn groups_cover_each_segment_once_and_are_balanced(
            sizes in proptest::collection::vec(1u64..50_000, 2..60),
            parts in 1usize..5,
        ) {
            let segments: Vec<_> = sizes.iter().enumerate().map(|(i, &n)| seg(i, n)).collect();
            let groups = plan(&segments, parts, 0);
            let mut seen: Vec<usize> = groups.concat();
            seen.sort_unstable();
            seen.dedup();
            prop_assert_eq!(seen.len(), groups.iter().map(Vec::len).sum::<usize>(), "a segment in two merges");
            prop_assert!(groups.len() <= parts);
            if !groups.is_empty() {
                // Segments left out are alone in their group; greedy bound:
                // groups differ by at most the largest segment.
                let mut totals: Vec<u64> = vec![0; parts];
                let mut ids: Vec<usize> = (0..segments.len()).collect();
                ids.sort_by_key(|&i| std::cmp::Reverse(segments[i].alive));
                for i in ids {
                    let g = groups.iter().position(|g| g.contains(&i));
                    if let Some(g) = g { totals[g] += segments[i].alive; }
                }
                let merged: Vec<u64> = totals.into_iter().take(groups.len()).collect();
                let max = sizes.iter().max().copied().unwrap_or(0);
                let (lo, hi) = (merged.iter().min().unwrap(), merged.iter().max().unwrap());
                prop_assert!(hi - lo <= max, "{merged:?} with largest segment {max}");
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

    /// On a real index: many small committed segments become `parts` merged
    /// ones, every document still found once; a second run changes nothing.
    #[test]
    fn run_merges_a_real_index_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(dir.path()).unwrap();
        let mut w = cat.writer().unwrap();
        w.without_merges();
        for i in 0..60 {
            w.upsert(&doc(i)).unwrap();
            if i % 5 == 4 {
                w.commit().unwrap();
            }
        }
        w.delete("d7");
        w.commit().unwrap();
        drop(w);
        let before = cat.index.searchable_segment_metas().unwrap().len();
        assert!(before >= 6, "{before} segments: the test needs several");

        run(&cat.index, &cat.reader, 2, 10).unwrap();
        cat.reload().unwrap();
        let metas = cat.index.searchable_segment_metas().unwrap();
        let mut sizes: Vec<u32> = metas.iter().map(|m| m.num_docs()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes.len(), 2, "{sizes:?}");
        assert!(sizes[1] - sizes[0] <= 5, "{sizes:?}");
        assert_eq!(metas.iter().map(|m| m.num_deleted_docs()).sum::<u32>(), 0, "the deletion is merged away");
        let files = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "idx"))
            .count();
        assert_eq!(files, 2, "the merged-away segments' files are gone");
        assert_eq!(count(&cat, "安全生产"), 59);
        assert_eq!(count(&cat, "危险化学品"), 30);
        assert_eq!(count(&cat, "\"第8号\""), 1);
        assert_eq!(count(&cat, "\"第7号\""), 0, "the deleted document stays deleted");

        let ids: Vec<_> = metas.iter().map(|m| m.id()).collect();
        run(&cat.index, &cat.reader, 2, 10).unwrap();
        let again: Vec<_> = cat.index.searchable_segment_metas().unwrap().iter().map(|m| m.id()).collect();
        assert_eq!(ids, again, "already laid out: nothing rewritten");
    }
}
