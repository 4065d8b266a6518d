use tracing::{error, warn};

// NO FLAG: the error is logged or recorded before it is dropped.
async fn sync_profile(http: &reqwest::Client, db: &sqlx::PgPool, p: &Profile) {
    http.post("https://crm.example.com/profiles")
        .json(p)
        .send()
        .await
        .inspect_err(|e| warn!(error = %e, "crm sync failed"))
        .ok();

    if let Err(e) = sqlx::query("UPDATE profiles SET synced = true WHERE id = $1").bind(p.id).execute(db).await {
        error!(error = %e, id = p.id, "could not mark profile synced");
    }

    match http.post("https://audit.example.com/events").json(p).send().await {
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "audit event failed");
        }
    }

    let _ = http.delete("https://crm.example.com/stale").send().await.map_err(|e| eprintln!("stale delete failed: {e}"));
}

#[tracing::instrument(skip(db), err)]
async fn save_snapshot(db: &sqlx::PgPool, s: &Snapshot) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO snapshots (body) VALUES ($1)").bind(&s.body).execute(db).await?;
    Ok(())
}

fn spawn_logged<F>(fut: F)
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = fut.await {
            tracing::error!(error = %e, "background task failed");
        }
    });
}

async fn nightly(db: sqlx::PgPool, s: Snapshot) {
    // The callee records its own error (#[instrument(err)]).
    let _ = save_snapshot(&db, &s).await;
    loop {
        match save_snapshot(&db, &s).await {
            Ok(()) => break,
            Err(_) => tokio::time::sleep(std::time::Duration::from_secs(5)).await,
        }
    }
    // The same-crate wrapper logs Err.
    spawn_logged(async move {
        sqlx::query("DELETE FROM snapshots WHERE age > 30").execute(&db).await?;
        Ok(())
    });
}

// The callee logs the error on its way out (`map_err` with `error!`), then returns it: the
// caller's `.ok()` drops an error the logs already show.
async fn ack_job(db: &sqlx::PgPool, id: i64) -> Result<(), WorkerError> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map_err(|e| {
            tracing::error!("failed to ack job {id}: {e:?}");
            WorkerError::Internal(e.into())
        })?;
    Ok(())
}

async fn finish(db: &sqlx::PgPool, id: i64) {
    ack_job(db, id).await.ok();
}
