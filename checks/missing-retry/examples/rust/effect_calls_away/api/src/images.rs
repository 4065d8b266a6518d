use anyhow::Context;

pub async fn purge_image(http: &reqwest::Client, id: &str) -> anyhow::Result<()> {
    let key = format!("img/{id}");
    storage::delete_object(http, &key).await.context("purge image")?;
    Ok(())
}

pub async fn purge_user(http: &reqwest::Client, id: &str) -> anyhow::Result<()> {
    purge_image(http, id).await
}

/// A helper that handles its callee's error itself: its callers have nothing to retry.
pub async fn tidy(http: &reqwest::Client, id: &str) -> anyhow::Result<()> {
    if let Err(e) = purge_image(http, id).await { //~ missing-retry:high
        tracing::warn!(error = %e, "image not purged");
    }
    Ok(())
}

pub async fn on_account_closed(http: &reqwest::Client, id: &str) {
    if let Err(e) = purge_user(http, id).await { //~ missing-retry:high
        tracing::error!(error = %e, "user images not purged");
    }
    if let Err(e) = tidy(http, id).await {
        tracing::error!(error = %e, "tidy failed");
    }
}
