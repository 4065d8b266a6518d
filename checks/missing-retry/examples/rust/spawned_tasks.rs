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

/// A periodic job in a spawned task nobody awaits: its `?` leaves the loop, so the first failure ends
/// the task, and with it every later round.
pub fn start_session_expiry(pool: sqlx::PgPool) {
    tokio::spawn(async move {
        loop {
            sqlx::query("DELETE FROM sessions WHERE expires_at < now()").execute(&pool).await?; //~ missing-retry:high
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        #[allow(unreachable_code)]
        Ok::<_, sqlx::Error>(())
    });
}

/// The same job logging its failure and going on: the next round is the retry. No finding.
pub fn start_session_expiry_tolerant(pool: sqlx::PgPool) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sqlx::query("DELETE FROM sessions WHERE expires_at < now()").execute(&pool).await {
                tracing::warn!(error = %e, "session expiry failed; the next round tries again");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

/// The task's handle is awaited, so its error reaches the caller, which decides. No finding.
pub async fn expire_sessions_now(pool: sqlx::PgPool) -> anyhow::Result<()> {
    let handle = tokio::spawn(async move {
        for table in ["sessions", "tokens"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < now()")).execute(&pool).await?;
        }
        Ok::<_, sqlx::Error>(())
    });
    handle.await??;
    Ok(())
}

/// A chat command handled in a task nobody waits for: the task logs the handler's error and
/// ends, the command's sender has had its answer already, and nothing runs the command again.
/// Each step that talks to a dependency is reported, once, where the handler makes it.
pub fn on_command(state: AppState, command: Command) {
    tokio::spawn(async move {
        if let Err(e) = run_command(&state, &command).await {
            tracing::warn!(error = %e, "command failed");
        }
    });
}

async fn run_command(state: &AppState, command: &Command) -> anyhow::Result<()> {
    let report = render_report(command);
    let paste = state.http.post(format!("{}/pastes", state.paste_url)).body(report).send().await?.error_for_status()?; //~ missing-retry:high
    let link = paste.text().await?;
    tracing::info!(%link, "report uploaded");
    Ok(())
}

/// The same handler awaited by its caller: the error reaches whoever called `on_command_now`,
/// which decides. No finding.
pub async fn on_command_now(state: AppState, command: Command) -> anyhow::Result<()> {
    run_command_awaited(&state, &command).await
}

async fn run_command_awaited(state: &AppState, command: &Command) -> anyhow::Result<()> {
    let report = render_report(command);
    state.http.post(format!("{}/pastes", state.paste_url)).body(report).send().await?.error_for_status()?;
    Ok(())
}
