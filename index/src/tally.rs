//! The tally behind the annual report: exact, deduplicated counts of what was
//! published in a period, each count with the documents behind it.
//!
//! Pure functions over the catalogue's documents (which are already one per
//! published item: merged by [`crate::identity`] across URLs, columns and sites).
//! Rules:
//! * an item counts in the period its 发布日期 falls in; withdrawn items still
//!   count for that period;
//! * items with no 发布日期 are never guessed into a period: they are listed
//!   in `undated`;
//! * table 二 (规范性文件 / 规章): 本年制发 = 成文日期 (else 发布日期) in the
//!   year; 本年废止 = 失效/废止 with 失效日期 in the year; 现行有效 = made by
//!   year end and not abolished or expired by then.
//!
//! A request comes in as a [`TallyQuery`] (built by the server from the query
//! string and by the CLI from its flags) and is answered by [`answer`] with a
//! [`TallyAnswer`]; a [`Selection`] picks the documents behind one of its
//! counts (the staff list pages and the CSV).

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

/// The period a tally is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// The latest calendar year with published items (this year in an empty catalogue).
    LatestYear,
    /// One calendar year: the answer has table 二.
    Year(i32),
    /// First and last day, `YYYY-MM-DD`, inclusive.
    Days { from: String, to: String },
}

impl Period {
    /// The period of a request's `year`, `from` and `to` (blank ones are
    /// absent): `from`–`to` when either is given (both are needed, and `year`
    /// is then not read), else `year`, else the latest year.
    pub fn new(year: Option<i32>, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        Self::with_year(|| Ok(year), from, to)
    }

    /// As [`Period::new`], with `year` as text (a query string's).
    pub fn parse(year: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        let year = || {
            year.filter(|y| !y.trim().is_empty())
                .map(|y| {
                    y.trim()
                        .parse::<i32>()
                        .map_err(|_| Error::BadParam { param: "year", message: format!("{y:?} is not a year") })
                })
                .transpose()
        };
        Self::with_year(year, from, to)
    }

    fn with_year(year: impl FnOnce() -> Result<Option<i32>>, from: Option<&str>, to: Option<&str>) -> Result<Period> {
        fn given(s: Option<&str>) -> Option<&str> {
            s.filter(|s| !s.trim().is_empty())
        }
        match (given(from), given(to)) {
            (Some(from), Some(to)) => Ok(Period::Days { from: from.to_owned(), to: to.to_owned() }),
            (None, None) => Ok(year()?.map_or(Period::LatestYear, Period::Year)),
            (from, _) => Err(Error::BadParam {
                param: if from.is_none() { "from" } else { "to" },
                message: "a period needs both from and to".into(),
            }),
        }
    }
}

/// A tally as asked for: the period, the scope and the grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyQuery {
    pub period: Period,
    /// Only these sites/channels (empty: all); each must be in the catalogue.
    pub sites: Vec<String>,
    pub publisher: Option<String>,
    pub group_by: GroupBy,
}

impl TallyQuery {
    /// The request this query makes of `docs` (its period resolved: the
    /// latest year is that of `docs`, or of `today` when none has a date),
    /// and the year when the period is one calendar year.
    pub fn request(&self, docs: &[Document], today: &str) -> Result<(TallyRequest, Option<i32>)> {
        crate::report::check_sites(&self.sites, docs)?;
        let (mut req, year) = match &self.period {
            Period::Days { from, to } => (
                TallyRequest {
                    from: from.clone(),
                    to: to.clone(),
                    sites: Vec::new(),
                    publisher: None,
                    group_by: self.group_by,
                },
                None,
            ),
            period => {
                let year = match period {
                    Period::Year(y) => *y,
                    _ => docs
                        .iter()
                        .filter_map(|d| d.published_year())
                        .max()
                        .unwrap_or_else(|| today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026)),
                };
                if !(1900..=2999).contains(&year) {
                    return Err(Error::BadParam { param: "year", message: format!("\"{year}\" is not a year") });
                }
                (TallyRequest::year(year, self.group_by), Some(year))
            }
        };
        req.sites = self.sites.clone();
        req.publisher = self.publisher.clone();
        req.validate()?;
        Ok((req, year))
    }
}

/// A tally with table 二 when the period is one calendar year.
#[derive(Debug, Clone, Serialize)]
pub struct TallyAnswer {
    #[serde(flatten)]
    pub tally: Tally,
    pub year: Option<i32>,
    /// Table 二, 规章.
    pub rules: Option<InstrumentRow>,
    /// Table 二, 行政规范性文件.
    pub normative: Option<InstrumentRow>,
}

/// Answer `query` over the catalogue's documents; `today` (`YYYY-MM-DD`) is
/// the caller's clock, read only to default the year of an empty catalogue.
/// Errors name the parameter and its value.
pub fn answer(docs: &[Document], query: &TallyQuery, today: &str) -> Result<TallyAnswer> {
    let (req, year) = query.request(docs, today)?;
    let t = tally(docs, &req)?;
    let (rules, normative) = match year {
        Some(y) => {
            // Table 二 is filtered like the tally: by site (in `instruments`) and by publisher.
            let (r, n) = match req.publisher.as_deref() {
                Some(p) => {
                    let of_publisher: Vec<Document> = docs.iter().filter(|d| d.publisher == p).cloned().collect();
                    instruments(&of_publisher, y, &req.sites)
                }
                None => instruments(docs, y, &req.sites),
            };
            (Some(r), Some(n))
        }
        None => (None, None),
    };
    Ok(TallyAnswer { tally: t, year, rules, normative })
}

/// A row of table 二.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    /// 规章
    Rules,
    /// 行政规范性文件
    Normative,
}

/// A column of table 二.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstrumentColumn {
    /// 本年制发
    Issued,
    /// 本年废止
    Abolished,
    /// 现行有效
    InForce,
}

/// The documents behind one count of a tally answer (a `list` / `value` pair).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every counted item (the total).
    All,
    /// The items of one group.
    Group(String),
    /// The items with no 发布日期.
    Undated,
    /// The counted items whose pages are not fetched yet (catalogue only).
    Pending,
    /// One cell of table 二 (needs a one-year period).
    Table2(Instrument, InstrumentColumn),
}

impl Selection {
    /// The selection of a `list` parameter (`all`, `undated`,
    /// `rules-issued`, …, `normative-in_force`) and, with `all` or none, a
    /// group `value`; errors name the parameter.
    pub fn parse(list: Option<&str>, value: Option<&str>) -> Result<Selection> {
        let cell = |l: &str| {
            let (row, column) = l.split_once('-')?;
            let row = match row {
                "rules" => Instrument::Rules,
                "normative" => Instrument::Normative,
                _ => return None,
            };
            let column = match column {
                "issued" => InstrumentColumn::Issued,
                "abolished" => InstrumentColumn::Abolished,
                "in_force" => InstrumentColumn::InForce,
                _ => return None,
            };
            Some(Selection::Table2(row, column))
        };
        match list {
            None | Some("all") => Ok(value.map_or(Selection::All, |v| Selection::Group(v.to_owned()))),
            Some("undated") => Ok(Selection::Undated),
            Some("pending") => Ok(Selection::Pending),
            Some(l) => cell(l).ok_or_else(|| Error::BadParam {
                param: "list",
                message: format!(
                    "{l:?} is not one of all, undated, pending, normative-issued, normative-abolished, normative-in_force, rules-issued, rules-abolished, rules-in_force"
                ),
            }),
        }
    }
}

impl TallyAnswer {
    /// The ids behind `selection`, in the answer's order.
    pub fn ids(&self, selection: &Selection) -> Result<Vec<String>> {
        match selection {
            Selection::All => Ok(self.tally.groups.iter().flat_map(|g| g.ids.iter().cloned()).collect()),
            Selection::Group(v) => {
                self.tally.groups.iter().find(|g| &g.value == v).map(|g| g.ids.clone()).ok_or_else(|| Error::BadParam {
                    param: "value",
                    message: format!("{v:?} is not a group of this tally"),
                })
            }
            Selection::Undated => Ok(self.tally.undated.clone()),
            Selection::Pending => Ok(self.tally.pending.clone()),
            Selection::Table2(row, column) => {
                let r = match row {
                    Instrument::Rules => &self.rules,
                    Instrument::Normative => &self.normative,
                };
                let r = r
                    .as_ref()
                    .ok_or_else(|| Error::BadParam { param: "list", message: "table 二 lists need a year".into() })?;
                Ok(match column {
                    InstrumentColumn::Issued => r.issued.clone(),
                    InstrumentColumn::Abolished => r.abolished.clone(),
                    InstrumentColumn::InForce => r.in_force.clone(),
                })
            }
        }
    }
}

/// The documents of `ids` that are in `docs`, in the order of `ids`.
pub fn pick<'a>(docs: &'a [Document], ids: &[String]) -> Vec<&'a Document> {
    let by_id: std::collections::HashMap<&str, &Document> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    ids.iter().filter_map(|i| by_id.get(i.as_str()).copied()).collect()
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
    /// Of which known from the catalogue only, their pages not fetched yet
    /// (ids listed: the next crawl fetches them).
    pub pending: Vec<String>,
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
        pending: Vec::new(),
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
        if d.pending {
            out.pending.push(d.id.clone());
        }
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
    fn pending_items_count_and_are_named() {
        let mut p = d("p", "规范性文件", "2020-05-01");
        p.pending = true;
        let mut late = d("q", "规范性文件", "2021-05-01");
        late.pending = true;
        let docs = vec![d("a", "规范性文件", "2020-01-01"), p, late];
        let t = tally(&docs, &TallyRequest::year(2020, GroupBy::Category)).unwrap();
        assert_eq!(t.total, 2, "a listed item whose page is pending counts in its period");
        assert_eq!(t.pending, ["p"], "only the pending items of the period are named");
        assert_eq!(t.groups[0].ids, ["a", "p"]);
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

    fn q(period: Period) -> TallyQuery {
        TallyQuery { period, sites: Vec::new(), publisher: None, group_by: GroupBy::Category }
    }

    #[test]
    fn periods_from_a_request() {
        assert_eq!(Period::new(Some(2020), None, None).unwrap(), Period::Year(2020));
        assert_eq!(Period::new(None, Some(" "), None).unwrap(), Period::LatestYear);
        assert_eq!(
            Period::parse(Some("twenty"), Some("2020-01-01"), Some("2020-02-01")).unwrap(),
            Period::Days { from: "2020-01-01".into(), to: "2020-02-01".into() },
            "from–to win; the year is then not read"
        );
        let e = Period::parse(Some("twenty"), None, None).unwrap_err().to_string();
        assert!(e.contains("year") && e.contains("\"twenty\""), "{e}");
        assert!(Period::new(None, Some("2020-01-01"), None).unwrap_err().to_string().contains("to"));
        assert!(Period::new(None, None, Some("2020-01-01")).unwrap_err().to_string().contains("from"));
    }

    #[test]
    fn answer_defaults_to_the_latest_year_and_checks_the_query() {
        let docs = vec![d("a", "规范性文件", "2019-05-01"), d("b", "规范性文件", "2021-02-01")];
        let a = answer(&docs, &q(Period::LatestYear), "2030-01-01").unwrap();
        assert_eq!((a.year, a.tally.total), (Some(2021), 1));
        assert_eq!(a.normative.unwrap().issued, ["b"]);
        assert_eq!(answer(&[], &q(Period::LatestYear), "2030-06-01").unwrap().year, Some(2030), "today's year");
        let days = answer(&docs, &q(Period::Days { from: "2019-01-01".into(), to: "2021-12-31".into() }), "").unwrap();
        assert_eq!((days.year, days.tally.total, days.rules.is_none()), (None, 2, true));
        let e = answer(&docs, &q(Period::Year(3000)), "").unwrap_err().to_string();
        assert!(e.contains("year") && e.contains("3000"), "{e}");
        let e = answer(&docs, &TallyQuery { sites: vec!["nowhere".into()], ..q(Period::Year(2021)) }, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("site") && e.contains("nowhere"), "{e}");
    }

    #[test]
    fn selections_pick_the_ids_behind_a_count() {
        let mut docs = vec![d("a", "规范性文件", "2021-01-01"), d("b", "政策解读", "2021-02-01"), d("u", "x", "")];
        docs[0].issued_date = "2021-01-01".into();
        let a = answer(&docs, &q(Period::Year(2021)), "").unwrap();
        let ids = |list: Option<&str>, value: Option<&str>| a.ids(&Selection::parse(list, value)?);
        assert_eq!(ids(None, None).unwrap(), ["b", "a"], "groups in the answer's order (政 < 规)");
        assert_eq!(ids(Some("all"), Some("政策解读")).unwrap(), ["b"]);
        assert_eq!(ids(Some("undated"), None).unwrap(), ["u"]);
        assert_eq!(ids(Some("pending"), None).unwrap(), Vec::<String>::new());
        assert_eq!(ids(Some("normative-issued"), None).unwrap(), ["a"]);
        assert_eq!(ids(Some("rules-in_force"), None).unwrap(), Vec::<String>::new());
        assert!(ids(None, Some("nothing")).unwrap_err().to_string().contains("value"));
        let e = Selection::parse(Some("rules-later"), None).unwrap_err().to_string();
        assert!(e.contains("list") && e.contains("rules-later"), "{e}");
        let days = answer(&docs, &q(Period::Days { from: "2021-01-01".into(), to: "2021-12-31".into() }), "").unwrap();
        let e = days.ids(&Selection::Table2(Instrument::Rules, InstrumentColumn::Issued)).unwrap_err().to_string();
        assert!(e.contains("list") && e.contains("need a year"), "{e}");
        let picked: Vec<&str> =
            pick(&docs, &["u".into(), "gone".into(), "a".into()]).iter().map(|d| d.id.as_str()).collect();
        assert_eq!(picked, ["u", "a"]);
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
