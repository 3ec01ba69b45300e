//! The public and staff pages in a real browser (Debian's headless Chromium,
//! driven by `tests/browser/run.mjs` through playwright-core): search,
//! suggestions, facets, documents, keyboard use, escaping of crawled HTML,
//! the page without JavaScript, axe-core accessibility checks, small screens
//! and zoom. Screenshots go to `artifacts/screenshots/`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use govsearch::server;
use govsearch_index::{Attachment, Catalogue, Document};

fn doc(id: &str, title: &str, body: &str) -> Document {
    Document {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        site: "gd.gov.cn".into(),
        url: format!("http://www.gd.gov.cn/zwgk/{id}.html"),
        ..Default::default()
    }
}

/// Real-looking documents; one carries HTML that must render as text.
pub(crate) fn fixture_documents() -> Vec<Document> {
    let mut plan = doc(
        "gd-2018-48",
        "广东省人民政府办公厅关于印发广东省“数字政府”建设总体规划（2018—2020年）的通知",
        "各地级以上市人民政府，省政府各部门、各直属机构：\n\
         《广东省“数字政府”建设总体规划（2018—2020年）》已经省人民政府同意，现印发给你们，请认真贯彻执行。\n\
         执行过程中遇到的问题，请径向省政务服务数据管理局反映。",
    );
    plan.doc_number = "粤府办〔2018〕48号".into();
    plan.index_number = "006939748/2018-00945".into();
    plan.publisher = "广东省人民政府办公厅".into();
    plan.topic = "综合政务".into();
    plan.category = "规范性文件".into();
    plan.column = "规范性文件".into();
    plan.issued_date = "2018-10-26".into();
    plan.published_date = "2018-11-06".into();
    plan.validity = "有效".into();

    let mut ebike = doc(
        "gdga-2020-3",
        "广东省公安厅关于电动自行车登记管理的通告",
        "为加强电动自行车管理，保障道路交通安全，根据《中华人民共和国道路交通安全法》等法律法规，结合我省实际，现就电动自行车登记管理有关事项通告如下：\n\
         一、电动自行车经公安机关交通管理部门登记后，方可上道路行驶。\n\
         二、本通告自2020年5月1日起施行，有效期五年。",
    );
    ebike.doc_number = "粤公规〔2020〕3号".into();
    ebike.publisher = "广东省公安厅".into();
    ebike.category = "规范性文件".into();
    ebike.issued_date = "2020-03-10".into();
    ebike.published_date = "2020-03-15".into();
    ebike.validity = "有效".into();
    ebike.attachments = vec![Attachment {
        name: "电动自行车登记申请表.docx".into(),
        url: "http://www.gd.gov.cn/zwgk/gdga-2020-3.docx".into(),
        kind: "docx".into(),
        text: "电动自行车登记申请表 车主姓名 身份证号码 车辆品牌型号".into(),
        error: String::new(),
    }];

    let mut reading = doc(
        "gdga-2020-3-jd",
        "《广东省公安厅关于电动自行车登记管理的通告》政策解读",
        "一、制定背景：近年来，我省电动自行车保有量快速增长，交通事故多发。\n\
         二、主要内容：通告明确了电动自行车登记的条件、程序和过渡期安排。",
    );
    reading.publisher = "广东省公安厅".into();
    reading.category = "政策解读".into();
    reading.published_date = "2020-03-16".into();
    reading.related_links = vec!["gdga-2020-3".into()];

    let mut roads = doc(
        "gz-2015-2",
        "广州市城市道路占用挖掘管理规定",
        "第一条 为加强城市道路管理，规范城市道路占用、挖掘行为，制定本规定。\n\
         第二条 本市行政区域内城市道路的占用、挖掘及其管理，适用本规定。",
    );
    roads.doc_number = "穗府规〔2015〕2号".into();
    roads.publisher = "广州市人民政府".into();
    roads.category = "规范性文件".into();
    roads.published_date = "2015-04-01".into();
    roads.validity = "失效".into();
    roads.expiry_date = "2020-04-01".into();

    let mut rules = doc(
        "gov-2019-711",
        "中华人民共和国政府信息公开条例",
        "第一条 为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，建设法治政府，充分发挥政府信息对人民群众生产、生活和经济社会活动的服务作用，制定本条例。\n\
         第二条 本条例所称政府信息，是指行政机关在履行行政管理职能过程中制作或者获取的，以一定形式记录、保存的信息。",
    );
    rules.doc_number = "国令第711号".into();
    rules.publisher = "国务院".into();
    rules.category = "行政法规".into();
    rules.published_date = "2019-04-15".into();
    rules.validity = "有效".into();

    let mut xss = doc(
        "xss-1",
        "<script>window.__xss=1</script>关于转义测试的通知",
        "转义测试正文<img src=x onerror=\"window.__xss=2\">结束。",
    );
    xss.publisher = "测试机构".into();
    xss.category = "其他".into();
    xss.published_date = "2021-01-02".into();

    vec![plan, ebike, reading, roads, rules, xss]
}

#[test]
#[ignore = "needs Debian chromium and npm deps in tests/browser; scripts/test.sh installs them and runs ignored tests"]
fn browser_pages_work_and_are_accessible() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/browser/node_modules/playwright-core").is_dir(),
        "run `npm ci` in tests/browser first (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let cat = Catalogue::open(dir.path()).unwrap();
    let mut w = cat.writer().unwrap();
    for d in fixture_documents() {
        w.upsert(&d).unwrap();
    }
    w.finish().unwrap();
    cat.reload().unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = rt.block_on(async {
        let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(server::serve_on(server::AppState::new(Arc::new(cat)), listener));
        addr
    });

    let out = Command::new("node")
        .current_dir(root)
        .arg("tests/browser/run.mjs")
        .arg(format!("http://{addr}"))
        .arg("artifacts/screenshots")
        .output()
        .expect("run node (Node.js 18 or newer)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    assert!(out.status.success(), "browser tests failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}", out.status);
    drop(rt);
}
