// Responses whose status is or is not looked at (docs/checks/unchecked-http-status.md).
use reqwest::Client;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Invoice {
    pub id: String,
}

pub async fn notify_slack(http: &Client, hook: &str, text: &str) -> reqwest::Result<()> {
    http.post(hook).json(&text).send().await?; //~ unchecked-http-status
    Ok(())
}

pub async fn fetch_page(http: &Client, url: &str) -> reqwest::Result<String> {
    let resp = http.get(url).send().await?; //~ unchecked-http-status
    let body = resp.text().await?;
    Ok(body)
}

pub async fn ping_dropped(http: &Client, url: &str) {
    let _ = http.post(url).send().await; //~ unchecked-http-status
}

pub async fn fetch_default_client(url: &str) -> reqwest::Result<usize> {
    let body = reqwest::get(url).await?.bytes().await?; //~ unchecked-http-status
    Ok(body.len())
}

// Must not flag: error statuses become errors.
pub async fn create(http: &Client, url: &str) -> reqwest::Result<()> {
    http.post(url).send().await?.error_for_status()?;
    Ok(())
}

// Must not flag: the status is branched on.
pub async fn delete(http: &Client, url: &str) -> Result<(), String> {
    let resp = http.delete(url).send().await.map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("delete failed: {}", resp.status()));
    }
    Ok(())
}

// Must not flag: a typed body fails to parse when the server sends an error page.
pub async fn invoice(http: &Client, url: &str) -> reqwest::Result<Invoice> {
    http.get(url).send().await?.json::<Invoice>().await
}

// Must not flag: the response goes back to the caller, who decides.
pub async fn raw(http: &Client, url: &str) -> reqwest::Result<reqwest::Response> {
    http.get(url).send().await
}

// Must not flag: matched, and the status checked in the arm.
pub async fn matched(http: &Client, url: &str) -> bool {
    match http.get(url).send().await {
        Ok(r) => r.status().is_success(),
        Err(_) => false,
    }
}

// Must not flag: a channel send is not an HTTP request.
pub async fn channel(tx: tokio::sync::mpsc::Sender<u32>) {
    let _ = tx.send(1).await;
}

// Must not flag: any answer is fine for a best-effort warm-up.
pub async fn warm(http: &Client, url: &str) {
    // best effort: warms the remote cache, any status is fine
    let _ = http.get(url).send().await;
}
