//! Class 10: after `?` the error is already passed on; `unwrap_or_default()` on what is left only
//! stands for "no row". Without `?`, the same default hides an outage.
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
