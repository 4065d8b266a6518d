//! The error goes back to a caller that owns the retry: an HTTP client, Lambda, SQS, a job
//! queue. Retrying here too would multiply attempts during an outage.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lambda_runtime::{Error, LambdaEvent};

pub async fn create_invoice(State(s): State<App>, Json(req): Json<NewInvoice>) -> Result<Json<Invoice>, AppError> {
    let inv = s.http.post(format!("{}/invoices", s.billing_url)).json(&req).send().await?.error_for_status()?.json().await?;
    sqlx::query("INSERT INTO invoices (id, total) VALUES ($1, $2)").bind(&inv.id).bind(inv.total).execute(&s.db).await?;
    Ok(Json(inv))
}

pub async fn charge(State(s): State<App>, Json(req): Json<Charge>) -> Result<StatusCode, AppError> {
    match s.http.post(&s.payments_url).json(&req).send().await {
        Ok(_) => Ok(StatusCode::CREATED),
        Err(e) => {
            tracing::error!(error = %e, "payment provider unreachable");
            Err(AppError::Upstream(e.to_string()))
        }
    }
}

pub async fn lookup(State(s): State<App>) -> StatusCode {
    if let Err(e) = s.http.post(&s.search_url).send().await {
        tracing::warn!(error = %e, "search backend failed");
        return StatusCode::BAD_GATEWAY;
    }
    StatusCode::OK
}

/// SQS event source: returning Err makes the batch reappear after the visibility timeout.
pub async fn handler(event: LambdaEvent<aws_lambda_events::sqs::SqsEvent>) -> Result<(), Error> {
    let http = reqwest::Client::new();
    for record in event.payload.records {
        let body = record.body.unwrap_or_default();
        http.post(WEBHOOK_TARGET).body(body).send().await?.error_for_status()?;
    }
    Ok(())
}

/// A job in a DB-backed queue: Err re-runs it with backoff.
pub async fn send_receipt(job: ReceiptJob, ctx: &JobContext) -> Result<(), JobError> {
    ctx.mailer.send(job.email()).await.map_err(JobError::retryable)?;
    Ok(())
}

pub async fn sync_customer(job: SyncJob, ctx: &JobContext) -> anyhow::Result<()> {
    if let Err(e) = ctx.crm_client.upsert_contact(&job.contact).await {
        tracing::warn!(error = %e, "crm sync failed; job will be retried");
        anyhow::bail!("crm sync failed: {e}");
    }
    Ok(())
}
