//! Fire-and-forget tasks: whatever the task's error path is (a log line, or `?` into the
//! dropped JoinHandle), nothing awaits it and nothing tries again.
pub fn on_signup(state: AppState, user: User) {
    tokio::spawn(async move {
        let resp = state.http.post(format!("{}/contacts", state.crm_url)).json(&user).send().await?; //~ missing-retry:high
        tracing::info!(status = %resp.status(), "contact pushed");
        Ok::<_, reqwest::Error>(())
    });
}

pub fn on_order(state: AppState, order: Order) {
    let _ = tokio::spawn(async move {
        state.producer.send(order_record(&order), Duration::from_secs(5)).await.inspect_err(|(e, _)| tracing::error!(error = %e, "order event not published")).ok(); //~ missing-retry:high
    });
}

pub async fn on_refund(state: AppState, refund: Refund) -> anyhow::Result<()> {
    let handle = tokio::spawn(async move {
        state.http.post(format!("{}/refunds", state.payments_url)).json(&refund).send().await?;
        Ok::<_, reqwest::Error>(())
    });
    handle.await??;
    Ok(())
}

pub fn on_login(pool: sqlx::PgPool, user_id: i64) {
    tokio::spawn(async move {
        if let Err(e) = sqlx::query("UPDATE users SET last_login = now() WHERE id = $1").bind(user_id).execute(&pool).await { //~ missing-retry:high
            tracing::warn!(error = %e, user_id, "last_login not updated");
        }
    });
}

pub fn refresh_profile(http: reqwest::Client, id: u64) {
    tokio::spawn(async move {
        let profile = http.get(format!("{}/profiles/{id}", PROFILE_URL)).send().await?.json::<Profile>().await?; //~ missing-retry:medium
        PROFILES.insert(id, profile);
        Ok::<_, reqwest::Error>(())
    });
}
