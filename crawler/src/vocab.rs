//! The crawler's vocabulary: what state a URL is in, and why a visit failed.
//! Both are stored in the crawl state as stable string codes; the messages
//! beside them are for people and may be reworded freely — every decision
//! (the broken-link check of the audit, the report) reads the code.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// Where a URL stands in the crawl state (`urls.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlStatus {
    Queued,
    Fetching,
    Done,
    Failed,
    /// 404/410 once.
    Gone,
    /// 404/410 twice: the item was taken down.
    Withdrawn,
    /// Refused by robots.txt, the SSRF guard, scope or a trap rule.
    Blocked,
}

impl UrlStatus {
    pub const ALL: [UrlStatus; 7] = [
        UrlStatus::Queued,
        UrlStatus::Fetching,
        UrlStatus::Done,
        UrlStatus::Failed,
        UrlStatus::Gone,
        UrlStatus::Withdrawn,
        UrlStatus::Blocked,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            UrlStatus::Queued => "queued",
            UrlStatus::Fetching => "fetching",
            UrlStatus::Done => "done",
            UrlStatus::Failed => "failed",
            UrlStatus::Gone => "gone",
            UrlStatus::Withdrawn => "withdrawn",
            UrlStatus::Blocked => "blocked",
        }
    }

    pub fn from_code(code: &str) -> Option<UrlStatus> {
        UrlStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why a visit failed (`urls.error_code`), beside the message (`urls.error_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// Timeout, reset, connect error, truncated body: may pass on retry.
    Network,
    /// A request that will not pass: body too large, a bad URL.
    Refused,
    /// An HTTP status other than 2xx/304/404/410.
    Http,
    RedirectLoop,
    TooManyRedirects,
    /// A redirect without a usable `Location`.
    RedirectWithoutLocation,
    /// A redirect out of scope, to a private address, or disallowed by robots.txt.
    RedirectRefused,
    /// A WAF interstitial; the host is backed off for the run.
    AntiBot,
    /// robots.txt could not be read: nothing is fetched until it can.
    RobotsUnreachable,
    /// The SSRF guard refused the host's address.
    PrivateAddress,
    /// Out of the site's scope, or not a URL.
    OutOfScope,
    /// Disallowed by robots.txt.
    Robots,
    /// An error page served with 200 (系统繁忙).
    BusyPage,
    /// A login form where the document should be.
    LoginWall,
    /// A platform list endpoint answered something that is not a list.
    ListUnreadable,
}

impl FailureCode {
    pub const ALL: [FailureCode; 15] = [
        FailureCode::Network,
        FailureCode::Refused,
        FailureCode::Http,
        FailureCode::RedirectLoop,
        FailureCode::TooManyRedirects,
        FailureCode::RedirectWithoutLocation,
        FailureCode::RedirectRefused,
        FailureCode::AntiBot,
        FailureCode::RobotsUnreachable,
        FailureCode::PrivateAddress,
        FailureCode::OutOfScope,
        FailureCode::Robots,
        FailureCode::BusyPage,
        FailureCode::LoginWall,
        FailureCode::ListUnreadable,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            FailureCode::Network => "network",
            FailureCode::Refused => "refused",
            FailureCode::Http => "http",
            FailureCode::RedirectLoop => "redirect-loop",
            FailureCode::TooManyRedirects => "too-many-redirects",
            FailureCode::RedirectWithoutLocation => "redirect-without-location",
            FailureCode::RedirectRefused => "redirect-refused",
            FailureCode::AntiBot => "anti-bot",
            FailureCode::RobotsUnreachable => "robots-unreachable",
            FailureCode::PrivateAddress => "private-address",
            FailureCode::OutOfScope => "out-of-scope",
            FailureCode::Robots => "robots",
            FailureCode::BusyPage => "busy-page",
            FailureCode::LoginWall => "login-wall",
            FailureCode::ListUnreadable => "list-unreadable",
        }
    }

    pub fn from_code(code: &str) -> Option<FailureCode> {
        FailureCode::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether a link to a URL that failed so is broken for the reader (the
    /// audit's broken-link check): a redirect that cannot be followed is; a
    /// network blip, a WAF or our own robots rules are not the site's links.
    pub fn breaks_a_link(self) -> bool {
        matches!(self, FailureCode::RedirectLoop | FailureCode::TooManyRedirects)
    }
}

/// A failed visit: the code decisions read, the message people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: FailureCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: FailureCode, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

macro_rules! sql_code {
    ($t:ty, $what:literal) => {
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.code()))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t>::from_code(s).ok_or_else(|| FromSqlError::Other(format!("unknown {} {s:?}", $what).into()))
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
sql_code!(UrlStatus, "URL status");
sql_code!(FailureCode, "failure code");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_distinct_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for s in UrlStatus::ALL {
            assert!(seen.insert(s.code()), "{s:?}");
            assert_eq!(UrlStatus::from_code(s.code()), Some(s));
        }
        for c in FailureCode::ALL {
            assert!(seen.insert(c.code()), "{c:?}");
            assert_eq!(FailureCode::from_code(c.code()), Some(c));
        }
        assert_eq!(UrlStatus::from_code("Done"), None);
    }

    #[test]
    fn an_unknown_code_in_the_database_is_an_error_naming_it() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let e = c.query_row("SELECT 'exploded'", [], |r| r.get::<_, UrlStatus>(0)).unwrap_err();
        assert!(e.to_string().contains("unknown URL status \"exploded\""), "{e}");
        let ok: FailureCode = c.query_row("SELECT 'redirect-loop'", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, FailureCode::RedirectLoop);
    }
}
