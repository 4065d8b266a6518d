//! Class 2: a project fn that spawns the future it is given, and drops what it returns, loses
//! the task's error just like `tokio::spawn`. A wrapper that logs it does not.
pub fn spawn_try_task<F>(fut: F)
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tokio::spawn(fut);
}

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

pub fn on_paid(db: sqlx::PgPool, id: i64) {
    spawn_try_task(async move { //~ swallowed-error:high
        sqlx::query("UPDATE orders SET paid = true WHERE id = $1").bind(id).execute(&db).await?;
        Ok(())
    });
}

pub fn on_refund(db: sqlx::PgPool, id: i64) {
    spawn_logged(async move {
        sqlx::query("UPDATE orders SET refunded = true WHERE id = $1").bind(id).execute(&db).await?;
        Ok(())
    });
}
