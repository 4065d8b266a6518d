use crate::AppState;

/// Uploads a receipt PDF; callers decide what a failure means.
pub async fn archive_receipt(state: &AppState, order_id: i64, pdf: Vec<u8>) -> Result<(), aws_sdk_s3::Error> {
    state
        .s3
        .put_object()
        .bucket(&state.bucket)
        .key(format!("receipts/{order_id}.pdf"))
        .body(pdf.into())
        .send()
        .await?;
    Ok(())
}

/// Writes an audit row; errors are recorded by the span.
#[tracing::instrument(skip(db), err)]
pub async fn record_audit(db: &sqlx::PgPool, order_id: i64, action: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (order_id, action) VALUES ($1, $2)")
        .bind(order_id)
        .bind(action)
        .execute(db)
        .await?;
    Ok(())
}

/// Runs a background future and logs its error.
pub fn spawn_logged<F>(fut: F)
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = fut.await {
            tracing::error!(error = %e, "background task failed");
        }
    });
}

/// Best-effort UX helper: warms the thumbnail, returns nothing.
pub async fn warm_thumbnail(state: &AppState, order_id: i64) {
    if let Err(e) = state.http.get(format!("https://thumbs.internal/{order_id}")).send().await {
        tracing::debug!(error = %e, "thumbnail warmup failed");
    }
}
