//! One module per command: `run(args, &Ctx) -> Result<ExitCode>`. The binary
//! parses (`crate::cli`), sets up logging and calls [`run`]; what is shared
//! between commands (the runtime, progress bars, how a report's error reads)
//! is here.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{Cli, Command};
use crate::data::DataDir;
use crate::pipeline::IndexReport;

pub mod audit;
pub mod bench;
pub mod crawl;
pub mod demo;
pub mod demo_site;
pub mod eval;
pub mod generate;
pub mod import;
pub mod index;
pub mod probe;
pub mod report;
pub mod search;
pub mod serve;
pub mod tally;

/// What every command gets: the opened data folder and whether progress
/// bars are hidden (they are in verbose mode, where logs take the terminal).
pub struct Ctx {
    pub data: DataDir,
    pub quiet: bool,
}

/// Open the data folder and run the command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let data = DataDir::open(&cli.data_dir)?;
    data.load_extensions()?;
    let ctx = Ctx { data, quiet: cli.verbose > 0 };
    match cli.command {
        Command::Demo(a) => demo::run(a, &ctx),
        Command::DemoSite(a) => demo_site::run(a, &ctx),
        Command::Crawl(a) => crawl::run(a, &ctx),
        Command::Probe(a) => probe::run(a, &ctx),
        Command::Index(a) => index::run(a, &ctx),
        Command::Import(a) => import::run(a, &ctx),
        Command::Serve(a) => serve::run(a, &ctx),
        Command::Search(a) => search::run(a, &ctx),
        Command::Tally(a) => tally::run(a, &ctx),
        Command::Eval(a) => eval::run(a, &ctx),
        Command::Bench(a) => bench::run(a, &ctx),
        Command::Gen(a) => generate::run(a, &ctx),
        Command::Audit(a) => audit::run(a, &ctx),
        Command::Report(a) => report::run(a, &ctx),
    }
}

/// The async runtime for the commands that do network work.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// A spinner on stderr (hidden when `quiet`).
pub(crate) fn spinner(quiet: bool, template: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()));
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A progress callback for indexing runs.
pub fn index_progress(quiet: bool) -> Option<Arc<dyn Fn(usize, usize) + Send + Sync>> {
    if quiet {
        return None;
    }
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("indexing {bar:30} {pos}/{len} documents {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(Arc::new(move |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
        if done == total {
            pb.finish_and_clear();
        }
    }))
}

/// The line `crawl` and `index` print after a rebuild.
pub(crate) fn print_indexed(r: &IndexReport) {
    eprintln!(
        "indexed {} documents ({} crawled items, {} merged duplicates, {} imported) in {:.1} s",
        r.documents, r.crawled_items, r.merged_duplicates, r.imported, r.seconds
    );
}

/// A report's error as the CLI shows it: a bad parameter as `param: message`
/// (as the API words it), anything else with its causes.
pub fn report_error(e: govsearch_index::Error) -> anyhow::Error {
    match e {
        govsearch_index::Error::BadParam { param, message } => anyhow::anyhow!("{param}: {message}"),
        e => e.into(),
    }
}

/// Write `bytes` to `path`, naming the file when it fails.
pub(crate) fn write_file(path: &std::path::Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
