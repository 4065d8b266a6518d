//! Job-queue jobs and Lambda handlers own the retry only if they return the error: logging it
//! and returning Ok tells the platform the work is done.
use lambda_runtime::{Error, LambdaEvent};

/// S3 "object created" events (async invocation: Lambda would retry an Err twice).
pub async fn on_upload(event: LambdaEvent<S3Event>) -> Result<(), Error> {
    let http = reqwest::Client::new();
    for record in event.payload.records {
        let key = record.s3.object.key.unwrap_or_default();
        let res = http.post(format!("{}/scan", SCANNER_URL)).json(&ScanRequest { key: key.clone() }).send().await; //~ missing-retry:high
        if let Err(e) = res {
            tracing::error!(error = %e, %key, "virus scan request failed");
        }
    }
    Ok(())
}

pub async fn deliver_webhook(job: WebhookJob, ctx: JobContext) -> Result<(), JobError> {
    match ctx.http.post(&job.target_url).json(&job.payload).send().await { //~ missing-retry:high
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => Err(JobError::Retry(format!("status {}", resp.status()))),
        Err(e) => {
            tracing::warn!(error = %e, job = job.id, "delivery failed");
            Ok(())
        }
    }
}

pub async fn charge_subscription(job: ChargeJob, ctx: JobContext) -> Result<(), JobError> {
    let resp = ctx.stripe.create_payment_intent(&job.customer, job.amount, &job.idempotency_key).await;
    match resp {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "charge failed; the job runner retries it");
            Err(JobError::Retry(e.to_string()))
        }
    }
}
