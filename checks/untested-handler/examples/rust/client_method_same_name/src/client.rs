//! The API client other services use: production code, not a handler.
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    pub async fn edit_comment(&self, id: i64, body: &str) -> Result<(), reqwest::Error> {
        self.http
            .post(format!("{}/comments/{id}", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}
