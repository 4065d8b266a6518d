//! Reads that fall back to a default or cached value degrade on purpose; a read whose failure
//! is surfaced to the user is repeated by the user's next action.
pub async fn feature_flags(http: &reqwest::Client) -> Flags {
    match http.get(FLAGS_URL).send().await {
        Ok(resp) => resp.json().await.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "flag service unreachable; using defaults");
            Flags::default()
        }
    }
}

pub async fn avatar(State(s): State<App>, Path(id): Path<u64>) -> Result<Bytes, StatusCode> {
    let resp = s.http.get(format!("{}/avatars/{id}", s.media_url)).send().await.map_err(|e| {
        tracing::warn!(error = %e, "media service failed");
        StatusCode::BAD_GATEWAY
    })?;
    resp.bytes().await.map_err(|_| StatusCode::BAD_GATEWAY)
}

pub async fn recent_orders(pool: &sqlx::PgPool, user: i64) -> Vec<Order> {
    sqlx::query_as("SELECT * FROM orders WHERE user_id = $1 ORDER BY id DESC LIMIT 20")
        .bind(user)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "recent orders unavailable");
            Vec::new()
        })
}

/// A fallback built by a macro (`vec![]`) is a value as much as `Vec::new()` is; only a log
/// macro at the end of the branch leaves it empty-handed.
pub async fn open_tickets(http: &reqwest::Client, team: &str) -> Vec<Ticket> {
    match http.get(format!("{TICKETS_URL}/teams/{team}/open")).send().await {
        Ok(resp) => resp.json().await.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "ticket service unreachable; showing none");
            vec![]
        }
    }
}
