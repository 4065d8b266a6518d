//! Class 1: the effect is one call away, in a method of the caller's own type whose name other
//! types use too (`self.send(req)`), sending a request another function built.
use tokio::sync::mpsc;

pub struct Client {
    inner: reqwest::Client,
    token: String,
}

impl Client {
    /// The one attempt to post the comment: the error is logged and the comment is lost.
    pub async fn post_comment(&self, pr: u64, body: &str) {
        let req = self
            .inner
            .post(format!("https://api.github.com/repos/o/r/issues/{pr}/comments"))
            .json(&serde_json::json!({ "body": body }));
        let resp = self.send(req).await; //~ missing-retry:high
        if let Err(e) = resp {
            log::error!("failed to post comment: {e:?}");
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, reqwest::Error> {
        request
            .bearer_auth(&self.token)
            .header("User-Agent", "review-bot")
            .send()
            .await
    }
}

/// Another `send`, with no effect: `self.send(..)` here is this type's, a channel send.
pub struct Outbox {
    tx: mpsc::UnboundedSender<String>,
}

impl Outbox {
    pub fn send(&self, line: String) -> Result<(), mpsc::error::SendError<String>> {
        self.tx.send(line)
    }

    pub fn note(&self, line: &str) {
        if let Err(e) = self.send(line.to_string()) {
            log::warn!("outbox closed: {e}");
        }
    }
}
