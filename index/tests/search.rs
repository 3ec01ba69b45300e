//! Search behaviour over a small real-text catalogue.
#![allow(clippy::unwrap_used)]

use govsearch_index::{Catalogue, Document, SearchRequest, SortOrder};

fn doc(id: &str, title: &str, body: &str) -> Document {
    Document { id: id.into(), title: title.into(), body: body.into(), site: "t".into(), ..Default::default() }
}

fn catalogue(docs: &[Document]) -> (tempfile::TempDir, Catalogue) {
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    for d in docs {
        w.upsert(d).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();
    (dir, cat)
}

fn ids(cat: &Catalogue, q: &str) -> Vec<String> {
    let r = cat.search(&SearchRequest { q: q.into(), size: 50, ..Default::default() }).unwrap();
    r.hits.into_iter().map(|h| h.id).collect()
}

fn fixture() -> (tempfile::TempDir, Catalogue) {
    let mut docs = vec![
        doc(
            "ogi",
            "中华人民共和国政府信息公开条例",
            "第一条 为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，制定本条例。",
        ),
        doc("gd", "广东省公安厅关于电动自行车登记的通告", "广东省公安厅决定，自2020年起对电动自行车实行登记管理。"),
        doc("scatter", "关于加强政府网站管理的通知", "各地政府要加强网站建设。本通知所称条例，是指相关法规。"),
        doc("none", "城市道路管理办法", "为了加强城市道路管理，保障城市道路完好，制定本办法。"),
        doc("trad", "规范性文件管理办法", "行政机关制定规范性文件应当公开征求意见。"),
    ];
    docs[1].doc_number = "粤公规〔2020〕3号".into();
    docs[1].publisher = "广东省公安厅".into();
    docs[1].category = "规范性文件".into();
    docs[1].published_date = "2020-03-15".into();
    docs[4].category = "规范性文件".into();
    docs[4].published_date = "2021-06-01".into();
    docs[0].category = "行政法规".into();
    docs[0].published_date = "2008-05-01".into();
    catalogue(&docs)
}

#[test]
fn unspaced_words_match_apart() {
    // tantivy's stock parser would make 政府条例 a strict phrase and find nothing.
    let (_d, cat) = fixture();
    let got = ids(&cat, "政府条例");
    assert!(got.contains(&"ogi".to_owned()) && got.contains(&"scatter".to_owned()), "{got:?}");
    assert!(!got.contains(&"none".to_owned()));
}

#[test]
fn phrase_jieba_never_emits_is_found() {
    let (_d, cat) = fixture();
    assert_eq!(ids(&cat, "\"人民共和国政府\""), ["ogi"]);
    // …and a phrase not in any text finds nothing (precision).
    assert!(ids(&cat, "\"政府条例\"").is_empty());
}

#[test]
fn substring_across_jieba_cut() {
    let (_d, cat) = fixture();
    assert_eq!(ids(&cat, "省公安厅")[0], "gd");
    assert_eq!(ids(&cat, "\"省公安厅\""), ["gd"]);
}

#[test]
fn document_numbers_in_any_bracket_style_come_first() {
    let (_d, cat) = fixture();
    for q in [
        "粤公规〔2020〕3号",
        "粤公规[2020]3号",
        "粤公规(2020)3号",
        "粤公规2020 3号",
        "粤公规（2020）3号",
        "文号:粤公规2020第3号",
    ] {
        let got = ids(&cat, q);
        assert_eq!(got.first().map(String::as_str), Some("gd"), "{q}: {got:?}");
    }
}

#[test]
fn traditional_query_finds_simplified_text() {
    let (_d, cat) = fixture();
    assert_eq!(ids(&cat, "規範性文件")[0], "trad");
}

/// A body without the words: the snippet comes from the attachment that holds
/// the first match, and says which one.
#[test]
fn attachment_snippets_name_their_attachment() {
    let att = |name: &str, text: &str| govsearch_index::Attachment {
        name: name.into(),
        text: text.into(),
        ..Default::default()
    };
    let mut d = doc("x", "通知", "正文没有要找的词。");
    d.attachments =
        vec![att("空.pdf", ""), att("一.docx", "第一个附件。"), att("二.xlsx", "名单：<b>示例市停车场</b>收费标准")];
    let (_d, cat) = catalogue(&[d]);
    let r = cat.search(&SearchRequest { q: "\"停车场收费\"".into(), ..Default::default() }).unwrap();
    assert_eq!(r.total, 0, "a phrase that is not there");
    let r = cat.search(&SearchRequest { q: "\"停车场\"".into(), ..Default::default() }).unwrap();
    let s = &r.hits[0].snippet;
    assert_eq!(s.from, govsearch_index::snippet::SnippetSource::Attachment { name: "二.xlsx".into() }, "{s:?}");
    let marked: Vec<&str> = s.passage.ranges.iter().map(|r| &s.passage.text[r.clone()]).collect();
    assert_eq!(marked, ["停车场"]);
    assert!(s.passage.text.contains("<b>示例市停车场</b>"), "{s:?}");
}

/// The index returns highlights as data, crawled text as it is: escaping is
/// the edges' job (see `src/render.rs` and `tests/api.rs` in the root package).
#[test]
fn snippet_and_title_highlights_are_ranges_of_the_text() {
    let (_d, cat) = catalogue(&[doc(
        "x",
        "<script>alert(1)</script>规范性文件",
        "正文<img src=x onerror=alert(1)>规范性文件的说明",
    )]);
    let r = cat.search(&SearchRequest { q: "规范性文件".into(), ..Default::default() }).unwrap();
    let h = &r.hits[0];
    let marked = |t: &str, r: &[std::ops::Range<usize>]| r.iter().map(|r| t[r.clone()].to_owned()).collect::<Vec<_>>();
    assert_eq!(marked(&h.title, &h.title_highlights), ["规范性文件"]);
    assert_eq!(&h.title[..h.title_highlights[0].start], "<script>alert(1)</script>");
    let s = &h.snippet;
    assert!("正文<img src=x onerror=alert(1)>规范性文件的说明".ends_with(&s.passage.text), "{s:?}");
    assert!(s.passage.text.contains("onerror=alert(1)>规范性文件的说明"), "crawled text as it is: {s:?}");
    assert_eq!(marked(&s.passage.text, &s.passage.ranges), ["规范性文件"]);
    assert_eq!(s.from, govsearch_index::snippet::SnippetSource::Body);
    assert!(s.cut_before && !s.cut_after, "the window starts a little before the match: {s:?}");
}

#[test]
fn filters_facets_and_date_order() {
    let (_d, cat) = fixture();
    let r = cat.search(&SearchRequest { q: String::new(), ..Default::default() }).unwrap();
    assert_eq!(r.total, 5);
    let order: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(&order[..3], ["trad", "gd", "ogi"]);
    let cats: Vec<(&str, u64)> = r.facets.category.iter().map(|f| (f.value.as_str(), f.count)).collect();
    assert_eq!(cats, [("规范性文件", 2), ("行政法规", 1)]);
    let r = cat
        .search(&SearchRequest {
            category: Some("规范性文件".into()),
            from: Some("2021-01-01".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["trad"]);
    let all = cat.search(&SearchRequest::default()).unwrap();
    let years: Vec<&str> = all.facets.year.iter().map(|y| y.value.as_str()).collect();
    assert_eq!(years, ["2021", "2020", "2008"]);
    let r = cat.search(&SearchRequest { q: "管理".into(), sort: SortOrder::Date, ..Default::default() }).unwrap();
    assert_eq!(r.hits[0].id, "trad");
}

#[test]
fn bad_parameters_name_themselves() {
    let (_d, cat) = fixture();
    let e = cat.search(&SearchRequest { from: Some("2020-13-01".into()), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("from"), "{e}");
    let e = cat
        .search(&SearchRequest { from: Some("2021-01-01".into()), to: Some("2020-01-01".into()), ..Default::default() })
        .unwrap_err();
    assert!(e.to_string().contains("from"), "{e}");
    let e = cat.search(&SearchRequest { size: 1000, ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("size"), "{e}");
    let e = cat.search(&SearchRequest { page: 100_000, ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("page"), "{e}");
}

#[test]
fn withdrawn_hidden_and_invalid_demoted() {
    let mut a = doc("valid", "住房公积金管理条例", "住房公积金管理条例全文");
    let mut b = doc("old", "住房公积金管理条例", "住房公积金管理条例全文");
    a.validity = "有效".into();
    b.validity = "失效".into();
    let mut c = doc("gone", "住房公积金管理条例（撤回）", "住房公积金");
    c.withdrawn = true;
    let (_d, cat) = catalogue(&[b, a, c]);
    assert_eq!(ids(&cat, "住房公积金管理条例"), ["valid", "old"]);
    let r = cat.search(&SearchRequest { q: "公积金".into(), include_withdrawn: true, ..Default::default() }).unwrap();
    assert_eq!(r.total, 3);
}

#[test]
fn synonyms_apply_at_query_time() {
    let (_d, cat) = catalogue(&[doc("yb", "关于医疗保障待遇的通知", "医疗保障")]);
    assert_eq!(ids(&cat, "医保"), ["yb"]);
}

#[test]
fn relaxed_when_all_words_find_nothing() {
    let (_d, cat) = fixture();
    let r = cat.search(&SearchRequest { q: "电动自行车 火星".into(), ..Default::default() }).unwrap();
    assert!(r.query.relaxed);
    assert_eq!(r.hits[0].id, "gd");
}

#[test]
fn exclusion_and_title_scope() {
    let (_d, cat) = fixture();
    let got = ids(&cat, "政府 -网站");
    assert!(got.contains(&"ogi".to_owned()) && !got.contains(&"scatter".to_owned()));
    assert_eq!(ids(&cat, "title:公安厅"), ["gd"]);
}

#[test]
fn hostile_queries_answer() {
    let (_d, cat) = fixture();
    for q in [
        "",
        "\"",
        "\"\"\"",
        "-",
        "OR",
        "标题:",
        "，。！？",
        "的",
        "😀😀",
        &"政".repeat(10_000),
        "\u{0}\u{1b}[31m",
        "a*b?c~ /re.*gex/ ^2",
        "%E4%B8%AD%",
    ] {
        let r = cat.search(&SearchRequest { q: q.into(), ..Default::default() });
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    let r = cat.search(&SearchRequest { q: "的".into(), ..Default::default() }).unwrap();
    assert!(r.total >= 3);
}

#[test]
fn suggestions_complete_titles_and_numbers() {
    let (_d, cat) = fixture();
    let s: Vec<String> = cat.suggest("广东", 5).unwrap().into_iter().map(|s| s.text).collect();
    assert_eq!(s, ["广东省公安厅关于电动自行车登记的通告"]);
    let s: Vec<String> = cat.suggest("粤公规", 5).unwrap().into_iter().map(|s| s.text).collect();
    assert_eq!(s, ["粤公规〔2020〕3号"]);
}

#[test]
fn upsert_replaces_by_id() {
    let (_d, cat) = fixture();
    let mut w = cat.writer().unwrap();
    w.upsert(&doc("gd", "新标题", "新正文")).unwrap();
    w.finish().unwrap();
    cat.reload().unwrap();
    assert_eq!(cat.num_docs(), 5);
    assert_eq!(cat.get("gd").unwrap().unwrap().title, "新标题");
    assert!(ids(&cat, "电动自行车").is_empty());
}

#[test]
fn related_documents_share_words() {
    let (_d, cat) = fixture();
    let rel = cat.related("trad", 3).unwrap();
    assert!(rel.iter().all(|h| h.id != "trad"));

    let (_d, cat) = catalogue(&[
        doc("a", "电动自行车登记管理规定", "电动自行车应当办理登记，悬挂号牌。"),
        doc("b", "关于电动自行车登记的通告", "自2020年起，电动自行车登记实行网上预约。"),
        doc("c", "城市道路管理办法", "为了加强城市道路管理，制定本办法。"),
        doc("d", "会议纪要", "会议研究了年度预算。"),
        doc("e", "电动自行车号牌样式", "号牌由公安机关交通管理部门制作。"),
    ]);
    let rel: Vec<String> = cat.related("a", 5).unwrap().into_iter().map(|h| h.id).collect();
    assert_eq!(rel.first().map(String::as_str), Some("b"), "{rel:?}");
    assert!(rel.contains(&"e".to_owned()), "shares 电动自行车 and 号牌: {rel:?}");
    assert!(!rel.contains(&"d".to_owned()) && !rel.contains(&"a".to_owned()), "{rel:?}");
    assert!(cat.related("missing", 5).unwrap().is_empty());
}

#[test]
fn lone_ideographs_are_found_wherever_they_stand() {
    let (_d, cat) = catalogue(&[
        doc("mid", "标题甲", "依照第1条规定办理"),
        doc("end", "标题乙", "适用本条"),
        doc("word", "标题丙", "第1条"),
        doc("none", "标题丁", "无关内容"),
    ]);
    let mut got = ids(&cat, "\"第1条\"");
    got.sort();
    assert_eq!(got, ["mid", "word"]);
    // One ideograph: inside a run (a bigram in the index) or at its end (a unigram).
    let mut got = ids(&cat, "条");
    got.sort();
    assert_eq!(got, ["end", "mid", "word"]);
    // A space typed inside a Chinese phrase means nothing.
    assert_eq!(ids(&cat, "\"依照 第1条 规定\""), ["mid"]);
    assert_eq!(ids(&cat, "\"第1 条规\""), ["mid"]);
}

fn page(cat: &Catalogue, q: &str, page: usize, size: usize) -> Vec<String> {
    let r = cat.search(&SearchRequest { q: q.into(), page, size, ..Default::default() }).unwrap();
    r.hits.into_iter().map(|h| h.id).collect()
}

/// jieba cuts 安全生产 into 安全 + 生产; the boost for the words side by side in
/// the body is added to the top 200 hits by relevance only, which are then
/// ranked again (reading positions for every candidate cost 60% of the query
/// at 1M). Inside the window a longer document with the phrase comes before
/// shorter ones with the words apart; one whose other scores put it past the
/// window stays there; and every page, inside the window and past it, agrees
/// on one order.
#[test]
fn phrase_boost_reranks_the_top_and_pages_agree() {
    let filler = "各单位要按照要求认真组织开展工作，确保各项任务按期完成。";
    let together = "加强安全生产检查，组织各单位开展全面排查工作，落实整改责任。";
    // First in doc order, below `together` by rank (失效: ×0.7).
    let mut expired = doc("expired", "第999号通知", together);
    expired.validity = "失效".into();
    let mut docs = vec![expired];
    docs.extend(
        (0..150).map(|i| doc(&format!("apart{i:03}"), &format!("第{i}号通知"), "加强安全管理，组织生产检查。")),
    );
    docs.push(doc("together", "第999号通知", together));
    let long_apart = format!("加强安全管理，组织生产检查。{}", filler.repeat(4));
    docs.extend((0..100).map(|i| doc(&format!("long{i:03}"), &format!("第{}号通知", 1000 + i), &long_apart)));
    docs.push(doc("far", "第2000号通知", &format!("加强安全生产检查。{}", filler.repeat(12))));
    let (_d, cat) = catalogue(&docs);
    let all: Vec<String> = (1..=6).flat_map(|p| page(&cat, "安全生产", p, 50)).collect();
    assert_eq!(all.len(), 253);
    assert_eq!(all.iter().collect::<std::collections::HashSet<_>>().len(), 253, "a hit on two pages");
    assert_eq!(all[0], "together", "the phrase boost did not apply: {:?}", &all[..3]);
    // The same document, expired, scores ×0.7 — its boost included.
    let top = cat.search(&SearchRequest { q: "安全生产".into(), size: 50, ..Default::default() }).unwrap();
    let score = |id: &str| top.hits.iter().find(|h| h.id == id).map_or(0.0, |h| h.score);
    let (valid, expired) = (score("together"), score("expired"));
    assert!((expired / valid - 0.7).abs() < 1e-3, "expired {expired} against {valid}: ×0.7 expected");
    // every holder of the words side by side before every document holding them apart,
    // however low its other scores (the long `far` was below rank 200 by them)
    let far = all.iter().position(|id| id == "far").unwrap();
    assert_eq!(far, 2, "after `together` and `expired`: {:?}", &all[..4]);
    assert_eq!(page(&cat, "安全生产", 3, 10), all[20..30], "pages of 10 and of 50 disagree");
    assert_eq!(page(&cat, "安全生产", 20, 10), all[190..200], "the window's last page");
    assert_eq!(page(&cat, "安全生产", 21, 10), all[200..210], "past the window");
}

#[test]
fn metadata_numbers_are_found() {
    let mut a = doc("zj", "杭州市住房保障和房产管理局关于印发管理办法的通知", "现将管理办法印发给你们。");
    a.registration_number = "ZJAC16-2024-0301".into();
    let mut b = doc("idx", "关于印发管理办法的通知", "现将办法印发。");
    b.index_number = "002489321/2023-00156".into();
    let (_d, cat) = catalogue(&[a, b, doc("other", "关于印发办法的通知", "现将办法印发。")]);
    assert_eq!(ids(&cat, "ZJAC16-2024-0301"), ["zj"], "统一编号");
    assert_eq!(ids(&cat, "002489321/2023-00156"), ["idx"], "索引号");
}

fn pinyin_fixture() -> (tempfile::TempDir, Catalogue) {
    let mut docs = vec![
        doc("gf1", "关于印发规范性文件管理办法的通知", "各部门：现将规范性文件管理办法印发给你们。"),
        doc("gf2", "规范性文件备案审查规定", "规范性文件应当自公布之日起三十日内报送备案。"),
        doc("gjj1", "住房公积金管理条例", "为了加强对住房公积金的管理，维护住房公积金所有者的合法权益，制定本条例。"),
        doc("gjj2", "关于调整住房公积金缴存比例的通知", "住房公积金缴存比例调整如下。"),
        doc("bank", "中国人民银行关于银行卡业务的通知", "各商业银行：现就银行卡业务通知如下。"),
    ];
    docs[0].publisher = "住房和城乡建设部".into();
    catalogue(&docs)
}

fn search(cat: &Catalogue, q: &str) -> govsearch_index::SearchResponse {
    cat.search(&SearchRequest { q: q.into(), size: 10, ..Default::default() }).unwrap()
}

#[test]
fn pinyin_suggests_and_searches_what_its_characters_would() {
    let (_d, cat) = pinyin_fixture();
    let texts = |q: &str| cat.suggest(q, 5).unwrap().into_iter().map(|s| s.text).collect::<Vec<_>>();
    assert!(texts("gfxwj").contains(&"规范性文件".to_owned()), "{:?}", texts("gfxwj"));
    assert!(texts("gfxwj").contains(&"规范性文件备案审查规定".to_owned()), "titles by their initials");
    assert!(texts("guifanxing").contains(&"规范性文件".to_owned()));
    assert!(texts("gongjijin").contains(&"住房公积金".to_owned()), "{:?}", texts("gongjijin"));
    assert!(texts("zfgjj").iter().any(|t| t.starts_with("住房公积金")), "{:?}", texts("zfgjj"));

    let r = search(&cat, "gongjijin");
    assert_eq!(r.query.pinyin.as_deref(), Some("公积金"));
    let mut ids: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["gjj1", "gjj2"], "what 公积金 finds");
    assert_eq!(search(&cat, "zzzz").query.pinyin, None, "letters that read as nothing are searched as typed");
    let spaced = search(&cat, "gong ji jin");
    assert_eq!(spaced.query.pinyin.as_deref(), Some("公积金"), "syllables typed apart");
    assert_eq!(spaced.total, 2, "one alternative, not three required words");
}

#[test]
fn a_wrong_homophone_gets_a_did_you_mean_never_a_silent_replacement() {
    let (_d, cat) = pinyin_fixture();
    let r = search(&cat, "规范姓文件");
    assert_eq!(r.query.did_you_mean.as_deref(), Some("规范性文件"), "{:?}", r.query);
    assert_eq!(r.query.normalized, "规范姓文件", "the query is searched as typed");
    let r = search(&cat, "住房公积今");
    assert_eq!(r.query.did_you_mean.as_deref(), Some("住房公积金"));
    assert_eq!(search(&cat, "规范性文件").query.did_you_mean, None, "found: nothing to offer");
    assert_eq!(search(&cat, "\"规范姓文件\"").query.did_you_mean, None, "a quoted phrase is meant as written");
}

/// A sentence pasted without quotes: the one document holding it side by
/// side is first, however many documents score higher on its words apart
/// (more than the rescoring window), and every page still lists each match once.
#[test]
fn a_pasted_sentence_puts_its_one_holder_first() {
    let mut docs: Vec<Document> = (0..260)
        .map(|i| {
            doc(
                &format!("apart{i:03}"),
                &format!("关于推进政务服务和标准化工作的通知（第{i}号）"),
                "各地要推进改革。政务服务要便民。标准化建设要加快。推进落实，政务服务，标准化。",
            )
        })
        .collect();
    docs.push(doc(
        "holder",
        "关于印发实施方案的通知",
        &format!(
            "{}现就加快推进政务服务标准化规范化便利化提出如下意见。{}",
            "总体要求。".repeat(40),
            "保障措施。".repeat(40)
        ),
    ));
    let (_d, cat) = catalogue(&docs);
    let q = "推进政务服务标准化";
    let r = cat.search(&SearchRequest { q: q.into(), size: 10, ..Default::default() }).unwrap();
    assert_eq!(r.hits[0].id, "holder", "{:?}", r.hits.iter().map(|h| &h.id).collect::<Vec<_>>());
    assert_eq!(r.total, 261);
    // paging: every match once, the holder only on page 1
    let mut seen = std::collections::HashSet::new();
    for page in 1..=27 {
        let r = cat.search(&SearchRequest { q: q.into(), size: 10, page, ..Default::default() }).unwrap();
        for h in r.hits {
            assert!(seen.insert(h.id.clone()), "{} twice (page {page})", h.id);
        }
    }
    assert_eq!(seen.len(), 261);
    // quoted, it is the phrase search it always was: the holder alone
    assert_eq!(ids(&cat, "\"推进政务服务标准化\""), ["holder"]);
}
