//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run; `tool.driver.rules` holds every check (plus the built-in `suppression` rule),
//! results point at them by `ruleId` and `ruleIndex`. Locations are relative to `%SRCROOT%`.
//! Columns are Unicode code points (`columnKind: unicodeCodePoints`) when the source is
//! available, as SARIF viewers expect; byte offsets are given too. Skipped files become
//! `toolExecutionNotifications` of the invocation. Each rule's `helpUri` is its page under
//! `docs/checks/`.
//!
//! Findings hidden by a baseline (`--baseline`) are left out of `results`, and their number is
//! the run's `properties.baselined`. They are not written with `baselineState: "unchanged"` or a
//! `suppressions` entry: GitHub code scanning computes new and fixed alerts from its own history
//! and does not read `baselineState`, and an upload does not dismiss results marked suppressed,
//! so either way every accepted finding would open (or reopen) an alert, which is what the
//! baseline is there to prevent.

use super::{char_col, check_docs_url, line_of, Report, SourceText, INFORMATION_URI, TOOL_NAME};
use crate::analysis::check::{CheckSet, Template};
use crate::analysis::finding::{Finding, Severity, Span};
use crate::analysis::SUPPRESSION_CHECK;
use serde_json::{json, Value};

/// The SARIF schema URI written into `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What SARIF needs to know about one check to describe it as a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Check id (`ruleId`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// One sentence on what the check flags.
    pub summary: String,
    /// Default severity.
    pub severity: Severity,
    /// What happens in production (generic wording, no per-finding placeholders).
    pub failure_mode: String,
    /// How to fix it.
    pub fix: String,
    /// How to suppress it.
    pub suppress: String,
    /// The page documenting the check (`helpUri`), when it has one.
    pub help_uri: Option<String>,
}

impl RuleInfo {
    /// Rule descriptions for every check in `checks`, plus the built-in `suppression` rule.
    pub fn from_checks(checks: &CheckSet) -> Vec<RuleInfo> {
        // Per-finding placeholders (`{code}`, ...) read as "this code" in the rule text.
        let generic = |t: &str, id: &str| {
            Template {
                text: t.to_string(),
            }
            .render(|name| {
                Some(if name == "check" {
                    id.to_string()
                } else {
                    "this code".to_string()
                })
            })
        };
        let mut rules: Vec<RuleInfo> = checks
            .checks
            .iter()
            .map(|c| RuleInfo {
                id: c.id.clone(),
                title: c.title.clone(),
                summary: c.summary.clone(),
                severity: c.severity,
                failure_mode: generic(&c.explain.failure_mode, &c.id),
                fix: generic(&c.explain.fix, &c.id),
                suppress: c.explain.suppress.replace("{check}", &c.id),
                help_uri: Some(check_docs_url(&c.id)),
            })
            .collect();
        rules.push(RuleInfo::suppression());
        rules
    }

    /// The rule for problems with `// failmode: allow(..)` comments themselves.
    pub fn suppression() -> RuleInfo {
        RuleInfo {
            id: SUPPRESSION_CHECK.to_string(),
            title: "Malformed, unknown or unused suppression".to_string(),
            summary: "A `// failmode: allow(..)` comment that has no reason, names no known check, or suppresses nothing.".to_string(),
            severity: Severity::Low,
            failure_mode: "A wrong or stale suppression hides the next real finding on its line.".to_string(),
            fix: "Give a reason after `allow(..)`, name an existing check, or delete the comment.".to_string(),
            suppress: "Fix or delete the suppression comment.".to_string(),
            help_uri: Some(check_docs_url(SUPPRESSION_CHECK)),
        }
    }
}

/// SARIF `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes a relative path for a SARIF `uri` (keeps `/` and unreserved characters).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_json(r: &RuleInfo) -> Value {
    let text = format!(
        "{}\n\nFailure mode: {}\n\nFix: {}\n\nSuppress: {}",
        r.summary, r.failure_mode, r.fix, r.suppress
    );
    let markdown = format!(
        "**{}**\n\n{}\n\n**Failure mode in production:** {}\n\n**Fix:** {}\n\n**Suppress:** {}",
        r.title, r.summary, r.failure_mode, r.fix, r.suppress
    );
    let mut rule = json!({
        "id": r.id,
        "name": pascal(&r.id),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": r.summary },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": ["reliability"], "precision": "high" }
    });
    if let Some(uri) = &r.help_uri {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn region(span: &Span, text: Option<&str>) -> Value {
    let (sc, ec) = match text {
        Some(t) => (
            line_of(t, span.start_line).map_or(span.start_col, |l| char_col(l, span.start_col)),
            line_of(t, span.end_line).map_or(span.end_col, |l| char_col(l, span.end_col)),
        ),
        None => (span.start_col, span.end_col),
    };
    json!({
        "startLine": span.start_line.max(1),
        "startColumn": sc.max(1),
        "endLine": span.end_line.max(span.start_line).max(1),
        "endColumn": ec.max(1),
        "byteOffset": span.start_byte,
        "byteLength": span.end_byte.saturating_sub(span.start_byte),
    })
}

fn artifact(path: &str) -> Value {
    json!({ "uri": uri_path(path), "uriBaseId": "%SRCROOT%" })
}

fn result_json(f: &Finding, rule_index: usize, sources: &dyn SourceText) -> Value {
    let text = sources.source(&f.path);
    let mut message = f.message.clone();
    message.push_str("\n\nFailure mode: ");
    message.push_str(&f.failure_mode);
    message.push_str("\n\nFix: ");
    message.push_str(&f.fix);
    let mut r = json!({
        "ruleId": f.check,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": { "artifactLocation": artifact(&f.path), "region": region(&f.span, text) }
        }],
        "partialFingerprints": { "failmode/v1": f.fingerprint },
        "properties": { "severity": f.severity.as_str(), "rule": f.rule, "suppress": f.suppress }
    });
    if !f.repeats.is_empty() {
        // The places folded into this result (see `analysis::repeats`), as SARIF's own
        // "related locations" so code scanning can still show each one.
        r["relatedLocations"] = f
            .repeats
            .iter()
            .enumerate()
            .map(|(id, rep)| {
                json!({
                    "id": id + 1,
                    "physicalLocation": { "artifactLocation": artifact(&f.path), "region": region(&rep.span, text) },
                    "message": { "text": format!("the same, at `{}`", rep.code) }
                })
            })
            .collect();
    }
    if let Some(s) = &f.suggestion {
        // The suggestion's span covers whole lines without their final line break, and the
        // replacement has none either, so the text is inserted as is.
        let replacement = &s.replacement;
        r["fixes"] = json!([{
            "description": { "text": s.description },
            "artifactChanges": [{
                "artifactLocation": artifact(&f.path),
                "replacements": [{
                    "deletedRegion": { "byteOffset": s.span.start_byte, "byteLength": s.span.end_byte.saturating_sub(s.span.start_byte) },
                    "insertedContent": { "text": replacement }
                }]
            }]
        }]);
    }
    r
}

/// The SARIF log as a JSON value. `rules` describes every check (see
/// [`RuleInfo::from_checks`]); a finding of a check missing from it gets a minimal rule.
pub fn to_value(report: &Report<'_>, rules: &[RuleInfo], sources: &dyn SourceText) -> Value {
    let mut rules: Vec<RuleInfo> = rules.to_vec();
    for f in report.findings {
        if !rules.iter().any(|r| r.id == f.check) {
            rules.push(RuleInfo {
                id: f.check.clone(),
                title: f.check.clone(),
                summary: f.message.clone(),
                severity: f.severity,
                failure_mode: f.failure_mode.clone(),
                fix: f.fix.clone(),
                suppress: f.suppress.clone(),
                help_uri: None,
            });
        }
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let idx = rules.iter().position(|r| r.id == f.check).unwrap_or(0);
            result_json(f, idx, sources)
        })
        .collect();
    let notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": "warning",
                "message": { "text": format!("skipped {}: {}", s.path, s.reason) },
                "descriptor": { "id": format!("skipped/{}", s.kind) },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact(&s.path) } }]
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules.iter().map(rule_json).collect::<Vec<_>>()
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "baselined": report.baselined }
        }]
    })
}

/// The SARIF log, pretty-printed, with a trailing newline.
pub fn render(report: &Report<'_>, rules: &[RuleInfo], sources: &dyn SourceText) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report, rules, sources)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FailOn;
    use crate::report::{fixtures, SkippedFile};

    /// Rules for the fixture checks.
    pub(crate) fn rules() -> Vec<RuleInfo> {
        vec![
            RuleInfo {
                id: "missing-retry".into(),
                title: "No retry on a transient failure".into(),
                summary: "A network call that fails on the first transient error.".into(),
                severity: Severity::Medium,
                failure_mode: "A blip becomes an outage.".into(),
                fix: "Retry with backoff.".into(),
                suppress: "// failmode: allow(missing-retry) reason".into(),
                help_uri: Some(check_docs_url("missing-retry")),
            },
            RuleInfo {
                id: "swallowed-error".into(),
                title: "Error silently discarded".into(),
                summary: "An error dropped without logging or propagating.".into(),
                severity: Severity::High,
                failure_mode: "Failures go unnoticed.".into(),
                fix: "Propagate or log.".into(),
                suppress: "// failmode: allow(swallowed-error) reason".into(),
                help_uri: Some(check_docs_url("swallowed-error")),
            },
            RuleInfo::suppression(),
        ]
    }

    pub(crate) fn validator() -> jsonschema::Validator {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    }

    #[test]
    fn sarif_is_valid_and_complete() {
        let findings = fixtures::findings();
        let skipped = vec![SkippedFile {
            path: "src/blob file.rs".into(),
            kind: "binary".into(),
            reason: "binary file".into(),
        }];
        let r = Report {
            findings: &findings,
            skipped: &skipped,
            files_analyzed: 2,
            baselined: 3,
            fail_on: FailOn::Severity(Severity::Low),
        };
        let v = to_value(&r, &rules(), &fixtures::sources());
        let errors: Vec<String> = validator()
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let run = &v["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "failmode");
        assert_eq!(driver["rules"][1]["id"], "swallowed-error");
        assert_eq!(driver["rules"][1]["name"], "SwallowedError");
        assert_eq!(driver["rules"][1]["defaultConfiguration"]["level"], "error");
        assert_eq!(
            driver["rules"][1]["helpUri"],
            "https://github.com/failmode/failmode/blob/main/docs/checks/swallowed-error.md"
        );
        assert_eq!(
            driver["rules"][2]["helpUri"],
            "https://github.com/failmode/failmode/blob/main/docs/checks/suppression.md"
        );
        assert_eq!(run["properties"], json!({ "baselined": 3 }));
        assert_eq!(run["results"].as_array().unwrap().len(), 2);
        assert!(driver["rules"][1]["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**Fix:** Propagate or log."));
        let res = &run["results"][0];
        assert_eq!(res["ruleId"], "swallowed-error");
        assert_eq!(res["ruleIndex"], 1);
        assert_eq!(res["level"], "error");
        assert_eq!(run["results"][1]["level"], "warning");
        assert_eq!(run["results"][1]["ruleIndex"], 0);
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"],
            json!({"uri": "src/orders.rs", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(loc["region"]["startLine"], 4);
        assert_eq!(loc["region"]["startColumn"], 5);
        assert_eq!(
            res["partialFingerprints"]["failmode/v1"],
            "3f9a1c2b7d4e5f60a1b2"
        );
        let rep = &res["fixes"][0]["artifactChanges"][0]["replacements"][0];
        assert!(rep["insertedContent"]["text"]
            .as_str()
            .unwrap()
            .ends_with(".await?;"));
        assert!(run["results"][1].get("fixes").is_none());
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/blob%20file.rs"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn level_mapping_and_unknown_checks() {
        assert_eq!(
            (
                level(Severity::High),
                level(Severity::Medium),
                level(Severity::Low)
            ),
            ("error", "warning", "note")
        );
        let mut findings = fixtures::findings();
        findings[0].check = "custom-check".into();
        let r = Report {
            findings: &findings,
            skipped: &[],
            files_analyzed: 1,
            baselined: 0,
            fail_on: FailOn::Never,
        };
        let v = to_value(&r, &rules(), &crate::report::NoSource);
        assert_eq!(v["runs"][0]["results"][0]["ruleIndex"], 3);
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][3]["id"],
            "custom-check"
        );
        assert!(
            v["runs"][0]["tool"]["driver"]["rules"][3]
                .get("helpUri")
                .is_none(),
            "a check without a page gets no link"
        );
        assert!(validator().is_valid(&v));
    }

    #[test]
    fn columns_count_code_points() {
        let text = "fn é() { let _ = x(); }\n";
        let mut f = fixtures::findings().remove(1);
        f.path = "src/u.rs".into();
        f.span = Span {
            start_line: 1,
            start_col: 11,
            end_line: 1,
            end_col: 22,
            start_byte: 10,
            end_byte: 21,
        };
        let sources =
            std::collections::BTreeMap::from([("src/u.rs".to_string(), text.to_string())]);
        let findings = [f];
        let r = Report {
            findings: &findings,
            skipped: &[],
            files_analyzed: 1,
            baselined: 0,
            fail_on: FailOn::Never,
        };
        let v = to_value(&r, &rules(), &sources);
        assert_eq!(
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
            10
        );
    }
}
