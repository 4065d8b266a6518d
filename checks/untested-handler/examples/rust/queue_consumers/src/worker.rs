use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions};
use lapin::types::FieldTable;
use lapin::Channel;
use tokio::sync::mpsc::Receiver;

use crate::billing;

// A RabbitMQ consumer: nothing in the tests calls it.
pub async fn run_invoice_consumer(channel: Channel) -> Result<(), lapin::Error> { //~ untested-handler:high
    let mut consumer = channel
        .basic_consume("invoices", "invoice-worker", BasicConsumeOptions::default(), FieldTable::default())
        .await?;
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        match billing::apply_invoice(&delivery.data).await {
            Ok(()) => delivery.ack(BasicAckOptions::default()).await?,
            Err(_) => delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?,
        }
    }
    Ok(())
}

// An in-process job queue consumer, tested by calling it with a channel.
pub async fn process_jobs(mut rx: Receiver<billing::Job>) {
    while let Some(job) = rx.recv().await {
        if let Err(e) = billing::run_job(job).await {
            tracing::error!(error = %e, "job failed");
        }
    }
}

// SQS long-polling loop: untested.
pub async fn poll_refunds(client: aws_sdk_sqs::Client, queue_url: String) { //~ untested-handler:high
    loop {
        let out = match client.receive_message().queue_url(&queue_url).wait_time_seconds(20).send().await {
            Ok(out) => out,
            Err(e) => {
                tracing::warn!(error = %e, "receive failed");
                continue;
            }
        };
        for msg in out.messages.unwrap_or_default() {
            if billing::refund(msg.body().unwrap_or_default()).await.is_ok() {
                let _ = client.delete_message().queue_url(&queue_url).receipt_handle(msg.receipt_handle().unwrap_or_default()).send().await;
            }
        }
    }
}

// Not a consumer: iterating over lines of a local string.
pub fn count_words(text: &str) -> usize {
    let mut lines = text.lines();
    let mut n = 0;
    while let Some(line) = lines.next() {
        n += line.split_whitespace().count();
    }
    n
}
