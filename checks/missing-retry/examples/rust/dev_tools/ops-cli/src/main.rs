async fn requeue(http: &reqwest::Client, id: &str) {
    if let Err(e) = http.post(format!("{ADMIN_URL}/jobs/{id}/requeue")).send().await {
        eprintln!("requeue failed: {e}");
    }
}
