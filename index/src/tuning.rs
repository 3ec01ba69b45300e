//! Tuning constants of the search threads, shared by the search and the
//! segment layout (`balance`) without either importing the other.

/// From this many documents a search runs its segments on all cores: one
/// broad query at a million documents then answers in about half the time.
/// Below it, handing segments to other threads costs more than it saves.
pub(crate) const PARALLEL_FROM_DOCS: u64 = 100_000;
/// At most this many threads search one query's segments.
const MAX_SEARCH_THREADS: usize = 8;

/// Threads that search one query's segments (of a big enough catalogue): one
/// per core, up to [`MAX_SEARCH_THREADS`].
pub(crate) fn search_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_SEARCH_THREADS)
}
