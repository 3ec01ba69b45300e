//! `govsearch gen` (lab tool): a larger realistic corpus recombined from a real one.

use std::process::ExitCode;

use anyhow::Result;

use super::Ctx;
use crate::cli::GenArgs;

pub fn run(a: GenArgs, _ctx: &Ctx) -> Result<ExitCode> {
    crate::scale::generate(&a.corpus, a.count, &a.out)?;
    eprintln!("wrote {} documents to {}", a.count, a.out.display());
    Ok(ExitCode::SUCCESS)
}
