// FLAG: `.ok();` as a statement only silences #[must_use]
async fn purge_blob(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    s3.delete_object().bucket(bucket).key(key).send().await.ok(); //~ swallowed-error:high
}

async fn purge_blob_multiline(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    s3.delete_object() //~ swallowed-error:high
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .ok();
}
