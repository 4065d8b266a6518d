//! The API client other services use: production code, not a handler.
pub struct ServiceClient {
    http: reqwest::Client,
    base: String,
}

impl ServiceClient {
    pub async fn update_note(&self, id: i64, body: &str) -> Result<(), reqwest::Error> {
        self.http
            .post(format!("{}/notes/{id}", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}
