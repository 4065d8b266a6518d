//! The error reaches a log line without a log call in the `Err` arm: the arm builds a message,
//! and the `let` that names it is logged right after, here by the project's own log function.
//! Runs once per container restart; nothing sends this alert again.
pub async fn notify_restart(http: &reqwest::Client, url: &str, payload: &str) {
    let resp = http.post(url).body(payload.to_string()).send().await; //~ missing-retry:high
    let msg = match resp {
        Ok(r) => format!("alert sent ({url}): {}", r.status()),
        Err(e) => format!("alert failed ({url}): {e}"),
    };
    log_message(&msg, Level::Info).await;
}

/// The message is built but only returned: the caller decides what to do with it. No finding.
pub async fn describe_restart(http: &reqwest::Client, url: &str, payload: &str) -> String {
    let resp = http.post(url).body(payload.to_string()).send().await;
    let msg = match resp {
        Ok(r) => format!("alert sent ({url}): {}", r.status()),
        Err(e) => format!("alert failed ({url}): {e}"),
    };
    msg
}

async fn log_message(msg: &str, level: Level) {
    println!("[{level:?}] {msg}");
}
