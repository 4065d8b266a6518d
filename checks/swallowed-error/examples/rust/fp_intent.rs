// NO FLAG: documented intent.
async fn touch(db: &sqlx::PgPool, http: &reqwest::Client, id: i64) {
    // best effort: last_seen is advisory and refreshed on every request
    let _ = sqlx::query("UPDATE users SET last_seen = now() WHERE id = $1").bind(id).execute(db).await;

    let _ = http.post("https://hooks.example.com/ping").send().await; // ignore: the endpoint closes without a response

    // The partner API may fail here; see https://github.com/acme/api/issues/412
    http.post("https://partner.example.com/ping").send().await.ok();

    let _ignored = sqlx::query("UPDATE users SET pinged = true WHERE id = $1").bind(id).execute(db).await;

    // Intentionally dropped: the row is rebuilt by the nightly job.
    let _: Result<_, _> = sqlx::query("DELETE FROM user_cache WHERE id = $1").bind(id).execute(db).await;
}

#[allow(clippy::let_underscore_must_use)]
async fn legacy(db: &sqlx::PgPool) {
    let _ = sqlx::query("UPDATE legacy SET touched = true").execute(db).await;
}

// NO FLAG: one comment heads a run of statements of the same shape and speaks for each.
async fn save_profile(db: &sqlx::PgPool, id: i64, bio: Option<String>, mail: Option<bool>) {
    // update, ignoring the empty-update errors when a field was not sent
    sqlx::query("UPDATE people SET bio = $1 WHERE id = $2").bind(bio).bind(id).execute(db).await.ok();
    sqlx::query("UPDATE accounts SET mail = $1 WHERE id = $2").bind(mail).bind(id).execute(db).await.ok();
}

// FLAG: a statement of another shape below the run is not covered by its comment.
async fn save_and_audit(db: &sqlx::PgPool, id: i64, bio: Option<String>) {
    // update, ignoring the empty-update error when the bio was not sent
    sqlx::query("UPDATE people SET bio = $1 WHERE id = $2").bind(bio).bind(id).execute(db).await.ok();
    let _ = sqlx::query("INSERT INTO audit (person) VALUES ($1)").bind(id).execute(db).await; //~ swallowed-error:high
}

// NO FLAG: the comment says failing open is the design: the login has already succeeded.
async fn after_login(db: &sqlx::PgPool, ip: &str) {
    // Authentication succeeded: clear the failed-attempt counter. Fail open.
    let _ = sqlx::query("DELETE FROM failed_logins WHERE ip = $1").bind(ip).execute(db).await;
}
