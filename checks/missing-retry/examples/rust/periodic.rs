//! Periodic jobs: when the next tick redoes the work, the error logged now is retried by the
//! next run. When the step marks the work done anyway, it is lost.
use std::time::Duration;

pub async fn refresh_rates(http: reqwest::Client, cache: RatesCache) {
    let mut interval = tokio::time::interval(Duration::from_secs(60));
    loop {
        interval.tick().await;
        match http.get(RATES_URL).send().await {
            Ok(resp) => cache.store(resp.json().await.unwrap_or_default()),
            Err(e) => tracing::warn!(error = %e, "rate refresh failed; next tick retries"),
        }
        if let Err(e) = http.post(HEARTBEAT_URL).send().await {
            tracing::warn!(error = %e, "heartbeat failed");
        }
    }
}

pub async fn outbox_relay(db: sqlx::PgPool, producer: FutureProducer) -> anyhow::Result<()> {
    loop {
        let rows: Vec<OutboxRow> = sqlx::query_as("SELECT id, topic, payload FROM outbox WHERE sent = false LIMIT 100")
            .fetch_all(&db)
            .await?;
        for row in rows {
            if let Err((e, _)) = producer.send(FutureRecord::to(&row.topic).payload(&row.payload), Duration::from_secs(5)).await { //~ missing-retry:high
                tracing::error!(error = %e, id = row.id, "publish failed");
            }
            mark_sent(&db, row.id).await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
