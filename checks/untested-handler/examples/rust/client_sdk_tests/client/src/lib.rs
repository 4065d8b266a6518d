//! The sync service's client SDK: production code, not test code. Each method sends one
//! request to a path it names.
use reqwest::Method;
use url::Url;

fn records_url(base: &Url) -> String {
    format!("{}/api/v0/record", base)
}

fn record_url(base: &Url, id: i64) -> String {
    format!("{}/{}", records_url(base), id)
}

fn record_tags_url(base: &Url, id: i64) -> String {
    format!("{}/tags", record_url(base, id))
}

// Names the URL it builds on in a `let`, then formats it inline.
fn record_tag_url(base: &Url, id: i64, tag: &str) -> String {
    let tags = record_tags_url(base, id);
    format!("{tags}/{tag}")
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
}

impl Client {
    pub fn new(base: Url) -> Client {
        Client { http: reqwest::Client::new(), base }
    }

    pub async fn post_records(&self, records: &[String]) -> Result<(), Box<dyn std::error::Error>> {
        let url = self.base.join("api/v0/record")?;
        self.http.post(url).json(records).send().await?.error_for_status()?;
        Ok(())
    }

    pub async fn me(&self) -> Result<String, reqwest::Error> {
        let url = format!("{}/api/v0/me", self.base);
        self.http.get(url).send().await?.error_for_status()?.text().await
    }

    /// Uploads an import file: the request comes from the SDK's own authenticating builder.
    pub async fn upload_rows(&self, body: Vec<u8>) -> Result<(), reqwest::Error> {
        let url = format!("{}/api/v0/import", self.base);
        self.authed(Method::POST, &url).body(body).send().await?.error_for_status()?;
        Ok(())
    }

    fn authed(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http.request(method, url).bearer_auth("token")
    }

    pub async fn delete_store(&self) -> Result<(), reqwest::Error> {
        self.http.delete(format!("{}/api/v0/store", self.base)).send().await?.error_for_status()?;
        Ok(())
    }

    /// Archives a record through the SDK's own verb wrappers below, which take the path and
    /// a body: `self.post(path, body)` is a request, not a route registration.
    pub async fn archive_record(&self, id: i64) -> Result<String, reqwest::Error> {
        self.post("/api/v0/archive", Some(id)).await
    }

    async fn post(&self, path: &str, body: Option<i64>) -> Result<String, reqwest::Error> {
        self.send(Method::POST, path, body).await
    }

    async fn send(&self, method: Method, path: &str, body: Option<i64>) -> Result<String, reqwest::Error> {
        let url = format!("{}{}", self.base, path.trim_start_matches('/'));
        self.http.request(method, url).json(&body).send().await?.error_for_status()?.text().await
    }

    pub async fn get_record(&self, id: i64) -> Result<String, reqwest::Error> {
        let url = record_url(&self.base, id);
        self.http.get(url).send().await?.error_for_status()?.text().await
    }

    pub async fn tag_record(&self, id: i64, tag: &str) -> Result<(), reqwest::Error> {
        let url = record_tags_url(&self.base, id);
        self.http.put(url).json(&tag).send().await?.error_for_status()?;
        Ok(())
    }

    pub async fn untag_record(&self, id: i64, tag: &str) -> Result<(), reqwest::Error> {
        let url = record_tag_url(&self.base, id, tag);
        self.http.delete(url).send().await?.error_for_status()?;
        Ok(())
    }
}
