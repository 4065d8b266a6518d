// FLAG: DB write result thrown away; an outage turns into silent data drift
async fn mark_shipped(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1") //~ swallowed-error:high
        .bind(id).execute(db).await;
}
