//! Every real page of the fixture set goes through decode + extraction with
//! the invariants its manifest line promises; ~20 pages are pinned field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;

use govsearch_crawler::charset::decode;
use govsearch_crawler::extract::{Page as Parsed, is_anti_bot, looks_like_item};
use url::Url;

const PREFIX: &str = "html/ljz060707-lang__China-Real-Estate-Policy-Database/";

struct Page {
    rel: String,
    url: Url,
    content_type: Option<String>,
    decode_as: String,
    metadata_fields: Vec<String>,
    attachment_links: Vec<String>,
    pagination: Vec<String>,
}

/// (file prefix, field): the page shows the label with an empty value (checked
/// by hand: `文号：-`, an empty `<td>`, `主题分类：` followed by nothing, `无`).
const EMPTY_ON_PAGE: &[(&str, &str)] = &[
    ("www.fuzhou.gov.cn/135dc87d", "topic"),
    ("www.fuzhou.gov.cn/fd1a92a7", "topic"),
    ("gjj.jiaxing.gov.cn/30aa8486", "validity"),
    ("www.cq.gov.cn/600f1437", "validity"),
    ("fcj.nanjing.gov.cn/4a23aeb7", "doc_number"),
    ("fcj.nanjing.gov.cn/78a2fc3c", "doc_number"),
    ("fgj.hangzhou.gov.cn/4d7470a4", "doc_number"),
    ("fgj.hangzhou.gov.cn/6d29a343", "doc_number"),
    ("fgj.hangzhou.gov.cn/cb168cb2", "doc_number"),
    ("fgj.hangzhou.gov.cn/e3c13f6b", "doc_number"),
    ("dgdp.dg.gov.cn/87a05629", "doc_number"),
    ("gjj.hainan.gov.cn/7b3f2621", "topic"),
    ("gjj.hainan.gov.cn/b71e6f64", "topic"),
    ("gjj.hainan.gov.cn/c3968e25", "topic"),
    ("gjj.hainan.gov.cn/c3968e25", "doc_number"),
    ("gjj.hainan.gov.cn/ea4ed810", "topic"),
    ("gjj.hainan.gov.cn/ea4ed810", "doc_number"),
    ("gjj.hainan.gov.cn/fdd7eeb8", "topic"),
    ("www.harbin.gov.cn/b8fdecd9", "topic"),
    // the metadata table is inside an HTML comment
    ("fgj.sh.gov.cn/0e06d839", "publisher"),
    ("fgj.sh.gov.cn/5332ed62", "publisher"),
    // 文号 only in the body text of a guide page
    ("fcj.shenyang.gov.cn/d21a23bd", "doc_number"),
    // `[发文字号] 〔〕号`: the template with no number filled in
    ("www.beijing.gov.cn/3def2ea5", "doc_number"),
    ("www.beijing.gov.cn/5b1f4c11", "doc_number"),
    ("www.beijing.gov.cn/9c7e41ce", "doc_number"),
];

/// Expected failures of the link invariants, with the reason.
const LINK_EXCEPTIONS: &[&str] = &[
    // the .zip link is inside an HTML comment
    "www.chongyi.gov.cn/62400dfab",
    // "共 1 页": a one-page list, no further pages exist
    "fcj.nanjing.gov.cn/1b023159",
    "fcj.nanjing.gov.cn/87812aa5",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real")
}

fn pages() -> Vec<Page> {
    let text = std::fs::read_to_string(root().join("manifest.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let list =
                |k: &str| v[k].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect::<Vec<_>>();
            Page {
                rel: v["file"].as_str().unwrap().strip_prefix(PREFIX).unwrap().to_owned(),
                url: Url::parse(v["url"].as_str().unwrap()).unwrap(),
                content_type: v["content_type"].as_str().map(str::to_owned),
                decode_as: v["bytes_decode_as"].as_str().unwrap().to_owned(),
                metadata_fields: list("metadata_fields"),
                attachment_links: list("attachment_links"),
                pagination: list("pagination"),
            }
        })
        .collect()
}

fn bytes(rel: &str) -> Vec<u8> {
    let gz = std::fs::read(root().join(format!("{rel}.gz"))).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn all_real_pages_decode_and_extract() {
    let pages = pages();
    assert_eq!(pages.len(), 300);
    let mut failures = Vec::new();
    let dump = std::env::var_os("DUMP_EXTRACT").is_some();
    let mut item_like = 0;
    let re = regex::Regex::new(r#"createPageHTML\((\d+),"#).unwrap();
    for p in &pages {
        let raw = bytes(&p.rel);
        let d = decode(&raw, p.content_type.as_deref());
        if !d.encoding.eq_ignore_ascii_case(&p.decode_as) {
            failures.push(format!("{}: decoded as {} not {}", p.rel, d.encoding, p.decode_as));
        }
        if d.had_errors {
            failures.push(format!("{}: decode errors", p.rel));
        }
        let page = Parsed::parse(&p.url, &d.text);
        let (item, links) = (page.item(None), page.links());
        if dump {
            println!(
                "{}\t{}\ttitle={:?}\tdoc={:?}\tidx={:?}\tpub={:?}\tissued={:?}\tpubdate={:?}\tvalid={:?}\ttopic={:?}\tbody={}\t{:?}",
                p.rel,
                p.url,
                item.title,
                item.doc_number,
                item.index_number,
                item.publisher,
                item.issued_date,
                item.published_date,
                item.validity,
                item.topic,
                item.body.chars().count(),
                item.body.chars().take(40).collect::<String>()
            );
        }
        let has = |f: &str| p.metadata_fields.iter().any(|x| x == f);
        // list pages show 文号/发布日期 as column headings of the list
        let is_list = p.url.path().ends_with('/') || p.url.path().ends_with("/index.html");
        // an item published as `…/743765441/index.html`: the reason for the heuristic
        let item_at_index = p.rel.starts_with("gjj.beijing.gov.cn/524b381d");
        if is_list && looks_like_item(&item, &d.text) && !item_at_index {
            failures.push(format!("{} ({}): list page looks like an item", p.rel, p.url));
        }
        if looks_like_item(&item, &d.text) {
            item_like += 1;
        }
        let mut need = |field: &str, value: &str, labels: &[&str]| {
            let excused = EMPTY_ON_PAGE.iter().any(|(f, x)| p.rel.starts_with(f) && *x == field);
            if labels.iter().any(|l| has(l)) && value.is_empty() && !is_list && !excused {
                failures.push(format!("{} ({}): {field} empty though manifest lists {labels:?}", p.rel, p.url));
            }
        };
        need("published_date", &item.published_date, &["发布日期"]);
        need("issued_date", &item.issued_date, &["成文日期"]);
        need("index_number", &item.index_number, &["索引号"]);
        need("publisher", &item.publisher, &["发布机构", "发文机关"]);
        need("doc_number", &item.doc_number, &["发文字号", "文号"]);
        need("validity", &item.validity, &["有效性"]);
        need("topic", &item.topic, &["主题分类"]);
        let stub = links.redirect.is_some() || is_anti_bot(&d.text);
        if item.title.is_empty() && !stub {
            failures.push(format!("{}: no title", p.rel));
        }
        if raw.len() < 300 && d.text.contains("location.href") && links.redirect.is_none() {
            failures.push(format!("{}: redirect stub without target", p.rel));
        }
        let link_excused = LINK_EXCEPTIONS.iter().any(|f| p.rel.starts_with(f));
        for kind in p.attachment_links.iter().filter(|_| !link_excused) {
            if !links.attachments.iter().any(|a| &a.kind == kind) {
                failures.push(format!("{} ({}): no {kind} attachment found", p.rel, p.url));
            }
        }
        if p.pagination.iter().any(|x| x == "createPageHTML") {
            let n: usize = re.captures(&d.text).map_or(0, |c| c[1].parse().unwrap());
            if n > 1 && links.pagination.len() < n - 1 {
                failures.push(format!("{}: createPageHTML({n}) but {} pages", p.rel, links.pagination.len()));
            }
        }
        if p.pagination.iter().any(|x| x == "index_N.html") && links.pagination.is_empty() && !link_excused {
            failures.push(format!("{}: index_N.html pagination not found", p.rel));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(item_like >= 150, "only {item_like} pages look like items");
}

/// Pages checked by hand against the page source:
/// [title, doc_number, index_number, publisher, issued_date, published_date, validity, topic].
const PINNED: &[(&str, [&str; 8])] = &[
    (
        "fsgjj.foshan.gov.cn/015b3e27",
        [
            "佛山市住房公积金管理中心关于开办外籍人员住房公积金个人住房贷款业务的通知",
            "佛房金管〔2026〕3号",
            "124406007254589167/2026-00220",
            "佛山市住房公积金管理中心",
            "2026-02-28",
            "2026-02-28",
            "",
            "",
        ],
    ),
    (
        "gjj.hangzhou.gov.cn/031b3bab",
        [
            "关于提高无房职工家庭住房公积金贷款额度的通知",
            "杭房公委〔2022〕9号",
            "765471314/2022-00073",
            "杭州公积金中心",
            "2022-06-10",
            "2022-06-15",
            "废止",
            "",
        ],
    ),
    (
        "www.beijing.gov.cn/045d3056",
        [
            "北京市科学技术委员会、中关村科技园区管理委员会关于印发《北京市科技行政处罚裁量权适用规定》的通知",
            "京科发〔2026〕10号",
            "",
            "北京市科学技术委员会、中关村科技园区管理委员会",
            "2026-06-30",
            "2026-07-14",
            "是",
            "科技、教育/科技",
        ],
    ),
    (
        "gjj.gz.gov.cn/0ab4fdb6",
        [
            "关于优化住房公积金提取政策的通知",
            "穗公积金中心〔2025〕63号",
            "12440100741854396C/2025-00066",
            "广州住房公积金管理中心",
            "2025-09-28",
            "2025-09-28",
            "",
            "",
        ],
    ),
    (
        "www.fuzhou.gov.cn/135dc87d",
        [
            "福州市人民政府办公厅关于进一步促进房地产市场平稳健康发展的补充通知",
            "榕政办〔2016〕186号",
            "FZ00101-1300-2016-00063",
            "福州市人民政府办公厅",
            "2016-10-06",
            "2016-10-06",
            "有效",
            "",
        ],
    ),
    (
        "www.fjsx.gov.cn/1b08154c",
        [
            "三明市沙县区人民政府关于印发沙县区进一步稳定房地产市场的若干措施的通知",
            "沙政规〔2022〕3号",
            "SM10100-0200-2022-00141",
            "区政府",
            "",
            "2022-09-21",
            "有效",
            "",
        ],
    ),
    (
        "www.gd.gov.cn/1b8f6f57",
        [
            "广东省人民政府办公厅关于印发广东省进一步提振和扩大消费若干措施的通知",
            "粤办函〔2023〕305号",
            "006939748/2023-00565",
            "广东省人民政府办公厅",
            "2023-11-13",
            "2023-11-24",
            "",
            "",
        ],
    ),
    (
        "fgj.hangzhou.gov.cn/1c9e8e59",
        [
            "我市部分区、县（市）开展“购房+消费券”限时补贴活动",
            "",
            "113301000024896398/2025-1010413967",
            "杭州市住房保障和房产管理局",
            "",
            "2025-10-24",
            "",
            "",
        ],
    ),
    (
        "www.changsha.gov.cn/237b88b3",
        [
            "关于优化住房公积金业务政策和流程的通知",
            "长金管委〔2022〕3号",
            "000014349/2022-01348",
            "市公积金管委会",
            "",
            "2022-07-22",
            "",
            "",
        ],
    ),
    (
        "gjj.jiaxing.gov.cn/30aa8486",
        [
            "关于进一步落实住房公积金支持“浙有善育”政策的通知",
            "嘉公积金〔2023〕27号",
            "770722843/2023-00148",
            "市公积金中心",
            "",
            "2023-06-21",
            "",
            "",
        ],
    ),
    (
        "www.anhua.gov.cn/45b31dbb",
        [
            "印发《关于促进安化县房地产市场平稳健康发展的若干政策措施》的通知",
            "安政办发〔2022〕20号",
            "50000007/2022-1663341",
            "安化县",
            "",
            "2022-10-12",
            "",
            "综合政务",
        ],
    ),
    (
        "gjj.beijing.gov.cn/524b381d",
        [
            "关于2025住房公积金年度缴存有关问题的通知",
            "京房公积金管委会办〔2025〕13号",
            "",
            "北京住房公积金管理中心",
            "2025-09-18",
            "2025-09-18",
            "现行有效",
            "城乡建设、环境保护/城乡建设（含住房）",
        ],
    ),
    (
        "www.cixi.gov.cn/586c664b",
        [
            "慈溪市住房和城乡建设局 慈溪市财政局关于印发《慈溪市保障性租赁住房运营奖补实施细则（试行）》的通知",
            // shown as `文件编号：慈住建〔2023〕36号` just above the text
            "慈住建〔2023〕36号",
            "11330282002976461L/2023-175371",
            "市住建局",
            "2023-04-21",
            "2023-04-24",
            "有效",
            "城乡建设（含住房）",
        ],
    ),
    (
        "www.fjmx.gov.cn/6607752f",
        [
            "明溪县人民政府关于印发明溪县促进房地产市场平稳健康发展若干措施(修订)的通知",
            "明政规〔2022〕6号",
            "SM04100-0200-2022-00023",
            "县政府",
            "",
            "2022-11-29",
            "有效",
            "",
        ],
    ),
    (
        "dgdp.dg.gov.cn/87a05629",
        [
            "东莞市发展和改革局关于印发《关于奋力实现一季度经济“开门红”的若干措施》的通知",
            "",
            "11441900007330029A/2026-00008",
            "东莞市发展和改革局",
            "2026-01-27",
            "2026-01-28",
            "",
            "",
        ],
    ),
    (
        "czj.sh.gov.cn/b998e5cf",
        [
            "关于优化调整本市个人住房房产税试点有关政策的通知",
            "沪财发〔2025〕5号",
            "",
            "上海市财政局 国家税务总局上海市税务局",
            "2025-09-16",
            "2025-09-19",
            "",
            "",
        ],
    ),
    (
        "ghj.nanjing.gov.cn/e2631b9e",
        [
            "关于进一步优化土地市场服务管理的通知",
            "宁规划资源规〔2023〕1号",
            "012947920/2023-76971",
            "南京市规划和自然资源局",
            "2023-09-04",
            "2023-09-04",
            "",
            "",
        ],
    ),
    (
        "gi.mnr.gov.cn/e88bfd22",
        [
            "自然资源部办公厅关于进一步规范存量住宅用地信息公开工作的函",
            "自然资办函〔2021〕1432号",
            "000019174/2021-00003",
            "自然资源部办公厅",
            "2021-08-06",
            "",
            "",
            "",
        ],
    ),
    (
        "www.gaoyang.gov.cn/ad9be9ed",
        ["高阳县人民政府关于加强房地产市场管控的意见", "", "", "", "", "2017-05-11", "", ""],
    ),
    (
        "www.beijing.gov.cn/a78eb297",
        [
            "北京市人民政府办公厅关于贯彻落实国务院办公厅文件精神进一步加强本市房地产市场调控工作的通知",
            "京政办发〔2011〕8号",
            "",
            "北京市人民政府办公厅",
            "2011-02-15",
            "2011-02-15",
            "是",
            "市场监管、安全生产监管/其他",
        ],
    ),
    // the 文号 line `沪建房管联〔2021〕476号` heads the document text
    (
        "fgj.sh.gov.cn/0e06d839",
        ["关于加强住房赠与管理的通知", "沪建房管联〔2021〕476号", "", "", "", "2021-07-23", "", ""],
    ),
    (
        "bdgjj.baoding.gov.cn/9f1f3122",
        [
            "保定市住房公积金管理委员会 关于《关于调整住房公积金贷款相关政策的通知》（市房金委字〔2022〕2号）",
            "",
            "",
            "",
            "",
            "2022-07-07",
            "",
            "",
        ],
    ),
    ("gjj.nanjing.gov.cn/03b3a531", ["《关于提高住房公积金贷款额度的通知》的政策解读", "", "", "", "", "", "", ""]),
];

#[test]
fn pinned_pages_extract_exactly() {
    let pages = pages();
    let mut failures = Vec::new();
    for (prefix, want) in PINNED {
        let p = pages.iter().find(|p| p.rel.starts_with(prefix)).expect(prefix);
        let raw = bytes(&p.rel);
        let d = decode(&raw, p.content_type.as_deref());
        let it = Parsed::parse(&p.url, &d.text).item(None);
        let got = [
            it.title.as_str(),
            &it.doc_number,
            &it.index_number,
            &it.publisher,
            &it.issued_date,
            &it.published_date,
            &it.validity,
            &it.topic,
        ];
        if got != *want {
            failures.push(format!("{prefix}:\n  got  {got:?}\n  want {want:?}"));
        }
        assert!(
            !it.body.is_empty() || prefix.starts_with("www.changsha"), /* the text is a PDF */
            "{prefix}: empty body"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gbk_pages_decode_exactly() {
    let pages = pages();
    let p = pages.iter().find(|p| p.rel.starts_with("www.anhua.gov.cn/45b31dbb")).expect("anhua");
    let d = decode(&bytes(&p.rel), p.content_type.as_deref());
    assert_eq!(d.encoding, "gb18030");
    assert!(!d.had_errors);
    assert!(d.text.contains("安化县房地产市场平稳健康发展"));
    let item = Parsed::parse(&p.url, &d.text).item(None);
    assert!(item.body.contains("房地产"), "{}", item.body);
}
