use reqwest_middleware::ClientWithMiddleware;

#[derive(Clone)]
pub struct AppState {
    pub http: ClientWithMiddleware,
    /// Used for the status page only.
    pub plain: reqwest::Client,
    pub billing_url: String,
    pub status_url: String,
}

impl AppState {
    pub fn new(billing_url: String, status_url: String) -> Self {
        AppState { http: crate::http::build_client(), plain: reqwest::Client::new(), billing_url, status_url }
    }
}
