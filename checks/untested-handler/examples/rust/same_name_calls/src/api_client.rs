use url::Url;

/// Appends path segments to a base URL.
pub trait UrlExt {
    fn append<const N: usize>(&self, segments: [&str; N]) -> Result<Url, url::ParseError>;
}

impl UrlExt for Url {
    fn append<const N: usize>(&self, segments: [&str; N]) -> Result<Url, url::ParseError> {
        self.join(&segments.join("/"))
    }
}

#[derive(Debug)]
pub struct Error;

impl From<reqwest::Error> for Error {
    fn from(_: reqwest::Error) -> Error {
        Error
    }
}

impl From<url::ParseError> for Error {
    fn from(_: url::ParseError) -> Error {
        Error
    }
}

pub async fn register(address: &Url, name: &str) -> Result<String, Error> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let url = address.append(["register"])?;
    let resp = client.post(url).body(name.to_string()).send().await?;
    Ok(resp.error_for_status()?.text().await?)
}
