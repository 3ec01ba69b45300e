//! Hanweb's newer stack ("jpaas", Zhejiang departments, Hangzhou, MIIT,
//! SAMR, MOHURD, MOFCOM…): the column page's pagination element carries
//! `queryData="{'webId':…,'pageId':…,'tagId':…,'tplSetId':…}"` and
//! `count="N" rows="M"`; the list is
//! `GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic
//! &webId&tplSetId&pageType=column&tagId&editType=null&pageId
//! &paramJson={"pageNo":n,"pageSize":m}` → `{"success":true,"data":{"html":"…"}}`,
//! the HTML fragment repeating the pagination element (`count="N"`).
//! Clients disagree on the spelling `bulidstatic` / `buildstatic`; both are
//! built ([`PARSE_TYPES`]), the field's majority first.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use url::Url;

use super::{ListPage, ListProblem, bounded, fragment, limits, parse_json};

/// The endpoint's path.
pub const UNIT_PATH: &str = "/api-gateway/jpaas-publish-server/front/page/build/unit";
/// Items asked for per page (the clients that page by `paramJson` ask for 50).
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The `paramJson` of page `page_no` (from 1) of `page_size` items.
pub fn param_json(page_no: u32, page_size: u32) -> String {
    format!(r#"{{"pageNo":{},"pageSize":{}}}"#, page_no.max(1), page_size.max(1))
}

/// `parseType` spellings, tried in this order.
pub const PARSE_TYPES: [&str; 2] = ["bulidstatic", "buildstatic"];

/// The list block of a jpaas column page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub page: Url,
    pub web_id: String,
    pub page_id: String,
    pub tag_id: String,
    pub tpl_set_id: String,
    /// `count`: items in the list.
    pub total: Option<u64>,
    /// `rows`: items per page.
    pub rows: Option<u32>,
}

static QUERY_DATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"queryData\s*=\s*"(\{[^"]{1,2000}\})""#).expect("static regex"));
static QUOTED_PAIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"['"]([A-Za-z_]{1,30})['"]\s*:\s*['"]([^'"]{0,300})['"]"#).expect("static regex"));
static COUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\bcount\s*=\s*["']?(\d{1,12})"#).expect("static regex"));
static ROWS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\brows\s*=\s*["']?(\d{1,6})"#).expect("static regex"));

/// The jpaas list block of a column page, if it has one.
pub fn unit(html: &str, page: &Url) -> Option<Unit> {
    let q = QUERY_DATA.captures(html)?;
    let whole = q.get(0)?;
    let get = |k: &str| {
        QUOTED_PAIR
            .captures_iter(&q[1])
            .find(|c| c[1].eq_ignore_ascii_case(k))
            .map(|c| bounded(&c[2], limits::MAX_FIELD_BYTES))
            .unwrap_or_default()
    };
    let (web_id, page_id) = (get("webId"), get("pageId"));
    if web_id.is_empty() || page_id.is_empty() {
        return None;
    }
    // count/rows sit on the same element as queryData.
    let tag_start = html[..whole.start()].rfind('<').unwrap_or(0);
    let tag_end = html[whole.end()..].find('>').map_or(html.len(), |i| whole.end() + i);
    let tag = &html[tag_start..tag_end];
    Some(Unit {
        page: page.clone(),
        web_id,
        page_id,
        tag_id: get("tagId"),
        tpl_set_id: get("tplSetId"),
        total: COUNT.captures(tag).and_then(|c| c[1].parse().ok()),
        rows: ROWS.captures(tag).and_then(|c| c[1].parse().ok()),
    })
}

impl Unit {
    /// Page `page_no` (from 1) of `page_size` items, with `parse_type` one of [`PARSE_TYPES`].
    pub fn request(&self, page_no: u32, page_size: u32, parse_type: &str) -> Url {
        let mut u = self.page.join(UNIT_PATH).unwrap_or_else(|_| self.page.clone());
        let param_json = param_json(page_no, page_size);
        u.query_pairs_mut()
            .clear()
            .append_pair("parseType", parse_type)
            .append_pair("webId", &self.web_id)
            .append_pair("tplSetId", &self.tpl_set_id)
            .append_pair("pageType", "column")
            .append_pair("tagId", &self.tag_id)
            .append_pair("editType", "null")
            .append_pair("pageId", &self.page_id)
            .append_pair("paramJson", &param_json);
        u
    }
}

/// One `build/unit` answer.
pub fn parse_answer(body: &str, base: &Url) -> Result<ListPage, ListProblem> {
    let v = parse_json(body)?;
    if v.get("success").and_then(Value::as_bool) == Some(false) {
        return Err(ListProblem::Missing { format: "jpaas unit", field: "success" });
    }
    let html = v
        .get("data")
        .and_then(|d| d.get("html"))
        .and_then(Value::as_str)
        .ok_or(ListProblem::Missing { format: "jpaas unit", field: "data.html" })?;
    Ok(ListPage {
        items: fragment::items(html, base, "/art"),
        claimed_total: COUNT.captures(html).and_then(|c| c[1].parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<div class="list"></div><div id="pagination" count="386" rows="15" pageNo="1" unitUrl="/api-gateway/jpaas-publish-server/front/page/build/unit" queryData="{'webId':'3185','pageId':'1229063389','tagId':'信息列表','tplSetId':'fc2b8ae6d7a8442a9d3f0c8f4c9a7c1e'}"></div>"#;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_unit_and_its_request_come_from_the_column_page() {
        let page = url("http://www.hangzhou.gov.cn/col/col1229063389/index.html");
        let u = unit(PAGE, &page).expect("jpaas");
        assert_eq!((u.web_id.as_str(), u.page_id.as_str(), u.tag_id.as_str()), ("3185", "1229063389", "信息列表"));
        assert_eq!((u.total, u.rows), (Some(386), Some(15)));
        let r = u.request(2, 50, PARSE_TYPES[0]);
        assert_eq!(r.path(), UNIT_PATH);
        let q: Vec<(String, String)> = r.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert!(q.contains(&("paramJson".into(), r#"{"pageNo":2,"pageSize":50}"#.into())));
        assert!(q.contains(&("parseType".into(), "bulidstatic".into())));
        assert!(q.contains(&("tagId".into(), "信息列表".into())));
        assert!(unit("<div queryData=\"{'webId':'1'}\"></div>", &page).is_none(), "no pageId");
    }

    #[test]
    fn answers_wrap_an_html_fragment() {
        let base = url("http://www.hangzhou.gov.cn/");
        let body = r#"{"success":true,"data":{"html":"<ul><li><a href=\"/art/2024/3/14/art_1229063389_1.html\" title=\"杭州市关于住房的通知\">杭州市关于…</a><span>2024-03-14</span></li></ul><div count=\"386\" rows=\"15\"></div>"}}"#;
        let page = parse_answer(body, &base).expect("answer");
        assert_eq!(page.claimed_total, Some(386));
        assert_eq!(page.items[0].title, "杭州市关于住房的通知");
        assert_eq!(page.items[0].published_date, "2024-03-14");
        assert_eq!(
            parse_answer(r#"{"success":false,"data":null}"#, &base),
            Err(ListProblem::Missing { format: "jpaas unit", field: "success" })
        );
        assert_eq!(parse_answer("<!DOCTYPE html><html>", &base), Err(ListProblem::Html { expected: "JSON" }));
    }
}
