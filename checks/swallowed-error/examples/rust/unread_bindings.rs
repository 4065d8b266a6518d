//! A `Result` kept in a name that starts with `_` and that nothing reads is dropped exactly as
//! `let _ =` drops it: the `_` only silences the compiler's unused-variable warning. A guard
//! bound for its lifetime, or a name read later, is not a dropped result.
use tokio::sync::{Mutex, Semaphore};

static RECEIPTS_LOCK: Mutex<()> = Mutex::const_new(());

pub async fn mark_shipped(db: &sqlx::PgPool, order_id: i64) {
    let _updated = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1") //~ swallowed-error:high
        .bind(order_id)
        .execute(db)
        .await;
    tracing::info!(order_id, "order shipped");
}

pub async fn send_receipt(mailer: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>, email: lettre::Message) {
    let _lock = RECEIPTS_LOCK.lock().await;
    let _sent = mailer.send(email).await.ok(); //~ swallowed-error:medium
}

/// Holds the pool's write lock while the store is re-keyed: a guard, whatever the receiver's name.
pub async fn rekey(store: &Store, key: String) {
    let _exclusive = store.pool.write().await;
    store.set_key(key);
}

pub async fn charge(db: &sqlx::PgPool, limits: &Semaphore, order_id: i64) -> bool {
    let _permit = limits.acquire().await;
    let _res = sqlx::query("UPDATE orders SET charged = true WHERE id = $1")
        .bind(order_id)
        .execute(db)
        .await;
    tracing::debug!("charge result: {_res:?}");
    _res.is_ok()
}
