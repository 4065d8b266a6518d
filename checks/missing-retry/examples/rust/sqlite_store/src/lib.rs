//! A daemon that keeps its state in a local SQLite file through sqlx (only its `sqlite` feature
//! is on). A write that fails there fails for a reason a retry does not cure (a full disk, a
//! locked or corrupt file): there is no network to blip, so no retry is asked for.
use tokio::sync::mpsc::Receiver;

pub struct Store {
    pool: sqlx::SqlitePool,
}

impl Store {
    pub async fn save_sync_time(&self, at: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE meta SET value = ?1 WHERE key = 'last_sync'")
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

pub async fn sync_loop(store: Store, mut ticks: Receiver<i64>) {
    while let Some(at) = ticks.recv().await {
        if let Err(e) = store.save_sync_time(at).await {
            tracing::error!("failed to save sync time: {e}");
        }
    }
}
