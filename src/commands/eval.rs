//! `govsearch eval` (lab tool): search quality on a corpus file.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use govsearch_index::Catalogue;

use super::{Ctx, write_file};
use crate::cli::EvalArgs;
use crate::data::DataDir;

pub fn run(a: EvalArgs, ctx: &Ctx) -> Result<ExitCode> {
    let figs = eval(&ctx.data, &a.corpus, a.per_kind)?;
    print!("{}", crate::eval::table(&figs));
    if let Some(path) = a.json {
        write_file(&path, serde_json::to_vec_pretty(&figs)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Build a throwaway index of the corpus in the data folder and evaluate.
fn eval(data: &DataDir, corpus: &Path, per_kind: usize) -> Result<Vec<crate::eval::KindFigures>> {
    let docs: Vec<govsearch_index::Document> =
        crate::data::read_corpus(corpus)?.into_iter().map(|r| r.into_document("eval")).collect();
    let dir = data.root.join("eval-index");
    crate::bench::build_index(&docs, &dir)?;
    let cat = Catalogue::open(&dir)?;
    let queries = crate::eval::build_queries(&docs, per_kind);
    let figs = crate::eval::run(&cat, &queries)?;
    drop(cat);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figs)
}
