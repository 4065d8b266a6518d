use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};
use std::time::Duration;

/// The client every outbound call to partner services goes through.
pub fn build_client() -> ClientWithMiddleware {
    let policy = ExponentialBackoff::builder().build_with_max_retries(3);
    let inner = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("static config");
    ClientBuilder::new(inner).with(RetryTransientMiddleware::new_with_policy(policy)).build()
}
