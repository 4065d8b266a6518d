// A spawned task whose body logs something, but not the error it returns: the `JoinHandle` is
// dropped, so the `Err` that leaves through `?` is lost whatever else the body logs.
use std::sync::Arc;
use sqlx::PgPool;

pub async fn store_draft(db: &PgPool, session: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO drafts (session) VALUES ($1)").bind(session).execute(db).await?;
    Ok(())
}

// FLAG: the `warn!` records the permit error, which the task answers with `Ok`; a failed save
// leaves through `?` with the dropped handle, and nothing logs it.
pub fn on_socket_closed(db: Arc<PgPool>, permits: Arc<tokio::sync::Semaphore>, session: i64) {
    tokio::spawn(async move { //~ swallowed-error
        let _permit = match permits.acquire().await {
            Ok(permit) => permit,
            Err(_) => {
                tracing::warn!("writer pool closed, draft not stored");
                return Ok(());
            }
        };
        tracing::debug!(session, "storing the draft");
        store_draft(&db, session).await?;
        Ok::<_, sqlx::Error>(())
    });
}

// No finding: the error is logged where it leaves the task.
pub fn on_socket_closed_logged(db: Arc<PgPool>, session: i64) {
    tokio::spawn(async move {
        tracing::debug!(session, "storing the draft");
        store_draft(&db, session)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "storing the draft failed"))?;
        Ok::<_, sqlx::Error>(())
    });
}

// No finding: the `?` returns from the inner async block, whose result the task logs.
pub fn on_socket_closed_inner(db: Arc<PgPool>, session: i64) {
    tokio::spawn(async move {
        let saved = async {
            store_draft(&db, session).await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        if let Err(e) = saved {
            tracing::warn!(error = %e, "storing the draft failed");
        }
        Ok::<_, sqlx::Error>(())
    });
}
