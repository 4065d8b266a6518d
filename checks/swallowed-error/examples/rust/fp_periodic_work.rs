// NO FLAG: periodic work: the next round does the same work again, so one dropped round loses
// nothing for good (the same reading as missing-retry's).
pub async fn sync_cursor_loop(pool: &sqlx::PgPool, cursor: &Cursor) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        let _ = sqlx::query("UPDATE cursors SET seq = $1 WHERE name = 'firehose'")
            .bind(cursor.load())
            .execute(pool)
            .await;
    }
}

// FLAG: the same write once, from a request.
pub async fn save_cursor(pool: &sqlx::PgPool, cursor: &Cursor) {
    let _ = sqlx::query("UPDATE cursors SET seq = $1 WHERE name = 'firehose'") //~ swallowed-error
        .bind(cursor.load())
        .execute(pool)
        .await;
}
