//! Regressions on real fixture pages from the hand-labelled sample
//! (`tests/fixtures/labels.jsonl`): one test per extraction fix, each checking
//! the field the fix is about against what the page shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::PathBuf;

use govsearch_crawler::charset::decode;
use govsearch_crawler::extract::{ExtractedItem, Page};
use url::Url;

const PREFIX: &str = "html/ljz060707-lang__China-Real-Estate-Policy-Database/";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real")
}

/// Decode and extract the fixture page whose file starts with `prefix` (`host/sha-prefix`).
fn item(prefix: &str) -> ExtractedItem {
    let manifest = std::fs::read_to_string(root().join("manifest.jsonl")).unwrap();
    let v: serde_json::Value = manifest
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["file"].as_str().unwrap().strip_prefix(PREFIX).unwrap().starts_with(prefix))
        .expect(prefix);
    let rel = v["file"].as_str().unwrap().strip_prefix(PREFIX).unwrap();
    let gz = std::fs::read(root().join(format!("{rel}.gz"))).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut raw).unwrap();
    let d = decode(&raw, v["content_type"].as_str());
    Page::parse(&Url::parse(v["url"].as_str().unwrap()).unwrap(), &d.text).item(None)
}

/// www.csrc.gov.cn shows `日期：2022-12-21` under the headline; its `PubDate`
/// meta (2025-10-12) is the time the page was generated.
#[test]
fn visible_date_line_beats_pubdate_meta() {
    assert_eq!(item("www.csrc.gov.cn/1434afe1").published_date, "2022-12-21");
    assert_eq!(item("www.csrc.gov.cn/31caaa6a").published_date, "2022-03-16");
}

/// www.beijing.gov.cn shows `[发文字号] 〔〕号`: the template with no number
/// filled in (a script on the page blanks it).
#[test]
fn empty_doc_number_template_is_empty() {
    assert_eq!(item("www.beijing.gov.cn/5b1f4c11").doc_number, "");
}

/// The validity under other labels: `废止日期：有效` (www.changzhou.gov.cn),
/// `有效期：有效` (www.chuzhou.gov.cn), `文件状态：已失效` (gjj.gz.gov.cn).
#[test]
fn validity_from_status_labels() {
    assert_eq!(item("www.changzhou.gov.cn/37205d85").validity, "有效");
    assert_eq!(item("www.changzhou.gov.cn/434e39ee").validity, "有效");
    let chuzhou = item("www.chuzhou.gov.cn/aa636a00");
    assert_eq!((chuzhou.validity.as_str(), chuzhou.expiry_date.as_str()), ("有效", ""));
    assert_eq!(item("gjj.gz.gov.cn/c768de22").validity, "已失效");
}

/// With no 发布机构-type label, a visible `来源：` naming a government body is
/// the publisher (fcj.shenyang.gov.cn, gjj.wuhan.gov.cn); a newspaper is not
/// (www.dl.gov.cn `来源：大连日报`, www.fuzhou.gov.cn `来源：福州日报`).
#[test]
fn publisher_from_visible_source() {
    assert_eq!(item("fcj.shenyang.gov.cn/2dbb5a66").publisher, "沈阳市房产局");
    assert_eq!(item("fcj.shenyang.gov.cn/0b6abb1f").publisher, "沈阳市房产局");
    assert_eq!(item("gjj.wuhan.gov.cn/91e61e46").publisher, "武汉住房公积金管理中心");
    assert_eq!(item("www.dl.gov.cn/3f8ea8a0").publisher, "");
    assert_eq!(item("www.fuzhou.gov.cn/55f623ae").publisher, "");
}

/// With no 文号 label, a line that is a 文号 by itself heading the document
/// text: the first line of the body (www.gd.gov.cn, www.bengbu.gov.cn,
/// edu.sh.gov.cn) or just above it (www.changchun.gov.cn `<h3>`,
/// www.changzhou.gov.cn: a cell under the headline).
#[test]
fn doc_number_heading_the_text() {
    assert_eq!(item("www.gd.gov.cn/4ad5db83").doc_number, "深建规〔2018〕11号");
    assert_eq!(item("www.bengbu.gov.cn/3ef1fe0a").doc_number, "蚌房金〔2022〕18号");
    assert_eq!(item("edu.sh.gov.cn/b8fe8397").doc_number, "沪教委规〔2021〕2号");
    assert_eq!(item("www.changchun.gov.cn/538d0a38").doc_number, "长府办发〔2020〕35号");
    assert_eq!(item("www.changzhou.gov.cn/434e39ee").doc_number, "常公积金〔2024〕1号");
}
