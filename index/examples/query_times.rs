//! Time searches in-process (no HTTP): `cargo run --release -p govsearch-index
//! --example query_times -- INDEX_DIR [ROUNDS] < queries.txt` prints each
//! query's median over the rounds, slowest first, then p50/p95/p99 of the medians.

use std::io::BufRead;
use std::time::Instant;

use govsearch_index::{Catalogue, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: query_times INDEX_DIR [ROUNDS] < queries")?;
    let rounds: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    let cat = Catalogue::open(dir.as_ref())?;
    let queries: Vec<String> =
        std::io::stdin().lock().lines().map_while(Result::ok).filter(|l| !l.trim().is_empty()).collect();
    let mut rows = Vec::new();
    for q in &queries {
        let req = SearchRequest { q: q.clone(), ..SearchRequest::default() };
        let mut times = Vec::with_capacity(rounds);
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            total = cat.search(&req)?.total;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        rows.push((times[times.len() / 2], total, q));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, total, q) in rows.iter().take(15) {
        println!("{ms:8.2} ms {total:>9} {q}");
    }
    let mut ms: Vec<f64> = rows.iter().map(|r| r.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p) as usize).min(ms.len() - 1)];
    println!("p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms over {} queries", at(0.5), at(0.95), at(0.99), ms.len());
    Ok(())
}
