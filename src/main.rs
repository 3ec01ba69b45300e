//! `govsearch`: crawl, index, search and serve published government information.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use govsearch::data::DataDir;
use govsearch::{cli, pipeline, server};
use govsearch_crawler::CrawlOptions;
use govsearch_index::SortOrder;
use govsearch_index::audit::AuditQuery;
use govsearch_index::report::site_list;
use govsearch_index::tally::{GroupBy, Period, TallyQuery};

/// Search engine for published Chinese government information (政府信息公开).
///
/// Every command works on one data folder (--data-dir, default ./data): the
/// SQLite crawl state with the raw pages, imported documents, and the index.
#[derive(Parser)]
#[command(name = "govsearch", version, about, long_about = None)]
struct Cli {
    /// The data folder (crawl state, imports, index).
    #[arg(long, global = true, default_value = "data", env = "GOVSEARCH_DATA_DIR")]
    data_dir: PathBuf,
    /// More log output (-v info, -vv debug); progress bars are hidden in verbose mode.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the bundled demo government site, crawl it, index it and serve search.
    ///
    /// A second run reuses the data folder: the crawl is incremental (conditional
    /// requests) and finishes in seconds.
    Demo {
        /// Where the search server listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where the demo government site listens. A fixed port keeps its URLs (and so the
        /// document ids) the same from run to run, which is what makes a second run incremental.
        #[arg(long, default_value = "127.0.0.1:8090")]
        site_addr: SocketAddr,
    },
    /// Serve only the bundled demo government site (for trying the crawler, and for the crash tests).
    DemoSite {
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: SocketAddr,
        /// Write a sites.toml that crawls it to this file.
        #[arg(long)]
        write_config: Option<PathBuf>,
    },
    /// Crawl the sites of a config file into the data folder, then update the index.
    Crawl {
        /// The sites to crawl (see sites.example.toml).
        #[arg(long, short)]
        config: PathBuf,
        /// Stop after this many fetches (for trials).
        #[arg(long)]
        max_pages: Option<usize>,
        /// Also write the crawl report as JSON to this file.
        #[arg(long)]
        report_json: Option<PathBuf>,
        /// Only crawl; do not update the index.
        #[arg(long)]
        no_index: bool,
        /// Walk list pages and platform catalogues only: the items they list
        /// are counted (as pending) without fetching their pages; the next
        /// crawl fetches them.
        #[arg(long)]
        catalogue_only: bool,
    },
    /// Look at a site before writing its config: robots.txt, the start page,
    /// the disclosure platform it runs on and its catalogue; prints a ready
    /// `[[site]]` block naming every host the crawl needs.
    Probe {
        /// The site's disclosure catalogue (its start page).
        url: url::Url,
        /// Also ask for page 1 of every list, at the crawl's politeness delay,
        /// to show the totals the platform claims.
        #[arg(long)]
        count: bool,
        /// The site's name in the printed block (default: from its host).
        #[arg(long)]
        name: Option<String>,
        /// Delay between two requests in milliseconds (robots.txt Crawl-delay wins when larger).
        #[arg(long, default_value_t = govsearch_crawler::config::DEFAULT_DELAY_MS)]
        delay_ms: u64,
        /// Allow a private or loopback address (an intranet site).
        #[arg(long)]
        allow_private: bool,
    },
    /// Rebuild the index from stored pages and imports (no network).
    Index {
        /// The config the pages were crawled with (for selectors and column mapping).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Bulk-load documents from a JSON Lines file (optionally .gz) in the corpus format.
    ///
    /// Each line: {"id","title","doc_number","publisher","category","issued_date",
    /// "published_date","validity","body","source"}, all strings. A bad line stops
    /// the import before anything is stored, naming the file and line.
    Import {
        file: PathBuf,
        /// The channel these documents came through (shown as their site in counts).
        #[arg(long, default_value = "import")]
        channel: String,
    },
    /// Serve the JSON API and the web page.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Token for /api/admin/* (off when unset); read from the environment so it is never in `ps`.
        #[arg(long, env = "GOVSEARCH_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Allow browser pages from this origin to call the API (CORS; off by default).
        #[arg(long)]
        cors_origin: Option<String>,
        /// Sites config for POST /api/admin/crawl and /api/admin/reindex.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Requests per second each client may make (429 with Retry-After beyond it); 0 turns the limit off.
        #[arg(long, default_value_t = 20.0)]
        rate_limit: f64,
        /// Requests a client may make at once before the per-second limit applies.
        #[arg(long, default_value_t = 60)]
        rate_burst: u32,
        /// Take the client address from X-Forwarded-For (only behind a reverse proxy that sets it).
        #[arg(long)]
        trust_forwarded_for: bool,
    },
    /// Search from the command line; prints ranked results.
    Search(SearchArgs),
    /// Count what was published in a period (the annual report's tally), as Markdown.
    ///
    /// Deduplicated: one item under several columns, URLs or sites counts once.
    /// Items with no 发布日期 are listed separately, never guessed into a period.
    Tally {
        /// Calendar year (default: the latest year with published items).
        #[arg(long)]
        year: Option<i32>,
        /// Period start (YYYY-MM-DD), with --to instead of --year.
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Only these sites or import channels (repeatable).
        #[arg(long)]
        site: Vec<String>,
        #[arg(long)]
        publisher: Option<String>,
        /// What the rows are.
        #[arg(long, value_enum, default_value_t = GroupArg::Category)]
        group: GroupArg,
        /// Print JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Also write the list behind the total as CSV (UTF-8 with BOM).
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Evaluate search quality on a corpus file: MRR@10, recall, phrase precision per kind of query.
    #[command(hide = true)]
    Eval {
        /// Corpus in the import format.
        #[arg(long)]
        corpus: PathBuf,
        /// Queries per kind.
        #[arg(long, default_value_t = 100)]
        per_kind: usize,
        /// Also write the figures as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Benchmark analysis, index build and search over HTTP on a corpus file.
    #[command(hide = true)]
    Bench {
        /// Corpus in the import format.
        #[arg(long)]
        corpus: PathBuf,
        /// One query per line (default: titles of the corpus).
        #[arg(long)]
        queries: Option<PathBuf>,
        /// Seconds per throughput run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Which parts (comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', default_value = "analyze,index,search")]
        only: Vec<cli::BenchPart>,
        /// Time a server already running at this base URL instead of our own (e.g. a peer).
        #[arg(long)]
        addr: Option<String>,
        /// Also write the figures as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Generate a larger realistic corpus from a real one (for the scale benchmarks).
    #[command(hide = true)]
    Gen {
        /// The real corpus to recombine.
        #[arg(long)]
        corpus: PathBuf,
        /// Documents to generate.
        #[arg(long)]
        count: usize,
        /// Output file (.jsonl or .jsonl.gz).
        #[arg(long)]
        out: PathBuf,
    },
    /// Audit proactive-disclosure coverage; exits 2 when there are findings.
    Audit {
        /// Only these sites or channels (repeatable).
        #[arg(long)]
        site: Vec<String>,
        /// The date the audit is made for (default: today).
        #[arg(long)]
        as_of: Option<String>,
        /// Print JSON instead of a readable report.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// The query (same language as the web page: words, "phrase", -word, title:…, 文号:…, OR).
    query: String,
    /// Print the full JSON answer.
    #[arg(long)]
    json: bool,
    #[arg(long)]
    category: Option<String>,
    #[arg(long)]
    publisher: Option<String>,
    #[arg(long)]
    site: Option<String>,
    #[arg(long)]
    validity: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Published on or before (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Order of the results.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    #[arg(long, default_value_t = 10)]
    size: usize,
    #[arg(long, default_value_t = 1)]
    page: usize,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help, --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // one line, like every other error (exit 2 is the audit's "findings")
            let text = e.render().to_string();
            let line: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            eprintln!("{}", line.join(" "));
            return ExitCode::FAILURE;
        }
    };
    cli::init_tracing(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let data = DataDir::open(&cli.data_dir)?;
    data.load_extensions()?;
    let quiet = cli.verbose > 0;
    match cli.command {
        Command::Demo { addr, site_addr } => runtime()?.block_on(cli::demo(&data, addr, site_addr, quiet)),
        Command::DemoSite { addr, write_config } => runtime()?.block_on(async {
            let site = govsearch::demo_site::DemoSite::start(addr).await?;
            if let Some(path) = write_config {
                std::fs::write(&path, site.config_toml()).with_context(|| format!("writing {}", path.display()))?;
            }
            eprintln!("demo government site at {} (Ctrl-C to stop)", site.base_url());
            let _ = tokio::signal::ctrl_c().await;
            site.shutdown().await;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Crawl { config, max_pages, report_json, no_index, catalogue_only } => {
            let cfg = govsearch_crawler::Config::from_path(&config)?;
            let options = CrawlOptions { max_pages, catalogue_only, ..Default::default() };
            runtime()?.block_on(cli::crawl(&data, &cfg, options, report_json.as_deref(), !no_index, quiet))
        }
        Command::Probe { url, count, name, delay_ms, allow_private } => {
            let options = govsearch_crawler::probe::ProbeOptions {
                count,
                allow_private,
                delay: Some(std::time::Duration::from_millis(delay_ms)),
            };
            let settings = govsearch_crawler::config::CrawlSettings::default();
            let probe = runtime()?.block_on(govsearch_crawler::probe::probe(&url, &settings, &options))?;
            eprint!("{probe}");
            print!("{}", probe.site_block(&name.unwrap_or_else(|| probe.suggested_name())));
            Ok(ExitCode::SUCCESS)
        }
        Command::Index { config } => {
            let cfg = config.map(|c| govsearch_crawler::Config::from_path(&c)).transpose()?;
            // the same lock as a crawl and the admin reindex: one job per data folder
            let held = pipeline::Held::acquire(&data)?;
            let r = pipeline::rebuild_index(&held, cfg.as_ref(), cli::index_progress(quiet))?;
            eprintln!(
                "indexed {} documents ({} crawled items, {} merged duplicates, {} imported) in {:.1} s",
                r.documents, r.crawled_items, r.merged_duplicates, r.imported, r.seconds
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, channel } => {
            let n = pipeline::import(&data, &file, &channel)?;
            eprintln!("imported {n} documents from {} as channel {channel:?}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr, admin_token, cors_origin, config, rate_limit, rate_burst, trust_forwarded_for } => {
            let sites = config.map(|c| govsearch_crawler::Config::from_path(&c)).transpose()?.map(Arc::new);
            let cat = Arc::new(govsearch_index::Catalogue::open(&data.index_dir())?);
            let mut state = server::AppState::new(cat);
            state.data = Some(data.clone());
            state.admin.token = admin_token.filter(|t| !t.is_empty()).map(Arc::from);
            state.cors_origin = cors_origin;
            state.admin.sites = sites;
            if !(rate_limit.is_finite() && rate_limit >= 0.0) {
                anyhow::bail!("--rate-limit must be requests per second, 0 or more (0 turns it off); got {rate_limit}");
            }
            if rate_limit > 0.0 {
                state.rate_limit =
                    Some(Arc::new(server::ratelimit::RateLimiter::new(rate_limit, rate_burst, trust_forwarded_for)));
            }
            runtime()?.block_on(server::serve(state, addr))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(a) => {
            let cat = govsearch_index::Catalogue::open(&data.index_dir())?;
            let req = govsearch_index::SearchRequest {
                q: a.query,
                category: a.category,
                publisher: a.publisher,
                site: a.site,
                validity: a.validity,
                from: a.from,
                to: a.to,
                sort: match a.sort {
                    SortArg::Relevance => SortOrder::Relevance,
                    SortArg::Date => SortOrder::Date,
                },
                size: a.size,
                page: a.page,
                ..Default::default()
            };
            let res = cat.search(&req)?;
            if a.json {
                let res = govsearch::render::ApiSearchResponse::from(&res);
                println!("{}", serde_json::to_string_pretty(&res).context("writing JSON")?);
            } else {
                print!("{}", cli::format_results(&res));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tally { year, from, to, site, publisher, group, json, csv } => {
            let cat = govsearch_index::Catalogue::open(&data.index_dir())?;
            let query = tally_query(year, from, to, site, publisher, group.into())?;
            let text = cli::tally(&cat, &query, json, csv.as_deref())?;
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { corpus, per_kind, json } => {
            let figs = cli::eval(&data, &corpus, per_kind)?;
            print!("{}", govsearch::eval::table(&figs));
            if let Some(path) = json {
                std::fs::write(&path, serde_json::to_vec_pretty(&figs)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { corpus, queries, seconds, only, addr, json } => {
            let report =
                runtime()?.block_on(cli::bench(&data, &corpus, queries.as_deref(), seconds, &only, addr.as_deref()))?;
            print!("{}", report.table());
            if let Some(path) = json {
                std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen { corpus, count, out } => {
            govsearch::scale::generate(&corpus, count, &out)?;
            eprintln!("wrote {count} documents to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { site, as_of, json } => {
            let cat = govsearch_index::Catalogue::open(&data.index_dir())?;
            let query = AuditQuery { sites: site_list(site.iter().map(String::as_str)), as_of };
            let (text, findings) = cli::audit(&cat, &data, &query, json)?;
            print!("{text}");
            Ok(if findings > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
    }
}

/// The tally the flags ask for; errors name the flag's parameter as the API does.
fn tally_query(
    year: Option<i32>,
    from: Option<String>,
    to: Option<String>,
    site: Vec<String>,
    publisher: Option<String>,
    group_by: GroupBy,
) -> Result<TallyQuery> {
    let named = cli::report_error;
    Ok(TallyQuery {
        period: Period::new(year, from.as_deref(), to.as_deref()).map_err(named)?,
        sites: site_list(site.iter().map(String::as_str)),
        publisher: publisher.filter(|p| !p.trim().is_empty()),
        group_by,
    })
}

/// `tally --group`: what the rows are.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum GroupArg {
    Category,
    Column,
    Publisher,
    Month,
    #[value(alias = "site")]
    Channel,
}

impl From<GroupArg> for GroupBy {
    fn from(g: GroupArg) -> GroupBy {
        match g {
            GroupArg::Category => GroupBy::Category,
            GroupArg::Column => GroupBy::Column,
            GroupArg::Publisher => GroupBy::Publisher,
            GroupArg::Month => GroupBy::Month,
            GroupArg::Channel => GroupBy::Channel,
        }
    }
}

/// `search --sort`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}
