use aws_sdk_s3::primitives::ByteStream;

pub fn upload_thumbnail(s3: aws_sdk_s3::Client, key: String, png: Vec<u8>) {
    tokio::spawn(async move {
        if let Err(e) = s3.put_object().bucket("thumbs").key(&key).body(ByteStream::from(png)).send().await { //~ missing-retry:high
            tracing::error!(error = %e, %key, "thumbnail upload failed");
        }
    });
}
