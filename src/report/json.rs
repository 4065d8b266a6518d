//! `--format json`: a stable, documented shape for scripts.
//!
//! ```json
//! {
//!   "version": 1,                       // bumped only on incompatible changes
//!   "tool": { "name": "failmode", "version": "0.1.0" },
//!   "findings": [{
//!     "check": "swallowed-error", "rule": "let-underscore", "severity": "high",
//!     "path": "src/orders.rs",
//!     "span": { "start_line": 4, "start_col": 5, "end_line": 4, "end_col": 99,
//!               "start_byte": 63, "end_byte": 157 },   // columns are 1-based bytes, end exclusive
//!     "code": "...", "message": "...", "failure_mode": "...", "fix": "...", "suppress": "...",
//!     "suggestion": null | { "description": "...", "span": {..}, "replacement": "..." },
//!     "fingerprint": "3f9a..."
//!   }],
//!   "skipped": [{ "path": "src/blob.rs", "kind": "binary", "reason": "binary file (...)" }],
//!   "summary": {
//!     "files_analyzed": 3, "findings": 2, "skipped": 1,
//!     "by_severity": { "high": 1, "medium": 1, "low": 0 },
//!     "by_check": { "missing-retry": 1, "swallowed-error": 1 },
//!     "fail_on": "low", "failed": true,
//!     "baselined": 0                    // findings hidden by --baseline (not in "findings")
//!   }
//! }
//! ```

use super::{Report, TOOL_NAME};
use crate::analysis::finding::Severity;
use crate::config::FailOn;
use serde_json::{json, Value};

/// Version of the JSON shape.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The report as a JSON value.
pub fn to_value(report: &Report<'_>) -> Value {
    let by = report.by_severity();
    let count = |s: Severity| by.get(&s).copied().unwrap_or(0);
    let fail_on = match report.fail_on {
        FailOn::Severity(s) => s.as_str(),
        FailOn::Never => "never",
    };
    json!({
        "version": JSON_FORMAT_VERSION,
        "tool": { "name": TOOL_NAME, "version": env!("CARGO_PKG_VERSION") },
        "findings": report.findings,
        "skipped": report.skipped,
        "summary": {
            "files_analyzed": report.files_analyzed,
            "findings": report.findings.len(),
            "skipped": report.skipped.len(),
            "by_severity": { "high": count(Severity::High), "medium": count(Severity::Medium), "low": count(Severity::Low) },
            "by_check": report.by_check(),
            "fail_on": fail_on,
            "failed": report.failed(),
            "baselined": report.baselined,
        }
    })
}

/// The report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report<'_>) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{fixtures, SkippedFile};

    #[test]
    fn json_has_every_field_and_the_summary() {
        let findings = fixtures::findings();
        let skipped = vec![SkippedFile {
            path: "src/blob.rs".into(),
            kind: "binary".into(),
            reason: "binary file".into(),
        }];
        let r = Report {
            findings: &findings,
            skipped: &skipped,
            files_analyzed: 3,
            baselined: 4,
            fail_on: FailOn::Severity(Severity::High),
        };
        let v: Value = serde_json::from_str(&render(&r)).unwrap();
        assert_eq!(v["version"], 1);
        let f = &v["findings"][0];
        assert_eq!(f["check"], "swallowed-error");
        assert_eq!(f["severity"], "high");
        assert_eq!(f["span"]["start_line"], 4);
        assert_eq!(f["span"]["start_col"], 5);
        assert_eq!(f["fingerprint"], "3f9a1c2b7d4e5f60a1b2");
        assert_eq!(f["suggestion"]["description"], "propagate the error");
        assert!(v["findings"][1]["suggestion"].is_null());
        for key in [
            "rule",
            "path",
            "code",
            "message",
            "failure_mode",
            "fix",
            "suppress",
        ] {
            assert!(f[key].is_string(), "{key}");
        }
        assert_eq!(
            v["skipped"][0],
            json!({"path": "src/blob.rs", "kind": "binary", "reason": "binary file"})
        );
        assert_eq!(
            v["summary"]["by_severity"],
            json!({"high": 1, "medium": 1, "low": 0})
        );
        assert_eq!(
            v["summary"]["by_check"],
            json!({"missing-retry": 1, "swallowed-error": 1})
        );
        assert_eq!(v["summary"]["fail_on"], "high");
        assert_eq!(v["summary"]["failed"], true);
        assert_eq!(v["summary"]["baselined"], 4);
        let never = Report {
            fail_on: FailOn::Never,
            ..r
        };
        assert_eq!(to_value(&never)["summary"]["failed"], false);
    }
}
