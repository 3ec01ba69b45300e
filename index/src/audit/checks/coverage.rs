//! Coverage of the 15 kinds of article 20: a kind with no item, or whose
//! newest item is older than its update cycle.

use super::{Context, Finding, Severity};

/// `missing-kind` (an error) and `stale-kind` (a warning), one per kind.
pub(crate) fn kind_coverage(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for k in &ctx.kinds {
        if k.status != "ok" {
            let sev = if k.status == "missing" { Severity::Error } else { Severity::Warning };
            out.push(Finding {
                severity: sev,
                code: format!("{}-kind", k.status),
                message: if k.status == "missing" {
                    format!("第二十条第（{}）项“{}”：未找到任何信息", k.id, k.name)
                } else {
                    format!("第二十条第（{}）项“{}”：最新一条发布于 {}，已超过更新周期", k.id, k.name, k.latest)
                },
                doc_id: String::new(),
                url: String::new(),
                title: String::new(),
                link_url: String::new(),
                dates: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, run};
    use super::*;

    #[test]
    fn missing_and_stale_kinds() {
        let fresh = d("a", "规范性文件", "办法", "2025-01-01");
        let mut old_stats = d("s", "统计信息", "2022年统计公报", "2022-03-01");
        old_stats.column = "tjxx".into();
        let f = run(kind_coverage, &[fresh, old_stats], None);
        let stale: Vec<&str> = f.iter().filter(|f| f.code == "stale-kind").map(|f| f.message.as_str()).collect();
        assert_eq!(stale, ["第二十条第（4）项“国民经济和社会发展统计信息”：最新一条发布于 2022-03-01，已超过更新周期"]);
        assert!(f.iter().all(|f| f.code != "missing-kind" || !f.message.contains("（1）")), "kind 1 is there");
        assert_eq!(f.iter().filter(|f| f.code == "missing-kind").count(), 13);
        assert!(f.iter().all(|f| f.doc_id.is_empty()));
    }
}
