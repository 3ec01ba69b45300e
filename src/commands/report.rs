//! `govsearch report`: sections 二 (from the catalogue), 三 and 四 of the
//! annual report, from the application register; Markdown, JSON or DOCX.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use govsearch_index::Catalogue;
use govsearch_index::applications::{
    Applicant, CaseResult, Counts, TableFour, TableThree, parse_register, table_four, table_three,
};
use govsearch_index::audit::Calendar;
use govsearch_index::tally::{GroupBy, InstrumentRow, Period, TallyQuery};

use super::{Ctx, report_error, write_file};
use crate::cli::ReportArgs;
use crate::docx::Docx;

pub fn run(a: ReportArgs, ctx: &Ctx) -> Result<ExitCode> {
    let text = register_text(&a.register)?;
    let apps = match parse_register(&text) {
        Ok(apps) => apps,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", a.register.display());
            }
            anyhow::bail!("{}: {} bad cells; nothing was read from it", a.register.display(), errors.len());
        }
    };
    let three = table_three(&apps, a.year, &Calendar::default_calendar());
    let four = table_four(&apps, a.year);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "三": three, "四": four }))?);
        return Ok(ExitCode::SUCCESS);
    }
    let two = section_two(ctx, a.year)?;
    if let Some(path) = &a.docx {
        let bytes =
            docx(a.year, two.as_deref(), &three, &four).map_err(|e| anyhow::anyhow!("writing the DOCX: {e}"))?;
        write_file(path, bytes)?;
    }
    if let Some(rows) = &two {
        println!("{}", markdown_table(&format!("{} 年 二、主动公开政府信息情况", a.year), rows));
    }
    print!("{}", markdown_table(&format!("{} 年 三、收到和处理政府信息公开申请情况", a.year), &three_rows(&three)));
    print!("\n{}", balance_line(&three));
    print!("\n{}", markdown_table(&format!("{} 年 四、政府信息公开行政复议、行政诉讼情况", a.year), &four_rows(&four)));
    Ok(ExitCode::SUCCESS)
}

/// The register as CSV text: a CSV file (UTF-8) as it is, an XLSX workbook
/// (recognised by its bytes) from its first sheet with rows.
fn register_text(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading the application register {}", path.display()))?;
    if bytes.starts_with(b"PK\x03\x04") {
        let sheet = govsearch_crawler::attachments::extract_text("xlsx", &bytes)
            .map_err(|e| anyhow::anyhow!("{}: not a readable XLSX workbook: {e}", path.display()))?;
        return Ok(govsearch_index::applications::csv_of_sheet(&sheet));
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 at byte {} (save the register as CSV UTF-8, or as XLSX)",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Section 二's first table, from the catalogue, when the data folder has one.
fn section_two(ctx: &Ctx, year: i32) -> Result<Option<Vec<Vec<String>>>> {
    if !ctx.data.index_dir().join("meta.json").exists() {
        return Ok(None);
    }
    let cat = Catalogue::open(&ctx.data.index_dir())?;
    let docs = cat.records().map_err(report_error)?;
    let query =
        TallyQuery { period: Period::Year(year), sites: Vec::new(), publisher: None, group_by: GroupBy::Category };
    let ans = govsearch_index::tally::answer(&docs, &query, &govsearch_index::dates::today()).map_err(report_error)?;
    let (Some(r), Some(n)) = (&ans.rules, &ans.normative) else { return Ok(None) };
    Ok(Some(two_rows(r, n)))
}

/// Section 二's first table as rows: the heading, 规章, 行政规范性文件.
pub fn two_rows(rules: &InstrumentRow, normative: &InstrumentRow) -> Vec<Vec<String>> {
    let row = |name: &str, i: &InstrumentRow| {
        vec![name.to_owned(), i.issued.len().to_string(), i.abolished.len().to_string(), i.in_force.len().to_string()]
    };
    vec![
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"].map(str::to_owned).to_vec(),
        row("规章", rules),
        row("行政规范性文件", normative),
    ]
}

/// Table 三 as rows, in the national layout: a heading row, then one row
/// per line of the format (group headings without numbers).
pub fn three_rows(t: &TableThree) -> Vec<Vec<String>> {
    let mut rows = vec![
        std::iter::once(String::new())
            .chain(Applicant::ALL.iter().map(|a| a.label().to_owned()))
            .chain(["总计".to_owned()])
            .collect::<Vec<_>>(),
    ];
    let counts = |label: &str, c: &Counts| -> Vec<String> {
        std::iter::once(label.to_owned()).chain(c.0.iter().map(u32::to_string)).chain([c.total().to_string()]).collect()
    };
    rows.push(counts("一、本年新收政府信息公开申请数量", &t.received));
    rows.push(counts("二、上年结转政府信息公开申请数量", &t.carried_in));
    let mut group = "";
    for (o, c) in &t.outcomes {
        if o.reason().is_empty() {
            rows.push(counts(&format!("三、本年度办理结果 {}", o.group()), c));
            continue;
        }
        if o.group() != group {
            group = o.group();
            let mut heading = vec![format!("三、本年度办理结果 {group}")];
            heading.extend(std::iter::repeat_n(String::new(), 7));
            rows.push(heading);
        }
        rows.push(counts(&format!("　{}", o.reason()), c));
    }
    rows.push(counts("三、本年度办理结果 （七）总计", &t.handled));
    rows.push(counts("四、结转下年度继续办理", &t.carried_out));
    rows
}

/// Table 四 as rows.
pub fn four_rows(t: &TableFour) -> Vec<Vec<String>> {
    let mut rows = vec![
        std::iter::once(String::new())
            .chain(CaseResult::ALL.iter().map(|c| c.label().to_owned()))
            .chain(["总计".to_owned()])
            .collect(),
    ];
    for (label, row) in [
        ("行政复议", &t.review),
        ("行政诉讼 未经复议直接起诉", &t.lawsuit_direct),
        ("行政诉讼 复议后起诉", &t.lawsuit_after_review),
    ] {
        rows.push(std::iter::once(label.to_owned()).chain(row.iter().map(u32::to_string)).collect());
    }
    rows
}

/// The balance the format implies, and the late replies.
pub fn balance_line(t: &TableThree) -> String {
    let mut out = String::new();
    let ok = if t.balances() { "相符" } else { "不相符，请核对台账" };
    let _ = writeln!(
        out,
        "本年新收 {} + 上年结转 {} = 办理结果总计 {} + 结转下年度 {}：{ok}。",
        t.received.total(),
        t.carried_in.total(),
        t.handled.total(),
        t.carried_out.total()
    );
    if !t.late.is_empty() {
        let ids: Vec<String> = t
            .late
            .iter()
            .map(|(id, days)| format!("{}（{days} 个工作日）", crate::reports::markdown_text(id)))
            .collect();
        let _ = writeln!(
            out,
            "\n超过法定答复期限（20 个工作日，延期 40 个）的申请 {} 件：{}。",
            t.late.len(),
            ids.join("、")
        );
    }
    out
}

/// A titled Markdown table; the first row is the header, first column text, the rest numbers.
fn markdown_table(title: &str, rows: &[Vec<String>]) -> String {
    let mut out = format!("# {title}\n\n");
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|c| crate::reports::markdown_text(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
        if i == 0 {
            let _ = writeln!(out, "|---|{}", "---:|".repeat(row.len().saturating_sub(1)));
        }
    }
    out
}

/// The report as a Word document: the title, then each section's table as in the format.
pub fn docx(
    year: i32,
    two: Option<&[Vec<String>]>,
    three: &TableThree,
    four: &TableFour,
) -> zip::result::ZipResult<Vec<u8>> {
    let mut d = Docx::new();
    d.heading(1, &format!("{year}年政府信息公开工作年度报告（统计表）"));
    if let Some(rows) = two {
        d.heading(2, "二、主动公开政府信息情况").table(rows, 1);
    }
    d.heading(2, "三、收到和处理政府信息公开申请情况").table(&three_rows(three), 1);
    for line in balance_line(three).lines().filter(|l| !l.trim().is_empty()) {
        d.paragraph(line);
    }
    d.heading(2, "四、政府信息公开行政复议、行政诉讼情况").table(&four_rows(four), 1);
    d.finish()
}
