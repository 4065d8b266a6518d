//! AWS SDK clients retry transient errors by default (standard mode, 3 attempts with backoff),
//! so a logged-and-dropped SDK call is not a missing retry.
use aws_sdk_s3::Client as S3;
use aws_sdk_sqs::Client as Sqs;

pub async fn archive_report(s3: &S3, bucket: &str, key: &str, body: Vec<u8>) {
    if let Err(e) = s3.put_object().bucket(bucket).key(key).body(body.into()).send().await {
        tracing::warn!(error = %e, key, "archiving report failed");
    }
}

pub async fn enqueue_followup(sqs: Sqs, queue_url: String, payload: String) {
    tokio::spawn(async move {
        match sqs.send_message().queue_url(&queue_url).message_body(payload).send().await {
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "follow-up not enqueued"),
        }
    });
}

pub async fn touch(ddb: &aws_sdk_dynamodb::Client, id: &str) {
    ddb.update_item()
        .table_name("sessions")
        .key("id", aws_sdk_dynamodb::types::AttributeValue::S(id.into()))
        .send()
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "touch failed"))
        .ok();
}
