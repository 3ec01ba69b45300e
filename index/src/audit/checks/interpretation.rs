//! Policies and their interpretations (政策解读): every 规范性文件 should
//! have one, published soon after it, and every interpretation should say
//! which policy it interprets.

use super::{Context, Finding, Severity, finding, is_normative};
use crate::audit::INTERPRETATION_LATE_DAYS;
use crate::dates::day_index;

/// `interpretation-without-policy`: an interpretation that neither links to
/// nor names (by its title) a policy in scope.
pub(crate) fn interpretation_without_policy(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.interpretations
        .iter()
        .filter(|(_, policies)| policies.is_empty())
        .map(|(i, _)| {
            finding(Severity::Notice, "interpretation-without-policy", "政策解读未链接到所解读的文件".into(), i)
        })
        .collect()
}

/// `late-interpretation`: published more than [`INTERPRETATION_LATE_DAYS`]
/// after its policy (one finding per policy).
pub(crate) fn late_interpretation(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, policies) in &ctx.interpretations {
        for p in policies {
            if let (Some(pd), Some(id)) = (day_index(&p.published_date), day_index(&i.published_date))
                && id - pd > INTERPRETATION_LATE_DAYS
            {
                out.push(finding(
                    Severity::Warning,
                    "late-interpretation",
                    format!("解读晚于文件 {} 天发布（文件 {}，{}）", id - pd, p.published_date, p.title),
                    i,
                ));
            }
        }
    }
    out
}

/// `normative-without-interpretation`: a 规范性文件 still published that no
/// interpretation interprets and that links to none.
pub(crate) fn normative_without_interpretation(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.docs
        .iter()
        .filter(|d| is_normative(d) && !d.withdrawn && !ctx.interpreted.contains(d.id.as_str()))
        .map(|d| {
            finding(Severity::Warning, "normative-without-interpretation", "规范性文件没有对应的政策解读".into(), d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{d, ids, run};
    use super::*;

    fn docs() -> Vec<crate::Document> {
        let policy = d("p", "规范性文件", "关于加强电动自行车管理的通知", "2025-01-10");
        let named = d("q", "规范性文件", "某某市城市道路管理办法", "2025-02-01");
        let lonely = d("r", "规范性文件", "某某市停车场管理办法", "2025-02-01");
        let mut gone = d("w", "规范性文件", "撤下的办法", "2025-02-01");
        gone.withdrawn = true;
        let mut linked = d("i", "政策解读", "政策解读", "2025-03-20");
        linked.related_links = vec!["http://x/p".into()];
        let by_title = d("t", "政策解读", "解读：某某市城市道路管理办法", "2025-02-03");
        let orphan = d("o", "政策解读", "一图读懂", "2025-02-03");
        let mut points_back = d("b", "规范性文件", "某某市公园管理办法", "2025-01-01");
        points_back.related_links = vec!["http://x/o".into()];
        vec![policy, named, lonely, gone, linked, by_title, orphan, points_back]
    }

    #[test]
    fn interpretations_link_or_name_their_policy() {
        assert_eq!(ids(&run(interpretation_without_policy, &docs(), None)), [("interpretation-without-policy", "o")]);
    }

    #[test]
    fn late_interpretations_count_days_after_the_policy() {
        let f = run(late_interpretation, &docs(), None);
        assert_eq!(ids(&f), [("late-interpretation", "i")], "69 days late; t is 2 days after q");
        assert_eq!(f[0].message, "解读晚于文件 69 天发布（文件 2025-01-10，关于加强电动自行车管理的通知）");
    }

    #[test]
    fn normative_documents_need_an_interpretation() {
        assert_eq!(
            ids(&run(normative_without_interpretation, &docs(), None)),
            [("normative-without-interpretation", "r")],
            "p linked, q named, w withdrawn, b points at one"
        );
    }
}
