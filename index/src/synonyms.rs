//! Synonyms and abbreviations, applied at query time (the index never changes
//! when the list grows). Built-in list: `data/synonyms.txt`; operators add
//! `<data-dir>/synonyms.txt` in the same format.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, OnceLock};

use crate::normalize::normalize_collapse;

const BUILT_IN: &str = include_str!("../data/synonyms.txt");
static EXTRA: OnceLock<String> = OnceLock::new();

static MAP: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let extra = EXTRA.get().map(String::as_str).unwrap_or("");
    for line in BUILT_IN.lines().chain(extra.lines()) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(normalize_collapse).collect();
        for w in &words {
            let entry = map.entry(w.clone()).or_default();
            for other in &words {
                if other != w && !entry.contains(other) {
                    entry.push(other.clone());
                }
            }
        }
    }
    map
});

/// Add an operator's synonym file; call before the first search.
pub fn set_extra_synonyms(path: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let _ = EXTRA.set(text);
    Ok(())
}

/// The other words of `word`'s group (normalised), empty when it has none.
pub fn alternatives(word: &str) -> &'static [String] {
    MAP.get(word).map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric() {
        assert!(alternatives("医保").contains(&"医疗保障".to_owned()));
        assert!(alternatives("医疗保障").contains(&"医保".to_owned()));
        assert!(alternatives("国办").contains(&"国务院办公厅".to_owned()));
        assert!(alternatives("政府").is_empty());
    }
}
