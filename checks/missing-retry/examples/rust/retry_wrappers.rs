//! Calls inside retry wrappers and hand-written retry loops are covered.
use backon::{BlockingRetryable, ExponentialBuilder, Retryable};
use std::time::Duration;
use tokio_retry::strategy::{jitter, ExponentialBackoff};
use tokio_retry::{Retry, RetryIf};

pub async fn forward_backon(http: &reqwest::Client, ev: &Event) {
    let res = (|| async { http.post(EVENTS_URL).json(ev).send().await?.error_for_status() })
        .retry(ExponentialBuilder::default().with_jitter().with_max_times(3))
        .when(|e: &reqwest::Error| e.is_connect() || e.is_timeout())
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, "forward failed after retries");
    }
}

pub async fn publish_tokio_retry(producer: &FutureProducer, record: Record) {
    let strategy = ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(5)).map(jitter).take(4);
    if let Err(e) = Retry::spawn(strategy, || async { producer.send(record.clone(), Duration::from_secs(1)).await }).await {
        tracing::error!(error = ?e, "publish failed");
    }
}

pub async fn notify_retry_if(http: reqwest::Client, url: String) {
    tokio::spawn(async move {
        let strategy = ExponentialBackoff::from_millis(50).take(3);
        let _ = RetryIf::spawn(
            strategy,
            || async {
                if let Err(e) = http.post(&url).send().await {
                    tracing::warn!(error = %e, "attempt failed");
                    return Err(e);
                }
                Ok(())
            },
            |e: &reqwest::Error| e.is_connect(),
        )
        .await;
    });
}

pub async fn upload_backoff(store: &ObjectStoreClient, key: &str, data: Bytes) {
    let op = || async {
        store.put(key, data.clone()).await.map_err(backoff::Error::transient)
    };
    if let Err(e) = backoff::future::retry(backoff::ExponentialBackoff::default(), op).await {
        tracing::error!(error = %e, key, "upload failed");
    }
}

pub fn ping_blocking(http: &reqwest::blocking::Client) {
    let r = retry::retry(retry::delay::Exponential::from_millis(10).take(3), || http.post(PING_URL).send());
    if let Err(e) = r {
        tracing::warn!(error = ?e, "ping failed");
    }
    let _ = (|| http.post(PING_URL).send()).retry(ExponentialBuilder::default()).call();
}

pub async fn hand_for_loop(http: &reqwest::Client, body: String) {
    for attempt in 0..3 {
        match http.post(AUDIT_URL).body(body.clone()).send().await {
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, attempt, "audit post failed");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
        }
    }
}

pub async fn hand_loop(mailer: &AsyncSmtpTransport<Tokio1Executor>, email: Message) {
    let mut delay = Duration::from_millis(100);
    loop {
        match mailer.send(email.clone()).await {
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "smtp send failed, retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
    }
}

pub async fn hand_while(gh: &GithubClient, pr: u64, body: &str) {
    let mut tries = 0;
    while let Err(e) = gh.post_comment(pr, body).await {
        tries += 1;
        tracing::warn!(error = %e, tries, "comment failed");
        if tries == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

pub async fn again_retry(http: &reqwest::Client) {
    if let Err(e) = again::retry(|| http.post(SYNC_URL).send()).await {
        tracing::error!(error = %e, "sync failed");
    }
}
