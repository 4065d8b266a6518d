// Clients whose library waits forever unless told otherwise (docs/checks/missing-timeout.md).
use reqwest::Client;
use std::time::Duration;

pub struct Notifier {
    http: Client,
}

impl Notifier {
    pub fn new() -> Notifier {
        Notifier {
            http: Client::new(), //~ missing-timeout
        }
    }
}

pub fn shared_client() -> reqwest::Result<Client> {
    Client::builder() //~ missing-timeout
        .user_agent("failmode-example")
        .build()
}

pub async fn fetch_once(url: &str) -> reqwest::Result<String> {
    reqwest::get(url).await?.text().await //~ missing-timeout
}

pub async fn ledger() -> Result<tonic::transport::Channel, tonic::transport::Error> {
    tonic::transport::Endpoint::from_static("http://ledger:50051") //~ missing-timeout
        .connect()
        .await
}

// Must not flag: an endpoint handed back unconnected; its caller sets the timeout.
pub fn ledger_endpoint() -> tonic::transport::Endpoint {
    tonic::transport::Endpoint::from_static("http://ledger:50051")
}

// Must not flag: a total timeout on the builder.
pub fn bounded() -> reqwest::Result<Client> {
    Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
}

// Must not flag: only a connect timeout still bounds how long a dead host blocks.
pub fn connect_bounded() -> reqwest::Result<Client> {
    Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .build()
}

// Must not flag: every request made with this local client sets its own timeout.
pub async fn per_request(url: &str) -> reqwest::Result<String> {
    let client = Client::new();
    client
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await?
        .text()
        .await
}

// Must not flag: an unfinished builder handed to the caller, who configures it.
pub fn base_builder() -> reqwest::ClientBuilder {
    Client::builder().user_agent("failmode-example")
}

// Must not flag: the blocking client times out after 30 seconds by default.
pub fn blocking() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

// Must not flag: a different library's `Client` (redis), not an HTTP client.
pub fn cache() -> redis::RedisResult<redis::Client> {
    redis::Client::open("redis://cache")
}
