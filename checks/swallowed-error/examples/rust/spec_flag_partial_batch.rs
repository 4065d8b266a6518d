use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

// FLAG: partial failure lives inside Ok; `?` only covers the transport
async fn publish(sqs: &aws_sdk_sqs::Client, q: &str, batch: Vec<SendMessageBatchRequestEntry>)
    -> anyhow::Result<()> {
    let _ = sqs.send_message_batch().queue_url(q).set_entries(Some(batch)).send().await?; //~ swallowed-error:high
    Ok(())
}
