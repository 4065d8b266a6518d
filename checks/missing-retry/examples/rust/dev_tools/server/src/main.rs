async fn notify(http: &reqwest::Client, id: &str) {
    if let Err(e) = http.post(format!("{HOOK_URL}/jobs/{id}")).send().await { //~ missing-retry:high
        tracing::warn!(error = %e, "job notification lost");
    }
}
