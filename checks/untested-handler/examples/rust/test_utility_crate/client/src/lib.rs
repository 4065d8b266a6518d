//! The shop's client SDK: production code. Each method sends one request to a path it names.
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: String) -> Client {
        Client { http: reqwest::Client::new(), base }
    }

    pub async fn get_order(&self, id: i64) -> Result<String, reqwest::Error> {
        let url = format!("{}/api/orders/{}", self.base, id);
        self.http.get(url).send().await?.error_for_status()?.text().await
    }

    pub async fn cancel_order(&self, id: i64) -> Result<(), reqwest::Error> {
        let url = format!("{}/api/orders/{}/cancel", self.base, id);
        self.http.post(url).send().await?.error_for_status()?;
        Ok(())
    }
}
