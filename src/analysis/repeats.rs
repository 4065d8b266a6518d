//! Folding repeats: one comment per decision, not one per line.
//!
//! A function that drops the errors of five similar calls the same way (a statistics endpoint
//! whose every count falls back to zero) shows one choice its author made five times. A
//! reviewer says so once and names the other lines; five comments in a row read as noise and
//! are answered, if at all, five times with the same reply. So findings of the same check, rule
//! and severity in the same item of the same file are folded into the first of them: its
//! message names the others, and [`Finding::repeats`] lists them for tools. (The rule fixes
//! what was done with the error; the severity keeps a read apart from a write.)
//!
//! Folding runs on what a run reports (after a pull request's changed-line filter and a
//! baseline), so a repeat on a line the pull request did not touch is never what a comment
//! stands for.

use crate::analysis::finding::{append_sentence, Finding, Repeat};
use crate::analysis::markup::code_span;
use std::collections::BTreeMap;

/// How many repeats a folded message names before it says "and N more".
const NAMED_IN_MESSAGE: usize = 5;

/// Folds each group of repeated findings into its first member (see the module docs). Order is
/// kept: a folded finding stays where its first member was.
pub fn fold_repeats(findings: Vec<Finding>) -> Vec<Finding> {
    let mut first_of: BTreeMap<(String, String, String, String, String), usize> = BTreeMap::new();
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        // A finding outside any item (a suppression comment, a file-level fact) is its own.
        if f.item.is_empty() {
            kept.push(f);
            continue;
        }
        let key = (
            f.path.clone(),
            f.check.clone(),
            f.rule.clone(),
            f.item.clone(),
            f.severity.as_str().to_string(),
        );
        match first_of.get(&key) {
            Some(&at) => {
                let head = &mut kept[at];
                head.repeats.push(Repeat {
                    span: f.span,
                    code: f.code,
                    fingerprint: f.fingerprint,
                });
                head.repeats.extend(f.repeats);
            }
            None => {
                first_of.insert(key, kept.len());
                kept.push(f);
            }
        }
    }
    for f in kept.iter_mut().filter(|f| !f.repeats.is_empty()) {
        let sentence = repeats_sentence(f);
        append_sentence(&mut f.message, &sentence);
    }
    kept
}

/// "The same holds in `statistic` for `db.b()` (line 12) and `db.c()` (line 14)."
fn repeats_sentence(f: &Finding) -> String {
    let named: Vec<String> = f
        .repeats
        .iter()
        .take(NAMED_IN_MESSAGE)
        .map(|r| format!("{} (line {})", code_span(&r.code), r.span.start_line))
        .collect();
    let more = f.repeats.len().saturating_sub(NAMED_IN_MESSAGE);
    let list = match (named.split_last(), more) {
        (Some((last, [])), 0) => last.clone(),
        (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
        (_, more) => format!("{} and {more} more", named.join(", ")),
    };
    let item = f.item.rsplit("::").next().unwrap_or(&f.item);
    format!("The same holds in {} for {list}.", code_span(item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::finding::{Severity, Span};

    fn finding(line: usize, item: &str, code: &str, message: &str) -> Finding {
        Finding {
            check: "swallowed-error".into(),
            rule: "read-outage-as-default".into(),
            severity: Severity::Medium,
            path: "src/stats.rs".into(),
            span: Span {
                start_line: line,
                start_col: 5,
                end_line: line,
                end_col: 40,
                start_byte: line * 100,
                end_byte: line * 100 + 35,
            },
            code: code.into(),
            message: message.into(),
            failure_mode: "An outage looks like an empty result.".into(),
            fix: "Propagate the error.".into(),
            suppress: "Explain the discard in a comment.".into(),
            suggestion: None,
            fingerprint: format!("fp{line}"),
            item: item.into(),
            repeats: Vec::new(),
        }
    }

    fn outage(line: usize, item: &str, code: &str) -> Finding {
        finding(
            line,
            item,
            code,
            &format!("`{code}` can fail (database), and `.unwrap_or_default()` turns the error into an empty value."),
        )
    }

    #[test]
    fn repeats_in_one_function_become_one_finding_that_names_the_others() {
        let folded = fold_repeats(vec![
            outage(10, "stats::statistic", "db.crates()"),
            outage(11, "stats::statistic", "db.versions()"),
            outage(14, "stats::statistic", "db.downloads()"),
        ]);
        assert_eq!(folded.len(), 1);
        let f = &folded[0];
        assert_eq!(f.span.start_line, 10);
        assert_eq!(f.fingerprint, "fp10");
        assert_eq!(
            f.message,
            "`db.crates()` can fail (database), and `.unwrap_or_default()` turns the error into \
             an empty value. The same holds in `statistic` for `db.versions()` (line 11) and \
             `db.downloads()` (line 14)."
        );
        let lines: Vec<(usize, &str)> = f
            .repeats
            .iter()
            .map(|r| (r.span.start_line, r.fingerprint.as_str()))
            .collect();
        assert_eq!(lines, [(11, "fp11"), (14, "fp14")]);
    }

    #[test]
    fn other_functions_rules_or_severities_stay_apart_and_a_message_gets_its_full_stop() {
        let mut other_rule = outage(12, "stats::statistic", "db.c()");
        other_rule.rule = "let-underscore".into();
        let mut other_severity = outage(13, "stats::statistic", "db.d()");
        other_severity.severity = Severity::High;
        let mut unpunctuated = finding(
            30,
            "stats::sync",
            "db.e()",
            "`db.e()` fails once and the error is only logged",
        );
        unpunctuated.rule = "if-let-err-logged".into();
        let mut worded_otherwise = finding(
            31,
            "stats::sync",
            "db.f()",
            "`db.f()` fails once: the loop moves on",
        );
        worded_otherwise.rule = "if-let-err-logged".into();
        let folded = fold_repeats(vec![
            outage(10, "stats::statistic", "db.a()"),
            outage(11, "stats::overview", "db.b()"),
            other_rule,
            other_severity,
            finding(20, "", "x", "`x` is malformed."),
            finding(21, "", "y", "`y` is malformed."),
            unpunctuated,
            worded_otherwise,
        ]);
        let lines: Vec<usize> = folded.iter().map(|f| f.span.start_line).collect();
        assert_eq!(lines, [10, 11, 12, 13, 20, 21, 30]);
        assert!(folded[..6].iter().all(|f| f.repeats.is_empty()));
        assert_eq!(
            folded[6].message,
            "`db.e()` fails once and the error is only logged. The same holds in `sync` for \
             `db.f()` (line 31)."
        );
    }

    #[test]
    fn a_long_group_names_five_and_counts_the_rest() {
        let group: Vec<Finding> = (0..8)
            .map(|i| outage(10 + i, "impl Stats::all", &format!("db.n{i}()")))
            .collect();
        let folded = fold_repeats(group);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].repeats.len(), 7);
        assert!(folded[0].message.ends_with(
            "The same holds in `all` for `db.n1()` (line 11), `db.n2()` (line 12), `db.n3()` \
             (line 13), `db.n4()` (line 14), `db.n5()` (line 15) and 2 more."
        ));
    }
}
