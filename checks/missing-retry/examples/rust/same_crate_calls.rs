//! A same-crate fn that calls a dependency is looked through; one that retries inside (or is
//! named as a retry) covers its callers.
use backon::{ExponentialBuilder, Retryable};

async fn push_to_billing(http: &reqwest::Client, ev: &UsageEvent) -> Result<(), reqwest::Error> {
    http.post(format!("{}/usage", BILLING_URL)).json(ev).send().await?.error_for_status()?;
    Ok(())
}

async fn push_to_crm(http: &reqwest::Client, ev: &UsageEvent) -> Result<(), reqwest::Error> {
    (|| async { http.post(CRM_URL).json(ev).send().await?.error_for_status() })
        .retry(ExponentialBuilder::default().with_jitter())
        .await?;
    Ok(())
}

async fn send_with_retry(http: &reqwest::Client, ev: &UsageEvent) -> Result<(), reqwest::Error> {
    let mut last = None;
    for attempt in 0..3 {
        match http.post(AUDIT_URL).json(ev).send().await {
            Ok(_) => return Ok(()),
            Err(e) => {
                tracing::debug!(attempt, "audit attempt failed");
                last = Some(e);
            }
        }
    }
    Err(last.expect("three attempts ran"))
}

pub async fn record_usage(http: &reqwest::Client, ev: UsageEvent) -> Result<(), AppError> {
    if let Err(e) = push_to_billing(http, &ev).await { //~ missing-retry:high
        tracing::error!(error = %e, "usage not billed");
    }
    if let Err(e) = push_to_crm(http, &ev).await {
        tracing::error!(error = %e, "crm not updated after retries");
    }
    if let Err(e) = send_with_retry(http, &ev).await {
        tracing::error!(error = %e, "audit failed after retries");
    }
    Ok(())
}
