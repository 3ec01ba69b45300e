//! What category an item is, from what the site itself shows, when the
//! site's config maps no column (`[site.columns]` still wins; that rule is in
//! extraction). The vocabulary — the categories the annual report and the
//! coverage audit count, and the words that name them — is data
//! (`crawler/data/categories.toml`), which operators extend.
//!
//! Evidence, strongest first: the platform's catalogue node (most specific
//! first), the column the item was listed under, the breadcrumb (last crumb
//! first), the 分类 of the metadata table, the 文号 (`…规〔2020〕3号` is
//! normative), the title (`…答记者问`). The first that names a category
//! decides, and the answer says which one did, so the crawl report can show
//! an operator why.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The vocabulary shipped with govsearch.
pub const BUILTIN: &str = include_str!("../data/categories.toml");

static DEFAULT: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::parse(BUILTIN, "the built-in categories.toml").expect("built-in vocabulary parses"));

/// The built-in vocabulary extended by the operator's file, once installed.
static INSTALLED: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();

/// Extends the vocabulary every classification of this process uses with an
/// operator's file (`categories.toml` in the data folder). Errors name
/// `origin` and what is wrong; a second call is refused.
pub fn install_extension(text: &str, origin: &str) -> Result<()> {
    let v = DEFAULT.extended(text, origin)?;
    INSTALLED.set(v).map_err(|_| Error::ConfigInvalid {
        path: origin.to_owned(),
        message: "a category vocabulary extension is already installed".into(),
    })
}

/// The categories and the words that name them.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    categories: Vec<Category>,
}

#[derive(Debug, Clone)]
struct Category {
    name: String,
    /// Han (or other non-Latin) words, normalised.
    words: Vec<String>,
    /// Latin words, lower case: matched against whole URL path segments.
    segments: Vec<String>,
    doc_number: Vec<Regex>,
    title: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    category: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default)]
    doc_number: Vec<String>,
    #[serde(default)]
    title: Vec<String>,
}

/// What the site shows about one item.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals<'a> {
    /// The platform catalogue node's path, root first (gkmlpt `TREE` names).
    pub node: &'a [String],
    /// The name of the column the item was listed under.
    pub column: &'a str,
    /// The URL of that list (its path segments are matched against Latin words).
    pub list_url: &'a str,
    /// Breadcrumb names, home first (首页 > 政务公开 > 规范性文件).
    pub breadcrumb: &'a [String],
    /// The metadata table's 分类 value.
    pub table: &'a str,
    pub doc_number: &'a str,
    /// 统一编号: only a 规范性文件 is given one.
    pub registration: &'a str,
    pub title: &'a str,
}

/// The category a 统一编号 (the registration number of a normative document) files an item under.
const NORMATIVE: &str = "规范性文件";

/// Which evidence decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    Node,
    Column,
    ListUrl,
    Breadcrumb,
    Table,
    Registration,
    DocNumber,
    Title,
}

impl Evidence {
    /// A stable code for reports.
    pub fn code(self) -> &'static str {
        match self {
            Evidence::Node => "node",
            Evidence::Column => "column",
            Evidence::ListUrl => "list-url",
            Evidence::Breadcrumb => "breadcrumb",
            Evidence::Table => "table",
            Evidence::Registration => "registration",
            Evidence::DocNumber => "doc-number",
            Evidence::Title => "title",
        }
    }
}

/// A category and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classified {
    pub category: String,
    pub evidence: Evidence,
}

/// Names compared without whitespace (full-width included) or brackets.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !"【】[]()（）<>《》".contains(*c)).collect::<String>().to_lowercase()
}

impl Vocabulary {
    /// The built-in vocabulary.
    pub fn builtin() -> &'static Vocabulary {
        &DEFAULT
    }

    /// The vocabulary in use: the built-in one, extended by the operator's
    /// file when [`install_extension`] was called.
    pub fn current() -> &'static Vocabulary {
        INSTALLED.get().unwrap_or(&DEFAULT)
    }

    /// A vocabulary file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Vocabulary> {
        let file: File =
            toml::from_str(text).map_err(|e| Error::ConfigParse { path: origin.to_owned(), message: e.to_string() })?;
        let mut v = Vocabulary { categories: Vec::new() };
        v.add(file, origin)?;
        Ok(v)
    }

    /// This vocabulary with an operator's file added: words of a category of
    /// the same name are added to it, new categories come after the others.
    pub fn extended(&self, text: &str, origin: &str) -> Result<Vocabulary> {
        let file: File =
            toml::from_str(text).map_err(|e| Error::ConfigParse { path: origin.to_owned(), message: e.to_string() })?;
        let mut v = self.clone();
        v.add(file, origin)?;
        Ok(v)
    }

    fn add(&mut self, file: File, origin: &str) -> Result<()> {
        for e in file.category {
            let name = e.name.trim().to_owned();
            if name.is_empty() {
                return Err(Error::ConfigInvalid {
                    path: origin.to_owned(),
                    message: "a category without a name".into(),
                });
            }
            let mut doc_number = Vec::new();
            for p in &e.doc_number {
                doc_number.push(Regex::new(p).map_err(|err| {
                    // the regex error draws a caret under the pattern; its last line says what is wrong
                    let text = err.to_string();
                    let why = text.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("").to_owned();
                    Error::ConfigInvalid {
                        path: origin.to_owned(),
                        message: format!(
                            "category {name}: doc_number pattern {p:?} is not a regular expression ({why})"
                        ),
                    }
                })?);
            }
            let (latin, han): (Vec<String>, Vec<String>) =
                e.columns.iter().map(|w| norm(w)).filter(|w| !w.is_empty()).partition(|w| w.is_ascii());
            let title: Vec<String> = e.title.iter().map(|w| norm(w)).filter(|w| !w.is_empty()).collect();
            match self.categories.iter_mut().find(|c| c.name == name) {
                Some(c) => {
                    c.words.extend(han);
                    c.segments.extend(latin);
                    c.doc_number.extend(doc_number);
                    c.title.extend(title);
                }
                None => self.categories.push(Category { name, words: han, segments: latin, doc_number, title }),
            }
        }
        Ok(())
    }

    /// The category names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.name.as_str())
    }

    /// The category a node, column or breadcrumb name means: a whole-name
    /// match first, else the word that ends latest in the name (then the longest).
    pub fn of_name(&self, name: &str) -> Option<&str> {
        let n = norm(name);
        if n.is_empty() {
            return None;
        }
        if let Some(c) = self.categories.iter().find(|c| c.name == n || c.words.contains(&n)) {
            return Some(&c.name);
        }
        self.head_word(&n, |c| &c.words)
    }

    /// The category of the word of `words` that ends latest in `text` (then
    /// the longest): Chinese names and titles put what they are last.
    fn head_word(&self, text: &str, words: impl Fn(&Category) -> &[String]) -> Option<&str> {
        let mut best: Option<(usize, usize, &str)> = None;
        for c in &self.categories {
            for w in words(c) {
                if let Some(i) = text.rfind(w.as_str()) {
                    let key = (i + w.len(), w.len(), c.name.as_str());
                    if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
                        best = Some(key);
                    }
                }
            }
        }
        best.map(|b| b.2)
    }

    /// The category a list URL's path names (`/xxgk/gfxwj/` → 规范性文件).
    pub fn of_url(&self, url: &str) -> Option<&str> {
        let path = url::Url::parse(url).ok()?.path().to_ascii_lowercase();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        segments.iter().rev().find_map(|seg| {
            self.categories.iter().find(|c| c.segments.iter().any(|w| w == seg)).map(|c| c.name.as_str())
        })
    }

    /// The category a 文号 says.
    pub fn of_doc_number(&self, doc_number: &str) -> Option<&str> {
        let d = doc_number.trim();
        if d.is_empty() {
            return None;
        }
        self.categories.iter().find(|c| c.doc_number.iter().any(|r| r.is_match(d))).map(|c| c.name.as_str())
    }

    /// The category a title says (the word ending latest wins, as for names).
    pub fn of_title(&self, title: &str) -> Option<&str> {
        self.head_word(&norm(title), |c| &c.title)
    }

    /// The category the evidence names, strongest evidence first.
    pub fn classify(&self, s: &Signals<'_>) -> Option<Classified> {
        let hit = |category: &str, evidence| Some(Classified { category: category.to_owned(), evidence });
        if let Some(c) = s.node.iter().rev().find_map(|n| self.of_name(n)) {
            return hit(c, Evidence::Node);
        }
        if let Some(c) = self.of_name(s.column) {
            return hit(c, Evidence::Column);
        }
        if let Some(c) = self.of_url(s.list_url) {
            return hit(c, Evidence::ListUrl);
        }
        // The home crumb and the section above the column say nothing.
        if let Some(c) = s.breadcrumb.iter().rev().find_map(|n| self.of_name(n)) {
            return hit(c, Evidence::Breadcrumb);
        }
        if let Some(c) = self.of_name(s.table) {
            return hit(c, Evidence::Table);
        }
        if !s.registration.trim().is_empty()
            && let Some(c) = self.of_name(NORMATIVE)
        {
            return hit(c, Evidence::Registration);
        }
        if let Some(c) = self.of_doc_number(s.doc_number) {
            return hit(c, Evidence::DocNumber);
        }
        self.of_title(s.title).and_then(|c| hit(c, Evidence::Title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v() -> &'static Vocabulary {
        Vocabulary::builtin()
    }

    #[test]
    fn names_match_whole_then_by_their_head_word() {
        assert_eq!(v().of_name("规范性文件"), Some("规范性文件"));
        assert_eq!(v().of_name(" 行政 规范性文件 "), Some("规范性文件"));
        assert_eq!(v().of_name("市政府规范性文件"), Some("规范性文件"), "文件 also ends it; the longer word wins");
        assert_eq!(v().of_name("规范性文件解读"), Some("政策解读"), "the head noun is last");
        assert_eq!(v().of_name("人大代表建议和政协提案办理结果"), Some("建议提案办理"));
        assert_eq!(v().of_name("政府信息公开年度报告"), Some("工作报告"));
        assert_eq!(v().of_name("政府信息公开指南"), Some("公开指南"));
        assert_eq!(v().of_name("其他文件"), Some("政策文件"));
        assert_eq!(v().of_name("政府信息依申请公开"), None);
        assert_eq!(v().of_name("首页"), None);
        assert_eq!(v().of_name(""), None);
    }

    #[test]
    fn document_numbers_and_titles() {
        assert_eq!(v().of_doc_number("粤公规〔2020〕3号"), Some("规范性文件"));
        assert_eq!(v().of_doc_number("粤府令第270号"), Some("规章"));
        assert_eq!(v().of_doc_number("粤公通字〔2020〕12号"), None);
        assert_eq!(v().of_title("《广东省电动自行车管理规定》政策解读"), Some("政策解读"));
        assert_eq!(v().of_title("市公安局负责人就新规答记者问"), Some("政策解读"));
        assert_eq!(v().of_title("关于市政协十二届三次会议第123号提案的答复"), Some("建议提案办理"));
        assert_eq!(v().of_title("关于印发住房公积金管理办法的通知"), None, "no word of a kind: no guess");
    }

    #[test]
    fn the_strongest_evidence_decides_and_says_so() {
        let node = ["政策".to_owned(), "规范性文件".to_owned()];
        let crumbs = ["首页".to_owned(), "政务公开".to_owned(), "政策解读".to_owned()];
        let s = Signals { node: &node, breadcrumb: &crumbs, title: "某某答记者问", ..Default::default() };
        assert_eq!(v().classify(&s), Some(Classified { category: "规范性文件".into(), evidence: Evidence::Node }));
        let s = Signals { breadcrumb: &crumbs, doc_number: "粤公规〔2020〕3号", ..Default::default() };
        assert_eq!(v().classify(&s).map(|c| c.evidence), Some(Evidence::Breadcrumb));
        let s = Signals { list_url: "http://a.gov.cn/xxgk/gfxwj/index_2.html", ..Default::default() };
        assert_eq!(v().classify(&s).map(|c| c.category), Some("规范性文件".into()));
        let s = Signals { column: "通知公告", doc_number: "粤公规〔2020〕3号", ..Default::default() };
        assert_eq!(v().classify(&s).map(|c| c.category), Some("通知公告".into()));
        let s = Signals { doc_number: "粤公规〔2020〕3号", title: "答记者问", ..Default::default() };
        assert_eq!(v().classify(&s).map(|c| c.evidence), Some(Evidence::DocNumber));
        assert_eq!(v().classify(&Signals::default()), None);
    }

    #[test]
    fn operators_extend_the_vocabulary_and_bad_files_are_named() {
        let ext = v()
            .extended(
                "[[category]]\nname = \"政策解读\"\ncolumns = [\"权威发布\"]\n[[category]]\nname = \"疫情防控\"\ncolumns = [\"疫情防控\"]\n",
                "data/categories.toml",
            )
            .expect("extension");
        assert_eq!(ext.of_name("权威发布"), Some("政策解读"));
        assert_eq!(ext.of_name("疫情防控专栏"), Some("疫情防控"));
        assert_eq!(ext.names().filter(|n| *n == "政策解读").count(), 1);
        let err = v()
            .extended("[[category]]\nname = \"x\"\ndoc_number = [\"(\"]\n", "data/categories.toml")
            .expect_err("refused");
        assert!(err.to_string().contains("data/categories.toml") && err.to_string().contains("\"(\""), "{err}");
        let err = v().extended("[[category]]\nnome = \"x\"\n", "data/categories.toml").expect_err("refused");
        assert!(err.to_string().contains("nome"), "{err}");
    }

    /// Every list node of a real gkmlpt catalogue (东莞) gets the category a
    /// reader would give it, or none where none fits.
    #[test]
    fn real_catalogue_nodes_are_classified() {
        let html = include_str!("../tests/fixtures/platforms/gkmlpt-2.html");
        let page = url::Url::parse("https://www.dg.gov.cn/gkmlpt/index").expect("url");
        let site = crate::platform::gkmlpt::Site::from_page(html, &page).expect("gkmlpt");
        let got: Vec<(String, String)> = site
            .lists()
            .map(|n| {
                let c = v().classify(&Signals { node: &n.path, ..Default::default() });
                (n.name.clone(), c.map(|c| c.category).unwrap_or_default())
            })
            .collect();
        let want = [
            ("政府信息公开指南", "公开指南"),
            ("政府信息公开工作年度报告", "工作报告"),
            ("机构职能", "机构职能"),
            ("领导分工", "机构职能"),
            ("内设机构", "机构职能"),
            ("直属单位", "机构职能"),
            ("规章", "规章"),
            ("规范性文件", "规范性文件"),
            ("其它文件", "政策文件"),
            ("部门预决算（含“三公”经费）", "财政信息"),
            ("政府工作报告", "工作报告"),
            ("通知公告", "通知公告"),
            ("工作动态", "工作动态"),
            ("市政府人事任免", "人事信息"),
            ("政府网站工作年度报表", ""),
            ("镇街（园区）政府信息公开平台", ""),
            ("市政府部门政府信息公开平台", ""),
            ("市政府部门规范性文件库链接", "规范性文件"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(got, want);
    }
}
