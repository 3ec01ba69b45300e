//! The index crate's one error type; messages name the folder, id or value.

/// Result alias for the index crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("index folder {path}: {source}")]
    Open { path: String, source: tantivy::TantivyError },
    #[error(
        "index folder {path} is being written by another process (its writer lock is held); wait for that indexing run to finish"
    )]
    Locked { path: String },
    #[error("cannot create index folder {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(
        "index {path} has a different schema (made by another govsearch version); rebuild it with `govsearch index`"
    )]
    SchemaMismatch { path: String },
    #[error("stored document {id:?} cannot be read: {message}")]
    Stored { id: String, message: String },
    #[error("bad search parameter {param}: {message}")]
    BadParam { param: &'static str, message: String },
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
