//! Upkeep statements change no data: a `VACUUM` that fails on a blip is done by the next run,
//! so one attempt is enough. A statement that changes data is another matter.
pub async fn nightly(pool: &sqlx::PgPool, cutoff: i64) {
    if let Err(e) = sqlx::query("VACUUM ANALYZE sessions").execute(pool).await {
        tracing::warn!(error = %e, "vacuum failed");
    }
    if let Err(e) = sqlx::query("DELETE FROM sessions WHERE expires_at < $1") //~ missing-retry:high
        .bind(cutoff)
        .execute(pool)
        .await
    {
        tracing::warn!(error = %e, "expired sessions not deleted");
    }
}
