//! The audit and the tally over one fixture set that trips every check.
//!
//! `whole_audit_is_unchanged` compares the whole audit report with the one the
//! single-function audit (before it became a list of checks) gave for the same
//! input, recorded in `golden/audit_fixture.json`: the list of checks must find
//! exactly what it found.

#![allow(clippy::unwrap_used)]

use govsearch_index::Document;
use govsearch_index::audit::{BrokenLinkFact, Calendar, CrawlFacts, RevisionFact, Rules, audit};

fn d(id: &str, cat: &str, title: &str, published: &str) -> Document {
    Document {
        id: id.into(),
        category: cat.into(),
        title: title.into(),
        published_date: published.into(),
        publisher: "某局".into(),
        index_number: format!("IDX-{id}"),
        url: format!("http://x/{id}"),
        urls: vec![format!("http://x/{id}")],
        site: "s".into(),
        ..Default::default()
    }
}

/// Documents and crawl facts that give at least one finding of every code.
pub fn fixture() -> (Vec<Document>, CrawlFacts) {
    let mut policy = d("p", "规范性文件", "关于加强电动自行车管理的通知", "2025-01-10");
    policy.issued_date = "2024-11-01".into();
    policy.column = "gfxwj".into();
    let lonely = d("q", "规范性文件", "某某市城市道路管理办法", "2025-02-01");
    let mut interp = d("i", "政策解读", "《关于加强电动自行车管理的通知》政策解读", "2025-03-20");
    interp.related_links = vec!["http://x/p".into()];
    let by_title = d("t", "政策解读", "解读：某某市城市道路管理办法", "2025-02-03");
    let orphan = d("o", "政策解读", "一图读懂", "2025-02-03");
    let mut expired = d("e", "规范性文件", "旧办法", "2020-01-01");
    expired.validity = "有效".into();
    expired.expiry_date = "2025-01-01".into();
    let mut soon = d("s", "规范性文件", "将到期办法", "2023-01-01");
    soon.validity = "有效".into();
    soon.expiry_date = "2025-06-01".into();
    let mut abolished = d("ab", "规范性文件", "已废止办法", "2023-01-01");
    abolished.validity = "已废止".into();
    abolished.expiry_date = "2025-06-01".into();
    let mut nodate = d("n", "通知公告", "通知", "");
    nodate.index_number = "IDX-p".into();
    let mut nopub = d("np", "通知公告", "通知二", "2025-03-01");
    nopub.publisher = String::new();
    nopub.index_number = String::new();
    let mut other_pub = d("op", "通知公告", "通知三", "2025-03-02");
    other_pub.publisher = "另一局".into();
    other_pub.index_number = "IDX-p".into();
    let mut att = d("a", "通知公告", "招聘公告", "2025-03-03");
    att.attachments = vec![govsearch_index::Attachment {
        name: "名单.xls".into(),
        url: "http://x/a.xls".into(),
        kind: "xls".into(),
        text: String::new(),
        error: "encrypted".into(),
    }];
    let mut old_stats = d("st", "统计信息", "2022年统计公报", "2022-03-01");
    old_stats.column = "tjxx".into();
    let mut gone = d("w", "规范性文件", "撤下的办法", "2024-05-01");
    gone.withdrawn = true;
    let mut mirrored = d("m", "通知公告", "通知四", "2025-01-05");
    mirrored.urls = vec!["http://x/m".into(), "http://y/m-copy".into()];
    let mut imported = d("imp", "通知公告", "导入的通知", "2025-01-06");
    imported.url = String::new();
    imported.urls = Vec::new();
    let mut elsewhere = d("z", "通知公告", "另一网站的通知", "2025-01-07");
    elsewhere.site = "other".into();
    let docs = vec![
        policy, lonely, interp, by_title, orphan, expired, soon, abolished, nodate, nopub, other_pub, att, old_stats,
        gone, mirrored, imported, elsewhere,
    ];
    let rev = |url: &str, on: &str, fields: &[&str], old_pub: &str, new_pub: &str| RevisionFact {
        url: url.into(),
        changed_on: on.into(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        old_title: "通知".into(),
        new_title: "通知".into(),
        old_published_date: old_pub.into(),
        new_published_date: new_pub.into(),
        ..Default::default()
    };
    let mut retitled = rev("http://x/n", "2025-03-01", &["title", "body"], "", "");
    retitled.new_title = "通知（修订）".into();
    let link = |url: &str, page: &str, site: &str, kind: &str, worked: bool| BrokenLinkFact {
        url: url.into(),
        page_url: page.into(),
        site: site.into(),
        kind: kind.into(),
        link_text: "实施细则".into(),
        http_status: Some(404),
        reason: "http 404".into(),
        worked_before: worked,
        checked_on: "2025-03-30".into(),
    };
    let facts = CrawlFacts {
        crawls: 3,
        revisions: vec![
            rev("http://x/p", "2025-02-03", &["body"], "2025-01-10", "2025-01-10"),
            rev("http://x/p", "2025-05-01", &["body"], "2025-01-10", "2025-01-10"),
            rev("http://x/q", "2025-02-11", &["published_date", "body"], "2025-02-01", "2025-02-10"),
            rev("http://y/m-copy", "2025-03-20", &["validity"], "2025-01-05", "2025-01-05"),
            RevisionFact {
                previous_seen_on: "2025-03-10".into(),
                ..rev("http://x/m", "2025-03-20", &["validity"], "2025-01-05", "2025-01-05")
            },
            retitled,
            rev("http://x/nowhere", "2025-03-01", &["body"], "2025-01-01", "2025-01-01"),
        ],
        broken_links: vec![
            link("http://x/files/1.pdf", "http://x/a", "s", "attachment", false),
            link("http://x/t2.html", "http://x/list.html", "s", "item", true),
            link("http://x/t3.html", "http://x/q", "s", "list", false),
            link("http://o/t3.html", "http://o/list.html", "other", "item", false),
        ],
    };
    (docs, facts)
}

fn report_json(sites: &[String], facts: Option<&CrawlFacts>) -> serde_json::Value {
    let (docs, _) = fixture();
    let r = audit(&docs, sites, "2025-04-01", &Rules::default_rules(), &Calendar::default_calendar(), facts).unwrap();
    serde_json::to_value(&r).unwrap()
}

fn all_reports() -> serde_json::Value {
    let (_, facts) = fixture();
    let one_crawl = CrawlFacts { crawls: 1, ..facts.clone() };
    serde_json::json!({
        "all_sites": report_json(&[], Some(&facts)),
        "site_s": report_json(&["s".to_owned()], Some(&facts)),
        "one_crawl": report_json(&[], Some(&one_crawl)),
        "no_facts": report_json(&[], None),
    })
}

#[test]
fn whole_audit_is_unchanged() {
    let got = all_reports();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/audit_fixture.json");
    if std::env::var_os("GOVSEARCH_RECORD").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(got, want);
    // Every code the audit knows is exercised by the fixture.
    let codes: std::collections::BTreeSet<&str> =
        got["all_sites"]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        [
            "broken-link",
            "changed-after-publication",
            "duplicate-index-number",
            "expired-but-valid",
            "expiring-soon",
            "interpretation-without-policy",
            "late-interpretation",
            "late-publication",
            "missing-kind",
            "missing-metadata",
            "normative-without-interpretation",
            "stale-kind",
            "unreadable-attachment",
        ]
    );
}

/// The application register of the department whose 2020 report started this
/// project: 117 applications (112 from citizens, 5 from legal persons), 25
/// disclosed in whole or in part, 13 refused, 56 not available, 11 not
/// processed, 4 handled otherwise, 8 carried over — every cell of table 三.
#[test]
fn table_three_of_the_2020_register_is_the_published_one() {
    use govsearch_index::applications::{Applicant, Outcome, parse_register, table_three};
    use govsearch_index::audit::Calendar;
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/register-2020.csv")).unwrap();
    let apps = parse_register(&text).unwrap();
    let t = table_three(&apps, 2020, &Calendar::default_calendar());
    assert_eq!(t.received.total(), 117);
    assert_eq!(t.received.0[Applicant::Natural as usize], 112);
    assert_eq!(t.received.total() - t.received.0[Applicant::Natural as usize], 5);
    assert_eq!(t.received.0, [112, 3, 1, 0, 1, 0], "自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他");
    assert_eq!(t.carried_in.total(), 0);
    let group = |name: &str| -> u32 {
        t.outcomes.iter().filter(|(o, _)| o.group().contains(name)).map(|(_, c)| c.total()).sum()
    };
    assert_eq!(group("予以公开") + group("部分公开"), 25);
    assert_eq!((group("不予公开"), group("无法提供"), group("不予处理"), group("其他处理")), (13, 56, 11, 4));
    assert_eq!(t.handled.total(), 109);
    assert_eq!(t.carried_out.total(), 8);
    assert!(t.balances(), "本年新收 + 上年结转 = 办理结果总计 + 结转下年度");
    let row = |code: &str| t.outcomes.iter().find(|(o, _)| o.code() == code).map(|(_, c)| c.0).unwrap();
    assert_eq!(row("disclosed"), [16, 2, 0, 0, 0, 0]);
    assert_eq!(row("partly"), [6, 0, 1, 0, 0, 0]);
    assert_eq!(row("unavailable-not-held"), [48, 0, 0, 0, 0, 0]);
    assert_eq!(row("refused-third-party"), [2, 1, 0, 0, 0, 0]);
    assert_eq!(row("refused-enforcement"), [0; 6], "a row with nothing is still a row");
    assert_eq!(t.outcomes.len(), Outcome::all().count());
    // three replies later than 20 working days; the extended one within its 40 is not late
    let late: Vec<&str> = t.late.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(late, ["2020-006", "2020-041", "2020-078"]);
    // 2021 starts with the 8 carried over: 5 answered in January, 3 still open
    let next = table_three(&apps, 2021, &Calendar::default_calendar());
    assert_eq!(
        (next.carried_in.total(), next.received.total(), next.handled.total(), next.carried_out.total()),
        (8, 1, 6, 3)
    );
    assert!(next.balances());
}
