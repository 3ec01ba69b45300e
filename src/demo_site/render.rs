//! The HTML of the demo site: TRS WCM / 政务公开 style pages, with the
//! boilerplate real government sites carry (header, nav menus, breadcrumbs,
//! share buttons, footer with 网站标识码 and ICP number), deterministic.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{COLUMNS, Column, DemoItem, ListEntry, PER_PAGE, SITE_NAME};

/// The TRS pager: list pages draw their pagination only through this script.
const CREATE_PAGE_HTML: &str = r#"
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  function pageUrl(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  var html = "<span class=\"total\">共" + _nPageCount + "页</span> ";
  if (nCurrIndex == 0) { html += "<span>首页</span> <span>上一页</span> "; }
  else { html += "<a href=\"" + pageUrl(0) + "\">首页</a> <a href=\"" + pageUrl(nCurrIndex - 1) + "\">上一页</a> "; }
  for (var i = 0; i < _nPageCount; i++) {
    if (i == nCurrIndex) { html += "<span class=\"current\">" + (i + 1) + "</span> "; }
    else { html += "<a href=\"" + pageUrl(i) + "\">" + (i + 1) + "</a> "; }
  }
  if (nCurrIndex == _nPageCount - 1) { html += "<span>下一页</span> <span>尾页</span>"; }
  else { html += "<a href=\"" + pageUrl(nCurrIndex + 1) + "\">下一页</a> <a href=\"" + pageUrl(_nPageCount - 1) + "\">尾页</a>"; }
  document.write(html);
}
"#;

const ANALYTICS: &str = r#"
var _hmt = _hmt || [];
(function () { var s = document.createElement("script"); s.async = true; s.src = "/js/stat.js?sid=demo"; var x = document.getElementsByTagName("script")[0]; x.parentNode.insertBefore(s, x); })();
function doZoom(size) { var z = document.getElementById("zoom"); if (z) { z.style.fontSize = size + "px"; } }
"#;

/// The CSS every page links.
pub(super) const STYLE_CSS: &str = "body{margin:0;font:16px/1.8 \"Microsoft YaHei\",sans-serif;color:#333}\
a{color:#1a4c8b;text-decoration:none}.top{background:#f2f2f2;font-size:12px;padding:4px 20px}\
.header{background:#b50000;color:#fff;padding:20px}.header .logo{font-size:32px;font-weight:bold}\
.nav ul{list-style:none;margin:0;padding:0;background:#8f0000;display:flex}.nav li a{color:#fff;display:block;padding:8px 20px}\
.main{max-width:1100px;margin:0 auto;padding:10px}.crumb{font-size:14px;color:#666;margin:10px 0}\
.xxgk_table,.classify table{width:100%;border-collapse:collapse;background:#f7f7f7;font-size:14px}\
.xxgk_table td,.classify th,.classify td{border:1px solid #ddd;padding:4px 8px}\
.article h1{text-align:center;font-size:26px}.TRS_Editor p{text-indent:2em}\
.list li{display:flex;justify-content:space-between;border-bottom:1px dashed #ddd}\
.footer{background:#eee;text-align:center;font-size:13px;padding:20px;margin-top:30px}";

struct Crumb<'a> {
    label: &'a str,
    href: Option<String>,
}

fn crumb(label: &str, href: impl Into<Option<String>>) -> Crumb<'_> {
    Crumb { label, href: href.into() }
}

fn header() -> Markup {
    html! {
        div.top {
            span { "您好！欢迎访问" (SITE_NAME) "门户网站" }
            span.tools {
                a href="javascript:void(0)" id="wza" { "无障碍浏览" } " | "
                a href="javascript:void(0)" id="zzms" { "长者模式" } " | "
                a href="javascript:void(0)" id="jft" { "繁體" } " | "
                a href="https://www.gov.cn/" target="_blank" { "中国政府网" }
            }
        }
        div.header {
            div.logo { a href="/" title=(SITE_NAME) { (SITE_NAME) } }
            form.search action="/search" method="get" {
                input type="text" name="q" placeholder="请输入关键字";
                button type="submit" { "搜索" }
            }
        }
        div.nav {
            ul {
                li { a href="/" { "首页" } }
                li { a href="/zwgk/" { "政务公开" } }
                li { a href="https://www.gdzwfw.gov.cn/" target="_blank" { "政务服务" } }
                li { a href="javascript:void(0)" { "互动交流" } }
                li { a href="javascript:void(0)" { "走进示例" } }
            }
        }
    }
}

fn footer() -> Markup {
    html! {
        div.footer {
            p {
                a href="/" { "网站首页" } " | "
                a href="/zwgk/" { "政府信息公开" } " | "
                a href="javascript:void(0)" { "联系我们" } " | "
                a href="/admin/login.html" { "管理登录" }
            }
            p { "主办单位：" (SITE_NAME) "办公室　承办单位：示例市政务服务数据管理局" }
            p {
                "网站标识码：3799000001　"
                a href="https://beian.miit.gov.cn/" target="_blank" { "鲁ICP备00000001号-1" }
                "　"
                a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=37990202000001" target="_blank" { "鲁公网安备 37990202000001号" }
            }
            p { "Copyright © " (SITE_NAME) " 版权所有　建议使用1280×720以上分辨率浏览" }
        }
        script { (PreEscaped(ANALYTICS)) }
    }
}

/// The 政府信息公开 side menu: every column.
fn gk_menu(current: Option<&str>) -> Markup {
    html! {
        div.gk-menu {
            h3 { "政府信息公开" }
            ul {
                li { a href="/zwgk/" { "政府信息公开首页" } }
                @for c in &COLUMNS {
                    li class=[(current == Some(c.slug)).then_some("on")] { a href=(c.path()) { (c.name) } }
                }
            }
        }
    }
}

fn frame(title: &str, charset: &str, head: Markup, crumbs: &[Crumb<'_>], main: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset=(charset);
                meta http-equiv="X-UA-Compatible" content="IE=edge";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="SiteName" content=(SITE_NAME);
                meta name="SiteDomain" content="www.example.gov.cn";
                meta name="SiteIDCode" content="3799000001";
                (head)
                link rel="stylesheet" href="/css/style.css";
            }
            body {
                (header())
                div.main {
                    div.crumb {
                        "当前位置："
                        @for (i, c) in crumbs.iter().enumerate() {
                            @if i > 0 { " > " }
                            @match &c.href {
                                Some(h) => a href=(h) { (c.label) },
                                None => span { (c.label) },
                            }
                        }
                    }
                    (main)
                }
                (footer())
            }
        }
    }
    .into_string()
}

/// `YYYY-MM-DD` → `YYYY年MM月DD日` when `chinese`; other text unchanged.
pub(super) fn format_date(date: &str, chinese: bool) -> String {
    match (chinese, super::parse_date(date)) {
        (true, Some(_)) => format!("{}年{}月{}日", &date[..4], &date[5..7], &date[8..10]),
        _ => date.to_owned(),
    }
}

/// The path of `to` relative to the page at `from` (both absolute paths).
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dir, file) = to_parts.split_at(to_parts.len().saturating_sub(1));
    let common = from_dir.iter().zip(to_dir).take_while(|(a, b)| a == b).count();
    let mut out = if common == from_dir.len() { "./".to_owned() } else { "../".repeat(from_dir.len() - common) };
    for part in to_dir[common..].iter().chain(file) {
        out.push_str(part);
        out.push('/');
    }
    out.pop();
    out
}

fn short_title(title: &str) -> String {
    const MAX: usize = 36;
    if title.chars().count() > MAX { title.chars().take(MAX - 1).chain(['…']).collect() } else { title.to_owned() }
}

/// `/`: the portal home page.
pub(super) fn home(items: &[DemoItem], lists: &[Vec<ListEntry>]) -> String {
    let mut newest: Vec<&ListEntry> = lists.iter().flatten().filter(|e| !e.copy).collect();
    newest.sort_by(|a, b| items[b.item].date.cmp(&items[a.item].date).then(items[a.item].n.cmp(&items[b.item].n)));
    newest.dedup_by_key(|e| e.item);
    let main = html! {
        div.banner { h2 { "深化政务公开　建设法治政府" } }
        div.hot { "热门搜索：" a href="/search?q=政策" { "政策" } " " a href="/search?q=规范性文件" { "规范性文件" } }
        div.gk-home {
            h2 { a href="./zwgk/" { "政府信息公开" } }
            @for (c, list) in COLUMNS.iter().zip(lists) {
                div.column-block {
                    h3 { a href=(relative("/index.html", &c.path())) { (c.name) } span.more { a href=(c.path()) { "更多>>" } } }
                    ul {
                        @for e in list.iter().take(5) {
                            li {
                                a href=(relative("/index.html", &e.path)) title=(items[e.item].doc.title) { (short_title(&items[e.item].doc.title)) }
                                span.date { (items[e.item].date) }
                            }
                        }
                    }
                }
            }
        }
        div.newest {
            h2 { "最新文件" }
            ul {
                @for e in newest.iter().take(8) {
                    li { a href=(e.path) { (items[e.item].doc.title) } span.date { (items[e.item].date) } }
                }
            }
        }
        div.links {
            "相关链接："
            a href="https://www.gov.cn/" target="_blank" { "中国政府网" } " "
            a href="https://www.shandong.gov.cn/" target="_blank" { "省政府门户网站" }
        }
    };
    frame(
        &format!("{SITE_NAME}门户网站"),
        "utf-8",
        html! { meta name="ColumnName" content="首页"; },
        &[crumb("首页", None)],
        main,
    )
}

/// `/zwgk/`: the 政府信息公开 landing page.
pub(super) fn zwgk(lists: &[Vec<ListEntry>]) -> String {
    let main = html! {
        (gk_menu(None))
        div.gk-main {
            h2 { "政府信息公开" }
            p.intro { "根据《中华人民共和国政府信息公开条例》，本网站主动公开以下政府信息。" }
            ul.gk-columns {
                @for (c, list) in COLUMNS.iter().zip(lists) {
                    li { a href=(relative("/zwgk/index.html", &c.path())) { (c.name) } span.count { "（" (list.len()) "条）" } }
                }
            }
        }
    };
    frame(
        &format!("政府信息公开_{SITE_NAME}"),
        "utf-8",
        html! { meta name="ColumnName" content="政府信息公开"; },
        &[crumb("首页", "/".to_owned()), crumb("政府信息公开", None)],
        main,
    )
}

/// One page of a column list.
pub(super) fn list_page(
    column: &Column,
    entries: &[ListEntry],
    items: &[DemoItem],
    page: usize,
    pages: usize,
    charset: &str,
) -> String {
    let here = format!("{}{}", column.path(), super::list_file(page));
    let chunk = entries.iter().skip(page * PER_PAGE).take(PER_PAGE);
    let main = html! {
        (gk_menu(Some(column.slug)))
        div.list-main {
            div.list-title { h2 { (column.name) } }
            ul.list {
                @for e in chunk {
                    li {
                        a href=(relative(&here, &e.path)) target="_blank" title=(items[e.item].doc.title) {
                            (short_title(&items[e.item].doc.title))
                        }
                        span.date { (items[e.item].date) }
                    }
                }
            }
            @if column.script_paging {
                div.page { script { (PreEscaped(format!("createPageHTML({pages}, {page}, \"index\", \"html\");"))) } }
            } @else {
                div.page {
                    span.total { "共" (pages) "页" }
                    @if page > 0 {
                        " " a href=(super::list_file(0)) { "首页" }
                        " " a href=(super::list_file(page - 1)) { "上一页" }
                    }
                    @for i in 0..pages {
                        " "
                        @if i == page { span.current { (i + 1) } } @else { a href=(super::list_file(i)) { (i + 1) } }
                    }
                    @if page + 1 < pages {
                        " " a href=(super::list_file(page + 1)) { "下一页" }
                        " " a href=(super::list_file(pages - 1)) { "尾页" }
                    }
                }
            }
        }
    };
    frame(
        &format!("{}_{SITE_NAME}", column.name),
        charset,
        html! {
            meta name="ColumnName" content=(column.name);
            @if column.script_paging { script { (PreEscaped(CREATE_PAGE_HTML)) } }
        },
        &[crumb("首页", "/".to_owned()), crumb("政府信息公开", "/zwgk/".to_owned()), crumb(column.name, None)],
        main,
    )
}

fn topic(category: &str) -> &'static str {
    match category {
        "法律" | "行政法规" | "部门规章" | "地方性法规" => "综合政务/法律法规",
        "政策解读" => "综合政务/政策解读",
        "工作报告" => "综合政务/政府工作报告",
        "政策文件" => "综合政务/其他",
        _ => "其他",
    }
}

/// The 信息公开 metadata table, in one of two layouts real sites use.
fn metadata(item: &DemoItem) -> Markup {
    let d = &item.doc;
    let issued = format_date(&d.issued_date, item.chinese_dates);
    let published = format_date(&d.published_date, item.chinese_dates);
    if item.n.is_multiple_of(2) {
        // gov.cn: four cells a row.
        html! {
            table.xxgk_table border="0" cellspacing="0" cellpadding="0" {
                tbody {
                    tr { td.t1 { b { "索 引 号：" } } td.t2 { (item.index_number) } td.t1 { b { "主题分类：" } } td.t2 { (topic(&d.category)) } }
                    tr { td.t1 { b { "发布机构：" } } td.t2 { (d.publisher) } td.t1 { b { "成文日期：" } } td.t2 { (issued) } }
                    tr { td.t1 { b { "标　　题：" } } td.t2 colspan="3" { (d.title) } }
                    tr { td.t1 { b { "发文字号：" } } td.t2 { (d.doc_number) } td.t1 { b { "发布日期：" } } td.t2 { (published) } }
                    @if !d.validity.is_empty() {
                        tr { td.t1 { b { "有 效 性：" } } td.t2 colspan="3" { (d.validity) } }
                    }
                }
            }
        }
    } else {
        // gkmlpt: one label a row.
        html! {
            div.classify {
                table {
                    tbody {
                        tr { th { "索 引 号：" } td { (item.index_number) } }
                        tr { th { "主题分类：" } td { (topic(&d.category)) } }
                        tr { th { "发布机构：" } td { (d.publisher) } }
                        tr { th { "成文日期：" } td { (issued) } }
                        tr { th { "标　　题：" } td { (d.title) } }
                        tr { th { "发文字号：" } td { (d.doc_number) } }
                        tr { th { "发布日期：" } td { (published) } }
                        @if !d.validity.is_empty() {
                            tr { th { "有效性：" } td { (d.validity) } }
                        }
                    }
                }
            }
        }
    }
}

/// A detail (item) page at `here`, shown under `column`.
pub(super) fn detail(items: &[DemoItem], idx: usize, here: &str, column: &Column, charset: &str) -> String {
    let item = &items[idx];
    let d = &item.doc;
    let published = format_date(&d.published_date, item.chinese_dates);
    let main = html! {
        div.article {
            (metadata(item))
            h1.article-title { (d.title) }
            div.article-info {
                @if !published.is_empty() { span { "发布时间：" (published) } "　" }
                @if !d.publisher.is_empty() { span { "来源：" (d.publisher) } "　" }
                span.zoom { "【字体：" a href="javascript:doZoom(20)" { "大" } " " a href="javascript:doZoom(16)" { "中" } " " a href="javascript:doZoom(14)" { "小" } "】" }
            }
            div #zoom .TRS_Editor {
                @for p in d.body.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    p { (p) }
                }
                @if let Some(p) = item.interprets {
                    p.xgwj { "相关文件：" a href=(relative(here, &items[p].path)) { (items[p].doc.title) } }
                }
            }
            @if let Some(a) = &item.attachment {
                div.fj { "附件：" a href=(a) { (d.title) ".docx" } }
            }
            @for &j in &item.interpreted_by {
                div.zcjd { "政策解读：" a href=(relative(here, &items[j].path)) { "【解读】" (items[j].doc.title) } }
            }
            div.share {
                "分享到："
                a.wx href="javascript:void(0)" title="分享到微信" { "微信" } " "
                a.wb href="javascript:void(0)" title="分享到微博" { "微博" } " "
                a.qz href="javascript:void(0)" title="分享到QQ空间" { "QQ空间" }
            }
            div.print { a href="javascript:window.print()" { "【打印本页】" } " " a href="javascript:window.close()" { "【关闭窗口】" } }
        }
    };
    let title = format!("{}_{}_{SITE_NAME}", d.title, column.name);
    frame(
        &title,
        charset,
        html! {
            meta name="ColumnName" content=(column.name);
            meta name="ArticleTitle" content=(d.title);
            @if !d.published_date.is_empty() { meta name="PubDate" content=(format!("{} 09:00", d.published_date)); }
            meta name="ContentSource" content=(d.publisher);
            meta name="Keywords" content=(d.title);
        },
        &[
            crumb("首页", "/".to_owned()),
            crumb("政府信息公开", "/zwgk/".to_owned()),
            crumb(column.name, column.path()),
            crumb("正文", None),
        ],
        main,
    )
}

/// `/search?q=…`: a crawler trap (endless pages), disallowed in robots.txt.
pub(super) fn search(q: &str, page: u64) -> String {
    let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let main = html! {
        div.search-result {
            h2 { "搜索结果" }
            p { "关键词：" (q) "　第" (page) "页" }
            ul {
                @for k in 1..=10u64 {
                    li { a href=(format!("/search?q={}&page={}&sort={k}", enc(q), page + k)) { (q) "相关结果 " (page * 10 + k) } }
                }
            }
            div.page { a href=(format!("/search?q={}&page={}", enc(q), page + 1)) { "下一页" } }
        }
    };
    frame(&format!("搜索_{SITE_NAME}"), "utf-8", html! {}, &[crumb("首页", "/".to_owned()), crumb("搜索", None)], main)
}

/// `/admin/…`: the CMS login, disallowed in robots.txt.
pub(super) fn admin() -> String {
    let main = html! {
        form.login action="/admin/login.html" method="post" {
            h2 { "内容管理系统登录" }
            input type="text" name="user";
            input type="password" name="pass";
            button type="submit" { "登录" }
        }
    };
    frame(
        &format!("管理登录_{SITE_NAME}"),
        "utf-8",
        html! {},
        &[crumb("首页", "/".to_owned()), crumb("管理登录", None)],
        main,
    )
}

/// Any unknown path.
pub(super) fn not_found() -> String {
    let main = html! { div.notfound { h2 { "404 您访问的页面不存在" } p { a href="/" { "返回首页" } } } };
    frame(&format!("页面不存在_{SITE_NAME}"), "utf-8", html! {}, &[crumb("首页", "/".to_owned())], main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative("/zwgk/zcwj/index.html", "/zwgk/zcwj/202003/t20200315_1.html"),
            "./202003/t20200315_1.html"
        );
        assert_eq!(
            relative("/zwgk/qt/index_1.html", "/zwgk/zcwj/202003/t20200315_1.html"),
            "../zcwj/202003/t20200315_1.html"
        );
        assert_eq!(
            relative("/zwgk/zcjd/202410/t20241012_2.html", "/zwgk/zcwj/202003/t20200315_1.html"),
            "../../zcwj/202003/t20200315_1.html"
        );
        assert_eq!(relative("/index.html", "/zwgk/zcwj/"), "./zwgk/zcwj/");
        assert_eq!(relative("/zwgk/index.html", "/zwgk/flfg/"), "./flfg/");
    }

    #[test]
    fn dates_and_titles() {
        assert_eq!(format_date("2020-03-15", true), "2020年03月15日");
        assert_eq!(format_date("2020-03-15", false), "2020-03-15");
        assert_eq!(format_date("", true), "");
        assert_eq!(short_title("短标题"), "短标题");
        assert_eq!(short_title(&"长".repeat(50)).chars().count(), 36);
    }
}
