//! failmode's own code passes failmode's default checks: every GitHub call retried with backoff,
//! no swallowed error, every handler tested. `.github/failmode.toml` leaves out only the check
//! examples, which are written to be flagged.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn failmode_reports_nothing_on_its_own_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_failmode"))
        .current_dir(root)
        .args(["check", "--format", "json", "--fail-on", "low", "."])
        .env("NO_COLOR", "1")
        .output()
        .expect("run the failmode binary");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the report is not JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let findings: Vec<String> = report["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["path"].as_str().unwrap_or("?"),
                f["span"]["start_line"],
                f["check"].as_str().unwrap_or("?"),
                f["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert!(
        findings.is_empty(),
        "failmode flags its own code:\n{}",
        findings.join("\n")
    );
    assert_eq!(out.status.code(), Some(0), "no finding, so exit 0");
    // The walk read the sources, every one of them, not an empty tree.
    let analyzed = report["summary"]["files_analyzed"]
        .as_u64()
        .expect("summary.files_analyzed");
    assert!(analyzed > 100, "only {analyzed} files analyzed");
    assert_eq!(report["skipped"], serde_json::json!([]), "files skipped");
}
