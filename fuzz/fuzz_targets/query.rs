//! The whole search path on any query string: parsing, synonyms, n-gram
//! phrases, BM25, snippets and facets over a small real catalogue. The only
//! error allowed is a bad parameter; highlights are ranges in order, on
//! character boundaries, inside their text (the edges escape and mark them).
#![no_main]
use std::sync::OnceLock;

use govsearch_index::{Catalogue, Document, SearchRequest, SortOrder};
use libfuzzer_sys::fuzz_target;

fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<(tempfile::TempDir, Catalogue)> = OnceLock::new();
    let (_, cat) = CAT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let cat = Catalogue::open(dir.path()).expect("open");
        let mut w = cat.writer().expect("writer");
        let docs = [
            ("a", "广东省公安厅关于电动自行车登记管理的通告", "粤公规〔2020〕3号", "电动自行车应当依法登记，方可上道路行驶。"),
            ("b", "国务院关于印发政府信息公开条例的通知", "国发〔2019〕5号", "为了保障公民、法人和其他组织依法获取政府信息，制定本条例。"),
            ("c", "关于<script>alert(1)</script>的解读", "", "政府信息<img src=x onerror=alert(1)>公开条例的解读 ABC 123。"),
        ];
        for (id, title, num, body) in docs {
            let d = Document {
                id: id.into(),
                title: title.into(),
                doc_number: num.into(),
                body: body.into(),
                category: "规范性文件".into(),
                published_date: "2020-03-15".into(),
                ..Document::default()
            };
            w.upsert(&d).expect("upsert");
        }
        w.finish().expect("finish");
        cat.reload().expect("reload");
        (dir, cat)
    });
    cat
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else { return };
    let _ = govsearch_index::query::parse(q);
    let sort = if data.first().is_some_and(|b| b & 1 == 1) { SortOrder::Date } else { SortOrder::Relevance };
    let req = SearchRequest { q: q.to_owned(), sort, page: 1, size: 10, ..SearchRequest::default() };
    match catalogue().search(&req) {
        Ok(r) => {
            for h in &r.hits {
                let s = &h.snippet.passage;
                for (text, ranges) in [(&h.title, &h.title_highlights), (&s.text, &s.ranges)] {
                    let mut pos = 0;
                    for r in ranges {
                        assert!(pos <= r.start && r.start < r.end && r.end <= text.len(), "{q:?}: {ranges:?} in {text:?}");
                        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end), "{q:?}: {r:?} in {text:?}");
                        pos = r.end;
                    }
                }
            }
        }
        Err(govsearch_index::Error::BadParam { .. }) => {}
        Err(e) => panic!("query {q:?}: {e}"),
    }
});
