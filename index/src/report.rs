//! What the tally and the audit share: which sites a report covers.
//!
//! Both reports are asked for by site or import channel (repeated and/or
//! comma-separated, from a query string or from command-line flags); the rule
//! for reading that list and the check that each one exists live here once.

use std::collections::HashSet;

use crate::document::Document;
use crate::error::{Error, Result};

/// The sites of `values`, each of which may hold several separated by commas;
/// blanks are dropped.
pub fn site_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values.into_iter().flat_map(|v| v.split(',')).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// Each of `sites` must be a site or channel of the catalogue; the error names
/// the parameter `site` and the first unknown value.
pub fn check_sites(sites: &[String], docs: &[Document]) -> Result<()> {
    let known: HashSet<&str> = docs.iter().map(|d| d.site.as_str()).collect();
    match sites.iter().find(|s| !known.contains(s.as_str())) {
        Some(s) => {
            Err(Error::BadParam { param: "site", message: format!("{s:?} is not a site or channel in the catalogue") })
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sites_repeated_and_comma_separated() {
        assert_eq!(site_list(["a, b", "", " c ", ",,"]), ["a", "b", "c"]);
        let docs = [Document { site: "a".into(), ..Default::default() }];
        assert!(check_sites(&["a".into()], &docs).is_ok());
        let e = check_sites(&["a".into(), "zz".into()], &docs).unwrap_err().to_string();
        assert!(e.contains("site") && e.contains("\"zz\""), "{e}");
    }
}
