//! What extraction makes of one saved page: the item's fields and the
//! pagination links, for checking a page by hand against its source.
//!
//! `cargo run -p govsearch-crawler --example show_page -- PAGE.html URL [CONTENT-TYPE]`

use govsearch_crawler::charset::decode;
use govsearch_crawler::extract::Page;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(url)) = (args.next(), args.next()) else {
        return Err("usage: show_page PAGE.html URL [CONTENT-TYPE]".into());
    };
    let content_type = args.next();
    let url = url::Url::parse(&url).map_err(|e| format!("URL {url:?}: {e}"))?;
    let raw = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
    let d = decode(&raw, content_type.as_deref());
    println!("{file} {url} {}", d.encoding);
    println!("{:#?}", Page::parse(&url, &d.text).item(None));
    println!("{:#?}", Page::parse(&url, &d.text).links().pagination);
    Ok(())
}
