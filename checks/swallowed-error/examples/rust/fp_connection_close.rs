// NO FLAG: closing a database connection after use. The server frees the connection whether or
// not the goodbye arrives, so the error of `close` loses nothing.
pub async fn migrate_then_close(mut conn: sqlx::PgConnection) -> Result<(), sqlx::migrate::MigrateError> {
    let migrated = sqlx::migrate!().run(&mut conn).await;
    let _ = conn.close().await;
    migrated
}

// FLAG: the same verb with an object names an operation on data, not the handle.
pub async fn close_stale(gh: &Forge, issue: u64) {
    let _ = gh.close_issue(issue).await; //~ swallowed-error
}
