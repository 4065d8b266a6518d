//! A comment saying one attempt is intended suppresses the finding (docs/checks/missing-retry.md, "How to suppress it").
pub async fn track_view(http: &reqwest::Client, page: &str) {
    // Best effort: analytics may drop a page view, it is not worth a retry.
    if let Err(e) = http.post(ANALYTICS_URL).json(&page).send().await {
        tracing::debug!(error = %e, "page view not tracked");
    }
}

pub async fn warm_cache(http: &reqwest::Client, key: &str) {
    match http.put(format!("{}/warm/{key}", CDN_URL)).send().await {
        Ok(_) => {}
        // Intentionally a single attempt: the CDN warms itself on the first miss anyway.
        Err(e) => tracing::info!(error = %e, "cdn warm failed"),
    }
}

pub async fn record_delivery_report(http: &reqwest::Client, id: &str) {
    // Errors are not fatal and should not hold up delivery; the log is enough.
    if let Err(e) = http.post(REPORTS_URL).json(&id).send().await {
        tracing::warn!(error = %e, "delivery report not recorded");
    }
}
