use std::collections::BTreeMap;
use std::fmt::Write;

// NO FLAG: infallible sink; optional file; receiver may legitimately be gone
fn render(map: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (k, v) in map { let _ = writeln!(out, "{k}={v}"); }
    out
}
fn boot() { dotenvy::dotenv().ok(); }
fn reply(tx: tokio::sync::oneshot::Sender<Answer>, a: Answer) { let _ = tx.send(a); }
