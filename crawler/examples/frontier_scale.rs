//! How fast the crawl state's frontier takes and records URLs at scale: 200,000
//! URLs enqueued, then 500 batches of 32 taken and recorded.
//!
//! `cargo run --release -p govsearch-crawler --example frontier_scale`

use govsearch_crawler::scope::UrlKind;
use govsearch_crawler::state::{CrawlState, FetchRecord, NewUrl};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let st = CrawlState::open(&dir.path().join("crawl.sqlite"))?;
    let run = st.begin_run()?;
    let urls: Vec<NewUrl> = (0..200_000)
        .map(|i| NewUrl {
            url: format!("http://a.example/{i}"),
            site: "s".into(),
            kind: UrlKind::Item,
            depth: 0,
            parent: None,
            column: String::new(),
            link_text: String::new(),
        })
        .collect();
    let t = std::time::Instant::now();
    st.enqueue(&urls)?;
    println!("enqueue 200k: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for _ in 0..500 {
        for d in st.take_due(run, "s", 32, false)? {
            st.record(run, FetchRecord { url: d.url, http_status: Some(200), ..Default::default() })?;
        }
    }
    println!("16k take+record: {:?}", t.elapsed());
    Ok(())
}
