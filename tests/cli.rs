//! The binary as a user runs it: exit codes and one-line errors.

use std::process::Command;

fn govsearch(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govsearch"));
    c.arg("--data-dir").arg(data).env_remove("RUST_LOG");
    c
}

#[test]
fn example_config_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sites.example.toml");
    let cfg = govsearch_crawler::Config::from_path(&path).unwrap();
    assert_eq!(cfg.sites[0].name, "gdga");
    assert_eq!(cfg.sites[0].columns.get("/xxgk/gfxwj/").map(String::as_str), Some("规范性文件"));
}

#[test]
fn import_then_search() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docs.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"x:1","title":"关于规范性文件管理的通知","doc_number":"国办发〔2019〕5号","publisher":"国务院办公厅","category":"规范性文件","issued_date":"2019-01-02","published_date":"2019-01-05","validity":"有效","body":"各省人民政府：为加强规范性文件管理……","source":"test"}"#,
            "\n",
            r#"{"id":"x:2","title":"城市道路管理条例","doc_number":"","publisher":"","category":"行政法规","issued_date":"","published_date":"","validity":"","body":"为了加强城市道路管理。","source":"test"}"#,
            "\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = govsearch(&data).args(["import"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = govsearch(&data).args(["search", "--json", "国办发2019 5号"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["hits"][0]["id"], "x:1");
    let out = govsearch(&data).args(["search", "规范性文件"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1 results"), "{text}");
    assert!(text.contains("【规范性文件】"), "{text}");
    // A rebuild keeps imported documents.
    let out = govsearch(&data).arg("index").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = govsearch(&data).args(["search", "--json", "道路"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["total"], 1);
}

#[test]
fn bad_jsonl_line_is_named_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"id\":\"a\",\"title\":\"好\"}\n{not json}\n").unwrap();
    let data = dir.path().join("data");
    let out = govsearch(&data).arg("import").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2: not a corpus record"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    let out = govsearch(&data).args(["search", "--json", ""]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["total"], 0);
}

#[test]
fn missing_and_malformed_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = govsearch(dir.path()).args(["crawl", "--config", "/nonexistent/sites.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sites.toml"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[site]]\nname = \"x\"\nstart_urls = [\"ftp://a\"]\n").unwrap();
    let out = govsearch(dir.path()).args(["crawl", "--config"]).arg(&bad).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("bad.toml") && err.contains("ftp://a"), "{err}");
}

#[test]
fn port_in_use_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = govsearch(dir.path()).args(["serve", "--addr", &addr]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

#[test]
fn unwritable_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = govsearch(&file).args(["search", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a-file"));
}

#[test]
fn every_command_has_help() {
    for cmd in
        ["demo", "crawl", "probe", "index", "import", "serve", "search", "tally", "audit", "eval", "bench", "demo-site"]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_govsearch")).args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success(), "{cmd}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("--data-dir"), "{cmd}");
    }
}

#[test]
fn tally_markdown_and_audit_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docs.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"r:1","title":"关于电动自行车管理的规定","doc_number":"示政规〔2024〕1号","publisher":"示例市人民政府","category":"规范性文件","issued_date":"2024-01-02","published_date":"2024-01-05","validity":"有效","body":"正文","source":"t"}"#,
            "\n",
            r#"{"id":"r:2","title":"没有日期的通知","doc_number":"","publisher":"","category":"通知公告","issued_date":"","published_date":"","validity":"","body":"正文","source":"t"}"#,
            "\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    assert!(govsearch(&data).arg("import").arg(&file).output().unwrap().status.success());
    let out = govsearch(&data).args(["tally", "--year", "2024"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| 规范性文件 | 1 |"), "{md}");
    assert!(md.contains("| **合计（去重）** | **1** |"), "{md}");
    assert!(md.contains("无发布日期、未计入期间的 1 件"), "{md}");
    assert!(md.contains("| 行政规范性文件 | 1 | 0 | 1 |"), "{md}");
    let csv = dir.path().join("t.csv");
    let out = govsearch(&data).args(["tally", "--year", "2024", "--csv"]).arg(&csv).output().unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("\u{feff}id,标题"));
    let out = govsearch(&data).args(["audit", "--as-of", "2024-12-31"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "findings → exit 2");
    assert!(String::from_utf8_lossy(&out.stdout).contains("规范性文件没有对应的政策解读"));
    let out = govsearch(&data).args(["tally", "--from", "2024-05-01", "--to", "2024-01-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("from"));
}

#[test]
fn bench_harness_runs_and_prints_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/docs.jsonl.gz");
    let json = dir.path().join("bench.json");
    let out = govsearch(dir.path())
        .args(["bench", "--seconds", "1", "--only", "index,search", "--corpus"])
        .arg(&corpus)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("search with snippets, 1 client: p50 / p95 / p99"), "{table}");
    assert!(table.contains("| queries |"), "the table says which queries were timed: {table}");
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(j["index"]["documents"], 291);
    assert_eq!(j["search"]["errors"], 0, "{j}");
    assert!(j["search"]["rps_8"].as_f64().unwrap() > 0.0);
    assert!(j["search"]["cold_p50_ms"].as_f64().unwrap() > 0.0, "the first pass is timed apart: {j}");

    // Search only, over the index just built, with a query file of its own.
    let queries = dir.path().join("queries.txt");
    std::fs::write(&queries, "条例\n政府信息公开\n\n国发〔2019〕5号\n").unwrap();
    let out = govsearch(dir.path())
        .args(["bench", "--seconds", "1", "--only", "search", "--corpus"])
        .arg(&corpus)
        .arg("--queries")
        .arg(&queries)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(j["search"]["queries"], 3, "{j}");
    assert_eq!(j["search"]["query_source"], format!("{} (3 queries)", queries.display()), "{j}");
    assert_eq!(j["search"]["errors"], 0, "{j}");
    assert!(j["index"].is_null(), "the index was not rebuilt: {j}");
}

#[test]
fn a_bad_rate_limit_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = govsearch(dir.path()).args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "nan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rate-limit") && err.contains("NaN"), "{err}");
}

/// An operator's categories.toml in the data folder is read by every
/// command; a broken one stops the command with an error naming the file
/// and the bad value, before anything is stored.
#[test]
fn a_broken_category_vocabulary_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("categories.toml"), "[[category]]\nname = \"x\"\ndoc_number = [\"(\"]\n").unwrap();
    let out = govsearch(dir.path()).args(["search", "--json", "通知"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("categories.toml") && err.contains("\"(\""), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

/// `govsearch index` takes the data folder's lock like a crawl and the admin
/// reindex: while another job holds it, the rebuild is refused by name.
#[test]
fn index_is_refused_while_another_job_holds_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = govsearch::data::DataDir::open(dir.path()).unwrap();
    let held = govsearch::pipeline::Held::acquire(&data).unwrap();
    let out = govsearch(dir.path()).arg("index").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("locked by another crawl") && err.contains(&std::process::id().to_string()), "{err}");
    drop(held);
    let out = govsearch(dir.path()).arg("index").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A value a flag does not take is refused in one line naming the flag and
/// what it takes, with status 1 (2 is the audit's "findings").
#[test]
fn a_bad_flag_value_is_one_line_naming_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    for (args, flag, choice) in [
        (&["tally", "--group", "nonsense"][..], "--group", "publisher"),
        (&["search", "--sort", "newest", "x"][..], "--sort", "relevance"),
        (&["bench", "--corpus", "x", "--only", "index,bogus"][..], "--only", "crawl"),
    ] {
        let out = govsearch(dir.path()).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(flag) && err.contains(choice), "{args:?}: {err}");
    }
    let out = govsearch(dir.path()).args(["tally", "--group", "site", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "site is another name of channel: {}", String::from_utf8_lossy(&out.stderr));
}

/// The README's command table names every command and every flag that
/// `--help` lists, so the users' guide cannot fall behind the binary.
#[test]
fn the_readme_command_table_names_every_command_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let help = |args: &[&str]| {
        let out = govsearch(dir.path()).args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?} --help");
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(&[]);
    let commands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        // "  name  what it does"; wrapped descriptions are indented further
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect();
    assert!(commands.len() >= 10 && commands.iter().any(|c| c == "probe"), "{commands:?}");
    let mut missing = Vec::new();
    for cmd in &commands {
        let row = readme.lines().find(|l| {
            l.strip_prefix("| `govsearch ")
                .and_then(|r| r.strip_prefix(cmd.as_str()))
                .is_some_and(|r| r.starts_with(' ') || r.starts_with('`'))
        });
        let Some(row) = row else {
            missing.push(format!("{cmd}: no row"));
            continue;
        };
        let text = help(&[cmd]);
        let options = text.split("Options:").nth(1).unwrap_or("");
        for flag in options.split_whitespace().filter(|w| w.starts_with("--")) {
            let flag: String = flag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if ["--help", "--version", "--data-dir", "--verbose"].contains(&flag.as_str()) || flag.len() < 3 {
                continue;
            }
            if !row.contains(&flag) {
                missing.push(format!("{cmd} {flag}"));
            }
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "README's command table lacks: {missing:?}");
}

#[test]
fn report_prints_table_three_of_a_register_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let register = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("index/tests/fixtures/register-2020.csv");
    let out = govsearch(dir.path()).args(["report", "--year", "2020", "--register"]).arg(&register).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| 一、本年新收政府信息公开申请数量 | 112 | 3 | 1 | 0 | 1 | 0 | 117 |"), "{md}");
    assert!(md.contains("| 四、结转下年度继续办理 | 7 | 0 | 0 | 0 | 1 | 0 | 8 |"), "{md}");
    assert!(md.contains("本年新收 117 + 上年结转 0 = 办理结果总计 109 + 结转下年度 8：相符。"), "{md}");
    assert!(md.contains("超过法定答复期限") && md.contains("2020-006"), "{md}");
    assert!(md.contains("| 行政复议 | 0 | 0 | 0 | 0 | 0 |"), "table 四, no cases in the fixture: {md}");
    assert!(!md.contains("表二"), "no catalogue in this data folder: no table 二");

    // with a catalogue in the data folder, section 二's first table too
    let file = dir.path().join("docs.jsonl");
    std::fs::write(
        &file,
        r#"{"id":"x:1","title":"关于规范性文件管理的通知","doc_number":"粤公规〔2020〕3号","publisher":"广东省公安厅","category":"规范性文件","issued_date":"2020-01-02","published_date":"2020-01-05","validity":"有效","body":"为加强规范性文件管理……","source":"test"}"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = govsearch(&data).arg("import").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = govsearch(&data).args(["report", "--year", "2020", "--register"]).arg(&register).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| 行政规范性文件 | 1 | 0 | 1 |"), "{md}");
    assert!(md.contains("三、收到和处理政府信息公开申请情况"), "{md}");

    // the Word document, read back cell by cell
    let docx = dir.path().join("report.docx");
    let out = govsearch(&data)
        .args(["report", "--year", "2020", "--register"])
        .arg(&register)
        .arg("--docx")
        .arg(&docx)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let (document, styles) = (part("word/document.xml"), part("word/styles.xml"));
    assert!(styles.contains(r#"w:eastAsia="宋体""#) && styles.contains(r#"w:eastAsia="黑体""#), "Chinese fonts named");
    let xml = roxmltree::Document::parse(&document).unwrap();
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    let size = xml.descendants().find(|n| n.has_tag_name((w, "pgSz"))).unwrap();
    assert_eq!((size.attribute((w, "w")), size.attribute((w, "h"))), (Some("11906"), Some("16838")), "A4");
    let tables: Vec<Vec<Vec<String>>> = xml
        .descendants()
        .filter(|n| n.has_tag_name((w, "tbl")))
        .map(|t| {
            t.children()
                .filter(|r| r.has_tag_name((w, "tr")))
                .map(|r| {
                    r.children()
                        .filter(|c| c.has_tag_name((w, "tc")))
                        .map(|c| {
                            c.descendants().filter(|x| x.has_tag_name((w, "t"))).filter_map(|x| x.text()).collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    assert_eq!(tables.len(), 3, "二, 三, 四");
    assert_eq!(tables[0][2], ["行政规范性文件", "1", "0", "1"]);
    let row = |label: &str| tables[1].iter().find(|r| r[0] == label).cloned().unwrap_or_default();
    assert_eq!(row("一、本年新收政府信息公开申请数量")[1..], ["112", "3", "1", "0", "1", "0", "117"]);
    assert_eq!(row("　1.本机关不掌握相关政府信息")[1..], ["48", "0", "0", "0", "0", "0", "48"]);
    assert_eq!(row("三、本年度办理结果 （七）总计")[1..], ["105", "3", "1", "0", "0", "0", "109"]);
    assert_eq!(row("四、结转下年度继续办理")[8 - 1], "8");
    assert_eq!(tables[1].len(), 30, "heading, 本年新收, 上年结转, 21 outcomes, 4 group headings, 总计, 结转下年度");
    assert_eq!(tables[2][1], ["行政复议", "0", "0", "0", "0", "0"]);

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "申请编号,收到日期,申请人类型,办理结果,答复日期\nA1,2020-02-30,自然人,予以公开,2020-03-01\n")
        .unwrap();
    let out = govsearch(dir.path()).args(["report", "--year", "2020", "--register"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2, column 收到日期") && err.contains("\"2020-02-30\""), "{err}");
}

/// A register kept in Excel: the first sheet with rows is read, headers and all.
#[test]
fn report_reads_a_register_kept_as_xlsx() {
    use std::io::Write;
    let cell = |r: usize, c: usize, t: &str| {
        format!(r#"<c r="{}{}" t="inlineStr"><is><t>{t}</t></is></c>"#, (b'A' + c as u8) as char, r + 1)
    };
    let rows = [
        ["申请编号", "收到日期", "申请人类型", "办理结果", "答复日期"],
        ["A1", "2020-01-02", "自然人", "予以公开", "2020-01-09"],
        ["A2", "2020-01-05", "法人或其他组织-商业企业", "无法提供-本机关不掌握相关政府信息", "2020-01-20"],
        ["A3", "2020-12-30", "自然人", "", ""],
    ];
    let sheet: String = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            format!(
                r#"<row r="{}">{}</row>"#,
                r + 1,
                row.iter().enumerate().map(|(c, t)| cell(r, c, t)).collect::<String>()
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("台账.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("[Content_Types].xml", r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_owned()),
        ("xl/workbook.xml", r#"<workbook><sheets><sheet name="2020年台账" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships><Relationship Id="rId1" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
        ),
        ("xl/worksheets/sheet1.xml", format!("<worksheet><sheetData>{sheet}</sheetData></worksheet>")),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let out =
        govsearch(dir.path()).args(["report", "--year", "2020", "--json", "--register"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["三"]["received"], serde_json::json!([2, 1, 0, 0, 0, 0]), "{j}");
    assert_eq!(j["三"]["carried_out"], serde_json::json!([1, 0, 0, 0, 0, 0]));
    // a file that is neither: named, nothing read
    let junk = dir.path().join("junk.csv");
    std::fs::write(&junk, [0xB9u8, 0xFA, 0xB7, 0xA2]).unwrap(); // GBK 国发
    let out = govsearch(dir.path()).args(["report", "--year", "2020", "--register"]).arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"), "{}", String::from_utf8_lossy(&out.stderr));
}
