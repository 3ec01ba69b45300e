//! The State Council policy library (国务院政策文件库):
//! `GET https://sousuo.www.gov.cn/search-gov/data?t={library}&q=&sort=pubtime&sortType=1&p={page}&n={size}`
//! → `{"code":200,"searchVO":{"totalCount":N,"listVO":[…]}}`, or for a
//! combined library `searchVO.catMap.{gongwen|bumenfile|otherfile|gongbao}.listVO`
//! with `listVO: null`. Items give 文号 (`pcode`), 发文机关 (`puborg`), 发布日期
//! (`pubtime`, ms; `pubtimeStr` `YYYY.MM.DD`) and 成文日期 (`ptime`, ms).
//! "No results" is `{"code":1001,…,"searchVO":null}`: an empty page, not a
//! failure. The library host is another host than www.gov.cn: it is crawled
//! only when the site's config names it.

use serde_json::Value;
use url::Url;

use super::gkmlpt::unix_date;
use super::{ListPage, ListProblem, ListedItem, bounded, limits, parse_json};
use crate::dates;

/// The library endpoint.
pub const ENDPOINT: &str = "https://sousuo.www.gov.cn/search-gov/data";
/// Items per page asked for (clients report 1,000 working and 5,000 failing;
/// 250 is what every source agrees on).
pub const PAGE_SIZE: u32 = 250;

/// The libraries and the category each one's documents are.
pub const LIBRARIES: [(&str, &str); 2] = [("zhengcelibrary_gw", "国务院文件"), ("zhengcelibrary_bm", "部门文件")];

/// What each `catMap` part of a combined library holds.
fn part_name(key: &str) -> &'static str {
    match key {
        "gongwen" => "国务院文件",
        "bumenfile" => "部门文件",
        "otherfile" => "政策解读",
        "gongbao" => "国务院公报",
        _ => "",
    }
}

/// The path every copy of the library endpoint ends with.
pub const PATH: &str = "/search-gov/data";

/// The library endpoint a page's scripts call (`…/search-gov/data`, absolute,
/// protocol-relative or relative to the page), without its query.
pub fn endpoint_in(html: &str, page_url: &Url) -> Option<Url> {
    let at = html.find(PATH)?;
    let before = &html[..at];
    let start = before.rfind(['"', '\'', '`', '(', '=', ' ', '\n']).map_or(0, |i| i + 1);
    let written = &html[start..at + PATH.len()];
    let mut u = page_url.join(written.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_query(None);
    u.set_fragment(None);
    Some(u)
}

/// The category of library `t`'s documents ("" for a combined library, whose
/// parts are named in the answer).
pub fn library_name(t: &str) -> &'static str {
    LIBRARIES.iter().find(|(code, _)| *code == t).map_or("", |(_, name)| name)
}

/// Page `page` (from 1) of library `t`, newest first.
pub fn library_url(endpoint: &Url, t: &str, page: u32, size: u32) -> Url {
    let mut u = endpoint.clone();
    u.query_pairs_mut()
        .clear()
        .append_pair("t", t)
        .append_pair("q", "")
        .append_pair("sort", "pubtime")
        .append_pair("sortType", "1")
        .append_pair("p", &page.max(1).to_string())
        .append_pair("n", &size.clamp(1, PAGE_SIZE).to_string());
    u
}

fn text(v: Option<&Value>) -> String {
    let s = v.and_then(Value::as_str).unwrap_or("");
    let s = s.replace("<br/>", "").replace("<br>", "").replace("<em>", "").replace("</em>", "");
    bounded(&s, limits::MAX_FIELD_BYTES)
}

fn ms_date(v: Option<&Value>) -> String {
    v.and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())).map(unix_date).unwrap_or_default()
}

fn item(v: &Value, base: &Url, node: &str) -> Option<ListedItem> {
    let url = base.join(v.get("url")?.as_str()?.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let published = Some(ms_date(v.get("pubtime")))
        .filter(|d| !d.is_empty())
        .or_else(|| dates::parse_date(v.get("pubtimeStr")?.as_str()?))
        .unwrap_or_default();
    Some(ListedItem {
        post_id: v.get("id").map(|i| i.to_string().trim_matches('"').to_owned()).unwrap_or_default(),
        url: url.into(),
        title: text(v.get("title")),
        doc_number: text(v.get("pcode")),
        publisher: text(v.get("puborg")),
        issued_date: ms_date(v.get("ptime")),
        published_date: published,
        node: node.to_owned(),
        ..Default::default()
    })
}

/// One answer of the library; `node` names the category of a single library.
pub fn parse_answer(body: &str, base: &Url, node: &str) -> Result<ListPage, ListProblem> {
    let v = parse_json(body)?;
    let code = v.get("code").and_then(Value::as_i64);
    let Some(vo) = v.get("searchVO").filter(|s| !s.is_null()) else {
        if code == Some(1001) {
            return Ok(ListPage { items: Vec::new(), claimed_total: Some(0) });
        }
        return Err(ListProblem::Missing { format: "policy library", field: "searchVO" });
    };
    let mut items = Vec::new();
    let mut total = vo.get("totalCount").and_then(Value::as_u64);
    if let Some(list) = vo.get("listVO").and_then(Value::as_array) {
        items.extend(list.iter().take(limits::MAX_ITEMS_PER_PAGE).filter_map(|x| item(x, base, node)));
    } else if let Some(parts) = vo.get("catMap").and_then(Value::as_object) {
        let mut sum = 0;
        for (key, part) in parts {
            sum += part.get("totalCount").and_then(Value::as_u64).unwrap_or(0);
            if let Some(list) = part.get("listVO").and_then(Value::as_array) {
                items
                    .extend(list.iter().take(limits::MAX_ITEMS_PER_PAGE).filter_map(|x| item(x, base, part_name(key))));
            }
        }
        total = total.or(Some(sum));
    } else {
        return Err(ListProblem::Missing { format: "policy library", field: "listVO" });
    }
    Ok(ListPage { items, claimed_total: total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse(ENDPOINT).expect("url")
    }

    #[test]
    fn a_library_page_gives_numbers_publishers_and_dates() {
        let body = r#"{"code":200,"msg":"操作成功","searchVO":{"totalCount":6210,"totalpage":25,"listVO":[
            {"id":1,"title":"国务院关于<em>加强</em>监管<br/>的若干意见","url":"https://www.gov.cn/zhengce/zhengceku/202404/content_6944877.htm",
             "pcode":"国发〔2024〕10号","puborg":"国务院","pubtime":1712894400000,"ptime":1712563200000,"pubtimeStr":"2024.04.12"}]}}"#;
        let page = parse_answer(body, &base(), "国务院文件").expect("page");
        assert_eq!(page.claimed_total, Some(6210));
        let it = &page.items[0];
        assert_eq!(it.title, "国务院关于加强监管的若干意见");
        assert_eq!((it.doc_number.as_str(), it.publisher.as_str()), ("国发〔2024〕10号", "国务院"));
        assert_eq!((it.published_date.as_str(), it.issued_date.as_str()), ("2024-04-12", "2024-04-08"));
        assert_eq!(it.node, "国务院文件");
    }

    #[test]
    fn combined_libraries_sort_their_parts_into_categories() {
        let body = r#"{"code":200,"searchVO":{"listVO":null,"catMap":{
            "gongwen":{"totalCount":5956,"listVO":[{"title":"a","url":"https://www.gov.cn/zhengce/content/1.htm","pubtimeStr":"2024.04.12"}]},
            "otherfile":{"totalCount":3,"listVO":[{"title":"b","url":"https://www.gov.cn/zhengce/2.htm","pubtimeStr":"2024.04.13"}]}}}}"#;
        let page = parse_answer(body, &base(), "").expect("page");
        assert_eq!(page.claimed_total, Some(5959));
        let nodes: Vec<&str> = page.items.iter().map(|i| i.node.as_str()).collect();
        assert_eq!(nodes, ["国务院文件", "政策解读"]);
        assert_eq!(page.items[0].published_date, "2024-04-12");
    }

    #[test]
    fn no_results_is_an_empty_page_and_other_answers_are_problems() {
        let none = r#"{"code":1001,"msg":"抱歉，没有找到相关结果","data":[],"searchVO":null}"#;
        assert_eq!(parse_answer(none, &base(), "").map(|p| p.items.len()), Ok(0));
        assert_eq!(
            parse_answer(r#"{"code":500}"#, &base(), ""),
            Err(ListProblem::Missing { format: "policy library", field: "searchVO" })
        );
        let u = library_url(&base(), "zhengcelibrary_gw", 3, 9999);
        assert_eq!(library_name("zhengcelibrary_bm"), "部门文件");
        assert_eq!(library_name("zhengcelibrary_gw_bm_gb"), "");
        assert_eq!(u.query(), Some("t=zhengcelibrary_gw&q=&sort=pubtime&sortType=1&p=3&n=250"));
    }

    #[test]
    fn the_endpoint_is_read_from_the_page_in_any_spelling() {
        let page = Url::parse("https://www.gov.cn/zhengce/zhengceku/").expect("url");
        let cases = [
            (
                r#"$.get("https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&p=1")"#,
                "https://sousuo.www.gov.cn/search-gov/data",
            ),
            ("var api = '//sousuo.www.gov.cn/search-gov/data';", "https://sousuo.www.gov.cn/search-gov/data"),
            (r#"url: "/search-gov/data","#, "https://www.gov.cn/search-gov/data"),
        ];
        for (html, want) in cases {
            assert_eq!(endpoint_in(html, &page).map(String::from), Some(want.to_owned()), "{html}");
        }
        assert_eq!(endpoint_in("<p>no library here</p>", &page), None);
        assert_eq!(endpoint_in(r#"x="javascript:/search-gov/data""#, &page), None);
    }
}
