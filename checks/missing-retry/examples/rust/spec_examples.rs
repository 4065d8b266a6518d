//! The worked examples of missing-retry (docs/checks/missing-retry.md).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

const HOOK_URL: &str = "https://hooks.partner.example/forward";

// FLAG: consumer acks after a failed side effect -> message lost on a blip
async fn on_delivery(d: lapin::message::Delivery, http: &reqwest::Client) -> anyhow::Result<()> {
    if let Err(e) = http.post(HOOK_URL).body(d.data.clone()).send().await { //~ missing-retry:high
        tracing::error!(error = %e, "forward failed; dropping");
    }
    d.ack(lapin::options::BasicAckOptions::default()).await?;
    Ok(())
}

// FLAG: fire-and-forget notification, one attempt, webhook already answered 200
async fn github_hook(State(s): State<App>, ev: Json<Event>) -> StatusCode {
    let gh = s.github.clone();
    tokio::spawn(async move {
        if let Err(e) = gh.post_comment(ev.issue, "thanks!").await { tracing::warn!(%e); } //~ missing-retry:high
    });
    StatusCode::OK
}

// NO FLAG: AWS SDK standard retry mode covers transient errors (3 attempts by default)
async fn load(ddb: &aws_sdk_dynamodb::Client, id: &str) -> anyhow::Result<Option<Item>> {
    let out = ddb.get_item().table_name("items").key("id", AttributeValue::S(id.into()))
        .send().await?;
    Ok(out.item.map(Item::from))
}

// NO FLAG: explicit bounded retry with backoff, jitter and a transient-only predicate
async fn fetch_rates(http: &reqwest::Client) -> anyhow::Result<Rates> {
    use backon::{ExponentialBuilder, Retryable};
    (|| async { Ok(http.get(RATES_URL).send().await?.error_for_status()?.json().await?) })
        .retry(ExponentialBuilder::default().with_jitter().with_max_times(3))
        .when(|e: &anyhow::Error| is_transient(e))
        .await
}

// NO FLAG: synchronous handler; the error goes back to the HTTP caller, who owns the retry
async fn proxy(State(s): State<App>, Path(id): Path<u64>) -> Result<Json<Thing>, AppError> {
    Ok(Json(s.http.get(format!("{}/things/{id}", s.base)).send().await?.error_for_status()?.json().await?))
}
