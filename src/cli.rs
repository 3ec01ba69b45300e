//! The command line as types: what `govsearch` accepts, with its help text.
//! Parsing only; each command's body is in `commands/<name>.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use govsearch_index::SortOrder;
use govsearch_index::tally::GroupBy;

use crate::server::ratelimit::IpNet;

/// Search engine for published Chinese government information (政府信息公开).
///
/// Every command works on one data folder (--data-dir, default ./data): the
/// SQLite crawl state with the raw pages, imported documents, and the index.
#[derive(Parser)]
#[command(name = "govsearch", version, about, long_about = None)]
pub struct Cli {
    /// The data folder (crawl state, imports, index).
    #[arg(long, global = true, default_value = "data", env = "GOVSEARCH_DATA_DIR")]
    pub data_dir: PathBuf,
    /// More log output (-v info, -vv debug); progress bars are hidden in verbose mode.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start the bundled demo government site, crawl it, index it and serve search.
    ///
    /// A second run reuses the data folder: the crawl is incremental (conditional
    /// requests) and finishes in seconds.
    Demo(DemoArgs),
    /// Serve only the bundled demo government site (for trying the crawler, and for the crash tests).
    DemoSite(DemoSiteArgs),
    /// Crawl the sites of a config file into the data folder, then update the index.
    Crawl(CrawlArgs),
    /// Look at a site before writing its config: robots.txt, the start page,
    /// the disclosure platform it runs on and its catalogue; prints a ready
    /// `[[site]]` block naming every host the crawl needs.
    Probe(ProbeArgs),
    /// Rebuild the index from stored pages and imports (no network).
    Index(IndexArgs),
    /// Bulk-load documents from a JSON Lines file (optionally .gz) in the corpus format.
    ///
    /// Each line: {"id","title","doc_number","publisher","category","issued_date",
    /// "published_date","validity","body","source"}, all strings. A bad line stops
    /// the import before anything is stored, naming the file and line.
    Import(ImportArgs),
    /// Serve the JSON API and the web page.
    Serve(ServeArgs),
    /// Search from the command line; prints ranked results.
    Search(SearchArgs),
    /// Count what was published in a period (the annual report's tally), as Markdown.
    ///
    /// Deduplicated: one item under several columns, URLs or sites counts once.
    /// Items with no 发布日期 are listed separately, never guessed into a period.
    Tally(TallyArgs),
    /// Evaluate search quality on a corpus file: MRR@10, recall, phrase precision per kind of query.
    #[command(hide = true)]
    Eval(EvalArgs),
    /// Benchmark analysis, index build and search over HTTP on a corpus file.
    #[command(hide = true)]
    Bench(BenchArgs),
    /// Generate a larger realistic corpus from a real one (for the scale benchmarks).
    #[command(hide = true)]
    Gen(GenArgs),
    /// Audit proactive-disclosure coverage; exits 2 when there are findings.
    Audit(AuditArgs),
    /// Sections 二 (from the catalogue), 三 and 四 of the annual report, from the application register.
    ///
    /// The register is a CSV file or an XLSX workbook with the Chinese headers 申请编号, 收到日期, 申请人类型,
    /// 申请内容, 办理结果, 答复日期, 是否延期, 行政复议, 行政诉讼; a file with a bad cell is
    /// refused whole, each bad cell named by line and column.
    Report(ReportArgs),
}

#[derive(Args)]
pub struct ReportArgs {
    /// The report's year.
    #[arg(long)]
    pub year: i32,
    /// The application register: CSV (UTF-8) or an XLSX workbook (its first sheet with rows).
    #[arg(long)]
    pub register: PathBuf,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Also write the report as a Word document (A4, the national layout; opens in Word and WPS).
    #[arg(long)]
    pub docx: Option<PathBuf>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Where the search server listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Where the demo government site listens. A fixed port keeps its URLs (and so the
    /// document ids) the same from run to run, which is what makes a second run incremental.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub site_addr: SocketAddr,
}

#[derive(Args)]
pub struct DemoSiteArgs {
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub addr: SocketAddr,
    /// Write a sites.toml that crawls it to this file.
    #[arg(long)]
    pub write_config: Option<PathBuf>,
}

#[derive(Args)]
pub struct CrawlArgs {
    /// The sites to crawl (see sites.example.toml).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Stop after this many fetches (for trials).
    #[arg(long)]
    pub max_pages: Option<usize>,
    /// Also write the crawl report as JSON to this file.
    #[arg(long)]
    pub report_json: Option<PathBuf>,
    /// Only crawl; do not update the index.
    #[arg(long)]
    pub no_index: bool,
    /// Walk list pages and platform catalogues only: the items they list
    /// are counted (as pending) without fetching their pages; the next
    /// crawl fetches them.
    #[arg(long)]
    pub catalogue_only: bool,
}

#[derive(Args)]
pub struct ProbeArgs {
    /// The site's disclosure catalogue (its start page).
    pub url: url::Url,
    /// Also ask for page 1 of every list, at the crawl's politeness delay,
    /// to show the totals the platform claims.
    #[arg(long)]
    pub count: bool,
    /// The site's name in the printed block (default: from its host).
    #[arg(long)]
    pub name: Option<String>,
    /// Delay between two requests in milliseconds (robots.txt Crawl-delay wins when larger).
    #[arg(long, default_value_t = govsearch_crawler::config::DEFAULT_DELAY_MS)]
    pub delay_ms: u64,
    /// Allow a private or loopback address (an intranet site).
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Args)]
pub struct IndexArgs {
    /// The config the pages were crawled with (for selectors and column mapping).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// The channel these documents came through (shown as their site in counts).
    #[arg(long, default_value = "import")]
    pub channel: String,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Token for /api/admin/* (off when unset); read from the environment so it is never in `ps`.
    #[arg(long, env = "GOVSEARCH_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Allow browser pages from this origin to call the API (CORS; off by default).
    #[arg(long)]
    pub cors_origin: Option<String>,
    /// Sites config for POST /api/admin/crawl and /api/admin/reindex.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Requests per second each client may make (429 with Retry-After beyond it); 0 turns the limit off.
    #[arg(long, default_value_t = 20.0)]
    pub rate_limit: f64,
    /// Requests a client may make at once before the per-second limit applies.
    #[arg(long, default_value_t = 60)]
    pub rate_burst: u32,
    /// Peers whose X-Forwarded-For names the client (addresses or networks, comma-separated;
    /// `none` trusts no one). The default, loopback, is a reverse proxy on this machine.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.0/8,::1", value_parser = trusted_proxy)]
    pub trusted_proxy: Vec<Option<IpNet>>,
}

#[derive(Args)]
pub struct SearchArgs {
    /// The query (same language as the web page: words, "phrase", -word, title:…, 文号:…, OR).
    pub query: String,
    /// Print the full JSON answer.
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub publisher: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long)]
    pub validity: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Published on or before (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Order of the results.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    #[arg(long, default_value_t = 10)]
    pub size: usize,
    #[arg(long, default_value_t = 1)]
    pub page: usize,
}

#[derive(Args)]
pub struct TallyArgs {
    /// Calendar year (default: the latest year with published items).
    #[arg(long)]
    pub year: Option<i32>,
    /// Period start (YYYY-MM-DD), with --to instead of --year.
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
    /// Only these sites or import channels (repeatable).
    #[arg(long)]
    pub site: Vec<String>,
    #[arg(long)]
    pub publisher: Option<String>,
    /// What the rows are.
    #[arg(long, value_enum, default_value_t = GroupArg::Category)]
    pub group: GroupArg,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Also write the list behind the total as CSV (UTF-8 with BOM).
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Corpus in the import format.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Queries per kind.
    #[arg(long, default_value_t = 100)]
    pub per_kind: usize,
    /// Also write the figures as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Corpus in the import format.
    #[arg(long)]
    pub corpus: PathBuf,
    /// One query per line (default: titles of the corpus).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Seconds per throughput run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Which parts (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "analyze,index,search")]
    pub only: Vec<BenchPart>,
    /// Time a server already running at this base URL instead of our own (e.g. a peer).
    #[arg(long)]
    pub addr: Option<String>,
    /// Also write the figures as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Args)]
pub struct GenArgs {
    /// The real corpus to recombine.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Documents to generate.
    #[arg(long)]
    pub count: usize,
    /// Output file (.jsonl or .jsonl.gz).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct AuditArgs {
    /// Only these sites or channels (repeatable).
    #[arg(long)]
    pub site: Vec<String>,
    /// The date the audit is made for (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print JSON instead of a readable report.
    #[arg(long)]
    pub json: bool,
}

/// `tally --group`: what the rows are.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GroupArg {
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
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

impl From<SortArg> for SortOrder {
    fn from(s: SortArg) -> SortOrder {
        match s {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Date => SortOrder::Date,
        }
    }
}

/// `bench --only`: the parts of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchPart {
    Analyze,
    Index,
    Search,
    Crawl,
}

/// One `--trusted-proxy` value: an address or network, or `none`.
fn trusted_proxy(s: &str) -> Result<Option<IpNet>, String> {
    if s.trim().eq_ignore_ascii_case("none") { Ok(None) } else { s.parse().map(Some) }
}
