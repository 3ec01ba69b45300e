//! Validity dates of normative documents: marked valid after they ended, or
//! about to end.

use super::{Context, Finding, Severity, finding, is_normative};
use crate::audit::EXPIRY_WARNING_DAYS;
use crate::dates::day_index;

/// `expired-but-valid`: marked 有效 although its 失效日期 has passed.
pub(crate) fn expired_but_valid(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &ctx.docs {
        if let Some(end) = day_index(&d.expiry_date)
            && d.validity == "有效"
            && end < ctx.today
        {
            out.push(finding(
                Severity::Error,
                "expired-but-valid",
                format!("标注“有效”，但有效期已于 {} 届满", d.expiry_date),
                d,
            ));
        }
    }
    out
}

/// `expiring-soon`: a 规范性文件 still in force whose 失效日期 is within
/// [`EXPIRY_WARNING_DAYS`].
pub(crate) fn expiring_soon(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in &ctx.docs {
        if let Some(end) = day_index(&d.expiry_date)
            && is_normative(d)
            && end >= ctx.today
            && end - ctx.today <= EXPIRY_WARNING_DAYS
            && !crate::catalogue::is_demoted(&d.validity)
        {
            out.push(finding(
                Severity::Warning,
                "expiring-soon",
                format!("有效期将于 {} 届满（{} 天后），请及时评估、修订或废止", d.expiry_date, end - ctx.today),
                d,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, ids, run};
    use super::*;

    fn with(id: &str, validity: &str, expiry: &str) -> crate::Document {
        let mut x = d(id, "规范性文件", "办法", "2023-01-01");
        x.validity = validity.into();
        x.expiry_date = expiry.into();
        x
    }

    #[test]
    fn valid_after_its_end() {
        let docs = [with("e", "有效", "2025-01-01"), with("x", "失效", "2025-01-01"), with("t", "有效", "2025-04-01")];
        let f = run(expired_but_valid, &docs, None);
        assert_eq!(ids(&f), [("expired-but-valid", "e")], "as_of 2025-04-01 itself is not past");
        assert_eq!(f[0].message, "标注“有效”，但有效期已于 2025-01-01 届满");
    }

    #[test]
    fn abolished_documents_are_not_expiring_soon() {
        let docs = [
            with("a", "有效", "2025-06-01"),
            with("b", "已废止", "2025-06-01"),
            with("c", "已失效", "2025-06-01"),
            with("d", "废止", "2025-06-01"),
            with("far", "有效", "2025-12-01"),
            with("past", "有效", "2025-03-01"),
        ];
        let f = run(expiring_soon, &docs, None);
        assert_eq!(ids(&f), [("expiring-soon", "a")]);
        assert_eq!(f[0].message, "有效期将于 2025-06-01 届满（61 天后），请及时评估、修订或废止");
    }
}
