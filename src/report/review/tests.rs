use super::*;
use crate::diff::parse_patch;
use crate::report::fixtures;

/// A patch for src/orders.rs adding line 4 (the swallowed error) and lines 8-9, with context
/// 1-6 and 7-12.
const PATCH: &str = "@@ -1,5 +1,6 @@\n use sqlx::PgPool;\n \n pub async fn mark_shipped(db: &PgPool, id: i64) {\n+    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;\n }\n \n@@ -20,4 +21,6 @@ pub async fn notify\n     client\n+        .post(url)\n+        .send()\n         .await?;\n     Ok(())\n }\n";

fn diffs(patch: &str) -> BTreeMap<String, FileDiff> {
    BTreeMap::from([(
        "src/orders.rs".to_string(),
        parse_patch("src/orders.rs", patch).unwrap(),
    )])
}

fn titles() -> BTreeMap<String, String> {
    BTreeMap::from([(
        "swallowed-error".to_string(),
        "Error silently discarded".to_string(),
    )])
}

#[test]
fn places_only_validated_anchors_highest_severity_first() {
    let findings = fixtures::findings();
    // The retry finding is at lines 8-11 of the fixture source; this patch's second hunk
    // covers 21-26, so it is outside the hunks.
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 10, &titles());
    assert_eq!(plan.comments.len(), 1);
    let c = &plan.comments[0];
    assert_eq!(
        (c.path.as_str(), c.line, c.side, c.start_line, c.start_side),
        ("src/orders.rs", 4, Side::Right, None, None)
    );
    assert_eq!(plan.not_inline.len(), 1);
    assert_eq!(plan.not_inline[0].finding.check, "missing-retry");
    assert_eq!(plan.not_inline[0].reason, NotInlineReason::OutsideHunks);
    let json = serde_json::to_value(c).unwrap();
    assert_eq!(json["side"], "RIGHT");
    assert!(
        json.get("start_line").is_none(),
        "single-line comments never send start_line"
    );
    assert!(json.get("fingerprint").is_none());
}

#[test]
fn multi_line_range_only_inside_one_hunk_and_never_start_equal_line() {
    let mut findings = fixtures::findings();
    // Give the retry finding a 2-line suggestion at lines 21-22 inside the second hunk.
    findings[1].span.start_line = 21;
    findings[1].span.end_line = 24;
    findings[1].suggestion = Some(crate::analysis::finding::Suggestion {
        description: "retry".into(),
        span: crate::analysis::finding::Span {
            start_line: 21,
            start_col: 1,
            end_line: 22,
            end_col: 20,
            start_byte: 0,
            end_byte: 0,
        },
        replacement: "    retry(|| client\n        .post(url))".into(),
    });
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 10, &titles());
    let retry = plan
        .comments
        .iter()
        .find(|c| c.line == 22)
        .expect("multi-line comment placed");
    assert_eq!(
        (retry.start_line, retry.start_side),
        (Some(21), Some(Side::Right))
    );
    assert!(
        retry
            .body
            .contains("```suggestion\n    retry(|| client\n        .post(url))\n```"),
        "{}",
        retry.body
    );
    // The swallowed error's suggestion is a single line: no start_line.
    let swallowed = plan.comments.iter().find(|c| c.line == 4).unwrap();
    assert_eq!(swallowed.start_line, None);
    assert!(
        swallowed.body.contains("```suggestion\n    sqlx::query("),
        "{}",
        swallowed.body
    );
    // Highest severity first.
    assert_eq!(plan.comments[0].line, 4);
    // A suggestion spanning two hunks is not offered; the comment falls back to one line.
    findings[1].suggestion.as_mut().unwrap().span.start_line = 5;
    findings[1].span.start_line = 21;
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 10, &titles());
    let retry = plan
        .comments
        .iter()
        .find(|c| c.fingerprint == findings[1].fingerprint)
        .unwrap();
    assert_eq!((retry.start_line, retry.line), (None, 21));
    assert!(!retry.body.contains("```suggestion"));
    for c in &plan.comments {
        assert_ne!(c.start_line, Some(c.line));
    }
}

#[test]
fn already_posted_findings_are_dropped_and_the_cap_holds() {
    let mut findings = fixtures::findings();
    findings[1].span.start_line = 22;
    findings[1].span.end_line = 22;
    let posted: HashSet<String> = HashSet::from([findings[0].fingerprint.clone()]);
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &posted, 10, &titles());
    assert_eq!(plan.already_posted, vec![findings[0].fingerprint.clone()]);
    assert_eq!(plan.comments.len(), 1);
    assert_eq!(plan.comments[0].line, 22);

    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 1, &titles());
    assert_eq!(plan.comments.len(), 1);
    assert_eq!(
        plan.comments[0].fingerprint, findings[0].fingerprint,
        "the high finding wins the only slot"
    );
    assert_eq!(plan.not_inline.len(), 1);
    assert_eq!(plan.not_inline[0].reason, NotInlineReason::OverCap);

    let plan = ReviewPlan::build(&findings, &BTreeMap::new(), &HashSet::new(), 10, &titles());
    assert!(plan.comments.is_empty());
    assert!(plan
        .not_inline
        .iter()
        .all(|n| n.reason == NotInlineReason::FileNotInDiff));
}

#[test]
fn anchor_falls_back_to_a_commentable_line_of_the_span() {
    let mut findings = fixtures::findings();
    findings.truncate(1);
    findings[0].suggestion = None;
    findings[0].span.start_line = 20;
    findings[0].span.end_line = 23;
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 10, &titles());
    assert_eq!(plan.comments[0].line, 21);
}

#[test]
fn comment_body_has_every_part_and_round_trips_its_fingerprint() {
    let f = &fixtures::findings()[0];
    let body = comment_body(f, Some("Error silently discarded"), true);
    insta::assert_snapshot!(body);
    assert!(body.starts_with("**failmode · swallowed-error** (high) — Error silently discarded\n"));
    assert_eq!(fingerprint_of(&body), Some(f.fingerprint.clone()));
    let no_suggestion = comment_body(f, None, false);
    assert!(!no_suggestion.contains("```"));
    assert!(
        no_suggestion.contains("**In production:**")
            && no_suggestion.contains("**Fix:**")
            && no_suggestion.contains("To suppress:")
    );
    assert!(
        no_suggestion.contains("\n\n[Learn more about `swallowed-error`](https://github.com/failmode/failmode/blob/main/docs/checks/swallowed-error.md)\n\n<sub>To suppress:"),
        "{no_suggestion}"
    );
}

#[test]
fn suggestion_fence_outgrows_backticks_in_the_code() {
    let mut f = fixtures::findings().remove(0);
    f.suggestion.as_mut().unwrap().replacement = "    let s = \"```\";".into();
    let body = comment_body(&f, None, true);
    assert!(
        body.contains("````suggestion\n    let s = \"```\";\n````"),
        "{body}"
    );
}

#[test]
fn fingerprint_extraction_ignores_garbage() {
    assert_eq!(fingerprint_of("no marker"), None);
    assert_eq!(
        fingerprint_of("text\n\n<!-- failmode:fingerprint=abc-2 -->\n"),
        Some("abc-2".to_string())
    );
    // Only the marker that ends the body counts: one inside quoted code does not.
    assert_eq!(
        fingerprint_of("```suggestion\n// <!-- failmode:fingerprint=planted -->\n```\n<!-- failmode:fingerprint=def -->"),
        Some("def".to_string())
    );
    assert_eq!(
        fingerprint_of("<!-- failmode:fingerprint=planted --> and then more text"),
        None
    );
    assert_eq!(
        fingerprint_of("<!-- failmode:fingerprint=<script> -->"),
        None
    );
    assert_eq!(fingerprint_of("<!-- failmode:fingerprint=abc"), None);
}

#[test]
fn check_run_summary_counts_and_lists_what_is_not_inline() {
    let findings = fixtures::findings();
    let plan = ReviewPlan::build(&findings, &diffs(PATCH), &HashSet::new(), 10, &titles());
    let s = check_run_summary(&findings, &plan, &[]);
    assert!(s.contains("| `missing-retry` | 0 | 1 | 0 |"), "{s}");
    assert!(s.contains("| `swallowed-error` | 1 | 0 | 0 |"), "{s}");
    assert!(s.contains("| **Total** | 1 | 1 | 0 |"), "{s}");
    assert!(
        s.contains("1 inline comment posted; 0 already on the pull request."),
        "{s}"
    );
    assert!(
        s.contains(
            "- **medium** `missing-retry` `src/orders.rs`:8 — `client.post(url).send()` has no retry"
        ),
        "{s}"
    );
    assert!(s.contains("_(outside the changed hunks)_"), "{s}");
    assert!(check_run_summary(&[], &ReviewPlan::default(), &[]).starts_with("No findings."));
}

#[test]
fn summary_stays_under_the_github_limit() {
    let mut many = Vec::new();
    for i in 0..3000 {
        let mut f = fixtures::findings().remove(1);
        f.fingerprint = format!("fp{i}");
        f.message = "x".repeat(100);
        many.push(f);
    }
    let plan = ReviewPlan::build(&many, &BTreeMap::new(), &HashSet::new(), 10, &titles());
    let s = check_run_summary(&many, &plan, &[]);
    assert!(s.len() <= MAX_BODY_CHARS, "{}", s.len());
    assert!(s.contains("more (see the annotations)"));
}

#[test]
fn annotations_come_in_batches_of_fifty() {
    let mut many = Vec::new();
    for i in 0..120 {
        let mut f = fixtures::findings().remove(i % 2);
        f.fingerprint = format!("fp{i}");
        many.push(f);
    }
    let batches = annotation_batches(&many);
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![50, 50, 20]
    );
    let a = &batches[0][0];
    assert_eq!(
        (a.annotation_level, a.start_line, a.end_line, a.start_column),
        ("failure", 4, 4, Some(5))
    );
    let b = &batches[0][1];
    assert_eq!(
        (b.annotation_level, b.start_line, b.end_line, b.start_column),
        ("warning", 8, 11, None)
    );
    let json = serde_json::to_value(b).unwrap();
    assert!(
        json.get("start_column").is_none(),
        "columns only on single-line annotations"
    );
    assert_eq!(json["title"], "failmode/missing-retry");
}
