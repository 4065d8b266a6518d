use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};
use tower::ServiceBuilder;

pub struct Clients {
    /// Partner webhooks: retried by middleware.
    pub partners: ClientWithMiddleware,
    /// Slack incoming webhooks.
    pub slack_http: reqwest::Client,
    pub mailer: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    pub ledger: LedgerClient<Channel>,
    pub audit: AuditClient<RetryChannel>,
}

pub async fn connect(cfg: &Config) -> anyhow::Result<Clients> {
    let retry_policy = ExponentialBackoff::builder().build_with_max_retries(4);
    let partners = ClientBuilder::new(reqwest::Client::new())
        .with(RetryTransientMiddleware::new_with_policy(retry_policy))
        .build();
    let ledger = LedgerClient::connect(cfg.ledger_addr.clone()).await?;
    let audit_channel = ServiceBuilder::new()
        .layer(tower::retry::RetryLayer::new(Attempts(3)))
        .service(tonic::transport::Endpoint::from_shared(cfg.audit_addr.clone())?.connect_lazy());
    let audit = AuditClient::new(audit_channel);
    let mailer = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::relay(&cfg.smtp_host)?.build();
    Ok(Clients { partners, slack_http: reqwest::Client::new(), mailer, ledger, audit })
}
