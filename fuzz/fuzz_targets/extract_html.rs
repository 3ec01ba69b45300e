//! HTML extraction on arbitrary bytes: charset decoding, item fields, links,
//! page classification. Nothing may panic; every link stays an http(s) URL.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(base) = url::Url::parse("http://www.example.gov.cn/zwgk/zcwj/index.html") else { return };
    let decoded = govsearch_crawler::charset::decode(data, Some("text/html"));
    let html = decoded.text.as_str();
    let item = govsearch_crawler::extract::extract_item(&base, html, None);
    let _ = govsearch_crawler::extract::content_hash(&item);
    let _ = govsearch_crawler::extract::looks_like_item(&item, html);
    let _ = govsearch_crawler::extract::not_a_document(html, &item);
    let _ = govsearch_crawler::extract::is_anti_bot(html);
    let _ = govsearch_crawler::extract::page_column(html);
    let links = govsearch_crawler::extract::extract_links(&base, html);
    let urls = links
        .links
        .iter()
        .map(|l| &l.url)
        .chain(&links.pagination)
        .chain(links.attachments.iter().map(|a| &a.url))
        .chain(&links.redirect);
    for u in urls {
        assert!(matches!(u.scheme(), "http" | "https"), "link with scheme {}", u.scheme());
    }
});
