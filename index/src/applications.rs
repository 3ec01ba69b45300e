//! Section 三 of the annual report (国办公开办函〔2021〕30号):
//! 收到和处理政府信息公开申请情况, counted from the application register
//! (依申请公开台账) staff keep, one row per application.
//!
//! The register is read from CSV with Chinese headers ([`parse_register`]),
//! or from a workbook's first sheet ([`csv_of_sheet`]):
//!
//! | column | required | what |
//! |---|---|---|
//! | 申请编号 | yes | unique in the file |
//! | 收到日期 | yes | `YYYY-MM-DD` |
//! | 申请人类型 | yes | 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 ([`Applicant`]) |
//! | 申请内容 | no | kept out of every count and every public answer |
//! | 办理结果 | with 答复日期 | the national format's wording, `不予公开-属于国家秘密` style for a reason, or its code ([`Outcome`]) |
//! | 答复日期 | with 办理结果 | `YYYY-MM-DD`, not before 收到日期; empty while the application is open |
//! | 是否延期 | no | 是 / 否 (article 33's extension to 40 working days) |
//! | 行政复议 | no | the review's result: 维持, 纠正, 其他, 尚未审结 (empty: none) |
//! | 行政诉讼 | no | the lawsuit's result, the same words; with 行政复议 filled it is 复议后起诉 |
//!
//! A file is taken whole or not at all: every bad cell is named by line and
//! column. [`table_three`] counts one year: 本年新收 (received in the year),
//! 上年结转 (received earlier and still open when the year began), the
//! outcomes of the applications answered in the year, and 结转下年度 (still
//! open when it ended), so that 本年新收 + 上年结转 = 办理结果总计 + 结转下年度
//! holds by construction — and is checked. Replies later than 20 working days
//! (40 when extended, the official holiday calendar) are listed.
//! [`table_four`] counts the reviews and lawsuits (section 四) of the
//! applications answered in the year.

use std::collections::HashSet;

use serde::Serialize;

use crate::audit::Calendar;
use crate::dates::{day_index, is_date};

/// Who applied: the columns of table 三 (自然人, then 法人或其他组织 in five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicant {
    Natural,
    Business,
    Research,
    Charity,
    Legal,
    Other,
}

impl Applicant {
    pub const ALL: [Applicant; 6] = [
        Applicant::Natural,
        Applicant::Business,
        Applicant::Research,
        Applicant::Charity,
        Applicant::Legal,
        Applicant::Other,
    ];

    /// The column heading of the national format.
    pub fn label(self) -> &'static str {
        match self {
            Applicant::Natural => "自然人",
            Applicant::Business => "商业企业",
            Applicant::Research => "科研机构",
            Applicant::Charity => "社会公益组织",
            Applicant::Legal => "法律服务机构",
            Applicant::Other => "其他",
        }
    }

    /// A register cell: the heading, with or without 法人或其他组织 before it.
    pub fn parse(s: &str) -> Option<Applicant> {
        let s = s.trim();
        let s = s
            .strip_prefix("法人或其他组织")
            .map(|r| r.trim_start_matches(['-', '—', '：', ':', '/', ' ']))
            .unwrap_or(s);
        Applicant::ALL.into_iter().find(|a| a.label() == s)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How an application was handled: the rows of 三（三）本年度办理结果, in the
/// national format's order and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Outcome(usize);

/// (group, reason, code) of each outcome row.
const OUTCOMES: [(&str, &str, &str); 21] = [
    ("（一）予以公开", "", "disclosed"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "", "partly"),
    ("（三）不予公开", "1.属于国家秘密", "refused-secret"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开", "refused-law"),
    ("（三）不予公开", "3.危及“三安全一稳定”", "refused-security"),
    ("（三）不予公开", "4.保护第三方合法权益", "refused-third-party"),
    ("（三）不予公开", "5.属于三类内部事务信息", "refused-internal"),
    ("（三）不予公开", "6.属于四类过程性信息", "refused-process"),
    ("（三）不予公开", "7.属于行政执法案卷", "refused-enforcement"),
    ("（三）不予公开", "8.属于行政查询事项", "refused-query"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", "unavailable-not-held"),
    ("（四）无法提供", "2.没有现成信息需要另行制作", "unavailable-needs-making"),
    ("（四）无法提供", "3.补正后申请内容仍不明确", "unavailable-unclear"),
    ("（五）不予处理", "1.信访举报投诉类申请", "not-processed-petition"),
    ("（五）不予处理", "2.重复申请", "not-processed-repeat"),
    ("（五）不予处理", "3.要求提供公开出版物", "not-processed-publication"),
    ("（五）不予处理", "4.无正当理由大量反复申请", "not-processed-mass"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "not-processed-confirm"),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other-no-correction"),
    ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other-no-fee"),
    ("（六）其他处理", "3.其他", "other"),
];

/// A group's short name: （三）不予公开 → 不予公开; （二）部分公开（…） → 部分公开.
fn group_name(group: &str) -> &str {
    let g = group.split_once('）').map_or(group, |(_, r)| r);
    g.split_once('（').map_or(g, |(h, _)| h)
}

/// A reason without its number: 1.属于国家秘密 → 属于国家秘密.
fn reason_name(reason: &str) -> &str {
    reason.split_once('.').map_or(reason, |(_, r)| r)
}

impl Outcome {
    /// Every outcome, in the rows' order.
    pub fn all() -> impl Iterator<Item = Outcome> {
        (0..OUTCOMES.len()).map(Outcome)
    }

    /// The row's group heading (（三）不予公开).
    pub fn group(self) -> &'static str {
        OUTCOMES[self.0].0
    }

    /// The row's reason (1.属于国家秘密); "" for 予以公开 and 部分公开.
    pub fn reason(self) -> &'static str {
        OUTCOMES[self.0].1
    }

    /// A short stable code (`refused-secret`).
    pub fn code(self) -> &'static str {
        OUTCOMES[self.0].2
    }

    /// A register cell: the code, the group's name alone when it has no
    /// reasons (予以公开, 部分公开), or group and reason as `不予公开-属于国家秘密`
    /// (any of - — ： : / between them; numbers and headings' brackets optional).
    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim();
        if let Some(o) = Outcome::all().find(|o| o.code() == s) {
            return Some(o);
        }
        let (g, r) = match s.find(['-', '—', '：', ':', '/']) {
            Some(i) => {
                let sep = s[i..].chars().next().map_or(1, char::len_utf8);
                (s[..i].trim(), s[i + sep..].trim())
            }
            None => (s, ""),
        };
        let g = group_name(g);
        let r = reason_name(r);
        Outcome::all().find(|o| group_name(o.group()) == g && reason_name(o.reason()) == r)
    }
}

/// The result of an administrative review or lawsuit: the columns of table 四.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseResult {
    Upheld,
    Corrected,
    Other,
    Pending,
}

impl CaseResult {
    pub const ALL: [CaseResult; 4] =
        [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other, CaseResult::Pending];

    /// The column heading of the national format.
    pub fn label(self) -> &'static str {
        match self {
            CaseResult::Upheld => "结果维持",
            CaseResult::Corrected => "结果纠正",
            CaseResult::Other => "其他结果",
            CaseResult::Pending => "尚未审结",
        }
    }

    /// A register cell: the heading or its short form (维持, 纠正, 其他, 未审结).
    pub fn parse(s: &str) -> Option<CaseResult> {
        match s.trim() {
            "结果维持" | "维持" => Some(CaseResult::Upheld),
            "结果纠正" | "纠正" => Some(CaseResult::Corrected),
            "其他结果" | "其他" => Some(CaseResult::Other),
            "尚未审结" | "未审结" | "审理中" => Some(CaseResult::Pending),
            _ => None,
        }
    }
}

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    pub id: String,
    /// 收到日期, `YYYY-MM-DD`.
    pub received: String,
    pub applicant: Applicant,
    /// `None` while the application is open.
    pub outcome: Option<Outcome>,
    /// 答复日期, `YYYY-MM-DD`, or "" while open.
    pub answered: String,
    pub extended: bool,
    /// 行政复议 of the reply, if any.
    pub review: Option<CaseResult>,
    /// 行政诉讼 over it, if any.
    pub lawsuit: Option<CaseResult>,
    /// Its line in the file (1 is the header).
    pub line: usize,
}

/// A bad cell of a register file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Most rows read from one file (a register of a province's busiest office is
/// a few thousand a year).
pub const MAX_ROWS: usize = 200_000;

/// CSV records (RFC 4180: quoted fields, doubled quotes, line breaks inside
/// quotes), with the line each starts on. A UTF-8 BOM is skipped.
fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut line, mut start_line) = (false, 1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut record)));
                line += 1;
                start_line = line;
                if out.len() > MAX_ROWS {
                    return out;
                }
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start_line, record));
    }
    out.retain(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    out
}

/// The register's CSV from a workbook as the attachment reader renders it
/// (`govsearch_crawler::attachments`: each sheet under `【name】`, one line
/// per non-empty row, cells tab-separated in their columns): the first
/// sheet that has rows. Line numbers in errors then count its non-empty rows.
pub fn csv_of_sheet(rendered: &str) -> String {
    let mut out = String::new();
    let lines = rendered.lines().skip_while(|l| !(l.starts_with('【') && l.ends_with('】'))).skip(1);
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        let cells: Vec<String> = line
            .split('\t')
            .map(|c| if c.contains([',', '"']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.to_owned() })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The register in a CSV file, or every bad cell (nothing is taken from a
/// file with one). See the module docs for the columns.
pub fn parse_register(text: &str) -> Result<Vec<Application>, Vec<RowError>> {
    let records = csv_records(text);
    let mut errors = Vec::new();
    let err = |line: usize, column: &str, message: String| RowError { line, column: column.to_owned(), message };
    let Some((_, header)) = records.first() else {
        return Err(vec![err(1, "", "the file is empty: a header row is needed".into())]);
    };
    if records.len() > MAX_ROWS {
        return Err(vec![err(1, "", format!("more than {MAX_ROWS} rows"))]);
    }
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let required = ["申请编号", "收到日期", "申请人类型"];
    for name in required {
        if col(name).is_none() {
            errors.push(err(1, name, format!("the header has no column {name} (it has: {})", header.join(", "))));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let [id_c, received_c, applicant_c] = required.map(|n| col(n).unwrap_or(0));
    let (outcome_c, answered_c, extended_c) = (col("办理结果"), col("答复日期"), col("是否延期"));
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (line, row) in records.iter().skip(1) {
        let line = *line;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map_or("", |s| s.trim());
        let id = cell(Some(id_c));
        if id.is_empty() {
            errors.push(err(line, "申请编号", "empty".into()));
        } else if !seen.insert(id.to_owned()) {
            errors.push(err(line, "申请编号", format!("{id:?} appears twice")));
        }
        let received = cell(Some(received_c));
        if !is_date(received) {
            errors.push(err(line, "收到日期", format!("{received:?} is not a date (YYYY-MM-DD)")));
        }
        let applicant = Applicant::parse(cell(Some(applicant_c)));
        if applicant.is_none() {
            errors.push(err(
                line,
                "申请人类型",
                format!(
                    "{:?} is not one of {}",
                    cell(Some(applicant_c)),
                    Applicant::ALL.map(Applicant::label).join(", ")
                ),
            ));
        }
        let (o_text, answered) = (cell(outcome_c), cell(answered_c));
        let outcome = if o_text.is_empty() { None } else { Outcome::parse(o_text) };
        if !o_text.is_empty() && outcome.is_none() {
            errors.push(err(
                line,
                "办理结果",
                format!("{o_text:?} is not an outcome of the national format (e.g. 予以公开, 部分公开, 不予公开-属于国家秘密, 无法提供-本机关不掌握相关政府信息, or a code such as refused-secret)"),
            ));
        }
        if !answered.is_empty() && !is_date(answered) {
            errors.push(err(line, "答复日期", format!("{answered:?} is not a date (YYYY-MM-DD)")));
        }
        if o_text.is_empty() != answered.is_empty() {
            let (column, message) = if o_text.is_empty() {
                ("办理结果", "empty, but 答复日期 says it was answered")
            } else {
                ("答复日期", "empty, but 办理结果 says how it was handled")
            };
            errors.push(err(line, column, message.into()));
        }
        if is_date(received) && is_date(answered) && answered < received {
            errors.push(err(line, "答复日期", format!("{answered} is before 收到日期 {received}")));
        }
        let extended = match cell(extended_c) {
            "" | "否" | "no" | "0" => false,
            "是" | "yes" | "1" => true,
            other => {
                errors.push(err(line, "是否延期", format!("{other:?} is neither 是 nor 否")));
                false
            }
        };
        let mut case = |column: &str, c: Option<usize>| -> Option<CaseResult> {
            let text = cell(c);
            if text.is_empty() {
                return None;
            }
            let r = CaseResult::parse(text);
            if r.is_none() {
                errors.push(err(line, column, format!("{text:?} is not one of 维持, 纠正, 其他, 尚未审结")));
            } else if answered.is_empty() {
                errors.push(err(line, column, "a review or lawsuit of an application not answered yet".into()));
            }
            r
        };
        let review = case("行政复议", col("行政复议"));
        let lawsuit = case("行政诉讼", col("行政诉讼"));
        if let Some(applicant) = applicant {
            out.push(Application {
                id: id.to_owned(),
                received: received.to_owned(),
                applicant,
                outcome,
                answered: answered.to_owned(),
                extended,
                review,
                lawsuit,
                line,
            });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Counts by applicant type, with their total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts(pub [u32; 6]);

impl Counts {
    pub fn total(&self) -> u32 {
        self.0.iter().sum()
    }

    fn add(&mut self, a: Applicant) {
        self.0[a.index()] += 1;
    }

    fn plus(&self, other: &Counts) -> Counts {
        let mut c = *self;
        for (x, y) in c.0.iter_mut().zip(other.0) {
            *x += y;
        }
        c
    }
}

/// Table 三 of one year, with the applications behind each number.
#[derive(Debug, Clone, Serialize)]
pub struct TableThree {
    pub year: i32,
    /// 一、本年新收政府信息公开申请数量
    pub received: Counts,
    /// 二、上年结转政府信息公开申请数量
    pub carried_in: Counts,
    /// 三、本年度办理结果, one row per [`Outcome`] in order.
    pub outcomes: Vec<(Outcome, Counts)>,
    /// （七）总计
    pub handled: Counts,
    /// 四、结转下年度继续办理
    pub carried_out: Counts,
    /// Answered later than 20 working days (40 when extended): (申请编号, working days).
    pub late: Vec<(String, i64)>,
}

impl TableThree {
    /// 本年新收 + 上年结转 = 办理结果总计 + 结转下年度, column by column.
    pub fn balances(&self) -> bool {
        self.received.plus(&self.carried_in) == self.handled.plus(&self.carried_out)
    }
}

/// Working days allowed for a reply (article 33).
pub const REPLY_DAYS: i64 = 20;
pub const EXTENDED_REPLY_DAYS: i64 = 40;

/// Table 三 of `year` from the register.
pub fn table_three(apps: &[Application], year: i32, calendar: &Calendar) -> TableThree {
    let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut t = TableThree {
        year,
        received: Counts::default(),
        carried_in: Counts::default(),
        outcomes: Outcome::all().map(|o| (o, Counts::default())).collect(),
        handled: Counts::default(),
        carried_out: Counts::default(),
        late: Vec::new(),
    };
    for a in apps {
        let open_at = |day: &str| a.answered.is_empty() || a.answered.as_str() >= day;
        if a.received.as_str() > last.as_str() {
            continue;
        }
        if a.received >= first {
            t.received.add(a.applicant);
        } else if open_at(&first) {
            t.carried_in.add(a.applicant);
        } else {
            continue;
        }
        match a.outcome {
            Some(o) if a.answered.as_str() <= last.as_str() => {
                t.outcomes[o.0].1.add(a.applicant);
                t.handled.add(a.applicant);
                if let (Some(r), Some(d)) = (day_index(&a.received), day_index(&a.answered)) {
                    let days = calendar.working_days_between(r, d);
                    if days > if a.extended { EXTENDED_REPLY_DAYS } else { REPLY_DAYS } {
                        t.late.push((a.id.clone(), days));
                    }
                }
            }
            _ => t.carried_out.add(a.applicant),
        }
    }
    t
}

/// Table 四 of one year: the reviews and lawsuits of the applications
/// answered in it, by result (结果维持, 结果纠正, 其他结果, 尚未审结) and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableFour {
    pub year: i32,
    /// 行政复议
    pub review: [u32; 5],
    /// 行政诉讼 未经复议直接起诉
    pub lawsuit_direct: [u32; 5],
    /// 行政诉讼 复议后起诉
    pub lawsuit_after_review: [u32; 5],
}

/// Table 四 of `year`: each case counts in the year of the reply it challenges.
pub fn table_four(apps: &[Application], year: i32) -> TableFour {
    let prefix = format!("{year:04}-");
    let mut t = TableFour { year, ..Default::default() };
    let count = |row: &mut [u32; 5], r: CaseResult| {
        row[r as usize] += 1;
        row[4] += 1;
    };
    for a in apps.iter().filter(|a| a.answered.starts_with(&prefix)) {
        if let Some(r) = a.review {
            count(&mut t.review, r);
        }
        if let Some(r) = a.lawsuit {
            count(if a.review.is_some() { &mut t.lawsuit_after_review } else { &mut t.lawsuit_direct }, r);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn outcomes_read_in_every_written_form() {
        let secret = Outcome::all().find(|o| o.code() == "refused-secret").unwrap();
        for s in ["不予公开-属于国家秘密", "（三）不予公开：1.属于国家秘密", "不予公开/属于国家秘密", "refused-secret"]
        {
            assert_eq!(Outcome::parse(s), Some(secret), "{s}");
        }
        let partly = Outcome::parse("部分公开").unwrap();
        assert_eq!(partly.code(), "partly");
        assert_eq!(Outcome::parse("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), Some(partly));
        assert_eq!(Outcome::parse("其他处理-其他").map(Outcome::code), Some("other"));
        assert_eq!(Outcome::parse("不予公开"), None, "a group with reasons needs its reason");
        assert_eq!(Outcome::parse("同意"), None);
        assert_eq!(Outcome::all().count(), 21);
        assert_eq!(Applicant::parse("法人或其他组织-商业企业"), Some(Applicant::Business));
        assert_eq!(Applicant::parse(" 自然人 "), Some(Applicant::Natural));
        assert_eq!(Applicant::parse("个人"), None);
    }

    #[test]
    fn a_bad_file_is_refused_whole_naming_each_cell() {
        let csv = "申请编号,收到日期,申请人类型,办理结果,答复日期,是否延期\n\
                   A1,2020-01-02,自然人,予以公开,2020-01-10,否\n\
                   A1,2020-13-02,市民,同意,2019-12-31,也许\n\
                   A3,2020-03-01,自然人,,2020-03-05,\n";
        let errs = parse_register(csv).unwrap_err();
        let at: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            at,
            [(3, "申请编号"), (3, "收到日期"), (3, "申请人类型"), (3, "办理结果"), (3, "是否延期"), (4, "办理结果")]
        );
        assert!(errs[0].to_string().contains("\"A1\" appears twice"), "{}", errs[0]);
        let missing = parse_register("编号,日期\n1,2020-01-01\n").unwrap_err();
        assert!(missing.iter().any(|e| e.column == "申请人类型" && e.message.contains("编号, 日期")));
    }

    #[test]
    fn quoted_fields_and_a_bom_are_read() {
        let csv = "\u{feff}申请编号,收到日期,申请人类型,申请内容,办理结果,答复日期\n\
                   \"A,1\",2020-01-02,自然人,\"要求公开\"\"某某\"\"文件,\n含换行\",予以公开,2020-01-03\n\
                   A2,2020-01-05,科研机构,,,\n";
        let apps = parse_register(csv).unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!((apps[0].id.as_str(), apps[1].line), ("A,1", 4), "the quoted line break is inside its row");
        assert_eq!(apps[1].outcome, None);
    }

    #[test]
    fn carry_over_in_and_out_and_late_replies() {
        let csv = "申请编号,收到日期,申请人类型,办理结果,答复日期,是否延期\n\
                   old-closed,2019-11-01,自然人,予以公开,2019-11-20,否\n\
                   old-open,2019-12-20,商业企业,予以公开,2020-01-15,否\n\
                   new,2020-03-02,自然人,无法提供-本机关不掌握相关政府信息,2020-04-20,否\n\
                   new-ext,2020-03-02,自然人,部分公开,2020-04-20,是\n\
                   open,2020-12-20,法律服务机构,,,\n\
                   next-year,2020-12-28,自然人,予以公开,2021-01-05,否\n\
                   future,2021-01-02,自然人,予以公开,2021-01-05,否\n";
        let apps = parse_register(csv).unwrap();
        let t = table_three(&apps, 2020, &Calendar::default_calendar());
        assert_eq!(t.received.total(), 4);
        assert_eq!(t.carried_in.0[Applicant::Business as usize], 1);
        assert_eq!(t.carried_in.total(), 1);
        assert_eq!(t.handled.total(), 3);
        assert_eq!(t.carried_out.total(), 2, "still open and answered next year");
        assert!(t.balances());
        // 2020-03-02 → 2020-04-20 is more than 20 working days (Qingming included), not more than 40
        assert_eq!(t.late.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["new"]);
        let next = table_three(&apps, 2021, &Calendar::default_calendar());
        assert_eq!((next.carried_in.total(), next.received.total(), next.handled.total()), (2, 1, 2));
    }

    #[test]
    fn reviews_and_lawsuits_fill_table_four() {
        let csv = "申请编号,收到日期,申请人类型,办理结果,答复日期,行政复议,行政诉讼\n\
                   A,2020-01-02,自然人,不予公开-属于国家秘密,2020-01-10,维持,\n\
                   B,2020-01-02,自然人,无法提供-本机关不掌握相关政府信息,2020-01-10,纠正,尚未审结\n\
                   C,2020-01-02,商业企业,予以公开,2020-01-10,,其他结果\n\
                   D,2019-12-02,自然人,予以公开,2019-12-10,尚未审结,\n";
        let apps = parse_register(csv).unwrap();
        let t = table_four(&apps, 2020);
        assert_eq!(t.review, [1, 1, 0, 0, 2]);
        assert_eq!(t.lawsuit_after_review, [0, 0, 0, 1, 1]);
        assert_eq!(t.lawsuit_direct, [0, 0, 1, 0, 1]);
        assert_eq!(table_four(&apps, 2019).review, [0, 0, 0, 1, 1], "in the year of the reply");
        let bad = parse_register("申请编号,收到日期,申请人类型,办理结果,答复日期,行政复议\nA,2020-01-02,自然人,,,维持\nB,2020-01-02,自然人,予以公开,2020-01-03,驳回\n").unwrap_err();
        let at: Vec<(usize, &str)> = bad.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(at, [(2, "行政复议"), (3, "行政复议")]);
    }

    #[test]
    fn a_workbook_sheet_becomes_the_register() {
        let rendered = "【台账】\n申请编号\t收到日期\t申请人类型\t申请内容\t办理结果\t答复日期\nA1\t2020-01-02\t自然人\t要求公开\"某\"文件,附件\t予以公开\t2020-01-09\nA2\t2020-01-05\t科研机构\n\n【其他】\nx";
        let apps = parse_register(&csv_of_sheet(rendered)).unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!((apps[0].outcome.map(Outcome::code), apps[1].applicant), (Some("disclosed"), Applicant::Research));
        assert_eq!(csv_of_sheet("no sheet here"), "");
    }
}
