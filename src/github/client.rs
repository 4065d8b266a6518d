//! The GitHub REST client the review job uses: octocrab's transport with the API base URL
//! injected, and on top of it everything octocrab leaves to the caller (github-platform.md §6):
//! a timeout per attempt, bounded retries with exponential backoff and full jitter,
//! `retry-after` / `x-ratelimit-reset` handling, pacing of content-creating calls per
//! installation, typed errors, and a count of calls per endpoint and status.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use rand::Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::auth::{AppCredentials, InstallationToken, InstallationTokens};
use super::error::GithubError;
use super::types::{
    CheckConclusion, CheckRun, CheckRunOutput, CheckRunUpdate, CheckStatus, HookDelivery,
    HookDeliveryPage, ManifestConversion, NewCheckRun, NewReview, PullFile, PullRequest, Review,
    ReviewComment, ReviewThread, Tree,
};
use crate::analysis::source::DEFAULT_MAX_FILE_SIZE;

/// The REST API version every request pins.
pub const API_VERSION: &str = "2022-11-28";
/// The default `Accept` header.
pub const ACCEPT_JSON: &str = "application/vnd.github+json";
/// The `Accept` header that makes contents and blobs come back as raw bytes.
pub const ACCEPT_RAW: &str = "application/vnd.github.raw+json";
/// GitHub returns at most this many files for a pull request.
pub const MAX_PULL_FILES: usize = 3000;
/// GitHub accepts at most this many annotations per check-run request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// Default [`ClientSettings::max_json_body`]: 32 MiB holds GitHub's largest answers (a
/// recursive tree of 100,000 entries, or a page of 100 review comments or check runs each with
/// 65,536 characters of text) with room to spare.
pub const MAX_JSON_BODY: usize = 32 * 1024 * 1024;
/// Largest blob answer read: the base64 of a file of [`DEFAULT_MAX_FILE_SIZE`] bytes (4/3 of
/// it, wrapped every 60 characters) and its JSON fit; failmode reads no larger file.
pub const MAX_BLOB_BODY: usize = DEFAULT_MAX_FILE_SIZE / 3 * 4 * 61 / 60 + 64 * 1024;

/// Tuning of the client. [`ClientSettings::new`] gives production values; tests shrink the
/// delays.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// REST API base URL, e.g. `https://api.github.com` or `https://HOST/api/v3`.
    pub api_url: String,
    /// `User-Agent` sent with every request.
    pub user_agent: String,
    /// Deadline of one attempt (request and whole body).
    pub request_timeout: Duration,
    /// Attempts per call, first included.
    pub max_attempts: u32,
    /// First backoff step; attempt n waits a random time in `[0, min(cap, base·2ⁿ))`.
    pub backoff_base: Duration,
    /// Largest backoff step.
    pub backoff_cap: Duration,
    /// Longest the client sleeps for a rate limit inside one call; beyond it the call fails
    /// with [`GithubError::RateLimited`] so the job can be rescheduled.
    pub max_rate_limit_wait: Duration,
    /// Wait after a secondary rate limit that names no time (GitHub says at least a minute).
    pub secondary_limit_wait: Duration,
    /// Minimum spacing of content-creating calls (POST/PATCH) per installation.
    pub min_write_interval: Duration,
    /// Installation tokens are renewed this long before `expires_at`.
    pub token_refresh_margin: Duration,
    /// Largest JSON answer (and error answer) read from any endpoint; a larger one ends the
    /// call with [`GithubError::TooLarge`]. Contents, blobs and archives have their own caps.
    pub max_json_body: usize,
}

impl ClientSettings {
    /// Production settings for `api_url`.
    pub fn new(api_url: impl Into<String>) -> Self {
        ClientSettings {
            api_url: api_url.into(),
            user_agent: format!("failmode/{}", env!("CARGO_PKG_VERSION")),
            request_timeout: Duration::from_secs(30),
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            max_rate_limit_wait: Duration::from_secs(90),
            secondary_limit_wait: Duration::from_secs(60),
            min_write_interval: Duration::from_secs(1),
            token_refresh_margin: Duration::from_secs(300),
            max_json_body: MAX_JSON_BODY,
        }
    }
}

/// What the call counter keys on: an endpoint template and how the attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallKey {
    /// e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}/files`.
    pub endpoint: String,
    /// HTTP status, or `0` when no response arrived (timeout, connection error).
    pub status: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Credential {
    App,
    Installation(u64),
    /// No `Authorization` header: the manifest conversion, whose temporary code is the
    /// credential.
    Anonymous,
}

struct Call<'a> {
    method: Method,
    endpoint: &'static str,
    /// Path relative to the API base (`/repos/...`), or an absolute URL from a `Link` header.
    target: String,
    accept: &'a str,
    body: Option<Vec<u8>>,
    credential: Credential,
    /// Whether a 3xx answer with a `Location` is the result (the caller follows it itself).
    redirect_ok: bool,
    /// Whether a failure that may have happened after GitHub acted (no answer, or a 5xx) may be
    /// retried blindly. Not for creating reviews: a second POST would post a second review, so
    /// the caller looks first (see [`GithubClient::create_review`]).
    retry_ambiguous: bool,
    /// Largest body read from the answer; past it the call ends in [`GithubError::TooLarge`].
    max_body: usize,
}

/// How one attempt ended without a reply.
enum AttemptFailure {
    /// No complete answer (connection, timeout): may be retried.
    NoAnswer(String),
    /// The body went over the call's cap (with this status): never retried.
    TooLarge(StatusCode),
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

struct Inner {
    http: Octocrab,
    /// A client for absolute URLs outside the API (archive downloads): no base path is
    /// prepended and no credentials are ever attached.
    download: Octocrab,
    settings: ClientSettings,
    base_authority: String,
    /// `None` for the setup client ([`GithubClient::for_setup`]), which only converts a manifest.
    credentials: Option<AppCredentials>,
    tokens: InstallationTokens,
    calls: Mutex<BTreeMap<CallKey, u64>>,
    next_write: Mutex<HashMap<Credential, Instant>>,
    /// The App's bot login (`<slug>[bot]`), read once from `GET /app`.
    bot_login: tokio::sync::OnceCell<String>,
}

/// The GitHub App's REST client. Cheap to clone; share one per process so token caching,
/// pacing and call counts are global.
#[derive(Clone)]
pub struct GithubClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubClient")
            .field("settings", &self.inner.settings)
            .field("credentials", &self.inner.credentials)
            .field("tokens", &self.inner.tokens)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    token: String,
    expires_at: DateTime<Utc>,
}

/// The part of `GET /app` the client reads.
#[derive(Deserialize)]
struct AuthenticatedApp {
    slug: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: u64,
}

#[derive(Deserialize)]
struct BlobResponse {
    content: String,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
struct CheckRunList {
    check_runs: Vec<CheckRun>,
}

#[derive(Serialize)]
struct CheckRunBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    head_sha: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<CheckStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conclusion: Option<CheckConclusion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<OutputBody<'a>>,
}

#[derive(Serialize)]
struct OutputBody<'a> {
    title: &'a str,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    annotations: &'a [super::types::Annotation],
}

fn output_chunk(output: &CheckRunOutput, annotations_from: usize) -> OutputBody<'_> {
    let end = (annotations_from + ANNOTATIONS_PER_REQUEST).min(output.annotations.len());
    OutputBody {
        title: &output.title,
        summary: &output.summary,
        text: output.text.as_deref(),
        annotations: output.annotations.get(annotations_from..end).unwrap_or(&[]),
    }
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters pass).
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-encodes a file path, keeping its `/` separators.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
}

fn repo_path(owner: &str, repo: &str) -> String {
    format!(
        "/repos/{}/{}",
        encode_component(owner),
        encode_component(repo)
    )
}

/// The URL of `rel="next"` in a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|param| param.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl GithubClient {
    /// Builds a client for the App identified by `credentials`, talking to
    /// `settings.api_url`.
    pub fn new(settings: ClientSettings, credentials: AppCredentials) -> Result<Self, GithubError> {
        GithubClient::build(settings, Some(credentials))
    }

    /// Builds the client setup mode uses before the App exists: it can only
    /// [`convert_manifest`](GithubClient::convert_manifest), the one call that needs no
    /// credentials.
    pub fn for_setup(settings: ClientSettings) -> Result<Self, GithubError> {
        GithubClient::build(settings, None)
    }

    fn build(
        settings: ClientSettings,
        credentials: Option<AppCredentials>,
    ) -> Result<Self, GithubError> {
        let config_error = |message: String| GithubError::Other {
            endpoint: "client setup".to_string(),
            status: None,
            message,
        };
        let base: http::Uri = settings
            .api_url
            .trim_end_matches('/')
            .parse()
            .map_err(|err| {
                config_error(format!(
                    "FAILMODE_GITHUB_API_URL {:?} is not a URL ({err})",
                    crate::redact::redact_url(&settings.api_url)
                ))
            })?;
        let base_authority = base
            .authority()
            .map(|authority| authority.to_string())
            .ok_or_else(|| {
                config_error(format!(
                    "FAILMODE_GITHUB_API_URL {:?} has no host",
                    crate::redact::redact_url(&settings.api_url)
                ))
            })?;
        let http = Octocrab::builder()
            .base_uri(base)
            .map_err(|err| config_error(format!("FAILMODE_GITHUB_API_URL is unusable: {err}")))?
            .set_connect_timeout(Some(settings.request_timeout))
            .set_read_timeout(Some(settings.request_timeout))
            .set_write_timeout(Some(settings.request_timeout))
            .build()
            .map_err(|err| config_error(format!("cannot build the HTTP client: {err}")))?;
        let download = Octocrab::builder()
            .base_uri("http://localhost/")
            .map_err(|err| config_error(format!("cannot build the download client: {err}")))?
            .set_connect_timeout(Some(settings.request_timeout))
            .set_read_timeout(Some(settings.request_timeout))
            .set_write_timeout(Some(settings.request_timeout))
            .build()
            .map_err(|err| config_error(format!("cannot build the download client: {err}")))?;
        let tokens = InstallationTokens::new(settings.token_refresh_margin);
        Ok(GithubClient {
            inner: Arc::new(Inner {
                http,
                download,
                settings,
                base_authority,
                credentials,
                tokens,
                calls: Mutex::new(BTreeMap::new()),
                next_write: Mutex::new(HashMap::new()),
                bot_login: tokio::sync::OnceCell::new(),
            }),
        })
    }

    /// Number of HTTP attempts so far per endpoint template and status (retries count
    /// separately), for `/metrics` and for tests.
    pub fn call_counts(&self) -> BTreeMap<CallKey, u64> {
        match self.inner.calls.lock() {
            Ok(calls) => calls.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Total HTTP attempts so far.
    pub fn total_calls(&self) -> u64 {
        self.call_counts().values().sum()
    }

    /// Drops the cached token of an installation (on `installation.deleted` / `suspend`).
    pub fn forget_installation(&self, installation_id: u64) {
        self.inner.tokens.invalidate(installation_id);
    }

    fn count(&self, endpoint: &str, status: u16) {
        metrics::counter!(
            "failmode_github_calls_total",
            "endpoint" => endpoint.to_string(),
            "status" => status.to_string()
        )
        .increment(1);
        let mut calls = match self.inner.calls.lock() {
            Ok(calls) => calls,
            Err(poisoned) => poisoned.into_inner(),
        };
        *calls
            .entry(CallKey {
                endpoint: endpoint.to_string(),
                status,
            })
            .or_insert(0) += 1;
    }

    /// Waits until this credential may make its next content-creating call.
    async fn pace(&self, credential: Credential) {
        let interval = self.inner.settings.min_write_interval;
        if interval.is_zero() {
            return;
        }
        let wait_until = {
            let mut next = match self.inner.next_write.lock() {
                Ok(next) => next,
                Err(poisoned) => poisoned.into_inner(),
            };
            let now = Instant::now();
            let slot = next.get(&credential).copied().unwrap_or(now).max(now);
            next.insert(credential, slot + interval);
            slot
        };
        tokio::time::sleep_until(tokio::time::Instant::from_std(wait_until)).await;
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let settings = &self.inner.settings;
        let exponent = attempt.min(20);
        let ceiling = settings
            .backoff_base
            .saturating_mul(1u32 << exponent)
            .min(settings.backoff_cap);
        let millis = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
    }

    async fn installation_token(
        &self,
        installation_id: u64,
    ) -> Result<InstallationToken, GithubError> {
        self.inner
            .tokens
            .get_or_fetch(installation_id, || async {
                let call = Call {
                    method: Method::POST,
                    endpoint: "POST /app/installations/{installation_id}/access_tokens",
                    target: format!("/app/installations/{installation_id}/access_tokens"),
                    accept: ACCEPT_JSON,
                    body: None,
                    credential: Credential::App,
                    redirect_ok: false,
                    retry_ambiguous: true,
                    max_body: self.inner.settings.max_json_body,
                };
                let reply = Box::pin(self.send(call)).await?;
                let parsed: TokenResponse = parse_json(
                    "POST /app/installations/{installation_id}/access_tokens",
                    &reply,
                )?;
                Ok(InstallationToken::new(parsed.token, parsed.expires_at))
            })
            .await
    }

    async fn authorization(
        &self,
        credential: Credential,
        endpoint: &str,
    ) -> Result<String, GithubError> {
        match credential {
            Credential::App => self
                .inner
                .credentials
                .as_ref()
                .ok_or_else(|| GithubError::Other {
                    endpoint: endpoint.to_string(),
                    status: None,
                    message: "the setup client has no App credentials; this is a bug in failmode"
                        .to_string(),
                })?
                .app_jwt()
                .map(|jwt| format!("Bearer {}", jwt.expose()))
                .map_err(|err| GithubError::Other {
                    endpoint: endpoint.to_string(),
                    status: None,
                    message: format!(
                        "{err}; check FAILMODE_PRIVATE_KEY_PATH / FAILMODE_PRIVATE_KEY"
                    ),
                }),
            Credential::Installation(id) => self
                .installation_token(id)
                .await
                .map(|token| format!("Bearer {}", token.expose())),
            Credential::Anonymous => Ok(String::new()),
        }
    }

    async fn attempt(&self, call: &Call<'_>, authorization: &str) -> Result<Reply, AttemptFailure> {
        let mut builder = http::Request::builder()
            .method(call.method.clone())
            .uri(call.target.as_str())
            .header(http::header::ACCEPT, call.accept)
            .header("X-GitHub-Api-Version", API_VERSION)
            .header(
                http::header::USER_AGENT,
                self.inner.settings.user_agent.as_str(),
            );
        if !authorization.is_empty() {
            let mut auth_value = http::HeaderValue::from_str(authorization).map_err(|_| {
                AttemptFailure::NoAnswer("credential is not a valid header value".to_string())
            })?;
            auth_value.set_sensitive(true);
            builder = builder.header(http::header::AUTHORIZATION, auth_value);
        }
        let body = match &call.body {
            Some(body) => {
                builder = builder.header(http::header::CONTENT_TYPE, "application/json");
                body.clone()
            }
            None => Vec::new(),
        };
        let request = builder
            .body(body)
            .map_err(|err| AttemptFailure::NoAnswer(format!("cannot build request: {err}")))?;
        let exchange =
            async {
                let response =
                    self.inner.http.execute(request).await.map_err(|err| {
                        AttemptFailure::NoAnswer(format!("connection failed: {err}"))
                    })?;
                let (parts, body) = response.into_parts();
                let bytes = read_limited(body, call.max_body, parts.status).await?;
                Ok::<Reply, AttemptFailure>(Reply {
                    status: parts.status,
                    headers: parts.headers,
                    body: bytes,
                })
            };
        match tokio::time::timeout(self.inner.settings.request_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(AttemptFailure::NoAnswer(format!(
                "no complete response within {:?}",
                self.inner.settings.request_timeout
            ))),
        }
    }

    /// How long a 403/429 asks us to wait, or `None` when the 403 is not a rate limit.
    fn rate_limit_wait(&self, reply: &Reply, attempt: u32) -> Option<Duration> {
        if let Some(seconds) = header_u64(&reply.headers, "retry-after") {
            return Some(Duration::from_secs(seconds));
        }
        if header_u64(&reply.headers, "x-ratelimit-remaining") == Some(0) {
            let reset = header_u64(&reply.headers, "x-ratelimit-reset").unwrap_or(0);
            let now = Utc::now().timestamp().max(0) as u64;
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
        let message = String::from_utf8_lossy(&reply.body).to_ascii_lowercase();
        if reply.status == StatusCode::TOO_MANY_REQUESTS || message.contains("secondary rate limit")
        {
            let base = self.inner.settings.secondary_limit_wait;
            return Some(base.saturating_mul(1u32 << attempt.saturating_sub(1).min(10)));
        }
        None
    }

    /// Sends `call` with retries; returns the first 2xx reply or a classified error.
    async fn send(&self, call: Call<'_>) -> Result<Reply, GithubError> {
        let endpoint = call.endpoint;
        if call.target.starts_with("http://") || call.target.starts_with("https://") {
            let same_host = call
                .target
                .parse::<http::Uri>()
                .ok()
                .and_then(|uri| uri.authority().map(|a| a.to_string()))
                .is_some_and(|authority| authority == self.inner.base_authority);
            if !same_host {
                return Err(GithubError::Other {
                    endpoint: endpoint.to_string(),
                    status: None,
                    message: format!(
                        "refusing to send credentials to {} (not the configured API host)",
                        call.target
                    ),
                });
            }
        }
        let mutating = matches!(
            call.method,
            Method::POST | Method::PATCH | Method::PUT | Method::DELETE
        );
        let max_attempts = self.inner.settings.max_attempts.max(1);
        let mut refreshed_token = false;
        let mut attempt = 0u32;
        let mut last_failure = String::new();
        while attempt < max_attempts {
            attempt += 1;
            let authorization = self.authorization(call.credential, endpoint).await?;
            if mutating {
                self.pace(call.credential).await;
            }
            let reply = match self.attempt(&call, &authorization).await {
                Ok(reply) => reply,
                Err(AttemptFailure::TooLarge(status)) => {
                    self.count(endpoint, status.as_u16());
                    return Err(GithubError::TooLarge {
                        endpoint: endpoint.to_string(),
                        limit: call.max_body,
                    });
                }
                Err(AttemptFailure::NoAnswer(failure)) => {
                    self.count(endpoint, 0);
                    tracing::warn!(endpoint, attempt, %failure, "GitHub call failed");
                    if !call.retry_ambiguous {
                        return Err(GithubError::Transient {
                            endpoint: endpoint.to_string(),
                            reason: format!("{failure} (not retried: GitHub may have acted on it)"),
                        });
                    }
                    last_failure = failure;
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
            };
            let status = reply.status;
            self.count(endpoint, status.as_u16());
            if let Some(remaining) = header_u64(&reply.headers, "x-ratelimit-remaining") {
                let credential = match call.credential {
                    Credential::App | Credential::Anonymous => "app".to_string(),
                    Credential::Installation(id) => id.to_string(),
                };
                metrics::gauge!("failmode_github_rate_limit_remaining", "installation" => credential)
                    .set(remaining as f64);
            }
            if status.is_success()
                || (call.redirect_ok
                    && status.is_redirection()
                    && reply.headers.contains_key(http::header::LOCATION))
            {
                return Ok(reply);
            }
            match status.as_u16() {
                401 => match call.credential {
                    Credential::Installation(id) if !refreshed_token => {
                        // The token may have been revoked or expired early: fetch a new one
                        // once, without spending an attempt.
                        self.inner.tokens.invalidate(id);
                        refreshed_token = true;
                        attempt -= 1;
                        continue;
                    }
                    _ => {
                        return Err(GithubError::Unauthorized {
                            endpoint: endpoint.to_string(),
                        })
                    }
                },
                403 | 429 => {
                    let Some(wait) = self.rate_limit_wait(&reply, attempt) else {
                        return Err(other_error(endpoint, &reply));
                    };
                    let until = Utc::now()
                        + chrono::Duration::from_std(wait)
                            .unwrap_or_else(|_| chrono::Duration::days(1));
                    if wait > self.inner.settings.max_rate_limit_wait || attempt >= max_attempts {
                        return Err(GithubError::RateLimited {
                            endpoint: endpoint.to_string(),
                            until,
                        });
                    }
                    tracing::warn!(
                        endpoint,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "GitHub rate limit; waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
                404 => {
                    return Err(GithubError::NotFound {
                        endpoint: endpoint.to_string(),
                    })
                }
                422 => {
                    let parsed: Option<ErrorBody> = serde_json::from_slice(&reply.body).ok();
                    let (message, errors) = match parsed {
                        Some(body) => (
                            body.message
                                .unwrap_or_else(|| "Unprocessable Entity".to_string()),
                            body.errors
                                .unwrap_or_default()
                                .into_iter()
                                .map(|error| match error {
                                    serde_json::Value::String(text) => text,
                                    other => other
                                        .get("message")
                                        .and_then(|m| m.as_str())
                                        .map(str::to_string)
                                        .unwrap_or_else(|| other.to_string()),
                                })
                                .collect(),
                        ),
                        None => (
                            String::from_utf8_lossy(&reply.body).into_owned(),
                            Vec::new(),
                        ),
                    };
                    return Err(GithubError::Unprocessable {
                        endpoint: endpoint.to_string(),
                        message,
                        errors,
                    });
                }
                500..=599 => {
                    last_failure = format!("GitHub answered {status}");
                    tracing::warn!(endpoint, attempt, %status, "GitHub server error");
                    if !call.retry_ambiguous {
                        return Err(GithubError::Transient {
                            endpoint: endpoint.to_string(),
                            reason: format!(
                                "{last_failure} (not retried: GitHub may have acted on it)"
                            ),
                        });
                    }
                    if attempt < max_attempts {
                        tokio::time::sleep(self.backoff(attempt)).await;
                    }
                }
                _ => return Err(other_error(endpoint, &reply)),
            }
        }
        Err(GithubError::Transient {
            endpoint: endpoint.to_string(),
            reason: format!("{last_failure} (after {max_attempts} attempts)"),
        })
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        installation_id: u64,
        endpoint: &'static str,
        target: String,
    ) -> Result<(T, HeaderMap), GithubError> {
        self.get_json_at_most(
            installation_id,
            endpoint,
            target,
            self.inner.settings.max_json_body,
        )
        .await
    }

    /// [`Self::get_json`] reading at most `max_body` bytes of the answer.
    async fn get_json_at_most<T: DeserializeOwned>(
        &self,
        installation_id: u64,
        endpoint: &'static str,
        target: String,
        max_body: usize,
    ) -> Result<(T, HeaderMap), GithubError> {
        let reply = self
            .send(Call {
                method: Method::GET,
                endpoint,
                target,
                accept: ACCEPT_JSON,
                body: None,
                credential: Credential::Installation(installation_id),
                redirect_ok: false,
                retry_ambiguous: true,
                max_body,
            })
            .await?;
        let value = parse_json(endpoint, &reply)?;
        Ok((value, reply.headers))
    }

    /// Follows `Link: rel="next"` from `first` and concatenates pages, stopping at `limit` items.
    async fn get_paginated<T: DeserializeOwned>(
        &self,
        installation_id: u64,
        endpoint: &'static str,
        first: String,
        limit: usize,
    ) -> Result<Vec<T>, GithubError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        while let Some(target) = next.take() {
            let (page, headers): (Vec<T>, HeaderMap) =
                self.get_json(installation_id, endpoint, target).await?;
            let empty = page.is_empty();
            items.extend(page);
            if items.len() >= limit {
                items.truncate(limit);
                break;
            }
            if !empty {
                next = next_link(&headers);
            }
        }
        Ok(items)
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_json<B: Serialize, T: DeserializeOwned>(
        &self,
        credential: Credential,
        method: Method,
        endpoint: &'static str,
        target: String,
        body: &B,
        retry_ambiguous: bool,
    ) -> Result<T, GithubError> {
        let body = serde_json::to_vec(body).map_err(|err| GithubError::Other {
            endpoint: endpoint.to_string(),
            status: None,
            message: format!("cannot serialise the request body: {err}"),
        })?;
        let reply = self
            .send(Call {
                method,
                endpoint,
                target,
                accept: ACCEPT_JSON,
                body: Some(body),
                credential,
                redirect_ok: false,
                retry_ambiguous,
                max_body: self.inner.settings.max_json_body,
            })
            .await?;
        parse_json(endpoint, &reply)
    }

    /// `GET /repos/{owner}/{repo}/pulls/{pull_number}`.
    pub async fn get_pull(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<PullRequest, GithubError> {
        let target = format!("{}/pulls/{number}", repo_path(owner, repo));
        let (pull, _) = self
            .get_json(
                installation_id,
                "GET /repos/{owner}/{repo}/pulls/{pull_number}",
                target,
            )
            .await?;
        Ok(pull)
    }

    /// All changed files of a pull request (100 per page, following `Link`, at most 3000 as
    /// GitHub caps it). `patch` is `None` for binary or oversized diffs.
    pub async fn list_pull_files(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<Vec<PullFile>, GithubError> {
        let target = format!(
            "{}/pulls/{number}/files?per_page=100",
            repo_path(owner, repo)
        );
        self.get_paginated(
            installation_id,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
            target,
            MAX_PULL_FILES,
        )
        .await
    }

    /// The bytes of `path` at `git_ref` (raw media type), or `None` when GitHub answers 404
    /// (no such file at that ref). A file larger than `max_bytes` is read no further and ends
    /// in [`GithubError::TooLarge`].
    pub async fn get_file_at(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        path: &str,
        git_ref: &str,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, GithubError> {
        self.get_file(installation_id, owner, repo, path, Some(git_ref), max_bytes)
            .await
    }

    /// [`get_file_at`](GithubClient::get_file_at) on the repository's default branch (no
    /// `ref`, as GitHub's contents API defaults to it): for files that are not part of the pull
    /// request, such as an organization's defaults in its `.github` repository.
    pub async fn get_file_on_default_branch(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        path: &str,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, GithubError> {
        self.get_file(installation_id, owner, repo, path, None, max_bytes)
            .await
    }

    async fn get_file(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        path: &str,
        git_ref: Option<&str>,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, GithubError> {
        let mut target = format!(
            "{}/contents/{}",
            repo_path(owner, repo),
            encode_path(path.trim_start_matches('/')),
        );
        if let Some(git_ref) = git_ref {
            target.push_str(&format!("?ref={}", encode_component(git_ref)));
        }
        let result = self
            .send(Call {
                method: Method::GET,
                endpoint: "GET /repos/{owner}/{repo}/contents/{path}",
                target,
                accept: ACCEPT_RAW,
                body: None,
                credential: Credential::Installation(installation_id),
                redirect_ok: false,
                retry_ambiguous: true,
                max_body: max_bytes,
            })
            .await;
        match result {
            Ok(reply) => Ok(Some(reply.body)),
            Err(GithubError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The git tree `sha` (a tree or commit SHA, or a ref), recursively when asked. Check
    /// `truncated` on large repositories.
    pub async fn get_tree(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        sha: &str,
        recursive: bool,
    ) -> Result<Tree, GithubError> {
        let mut target = format!(
            "{}/git/trees/{}",
            repo_path(owner, repo),
            encode_component(sha)
        );
        if recursive {
            target.push_str("?recursive=1");
        }
        let (tree, _) = self
            .get_json(
                installation_id,
                "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
                target,
            )
            .await?;
        Ok(tree)
    }

    /// The bytes of blob `sha`. An answer larger than [`MAX_BLOB_BODY`] (a file larger than
    /// failmode reads) ends in [`GithubError::TooLarge`].
    pub async fn get_blob(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        sha: &str,
    ) -> Result<Vec<u8>, GithubError> {
        let endpoint = "GET /repos/{owner}/{repo}/git/blobs/{file_sha}";
        let target = format!(
            "{}/git/blobs/{}",
            repo_path(owner, repo),
            encode_component(sha)
        );
        let (blob, _): (BlobResponse, _) = self
            .get_json_at_most(installation_id, endpoint, target, MAX_BLOB_BODY)
            .await?;
        match blob.encoding.as_deref() {
            Some("utf-8") => Ok(blob.content.into_bytes()),
            _ => {
                let compact: String = blob
                    .content
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .map_err(|err| GithubError::Other {
                        endpoint: endpoint.to_string(),
                        status: Some(200),
                        message: format!("blob content is not valid base64: {err}"),
                    })
            }
        }
    }

    /// The repository at `git_ref` as a gzipped tarball
    /// (`GET /repos/{owner}/{repo}/tarball/{ref}`). GitHub answers 302 to a short-lived,
    /// pre-signed archive URL; that URL is fetched without our credentials (it may be on
    /// another host), with the same retries. At most `max_bytes` are read, whether the archive
    /// comes from the redirect or straight in a 200: a larger one ends in
    /// [`GithubError::TooLarge`].
    pub async fn get_tarball(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        git_ref: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, GithubError> {
        let endpoint = "GET /repos/{owner}/{repo}/tarball/{ref}";
        let reply = self
            .send(Call {
                method: Method::GET,
                endpoint,
                target: format!(
                    "{}/tarball/{}",
                    repo_path(owner, repo),
                    encode_component(git_ref)
                ),
                accept: ACCEPT_JSON,
                body: None,
                credential: Credential::Installation(installation_id),
                redirect_ok: true,
                retry_ambiguous: true,
                // GitHub may answer with the archive itself instead of a redirect to it.
                max_body: max_bytes,
            })
            .await?;
        if reply.status.is_success() {
            return Ok(reply.body);
        }
        let location = reply
            .headers
            .get(http::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let url = if location.starts_with('/') {
            // A relative redirect stays on the API host.
            format!(
                "{}://{}{location}",
                if self.inner.settings.api_url.starts_with("http://") {
                    "http"
                } else {
                    "https"
                },
                self.inner.base_authority
            )
        } else {
            location
        };
        self.download("GET {archive}", &url, max_bytes).await
    }

    /// Fetches a pre-signed URL (no credentials), retrying timeouts and 5xx with backoff.
    async fn download(
        &self,
        endpoint: &'static str,
        url: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, GithubError> {
        let failed = |message: String| GithubError::Other {
            endpoint: endpoint.to_string(),
            status: None,
            message,
        };
        let uri: http::Uri = url
            .parse()
            .map_err(|err| failed(format!("GitHub redirected to an unusable URL ({err})")))?;
        if uri.scheme_str().is_none() || uri.authority().is_none() {
            return Err(failed("GitHub redirected to a URL without a host".into()));
        }
        let max_attempts = self.inner.settings.max_attempts.max(1);
        let mut last_failure = String::new();
        for attempt in 1..=max_attempts {
            let request = http::Request::builder()
                .method(Method::GET)
                .uri(uri.clone())
                .header(
                    http::header::USER_AGENT,
                    self.inner.settings.user_agent.as_str(),
                )
                .body(Vec::<u8>::new())
                .map_err(|err| failed(format!("cannot build request: {err}")))?;
            let exchange = async {
                let response =
                    self.inner.download.execute(request).await.map_err(|err| {
                        AttemptFailure::NoAnswer(format!("connection failed: {err}"))
                    })?;
                let (parts, body) = response.into_parts();
                let bytes = read_limited(body, max_bytes, parts.status).await?;
                Ok::<_, AttemptFailure>((parts.status, bytes))
            };
            // An archive is larger than an API answer: allow it four request timeouts.
            let deadline = self.inner.settings.request_timeout.saturating_mul(4);
            let outcome = match tokio::time::timeout(deadline, exchange).await {
                Ok(outcome) => outcome,
                Err(_) => Err(AttemptFailure::NoAnswer(format!(
                    "no complete archive within {deadline:?}"
                ))),
            };
            match outcome {
                Ok((status, body)) if status.is_success() => {
                    self.count(endpoint, status.as_u16());
                    return Ok(body);
                }
                Ok((status, _)) if status.is_server_error() => {
                    self.count(endpoint, status.as_u16());
                    last_failure = format!("archive host answered {status}");
                }
                Ok((status, _)) => {
                    self.count(endpoint, status.as_u16());
                    return Err(GithubError::Other {
                        endpoint: endpoint.to_string(),
                        status: Some(status.as_u16()),
                        message: format!("archive host answered {status}"),
                    });
                }
                Err(AttemptFailure::TooLarge(status)) => {
                    self.count(endpoint, status.as_u16());
                    return Err(GithubError::TooLarge {
                        endpoint: endpoint.to_string(),
                        limit: max_bytes,
                    });
                }
                Err(AttemptFailure::NoAnswer(failure)) => {
                    self.count(endpoint, 0);
                    last_failure = failure;
                }
            }
            tracing::warn!(endpoint, attempt, %last_failure, "archive download failed");
            if attempt < max_attempts {
                tokio::time::sleep(self.backoff(attempt)).await;
            }
        }
        Err(GithubError::Transient {
            endpoint: endpoint.to_string(),
            reason: format!("{last_failure} (after {max_attempts} attempts)"),
        })
    }

    /// Deletes a review that is still pending (`DELETE .../reviews/{review_id}`); submitted
    /// reviews cannot be deleted.
    pub async fn delete_pending_review(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
        review_id: u64,
    ) -> Result<(), GithubError> {
        self.send(Call {
            method: Method::DELETE,
            endpoint: "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
            target: format!(
                "{}/pulls/{number}/reviews/{review_id}",
                repo_path(owner, repo)
            ),
            accept: ACCEPT_JSON,
            body: None,
            credential: Credential::Installation(installation_id),
            redirect_ok: false,
            retry_ambiguous: true,
            max_body: self.inner.settings.max_json_body,
        })
        .await
        .map(|_| ())
    }

    /// Every inline review comment on a pull request, oldest first.
    pub async fn list_review_comments(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<Vec<ReviewComment>, GithubError> {
        let target = format!(
            "{}/pulls/{number}/comments?per_page=100",
            repo_path(owner, repo)
        );
        self.get_paginated(
            installation_id,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
            target,
            usize::MAX,
        )
        .await
    }

    /// Every review on a pull request.
    pub async fn list_reviews(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<Vec<Review>, GithubError> {
        let target = format!(
            "{}/pulls/{number}/reviews?per_page=100",
            repo_path(owner, repo)
        );
        self.get_paginated(
            installation_id,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            target,
            usize::MAX,
        )
        .await
    }

    /// Posts a review with inline comments and returns its id. A comment outside the diff
    /// makes GitHub reject the whole review: [`GithubError::Unprocessable`] carries GitHub's
    /// `errors`. Rate limits are waited out and retried, but a timeout or 5xx is returned at
    /// once as [`GithubError::Transient`]: GitHub may have posted the review anyway, so the
    /// caller must look before posting again.
    pub async fn create_review(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
        review: &NewReview,
    ) -> Result<u64, GithubError> {
        let target = format!("{}/pulls/{number}/reviews", repo_path(owner, repo));
        let created: IdOnly = self
            .write_json(
                Credential::Installation(installation_id),
                Method::POST,
                "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
                target,
                review,
                false,
            )
            .await?;
        Ok(created.id)
    }

    /// Creates a check run. More than 50 annotations are sent in follow-up updates of 50.
    pub async fn create_check_run(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        run: &NewCheckRun,
    ) -> Result<CheckRun, GithubError> {
        let completed_at = run
            .conclusion
            .map(|_| Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let body = CheckRunBody {
            name: Some(&run.name),
            head_sha: Some(&run.head_sha),
            status: Some(run.status),
            conclusion: run.conclusion,
            completed_at,
            external_id: run.external_id.as_deref(),
            output: run.output.as_ref().map(|output| output_chunk(output, 0)),
        };
        let target = format!("{}/check-runs", repo_path(owner, repo));
        let created: CheckRun = self
            .write_json(
                Credential::Installation(installation_id),
                Method::POST,
                "POST /repos/{owner}/{repo}/check-runs",
                target,
                &body,
                // Not blindly: a lost answer could leave a second run stuck "in progress". The
                // job fails instead, and its retry finds the created run by name on the head.
                false,
            )
            .await?;
        match &run.output {
            Some(output) if output.annotations.len() > ANNOTATIONS_PER_REQUEST => {
                self.append_annotations(installation_id, owner, repo, created.id, output)
                    .await
            }
            _ => Ok(created),
        }
    }

    /// Updates a check run (status, conclusion, output). More than 50 annotations are sent in
    /// successive requests of 50.
    pub async fn update_check_run(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        check_run_id: u64,
        update: &CheckRunUpdate,
    ) -> Result<CheckRun, GithubError> {
        let completed_at = update
            .conclusion
            .map(|_| Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let body = CheckRunBody {
            name: None,
            head_sha: None,
            status: update.status,
            conclusion: update.conclusion,
            completed_at,
            external_id: None,
            output: update.output.as_ref().map(|output| output_chunk(output, 0)),
        };
        let updated = self
            .patch_check_run(installation_id, owner, repo, check_run_id, &body)
            .await?;
        match &update.output {
            Some(output) if output.annotations.len() > ANNOTATIONS_PER_REQUEST => {
                self.append_annotations(installation_id, owner, repo, check_run_id, output)
                    .await
            }
            _ => Ok(updated),
        }
    }

    async fn patch_check_run(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        check_run_id: u64,
        body: &CheckRunBody<'_>,
    ) -> Result<CheckRun, GithubError> {
        let target = format!("{}/check-runs/{check_run_id}", repo_path(owner, repo));
        self.write_json(
            Credential::Installation(installation_id),
            Method::PATCH,
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
            target,
            body,
            true,
        )
        .await
    }

    async fn append_annotations(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        check_run_id: u64,
        output: &CheckRunOutput,
    ) -> Result<CheckRun, GithubError> {
        let mut from = ANNOTATIONS_PER_REQUEST;
        let mut last = None;
        while from < output.annotations.len() {
            let body = CheckRunBody {
                name: None,
                head_sha: None,
                status: None,
                conclusion: None,
                completed_at: None,
                external_id: None,
                output: Some(output_chunk(output, from)),
            };
            last = Some(
                self.patch_check_run(installation_id, owner, repo, check_run_id, &body)
                    .await?,
            );
            from += ANNOTATIONS_PER_REQUEST;
        }
        last.ok_or_else(|| GithubError::Other {
            endpoint: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}".to_string(),
            status: None,
            message: "no annotations to append".to_string(),
        })
    }

    /// Check runs on commit `sha`, optionally only those named `check_name` (to find the run a
    /// previous attempt already created).
    pub async fn list_check_runs_for_ref(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        sha: &str,
        check_name: Option<&str>,
    ) -> Result<Vec<CheckRun>, GithubError> {
        let endpoint = "GET /repos/{owner}/{repo}/commits/{ref}/check-runs";
        let mut target = format!(
            "{}/commits/{}/check-runs?per_page=100",
            repo_path(owner, repo),
            encode_component(sha)
        );
        if let Some(name) = check_name {
            target.push_str(&format!("&check_name={}", encode_component(name)));
        }
        let mut runs = Vec::new();
        let mut next = Some(target);
        while let Some(target) = next.take() {
            let (page, headers): (CheckRunList, _) =
                self.get_json(installation_id, endpoint, target).await?;
            let empty = page.check_runs.is_empty();
            runs.extend(page.check_runs);
            if !empty {
                next = next_link(&headers);
            }
        }
        Ok(runs)
    }

    /// The login the App comments as, `<app-slug>[bot]` (from `GET /app` with the App JWT, read
    /// once per process). Comments by anyone else are never taken for the App's own.
    pub async fn bot_login(&self) -> Result<&str, GithubError> {
        self.inner
            .bot_login
            .get_or_try_init(|| async {
                let endpoint = "GET /app";
                let reply = self
                    .send(Call {
                        method: Method::GET,
                        endpoint,
                        target: "/app".to_string(),
                        accept: ACCEPT_JSON,
                        body: None,
                        credential: Credential::App,
                        redirect_ok: false,
                        retry_ambiguous: true,
                        max_body: self.inner.settings.max_json_body,
                    })
                    .await?;
                let app: AuthenticatedApp = parse_json(endpoint, &reply)?;
                Ok(format!("{}[bot]", app.slug))
            })
            .await
            .map(String::as_str)
    }

    /// One page of the App's webhook delivery log (App JWT), newest first.
    pub async fn list_app_hook_deliveries(
        &self,
        cursor: Option<&str>,
        per_page: u32,
    ) -> Result<HookDeliveryPage, GithubError> {
        let endpoint = "GET /app/hook/deliveries";
        let mut target = format!("/app/hook/deliveries?per_page={}", per_page.clamp(1, 100));
        if let Some(cursor) = cursor {
            target.push_str(&format!("&cursor={}", encode_component(cursor)));
        }
        let reply = self
            .send(Call {
                method: Method::GET,
                endpoint,
                target,
                accept: ACCEPT_JSON,
                body: None,
                credential: Credential::App,
                redirect_ok: false,
                retry_ambiguous: true,
                max_body: self.inner.settings.max_json_body,
            })
            .await?;
        let deliveries: Vec<HookDelivery> = parse_json(endpoint, &reply)?;
        let next_cursor = next_link(&reply.headers).and_then(|url| {
            let query = url.split_once('?')?.1;
            query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key == "cursor").then(|| percent_decode(value))
            })
        });
        Ok(HookDeliveryPage {
            deliveries,
            next_cursor,
        })
    }

    /// GitHub's GraphQL endpoint beside the REST base: `https://api.github.com/graphql`, or on
    /// GitHub Enterprise Server `https://HOST/api/graphql` for a REST base of
    /// `https://HOST/api/v3`.
    fn graphql_url(&self) -> String {
        let base = self.inner.settings.api_url.trim_end_matches('/');
        match base.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{base}/graphql"),
        }
    }

    /// Sends one GraphQL document and returns its `data`; GitHub answers GraphQL errors with
    /// 200 and an `errors` list, which become [`GithubError::Other`] naming the first message.
    async fn graphql(
        &self,
        installation_id: u64,
        endpoint: &'static str,
        query: &str,
        variables: serde_json::Value,
        retry_ambiguous: bool,
    ) -> Result<serde_json::Value, GithubError> {
        let body = serde_json::to_vec(&serde_json::json!({"query": query, "variables": variables}))
            .map_err(|err| GithubError::Other {
                endpoint: endpoint.to_string(),
                status: None,
                message: format!("cannot encode the GraphQL request: {err}"),
            })?;
        let reply = self
            .send(Call {
                method: Method::POST,
                endpoint,
                target: self.graphql_url(),
                accept: ACCEPT_JSON,
                body: Some(body),
                credential: Credential::Installation(installation_id),
                redirect_ok: false,
                retry_ambiguous,
                max_body: self.inner.settings.max_json_body,
            })
            .await?;
        let mut answer: serde_json::Value = parse_json(endpoint, &reply)?;
        if let Some(first) = answer
            .get("errors")
            .and_then(|e| e.as_array())
            .and_then(|e| e.first())
        {
            return Err(GithubError::Other {
                endpoint: endpoint.to_string(),
                status: Some(reply.status.as_u16()),
                message: format!(
                    "GraphQL error: {}",
                    first
                        .get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or("(no message)")
                ),
            });
        }
        Ok(answer
            .get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or_default())
    }

    /// Every review thread of a pull request with whether it is resolved and the REST id of its
    /// first comment (GraphQL `reviewThreads`, 100 a page).
    pub async fn list_review_threads(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
    ) -> Result<Vec<ReviewThread>, GithubError> {
        const QUERY: &str = "query($owner: String!, $name: String!, $number: Int!, $cursor: String) { repository(owner: $owner, name: $name) { pullRequest(number: $number) { reviewThreads(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { id isResolved comments(first: 1) { nodes { databaseId } } } } } } }";
        let endpoint = "POST /graphql (reviewThreads)";
        let mut threads = Vec::new();
        let mut cursor = serde_json::Value::Null;
        // A pull request has at most a few thousand threads; the bound stops a looping cursor.
        for _page in 0..100 {
            let data = self
                .graphql(
                    installation_id,
                    endpoint,
                    QUERY,
                    serde_json::json!({"owner": owner, "name": repo, "number": number, "cursor": cursor}),
                    true,
                )
                .await?;
            let connection = &data["repository"]["pullRequest"]["reviewThreads"];
            let Some(nodes) = connection["nodes"].as_array() else {
                return Err(GithubError::NotFound {
                    endpoint: endpoint.to_string(),
                });
            };
            for node in nodes {
                let Some(id) = node["id"].as_str() else {
                    continue;
                };
                threads.push(ReviewThread {
                    id: id.to_string(),
                    is_resolved: node["isResolved"].as_bool().unwrap_or(false),
                    root_comment_id: node["comments"]["nodes"][0]["databaseId"].as_u64(),
                });
            }
            match (
                connection["pageInfo"]["hasNextPage"].as_bool(),
                connection["pageInfo"]["endCursor"].as_str(),
            ) {
                (Some(true), Some(next)) => cursor = serde_json::json!(next),
                _ => return Ok(threads),
            }
        }
        Ok(threads)
    }

    /// Resolves review thread `thread_id` (GraphQL `resolveReviewThread`; resolving a resolved
    /// thread changes nothing, so the call is retried like a read).
    pub async fn resolve_review_thread(
        &self,
        installation_id: u64,
        thread_id: &str,
    ) -> Result<(), GithubError> {
        const MUTATION: &str = "mutation($thread: ID!) { resolveReviewThread(input: {threadId: $thread}) { thread { id isResolved } } }";
        self.graphql(
            installation_id,
            "POST /graphql (resolveReviewThread)",
            MUTATION,
            serde_json::json!({ "thread": thread_id }),
            true,
        )
        .await
        .map(|_| ())
    }

    /// Replies `body` to the App's top-level review comment `comment_id`. Not retried once the
    /// request may have reached GitHub: a second attempt could post the reply twice. The review
    /// job looks for its reply before posting again.
    pub async fn reply_to_review_comment(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        number: u64,
        comment_id: u64,
        body: &str,
    ) -> Result<u64, GithubError> {
        let endpoint =
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies";
        let payload = serde_json::to_vec(&serde_json::json!({ "body": body })).map_err(|err| {
            GithubError::Other {
                endpoint: endpoint.to_string(),
                status: None,
                message: format!("cannot encode the reply: {err}"),
            }
        })?;
        let reply = self
            .send(Call {
                method: Method::POST,
                endpoint,
                target: format!(
                    "{}/pulls/{number}/comments/{comment_id}/replies",
                    repo_path(owner, repo)
                ),
                accept: ACCEPT_JSON,
                body: Some(payload),
                credential: Credential::Installation(installation_id),
                redirect_ok: false,
                retry_ambiguous: false,
                max_body: self.inner.settings.max_json_body,
            })
            .await?;
        parse_json::<IdOnly>(endpoint, &reply).map(|c| c.id)
    }

    /// Whether `login` may write to the repository (`admin`, `maintain` or `write`), from
    /// `GET /repos/{owner}/{repo}/collaborators/{username}/permission`. Someone who is not a
    /// collaborator reads as no write access.
    pub async fn can_write(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        login: &str,
    ) -> Result<bool, GithubError> {
        #[derive(Deserialize)]
        struct Permission {
            permission: Option<String>,
            role_name: Option<String>,
        }
        let endpoint = "GET /repos/{owner}/{repo}/collaborators/{username}/permission";
        let result = self
            .send(Call {
                method: Method::GET,
                endpoint,
                target: format!(
                    "{}/collaborators/{}/permission",
                    repo_path(owner, repo),
                    encode_component(login)
                ),
                accept: ACCEPT_JSON,
                body: None,
                credential: Credential::Installation(installation_id),
                redirect_ok: false,
                retry_ambiguous: true,
                max_body: self.inner.settings.max_json_body,
            })
            .await;
        let reply = match result {
            Ok(reply) => reply,
            Err(GithubError::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let p: Permission = parse_json(endpoint, &reply)?;
        let writes = |level: &Option<String>| {
            level
                .as_deref()
                .is_some_and(|l| matches!(l, "admin" | "maintain" | "write"))
        };
        Ok(writes(&p.permission) || writes(&p.role_name))
    }

    /// Adds the reaction `content` (`+1`, `eyes`, …) to review comment `comment_id`. GitHub
    /// answers 200 when the App already reacted so, so repeating it changes nothing.
    pub async fn react_to_review_comment(
        &self,
        installation_id: u64,
        owner: &str,
        repo: &str,
        comment_id: u64,
        content: &str,
    ) -> Result<(), GithubError> {
        let endpoint = "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions";
        let body =
            serde_json::to_vec(&serde_json::json!({ "content": content })).map_err(|err| {
                GithubError::Other {
                    endpoint: endpoint.to_string(),
                    status: None,
                    message: format!("cannot encode the reaction: {err}"),
                }
            })?;
        self.send(Call {
            method: Method::POST,
            endpoint,
            target: format!(
                "{}/pulls/comments/{comment_id}/reactions",
                repo_path(owner, repo)
            ),
            accept: ACCEPT_JSON,
            body: Some(body),
            credential: Credential::Installation(installation_id),
            redirect_ok: false,
            retry_ambiguous: true,
            max_body: self.inner.settings.max_json_body,
        })
        .await
        .map(|_| ())
    }

    /// Exchanges the temporary `code` GitHub gave the manifest flow's redirect for the new
    /// App's id and secrets (`POST /app-manifests/{code}/conversions`, no credentials: the code
    /// is one). The code works once, so an attempt that may have reached GitHub is not
    /// repeated; connection failures before that and 5xx answers are retried with backoff.
    pub async fn convert_manifest(&self, code: &str) -> Result<ManifestConversion, GithubError> {
        let endpoint = "POST /app-manifests/{code}/conversions";
        let valid = !code.is_empty()
            && code.len() <= 256
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !valid {
            return Err(GithubError::Other {
                endpoint: endpoint.to_string(),
                status: None,
                message: "the code GitHub sent back is not a manifest code; start the setup again"
                    .to_string(),
            });
        }
        let reply = self
            .send(Call {
                method: Method::POST,
                endpoint,
                target: format!("/app-manifests/{code}/conversions"),
                accept: ACCEPT_JSON,
                body: None,
                credential: Credential::Anonymous,
                redirect_ok: false,
                retry_ambiguous: false,
                max_body: self.inner.settings.max_json_body,
            })
            .await?;
        parse_json(endpoint, &reply)
    }

    /// Asks GitHub to deliver webhook delivery `delivery_id` again (App JWT; GitHub answers 202).
    pub async fn redeliver(&self, delivery_id: u64) -> Result<(), GithubError> {
        self.send(Call {
            method: Method::POST,
            endpoint: "POST /app/hook/deliveries/{delivery_id}/attempts",
            target: format!("/app/hook/deliveries/{delivery_id}/attempts"),
            accept: ACCEPT_JSON,
            body: None,
            credential: Credential::App,
            redirect_ok: false,
            retry_ambiguous: true,
            max_body: self.inner.settings.max_json_body,
        })
        .await
        .map(|_| ())
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            if let Some(hex) = text.get(index + 1..index + 3) {
                if let Ok(value) = u8::from_str_radix(hex, 16) {
                    out.push(value);
                    index += 3;
                    continue;
                }
            }
        }
        out.push(if byte == b'+' { b' ' } else { byte });
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a whole body, but never more than `limit` bytes of it: memory stays under the cap
/// whatever the server sends.
async fn read_limited<B>(
    body: B,
    limit: usize,
    status: StatusCode,
) -> Result<Vec<u8>, AttemptFailure>
where
    B: BodyExt,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(AttemptFailure::TooLarge(status))
        }
        Err(err) => Err(AttemptFailure::NoAnswer(format!(
            "reading the response failed: {err}"
        ))),
    }
}

fn parse_json<T: DeserializeOwned>(endpoint: &str, reply: &Reply) -> Result<T, GithubError> {
    serde_json::from_slice(&reply.body).map_err(|err| GithubError::Other {
        endpoint: endpoint.to_string(),
        status: Some(reply.status.as_u16()),
        message: format!("unexpected response body: {err}"),
    })
}

fn other_error(endpoint: &str, reply: &Reply) -> GithubError {
    let message = serde_json::from_slice::<ErrorBody>(&reply.body)
        .ok()
        .and_then(|body| body.message)
        .unwrap_or_else(|| {
            String::from_utf8_lossy(&reply.body)
                .chars()
                .take(500)
                .collect()
        });
    let hint = if reply.status == StatusCode::FORBIDDEN {
        " (the App may lack a permission: it needs pull_requests: write, contents: read, checks: write)"
    } else {
        ""
    };
    GithubError::Other {
        endpoint: endpoint.to_string(),
        status: Some(reply.status.as_u16()),
        message: format!("{message}{hint}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server spawns review jobs on tokio: every call's future must be `Send`.
    #[allow(dead_code)]
    fn call_futures_are_send(client: &GithubClient, review: &NewReview) {
        fn assert_send<T: Send>(_: &T) {}
        assert_send(&client.get_pull(1, "o", "r", 1));
        assert_send(&client.list_pull_files(1, "o", "r", 1));
        assert_send(&client.create_review(1, "o", "r", 1, review));
        assert_send(&client.redeliver(1));
    }

    #[test]
    fn next_link_is_found_among_several_relations() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::LINK,
            http::HeaderValue::from_static(
                "<https://api.github.com/repos/o/r/pulls/1/files?per_page=100&page=2>; rel=\"next\", <https://api.github.com/repos/o/r/pulls/1/files?per_page=100&page=3>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/repos/o/r/pulls/1/files?per_page=100&page=2")
        );
        headers.insert(
            http::header::LINK,
            http::HeaderValue::from_static("<https://api.github.com/x?page=1>; rel=\"prev\""),
        );
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn paths_and_refs_are_percent_encoded() {
        assert_eq!(encode_path("src/a b/#x.rs"), "src/a%20b/%23x.rs");
        assert_eq!(encode_component("feature/x"), "feature%2Fx");
        assert_eq!(percent_decode("MTI%3D%3D"), "MTI==");
    }

    #[test]
    fn output_chunks_hold_at_most_fifty_annotations() {
        let annotation = super::super::types::Annotation {
            path: "a.rs".into(),
            start_line: 1,
            end_line: 1,
            annotation_level: super::super::types::AnnotationLevel::Warning,
            message: "m".into(),
            title: None,
            raw_details: None,
        };
        let output = CheckRunOutput {
            title: "t".into(),
            summary: "s".into(),
            text: None,
            annotations: vec![annotation; 120],
        };
        assert_eq!(output_chunk(&output, 0).annotations.len(), 50);
        assert_eq!(output_chunk(&output, 100).annotations.len(), 20);
        assert_eq!(output_chunk(&output, 150).annotations.len(), 0);
    }
}
