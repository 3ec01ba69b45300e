//! The tally behind the annual report: exact, deduplicated counts of what was
//! published in a period, each count with the documents behind it.
//!
//! Pure functions over the catalogue's documents (which are already one per
//! published item: the crawler's dedup merges URLs, columns and sites).
//! Rules:
//! * an item counts in the period its 发布日期 falls in; withdrawn items still
//!   count for that period;
//! * items with no 发布日期 are never guessed into a period: they are listed
//!   in `undated`;
//! * table 二 (规范性文件 / 规章): 本年制发 = 成文日期 (else 发布日期) in the
//!   year; 本年废止 = 失效/废止 with 失效日期 in the year; 现行有效 = made by
//!   year end and not abolished or expired by then.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dates::is_date;
use crate::document::Document;
use crate::error::{Error, Result};

/// How the counted documents are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Category,
    Column,
    Publisher,
    Month,
    /// The site or import channel the item came through.
    Channel,
}

impl GroupBy {
    /// Parse a `group` parameter.
    pub fn parse(s: &str) -> Result<GroupBy> {
        Ok(match s {
            "category" | "" => GroupBy::Category,
            "column" => GroupBy::Column,
            "publisher" => GroupBy::Publisher,
            "month" => GroupBy::Month,
            "channel" | "site" => GroupBy::Channel,
            other => {
                return Err(Error::BadParam {
                    param: "group",
                    message: format!("{other:?} is not one of category, column, publisher, month, channel"),
                });
            }
        })
    }
}

/// What to count.
#[derive(Debug, Clone)]
pub struct TallyRequest {
    /// First day, `YYYY-MM-DD` (inclusive).
    pub from: String,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: String,
    /// Only these sites/channels (empty: all).
    pub sites: Vec<String>,
    pub publisher: Option<String>,
    pub group_by: GroupBy,
}

impl TallyRequest {
    /// The calendar year `year`.
    pub fn year(year: i32, group_by: GroupBy) -> TallyRequest {
        TallyRequest {
            from: format!("{year:04}-01-01"),
            to: format!("{year:04}-12-31"),
            sites: Vec::new(),
            publisher: None,
            group_by,
        }
    }

    /// Check the period; errors name `from`/`to`.
    pub fn validate(&self) -> Result<()> {
        for (param, v) in [("from", &self.from), ("to", &self.to)] {
            if !is_date(v) {
                return Err(Error::BadParam { param, message: format!("{v:?} is not a date of the form YYYY-MM-DD") });
            }
        }
        if self.from > self.to {
            return Err(Error::BadParam { param: "from", message: format!("{} is after to {}", self.from, self.to) });
        }
        Ok(())
    }
}

/// One line of a tally: a value and the documents behind its count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TallyGroup {
    pub value: String,
    pub count: usize,
    pub ids: Vec<String>,
}

/// A tally answer.
#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub from: String,
    pub to: String,
    pub group_by: GroupBy,
    /// Distinct items published in the period.
    pub total: usize,
    /// Of which withdrawn from the site since.
    pub withdrawn: usize,
    pub groups: Vec<TallyGroup>,
    /// Items in scope with no 发布日期: listed, never counted into a period.
    pub undated: Vec<String>,
    /// Items published in the period that were seen at more than one URL.
    pub multi_url: Vec<String>,
}

fn in_scope(d: &Document, req: &TallyRequest) -> bool {
    (req.sites.is_empty() || req.sites.iter().any(|s| s == &d.site))
        && req.publisher.as_deref().is_none_or(|p| p == d.publisher)
}

/// Count documents published in the period, grouped as asked.
pub fn tally(docs: &[Document], req: &TallyRequest) -> Result<Tally> {
    req.validate()?;
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut out = Tally {
        from: req.from.clone(),
        to: req.to.clone(),
        group_by: req.group_by,
        total: 0,
        withdrawn: 0,
        groups: Vec::new(),
        undated: Vec::new(),
        multi_url: Vec::new(),
    };
    for d in docs.iter().filter(|d| in_scope(d, req)) {
        if !is_date(&d.published_date) {
            out.undated.push(d.id.clone());
            continue;
        }
        if d.published_date.as_str() < req.from.as_str() || d.published_date.as_str() > req.to.as_str() {
            continue;
        }
        out.total += 1;
        out.withdrawn += usize::from(d.withdrawn);
        if d.urls.len() > 1 {
            out.multi_url.push(d.id.clone());
        }
        let key = match req.group_by {
            GroupBy::Category => d.category.clone(),
            GroupBy::Column => d.column.clone(),
            GroupBy::Publisher => d.publisher.clone(),
            GroupBy::Month => d.published_date[..7].to_owned(),
            GroupBy::Channel => d.site.clone(),
        };
        let key = if key.trim().is_empty() { "（未标明）".to_owned() } else { key };
        groups.entry(key).or_default().push(d.id.clone());
    }
    out.groups = groups.into_iter().map(|(value, ids)| TallyGroup { value, count: ids.len(), ids }).collect();
    if req.group_by != GroupBy::Month {
        out.groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    Ok(out)
}

/// One row of table 二 (规章 or 行政规范性文件) for a year.
#[derive(Debug, Clone, Serialize, Default)]
pub struct InstrumentRow {
    /// 本年制发件数
    pub issued: Vec<String>,
    /// 本年废止件数
    pub abolished: Vec<String>,
    /// 现行有效件数
    pub in_force: Vec<String>,
}

/// Table 二 of the annual report for `year`: (规章, 行政规范性文件).
pub fn instruments(docs: &[Document], year: i32, sites: &[String]) -> (InstrumentRow, InstrumentRow) {
    let year_s = format!("{year:04}");
    let end = format!("{year:04}-12-31");
    let mut rules = InstrumentRow::default();
    let mut normative = InstrumentRow::default();
    for d in docs.iter().filter(|d| sites.is_empty() || sites.contains(&d.site)) {
        let row = match d.category.as_str() {
            "规范性文件" | "行政规范性文件" => &mut normative,
            "规章" | "部门规章" | "地方政府规章" => &mut rules,
            _ => continue,
        };
        let made = if is_date(&d.issued_date) { &d.issued_date } else { &d.published_date };
        if !is_date(made) {
            continue;
        }
        if made.starts_with(&year_s) {
            row.issued.push(d.id.clone());
        }
        let ended = crate::catalogue::is_demoted(&d.validity);
        let end_date = if is_date(&d.expiry_date) { Some(d.expiry_date.as_str()) } else { None };
        if ended && end_date.is_some_and(|e| e.starts_with(&year_s)) {
            row.abolished.push(d.id.clone());
        }
        // In force at year end: made by then, and neither ended by then nor
        // marked ended without a date (then we cannot say it was in force).
        let ended_by_end = match end_date {
            Some(e) => e <= end.as_str(),
            None => ended,
        };
        if made.as_str() <= end.as_str() && !ended_by_end {
            row.in_force.push(d.id.clone());
        }
    }
    (rules, normative)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(id: &str, cat: &str, published: &str) -> Document {
        Document {
            id: id.into(),
            category: cat.into(),
            published_date: published.into(),
            site: "s".into(),
            ..Default::default()
        }
    }

    #[test]
    fn counts_by_published_date_and_lists_undated() {
        let mut w = d("w", "政策解读", "2020-06-01");
        w.withdrawn = true;
        let docs = vec![
            d("a", "规范性文件", "2020-01-01"),
            d("b", "规范性文件", "2020-12-31"),
            d("c", "规范性文件", "2021-01-01"),
            d("u", "政策解读", ""),
            w,
        ];
        let t = tally(&docs, &TallyRequest::year(2020, GroupBy::Category)).unwrap();
        assert_eq!(t.total, 3);
        assert_eq!(t.withdrawn, 1);
        assert_eq!(t.undated, ["u"]);
        assert_eq!(t.groups[0], TallyGroup { value: "规范性文件".into(), count: 2, ids: vec!["a".into(), "b".into()] });
        assert_eq!(t.groups[1].ids, ["w"]);
    }

    #[test]
    fn months_in_order() {
        let docs = vec![d("a", "x", "2020-03-01"), d("b", "x", "2020-01-09"), d("c", "x", "2020-03-31")];
        let t = tally(&docs, &TallyRequest::year(2020, GroupBy::Month)).unwrap();
        let got: Vec<(&str, usize)> = t.groups.iter().map(|g| (g.value.as_str(), g.count)).collect();
        assert_eq!(got, [("2020-01", 1), ("2020-03", 2)]);
    }

    #[test]
    fn bad_periods_name_the_parameter() {
        let mut r = TallyRequest::year(2020, GroupBy::Category);
        r.from = "2020-13-01".into();
        assert!(tally(&[], &r).unwrap_err().to_string().contains("from"));
        let mut r = TallyRequest::year(2020, GroupBy::Category);
        r.from = "2021-01-01".into();
        assert!(tally(&[], &r).unwrap_err().to_string().contains("after"));
        assert!(GroupBy::parse("colour").unwrap_err().to_string().contains("group"));
    }

    #[test]
    fn table_two() {
        let mut old = d("old", "规范性文件", "2015-01-01");
        old.issued_date = "2015-01-01".into();
        let mut gone = d("gone", "规范性文件", "2016-01-01");
        gone.validity = "废止".into();
        gone.expiry_date = "2020-07-01".into();
        let mut later = d("later", "规范性文件", "2021-02-01");
        later.validity = "失效".into();
        later.expiry_date = "2022-01-01".into();
        let mut new = d("new", "规范性文件", "2020-03-01");
        new.issued_date = "2020-02-20".into();
        let mut undated_end = d("vague", "规范性文件", "2010-01-01");
        undated_end.validity = "失效".into();
        let (_, n) = instruments(&[old, gone, later, new, undated_end], 2020, &[]);
        assert_eq!(n.issued, ["new"]);
        assert_eq!(n.abolished, ["gone"]);
        assert_eq!(n.in_force, ["old", "new"]);
    }
}
