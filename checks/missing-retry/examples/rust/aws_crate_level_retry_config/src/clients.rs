use aws_config::retry::RetryConfig;
use aws_config::BehaviorVersion;

pub struct Clients {
    pub ddb: aws_sdk_dynamodb::Client,
}

impl Clients {
    pub async fn new() -> Self {
        let shared = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(5))
            .load()
            .await;
        Clients { ddb: aws_sdk_dynamodb::Client::new(&shared) }
    }
}
