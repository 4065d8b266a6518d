//! End-to-end: the real `failmode` binary on pull-request code built to exhaust the analysis's
//! stack (issue 13). It must exit 0 or 1 with a normal report, never die of a signal (a stack
//! overflow aborts with 134).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn write(dir: &Path, rel: &str, contents: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, contents).unwrap();
}

#[test]
fn check_survives_chains_and_nestings_deeper_than_any_stack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The two files of the report: a route behind 20,000 `.to_string()` calls, and a test whose
    // request URL is behind 20,000 `.clone()` calls.
    write(
        d,
        "src/app.rs",
        &format!(
            "pub fn app() -> Router {{\n    Router::new().route(\"/orders\"{}, get(list_orders))\n}}\n\npub async fn list_orders() -> String {{\n    db.load().await\n}}\n",
            ".to_string()".repeat(20_000)
        ),
    );
    write(
        d,
        "tests/api.rs",
        &format!(
            "#[tokio::test]\nasync fn lists() {{\n    let url = format!(\"{{base}}/orders\");\n    let r = client.get(url{}).send().await.unwrap();\n}}\n",
            ".clone()".repeat(20_000)
        ),
    );
    // 100,000-deep shapes in a handler, a test and a macro body.
    let n = 100_000;
    write(
        d,
        "src/handler.rs",
        &format!(
            "pub async fn h() -> Result<(), E> {{\n    let _ = client.get(u){}.await;\n    let x = {}y{};\n    Ok(())\n}}\n",
            ".send()".repeat(n / 10),
            "(".repeat(n),
            ")".repeat(n)
        ),
    );
    write(
        d,
        "src/lib.rs",
        &format!(
            "#[cfg(test)]\nmod tests {{\n    #[test]\n    fn t() {{ let a = {}x{}; let b = x{}; }}\n}}\n",
            "{ ".repeat(n),
            " }".repeat(n),
            "?".repeat(n)
        ),
    );
    write(
        d,
        "src/macros.rs",
        &format!(
            "macro_rules! m {{ () => {{ {}x{} }}; }}\nfn g() {{ assert!({}x{}); }}\n",
            "[".repeat(n),
            "]".repeat(n),
            "m!(".repeat(n / 4),
            ")".repeat(n / 4)
        ),
    );

    let o = Command::new(env!("CARGO_BIN_EXE_failmode"))
        .current_dir(d)
        .args(["check", ".", "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run the failmode binary");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "exit status {:?}: {stderr}",
        o.status
    );
    assert!(
        !stderr.contains("overflow") && !stderr.contains("panicked"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&o.stdout).expect("a JSON report");
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .expect("a list of skipped files")
        .iter()
        .map(|s| s["path"].as_str().unwrap_or(""))
        .collect();
    // The 100,000-deep files may run out of their parse budget on a slow machine (then they are
    // reported as skipped); the two small ones are analysed.
    assert!(
        !skipped.contains(&"src/app.rs") && !skipped.contains(&"tests/api.rs"),
        "{skipped:?}"
    );
    // And analysed correctly: the route's path is read through its chain and the test's URL
    // through its own, so the handler counts as tested.
    let findings = report["findings"].as_array().expect("a list of findings");
    assert!(
        !findings
            .iter()
            .any(|f| f["check"] == "untested-handler" && f["path"] == "src/app.rs"),
        "{findings:?}"
    );
}
