use crate::db::retry_db;
use sqlx::PgPool;

pub async fn settle(pool: &PgPool, order_id: i64) {
    let res = retry_db(|| async {
        sqlx::query("UPDATE orders SET settled = true WHERE id = $1").bind(order_id).execute(pool).await
    })
    .await;
    if let Err(e) = res {
        tracing::error!(error = %e, order_id, "settle failed after retries");
    }
    if let Err(e) = retry_db(|| sqlx::query("DELETE FROM holds WHERE order_id = $1").bind(order_id).execute(pool)).await {
        tracing::error!(error = %e, order_id, "releasing hold failed after retries");
    }
}

pub async fn mark_paid(pool: &PgPool, order_id: i64) -> Result<(), sqlx::Error> {
    if let Err(e) = sqlx::query("UPDATE orders SET paid = true WHERE id = $1").bind(order_id).execute(pool).await { //~ missing-retry:high
        tracing::error!(error = %e, order_id, "could not mark order paid");
    }
    Ok(())
}
