//! Errors dropped silently belong to swallowed-error (docs/checks/swallowed-error.md): missing-retry reports
//! only errors that are noticed (logged) and then dropped.
pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(id).execute(db).await;
}

pub async fn purge_blob(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    s3.delete_object().bucket(bucket).key(key).send().await.ok();
}

pub fn on_signup(http: reqwest::Client, user: User) {
    tokio::spawn(async move { crm::push_contact(&http, &user).await });
}

pub async fn forward(http: &reqwest::Client, ev: &Event) {
    match http.post(FORWARD_URL).json(ev).send().await {
        Ok(_) => {}
        Err(_) => {}
    }
    if let Err(_e) = http.post(AUDIT_URL).json(ev).send().await {}
    http.post(METRICS_URL).json(ev).send().await.ok();
}
