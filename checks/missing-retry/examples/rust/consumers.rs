//! Queue consumers: acking or deleting after a failed side effect loses the message; skipping
//! the ack (or nacking with requeue) lets the broker redeliver it.
use lapin::options::{BasicAckOptions, BasicNackOptions};

pub async fn on_order_event(delivery: lapin::message::Delivery, state: &State) -> anyhow::Result<()> {
    let event: OrderEvent = serde_json::from_slice(&delivery.data)?;
    match state.http.post(format!("{}/shipments", state.shipping_url)).json(&event).send().await { //~ missing-retry:high
        Ok(resp) => tracing::info!(status = %resp.status(), "shipment created"),
        Err(e) => tracing::error!(error = %e, order = event.id, "shipment request failed"),
    }
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}

pub async fn on_invoice_event(delivery: lapin::message::Delivery, state: &State) -> anyhow::Result<()> {
    if let Err(e) = state.mailer.send(invoice_email(&delivery.data)?).await {
        tracing::warn!(error = %e, "invoice email failed; requeueing");
        delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?;
        return Ok(());
    }
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}

pub async fn poll_sqs(sqs: &aws_sdk_sqs::Client, http: &reqwest::Client, queue_url: &str) -> anyhow::Result<()> {
    loop {
        let out = sqs.receive_message().queue_url(queue_url).wait_time_seconds(20).send().await?;
        for msg in out.messages.unwrap_or_default() {
            let body = msg.body().unwrap_or_default();
            if let Err(e) = http.post(PARTNER_URL).body(body.to_string()).send().await { //~ missing-retry:high
                tracing::error!(error = %e, "partner call failed");
            }
            sqs.delete_message().queue_url(queue_url).receipt_handle(msg.receipt_handle().unwrap_or_default()).send().await?;
        }
    }
}

pub async fn poll_sqs_redelivers(sqs: &aws_sdk_sqs::Client, http: &reqwest::Client, queue_url: &str) -> anyhow::Result<()> {
    loop {
        let out = sqs.receive_message().queue_url(queue_url).wait_time_seconds(20).send().await?;
        for msg in out.messages.unwrap_or_default() {
            let body = msg.body().unwrap_or_default();
            if let Err(e) = http.post(PARTNER_URL).body(body.to_string()).send().await {
                tracing::warn!(error = %e, "partner call failed; leaving the message for redelivery");
                continue;
            }
            sqs.delete_message().queue_url(queue_url).receipt_handle(msg.receipt_handle().unwrap_or_default()).send().await?;
        }
    }
}

/// A worker that answers the broker with actions: on a failed fetch it logs and returns an ack,
/// so the broker forgets the message, and the build the comment asked for never runs.
pub fn on_build_comment(http: &reqwest::Client, rt: &tokio::runtime::Runtime, job: &CommentJob) -> Vec<Action> {
    let pr = rt.block_on(http.get(&job.pull_url).send()); //~ missing-retry:medium
    if let Err(e) = pr {
        tracing::info!(error = %e, "fetching the PR failed");
        return vec![Action::Ack];
    }
    vec![Action::Publish(build_request(pr.unwrap())), Action::Ack]
}

/// The same worker handing the message back: the broker redelivers it.
pub fn on_build_comment_requeued(http: &reqwest::Client, rt: &tokio::runtime::Runtime, job: &CommentJob) -> Vec<Action> {
    let pr = rt.block_on(http.get(&job.pull_url).send());
    if let Err(e) = pr {
        tracing::info!(error = %e, "fetching the PR failed");
        return vec![Action::NackRequeue];
    }
    vec![Action::Publish(build_request(pr.unwrap())), Action::Ack]
}

/// The same drop with a typed answer: `Ok(Action::Ack)` on the error path.
pub async fn on_release_event(http: &reqwest::Client, job: &CommentJob) -> anyhow::Result<Action> {
    let release = http.get(&job.release_url).send().await; //~ missing-retry:medium
    if let Err(e) = release {
        tracing::warn!(error = %e, "fetching the release failed");
        return Ok(Action::Ack);
    }
    Ok(Action::Publish(release_request(release?)))
}

/// The same drop through the worker's own helper: `skip` answers the broker with an ack, so
/// the message is forgotten as surely as with `vec![Action::Ack]` written in the branch. A
/// helper that hands the message back (`retry_later`) leaves the retry to the broker.
pub struct LabelWorker {
    http: reqwest::Client,
}

impl LabelWorker {
    pub async fn on_label_job(&self, job: &CommentJob) -> anyhow::Result<Vec<Action>> {
        let pr = self.http.get(&job.pull_url).send().await; //~ missing-retry:medium
        if let Err(e) = pr {
            tracing::warn!(error = %e, "fetching the PR failed");
            return Ok(self.skip(job));
        }
        Ok(vec![Action::Publish(build_request(pr?)), Action::Ack])
    }

    pub async fn on_label_job_requeued(&self, job: &CommentJob) -> anyhow::Result<Vec<Action>> {
        let pr = self.http.get(&job.pull_url).send().await;
        if let Err(e) = pr {
            tracing::warn!(error = %e, "fetching the PR failed");
            return Ok(self.retry_later(job));
        }
        Ok(vec![Action::Publish(build_request(pr?)), Action::Ack])
    }

    fn skip(&self, _job: &CommentJob) -> Vec<Action> {
        vec![Action::Ack]
    }

    fn retry_later(&self, _job: &CommentJob) -> Vec<Action> {
        vec![Action::NackRequeue]
    }
}
