//! Class 10: after `?` the error is already passed on; `unwrap_or_default()` on what is left only
//! stands for "no row". Without `?`, the same default serves an outage as "no orders" from a
//! request handler.
pub fn routes() -> axum::Router {
    axum::Router::new().route("/orders", axum::routing::get(open_orders))
}

pub async fn display_name(db: &sqlx::PgPool, id: i64) -> Result<String, sqlx::Error> {
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .unwrap_or_default();
    Ok(name)
}

pub async fn open_orders(db: &sqlx::PgPool) -> Vec<Order> {
    sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE open") //~ swallowed-error
        .fetch_all(db)
        .await
        .unwrap_or_default()
}

// No finding outside a request handler: the caller decides what the default means
// (docs/checks/swallowed-error.md, "What it does not flag").
pub async fn open_order_count(db: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders WHERE open")
        .fetch_one(db)
        .await
        .unwrap_or_default()
}
