//! URL normalisation: one spelling per page, so a page is fetched once.

use url::Url;

/// Query parameters that only track the visitor and never change the page.
const TRACKING: &[&str] =
    &["spm", "from", "share", "isappinstalled", "fbclid", "gclid", "_t", "timestamp", "random", "rnd"];

/// Normalise a URL: drop the fragment, the default port, `;jsessionid=…`
/// path parameters, `utm_*` and other tracking query parameters, an empty
/// query; lowercase the host (done by `Url`). The order of the remaining query
/// parameters is kept (some CMSs care). Idempotent.
pub fn normalize(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.port().is_some() && u.port() == default_port(u.scheme()) {
        let _ = u.set_port(None);
    }
    let path = u.path().to_owned();
    if let Some(pos) = path.to_ascii_lowercase().find(";jsessionid=") {
        let rest = &path[pos + 1..];
        let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
        let new_path = format!("{}{}", &path[..pos], tail);
        u.set_path(&new_path);
    }
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !(k.starts_with("utm_") || k == "jsessionid" || TRACKING.contains(&k.as_str()))
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            let original_len = u.query_pairs().count();
            if kept.len() != original_len {
                u.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
    }
    u
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Parse `href` against `base` and normalise; `None` for non-http(s) links
/// (`javascript:`, `mailto:`), empty hrefs and unparsable ones.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("javascript:")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || lower.starts_with("data:")
    {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| normalize(&u))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> String {
        normalize(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn cases() {
        assert_eq!(n("HTTP://Example.GOV.cn:80/a/b.html#x"), "http://example.gov.cn/a/b.html");
        assert_eq!(n("https://x.cn:443/a;jsessionid=ABC123?id=1"), "https://x.cn/a?id=1");
        assert_eq!(n("https://x.cn/a?utm_source=wx&id=2&spm=1"), "https://x.cn/a?id=2");
        assert_eq!(n("https://x.cn/a?b=2&a=1"), "https://x.cn/a?b=2&a=1");
        assert_eq!(n("https://x.cn/a?utm_source=1"), "https://x.cn/a");
        assert_eq!(n("https://x.cn:8443/a"), "https://x.cn:8443/a");
        let base = Url::parse("http://x.cn/zwgk/index.html").unwrap();
        assert_eq!(resolve(&base, "./t2020_1.html#top").unwrap().as_str(), "http://x.cn/zwgk/t2020_1.html");
        assert!(resolve(&base, "javascript:void(0)").is_none());
    }

    proptest! {
        #[test]
        fn idempotent(path in "[a-z0-9/;=._-]{0,20}", q in "[a-z0-9=&_]{0,20}", frag in "[a-z]{0,4}") {
            if let Ok(u) = Url::parse(&format!("http://h.cn:80/{path}?{q}#{frag}")) {
                let once = normalize(&u);
                prop_assert_eq!(normalize(&once), once.clone());
            }
        }
    }
}
