//! HTML extraction on arbitrary bytes: charset decoding, item fields, links,
//! page classification. Nothing may panic; every link stays an http(s) URL.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(base) = url::Url::parse("http://www.example.gov.cn/zwgk/zcwj/index.html") else { return };
    let decoded = govsearch_crawler::charset::decode(data, Some("text/html"));
    let html = decoded.text.as_str();
    let page = govsearch_crawler::extract::Page::parse(&base, html);
    let item = page.item(None);
    let _ = govsearch_crawler::extract::content_hash(&item);
    let _ = govsearch_crawler::extract::looks_like_item(&item, html);
    let _ = govsearch_crawler::extract::not_a_document(html, &item);
    let _ = govsearch_crawler::extract::is_anti_bot(html);
    let _ = page.column();
    let links = page.links();
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
