// Background jobs started in spawned tasks nobody awaits.
use std::sync::Arc;
use std::time::Duration;
use sqlx::PgPool;

pub async fn expire_bans(db: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bans SET lifted = true WHERE ends_at < now()").execute(db).await?;
    Ok(())
}

pub async fn due_reminders(db: &PgPool) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM reminders WHERE due_at < now()").fetch_all(db).await
}

// FLAG: the hourly loop leaves at its first database error, and nothing logs it: bans are
// never lifted again.
pub fn start_jobs(db: Arc<PgPool>) {
    tokio::spawn(async move { //~ swallowed-error
        loop {
            expire_bans(&db).await?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        #[allow(unreachable_code)]
        Ok::<_, sqlx::Error>(())
    });
}

// FLAG: a read ends a spawned loop as surely as a write (actix's `rt::spawn` is a task spawn).
pub fn start_reminders(db: Arc<PgPool>) {
    actix_web::rt::spawn(async move { //~ swallowed-error
        let mut seen = 0usize;
        loop {
            seen += due_reminders(&db).await?.len();
            tokio::time::sleep(Duration::from_secs(60 + (seen % 7) as u64)).await;
        }
        #[allow(unreachable_code)]
        Ok::<_, sqlx::Error>(())
    });
}

// No finding: the loop logs and goes on; the task's `Ok` is all it returns.
pub fn start_logged_jobs(db: Arc<PgPool>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = expire_bans(&db).await {
                tracing::warn!(error = %e, "expiring bans failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        #[allow(unreachable_code)]
        Ok::<_, sqlx::Error>(())
    });
}

// No finding: the rows are read once, before the `for` loop runs, not on every round.
pub fn remind_once(db: Arc<PgPool>) {
    tokio::spawn(async move {
        let mut sent = 0usize;
        for id in due_reminders(&db).await? {
            sent += id as usize;
        }
        Ok::<_, sqlx::Error>(sent)
    });
}

// No finding: a one-off read in a task, not a loop; losing it loses nothing.
pub fn warm_cache(db: Arc<PgPool>) {
    tokio::spawn(async move {
        let ids = due_reminders(&db).await?;
        Ok::<_, sqlx::Error>(ids.len())
    });
}
