//! An issue tracker client whose methods all start from one request helper: a function declared
//! to return a `RequestBuilder`, which adds the base URL and the token. Each method then sends
//! the request once (`.send()?`), so every call of them is a single attempt at the tracker.
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::Method;
use serde_json::json;

pub struct Tracker {
    http: Client,
    token: String,
}

impl Tracker {
    fn build_request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("https://api.github.com/{path}"))
            .header("Authorization", format!("token {}", self.token))
    }

    pub fn post_comment(&self, issue: u64, body: &str) -> Result<(), reqwest::Error> {
        self.build_request(Method::POST, &format!("repos/o/r/issues/{issue}/comments"))
            .json(&json!({ "body": body }))
            .send()?
            .error_for_status()?;
        Ok(())
    }

    pub fn labels(&self, issue: u64) -> Result<Vec<String>, reqwest::Error> {
        self.build_request(Method::GET, &format!("repos/o/r/issues/{issue}/labels"))
            .send()?
            .json()
    }
}
