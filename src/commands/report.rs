//! `govsearch report`: table 三 of the annual report from the application register.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use govsearch_index::Catalogue;
use govsearch_index::applications::{
    Applicant, CaseResult, Counts, TableFour, TableThree, parse_register, table_four, table_three,
};
use govsearch_index::audit::Calendar;
use govsearch_index::tally::{GroupBy, Period, TallyQuery};

use super::Ctx;
use crate::cli::ReportArgs;

pub fn run(a: ReportArgs, ctx: &Ctx) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&a.register)
        .with_context(|| format!("reading the application register {}", a.register.display()))?;
    let apps = match parse_register(&text) {
        Ok(apps) => apps,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", a.register.display());
            }
            anyhow::bail!("{}: {} bad cells; nothing was read from it", a.register.display(), errors.len());
        }
    };
    let t = table_three(&apps, a.year, &Calendar::default_calendar());
    let four = table_four(&apps, a.year);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "三": t, "四": four }))?);
        return Ok(ExitCode::SUCCESS);
    }
    // section 二 from the catalogue, when the data folder has one
    if ctx.data.index_dir().join("meta.json").exists() {
        let cat = Catalogue::open(&ctx.data.index_dir())?;
        let query = TallyQuery {
            period: Period::Year(a.year),
            sites: Vec::new(),
            publisher: None,
            group_by: GroupBy::Category,
        };
        let tally = super::tally::tally(&cat, &query, false, None)?;
        if let Some(at) = tally.find("## 表二") {
            println!("{}", &tally[at..]);
        }
    }
    print!("{}", markdown(&t));
    print!("\n{}", markdown_four(&four));
    Ok(ExitCode::SUCCESS)
}

/// Table 四 in the national layout.
pub fn markdown_four(t: &TableFour) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} 年 四、政府信息公开行政复议、行政诉讼情况
",
        t.year
    );
    let heads: Vec<&str> = CaseResult::ALL.iter().map(|c| c.label()).chain(["总计"]).collect();
    let _ = writeln!(out, "| | {} |", heads.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(heads.len()));
    for (label, row) in [
        ("行政复议", &t.review),
        ("行政诉讼 未经复议直接起诉", &t.lawsuit_direct),
        ("行政诉讼 复议后起诉", &t.lawsuit_after_review),
    ] {
        let cells: Vec<String> = row.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
    }
    out
}

/// Table 三 in the national layout, with the balance check and the late replies.
pub fn markdown(t: &TableThree) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} 年 三、收到和处理政府信息公开申请情况\n", t.year);
    let heads: Vec<&str> = Applicant::ALL.iter().map(|a| a.label()).collect();
    let _ = writeln!(out, "| | {} | 总计 |", heads.join(" | "));
    let _ = writeln!(out, "|---|{}---:|", "---:|".repeat(heads.len()));
    let row = |out: &mut String, label: &str, c: &Counts| {
        let cells: Vec<String> = c.0.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "| {label} | {} | {} |", cells.join(" | "), c.total());
    };
    row(&mut out, "一、本年新收政府信息公开申请数量", &t.received);
    row(&mut out, "二、上年结转政府信息公开申请数量", &t.carried_in);
    let mut group = "";
    for (o, c) in &t.outcomes {
        if o.reason().is_empty() {
            row(&mut out, &format!("三、本年度办理结果 {}", o.group()), c);
            continue;
        }
        if o.group() != group {
            group = o.group();
            let _ = writeln!(out, "| 三、本年度办理结果 {group} | | | | | | | |");
        }
        row(&mut out, &format!("　{}", o.reason()), c);
    }
    row(&mut out, "三、本年度办理结果 （七）总计", &t.handled);
    row(&mut out, "四、结转下年度继续办理", &t.carried_out);
    let ok = if t.balances() { "相符" } else { "不相符，请核对台账" };
    let _ = writeln!(
        out,
        "\n本年新收 {} + 上年结转 {} = 办理结果总计 {} + 结转下年度 {}：{ok}。",
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
