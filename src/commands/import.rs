//! `govsearch import FILE`: bulk-load documents in the corpus format.

use std::process::ExitCode;

use anyhow::Result;

use super::Ctx;
use crate::cli::ImportArgs;
use crate::pipeline;

pub fn run(a: ImportArgs, ctx: &Ctx) -> Result<ExitCode> {
    let n = pipeline::import(&ctx.data, &a.file, &a.channel)?;
    eprintln!("imported {n} documents from {} as channel {:?}", a.file.display(), a.channel);
    Ok(ExitCode::SUCCESS)
}
