//! Hand-built findings shared by the renderer tests.

use crate::analysis::finding::{Finding, Severity, Span, Suggestion};
use std::collections::BTreeMap;

/// Source of `src/orders.rs` used by the fixtures.
pub const ORDERS_RS: &str = "use sqlx::PgPool;\n\npub async fn mark_shipped(db: &PgPool, id: i64) {\n    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;\n}\n\npub async fn notify(client: &reqwest::Client, url: &str) -> reqwest::Result<()> {\n    client\n        .post(url)\n        .send()\n        .await?;\n    Ok(())\n}\n";

fn span(text: &str, line: usize, col: usize, end_line: usize, end_col: usize) -> Span {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    Span {
        start_line: line,
        start_col: col,
        end_line,
        end_col,
        start_byte: starts[line - 1] + col - 1,
        end_byte: starts[end_line - 1] + end_col - 1,
    }
}

/// A high swallowed-error with a whole-line suggestion, and a medium multi-line missing-retry.
pub fn findings() -> Vec<Finding> {
    let line4 = "    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;";
    let swallowed = Finding {
        check: "swallowed-error".into(),
        rule: "let-underscore".into(),
        severity: Severity::High,
        path: "src/orders.rs".into(),
        span: span(ORDERS_RS, 4, 5, 4, line4.len() + 1),
        code: "sqlx::query(..).bind(id).execute(db).await".into(),
        message: "`let _ =` discards the result of `sqlx::query(..).bind(id).execute(db).await`, so a failed UPDATE is silently ignored".into(),
        failure_mode: "When the database rejects the UPDATE, the order stays unshipped and nobody is told.".into(),
        fix: "Propagate the error with `?`, or log it with context before continuing.".into(),
        suppress: "Add `// failmode: allow(swallowed-error) <reason>` on the line above.".into(),
        suggestion: Some(Suggestion {
            description: "propagate the error".into(),
            span: span(ORDERS_RS, 4, 1, 4, line4.len() + 1),
            replacement: "    sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await?;".into(),
        }),
        fingerprint: "3f9a1c2b7d4e5f60a1b2".into(),
        item: String::new(),
        repeats: Vec::new(),
    };
    let retry = Finding {
        check: "missing-retry".into(),
        rule: "reqwest-send".into(),
        severity: Severity::Medium,
        path: "src/orders.rs".into(),
        span: span(ORDERS_RS, 8, 5, 11, 15),
        code: "client.post(url).send()".into(),
        message: "`client.post(url).send()` has no retry: one dropped connection fails the call".into(),
        failure_mode: "A transient network error or 503 surfaces to the caller as a hard failure.".into(),
        fix: "Wrap the call in a bounded retry with backoff (e.g. `backon`), or make it idempotent and retried by the queue.".into(),
        suppress: "Add `// failmode: allow(missing-retry) <reason>` on the line above.".into(),
        suggestion: None,
        fingerprint: "8c0d1e2f3a4b5c6d7e8f".into(),
        item: String::new(),
        repeats: Vec::new(),
    };
    vec![swallowed, retry]
}

/// Sources for the fixture findings.
pub fn sources() -> BTreeMap<String, String> {
    BTreeMap::from([("src/orders.rs".to_string(), ORDERS_RS.to_string())])
}
