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
