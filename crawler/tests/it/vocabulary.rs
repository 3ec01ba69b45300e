//! An operator's category vocabulary, installed for the process as
//! `govsearch` installs the data folder's `categories.toml`. The vocabulary
//! is process-wide: nextest runs each test in a process of its own, and the
//! words added here are words no other test uses.
#![allow(clippy::unwrap_used)]

use govsearch_crawler::category::{self, Vocabulary};
use govsearch_crawler::extract::category_of_column;

#[test]
fn an_installed_extension_files_items_under_the_operators_words() {
    assert_eq!(category_of_column(None, "公开目录 > 惠企政策直通车"), "", "not a built-in word");
    assert_eq!(category_of_column(None, "政策文件 > 规范性文件"), "规范性文件");
    category::install_extension(
        "[[category]]\nname = \"政策文件\"\ncolumns = [\"惠企政策直通车\"]\n\n[[category]]\nname = \"惠民实事\"\ncolumns = [\"民生实事\"]\n",
        "data/categories.toml",
    )
    .unwrap();
    assert_eq!(category_of_column(None, "公开目录 > 惠企政策直通车"), "政策文件", "a word added to a category");
    assert_eq!(category_of_column(None, "2024年民生实事"), "惠民实事", "a new category");
    assert_eq!(category_of_column(None, "政策文件 > 规范性文件"), "规范性文件", "built-in words still work");
    assert!(Vocabulary::current().names().any(|n| n == "惠民实事"));
    assert!(Vocabulary::builtin().names().all(|n| n != "惠民实事"), "the built-in one is unchanged");
    let again = category::install_extension("", "data/categories.toml").unwrap_err().to_string();
    assert!(again.contains("already installed"), "{again}");
}
