use std::future::Future;
use std::time::Duration;

/// Runs `op` up to four times, backing off on serialization failures and dropped connections.
pub async fn retry_db<T, F, Fut>(op: F) -> Result<T, sqlx::Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut wait = Duration::from_millis(50);
    let mut n = 0;
    loop {
        match op().await {
            Err(e) if n < 3 && is_transient(&e) => {
                n += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            other => return other,
        }
    }
}

fn is_transient(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)
}
