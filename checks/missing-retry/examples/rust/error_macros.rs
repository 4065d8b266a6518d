//! Class 8: a project macro that returns `Err` from the fn propagates the failure, like `?`.
macro_rules! fail {
    ($($arg:tt)*) => {
        return Err(AppError::Upstream(format!($($arg)*)))
    };
}

pub async fn sync_invoice(http: &reqwest::Client, inv: &Invoice) -> Result<(), AppError> {
    if let Err(e) = http.post(BILLING_URL).json(inv).send().await {
        tracing::warn!(error = %e, "invoice sync failed");
        fail!("billing unavailable: {e}");
    }
    Ok(())
}

pub async fn sync_refund(http: &reqwest::Client, r: &Refund) -> Result<(), AppError> {
    if let Err(e) = http.post(REFUND_URL).json(r).send().await { //~ missing-retry:high
        tracing::warn!(error = %e, "refund sync failed");
    }
    Ok(())
}
