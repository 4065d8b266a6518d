//! A blocking forge client: the request builder is held in a local and sent as the wrapper's
//! last expression (no `?`, no `.await`), and helpers hand the error on through `if`/`match`
//! branches instead of `?`. Each call of these helpers is a single attempt at the forge's API.
use reqwest::blocking::{Client, Response};

pub struct Forge {
    http: Client,
    base: String,
}

impl Forge {
    fn request(&self, path: &str, body: Option<String>) -> Result<Response, reqwest::Error> {
        let url = format!("{}{}", self.base, path);
        let mut builder = self.http.post(url);
        if let Some(body) = body {
            builder = builder.body(body);
        }
        builder.send()
    }

    fn authed(&self, request: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        request.bearer_auth("token")
    }

    /// The builder goes through a wrapper that hands it back before it is sent.
    pub fn close(&self, pr: u64) -> Result<Response, reqwest::Error> {
        self.authed(self.http.patch(format!("{}/pulls/{pr}", self.base))).send()
    }

    /// Hands the error on as the value of whichever branch runs.
    pub fn leave_note(&self, pr: u64, text: &str) -> Result<Response, reqwest::Error> {
        let path = format!("/pulls/{pr}/notes");
        if text.is_empty() {
            self.request(&path, None)
        } else {
            self.request(&path, Some(text.into()))
        }
    }

    /// Hands the error on from the catch-all arm of a `match`.
    pub fn tag(&self, pr: u64, tag: &str) -> Result<(), String> {
        match self.request(&format!("/pulls/{pr}/tags/{tag}"), None) {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("tagging #{pr}: {e}")),
        }
    }
}
