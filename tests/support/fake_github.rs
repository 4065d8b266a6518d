//! A fake GitHub for tests: a real HTTP server (axum on 127.0.0.1:0) that speaks GitHub's REST
//! shapes (responses are built from the fixtures under `tests/fixtures/github/rest`, copied from
//! GitHub's OpenAPI description) and enforces the rules the real one does:
//!
//! * installation tokens are issued only for an App JWT whose RS256 signature verifies with the
//!   test public key and whose `iat`/`exp`/`iss` obey GitHub's rules;
//! * repository endpoints need a live installation token of an installation covering the repo;
//! * every review comment is validated against the pull request's diff hunks, and one bad
//!   comment rejects the whole review with GitHub's 422 body (github-platform.md §4.2);
//! * `start_line == line` is rejected; more than 50 annotations per request are rejected.
//!
//! It records every request (method, path, endpoint template, status, body) so tests can assert
//! exactly what GitHub received, and records an error for any request to an endpoint it does not
//! implement or that breaks the protocol (missing `User-Agent`, wrong API version) — tests assert
//! [`FakeGithub::errors`] is empty. Faults can be injected per endpoint.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The fake App's slug: it comments as `failmode[bot]`.
pub const BOT_SLUG: &str = "failmode";

/// Where the GitHub fixtures live.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github")
}

/// The test App's private key (PEM, PKCS#1 like GitHub issues).
pub fn test_private_key_pem() -> Vec<u8> {
    std::fs::read(fixtures_dir().join("test-app-key.pem")).expect("test private key")
}

/// The test App's public key (PEM).
pub fn test_public_key_pem() -> Vec<u8> {
    std::fs::read(fixtures_dir().join("test-app-key.pub.pem")).expect("test public key")
}

fn rest_fixture(name: &str) -> Value {
    let path = fixtures_dir().join("rest").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn first_of(fixture: &str) -> Value {
    match rest_fixture(fixture) {
        Value::Array(mut items) if !items.is_empty() => items.remove(0),
        other => panic!("{fixture} is not a non-empty array: {other}"),
    }
}

/// A canned failure for the next requests to one endpoint.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, headers and body instead of handling the request.
    Status {
        /// HTTP status.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Body.
        body: String,
    },
    /// Sleep this long, then handle the request normally (the client may have given up).
    Delay(Duration),
    /// Handle the request (a review is stored, a check run created), then answer this status
    /// anyway, as GitHub's front end does when the backend acted but the answer was lost.
    ActThenFail(u16),
}

impl Fault {
    /// A 502 Bad Gateway as GitHub's front end sends it.
    pub fn bad_gateway() -> Fault {
        Fault::Status {
            status: 502,
            headers: vec![],
            body: "{\"message\":\"Server Error\"}".to_string(),
        }
    }

    /// A secondary rate limit: `status` (403 or 429) with `retry-after: seconds`.
    pub fn secondary_rate_limit(status: u16, retry_after_seconds: u64) -> Fault {
        Fault::Status {
            status,
            headers: vec![("retry-after".to_string(), retry_after_seconds.to_string())],
            body: json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                "status": status.to_string()
            })
            .to_string(),
        }
    }

    /// The primary rate limit: 403 with `x-ratelimit-remaining: 0` and a reset time.
    pub fn primary_rate_limit(reset_epoch_seconds: i64) -> Fault {
        Fault::Status {
            status: 403,
            headers: vec![
                ("x-ratelimit-limit".to_string(), "5000".to_string()),
                ("x-ratelimit-remaining".to_string(), "0".to_string()),
                ("x-ratelimit-reset".to_string(), reset_epoch_seconds.to_string()),
            ],
            body: json!({
                "message": "API rate limit exceeded for installation ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
                "status": "403"
            })
            .to_string(),
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query as sent.
    pub path: String,
    /// The endpoint template it matched (`GET /repos/{owner}/{repo}/pulls/{pull_number}`), or
    /// `UNIMPLEMENTED`.
    pub endpoint: String,
    /// Status the fake answered.
    pub status: u16,
    /// `Authorization` scheme seen: `jwt`, `installation:<id>`, `invalid`, or `none`.
    pub auth: String,
    /// `Accept` header.
    pub accept: Option<String>,
    /// JSON body, if any.
    pub body: Option<Value>,
}

/// A changed file of a fake pull request.
#[derive(Debug, Clone)]
pub struct FakeFile {
    /// Path.
    pub filename: String,
    /// `added`, `modified`, ...
    pub status: String,
    /// The hunks, or `None` for binary/oversized files.
    pub patch: Option<String>,
}

impl FakeFile {
    /// A file added with `text`, with the patch GitHub shows for it.
    pub fn added(filename: &str, text: &str) -> FakeFile {
        let lines: Vec<&str> = text.lines().collect();
        let mut patch = format!("@@ -0,0 +1,{} @@", lines.len());
        for line in lines {
            patch.push_str("\n+");
            patch.push_str(line);
        }
        FakeFile {
            filename: filename.to_string(),
            status: "added".to_string(),
            patch: Some(patch),
        }
    }

    /// A modified file with `patch`.
    pub fn modified(filename: &str, patch: &str) -> FakeFile {
        FakeFile {
            filename: filename.to_string(),
            status: "modified".to_string(),
            patch: Some(patch.to_string()),
        }
    }
}

/// A fake pull request.
#[derive(Debug, Clone)]
pub struct FakePull {
    /// `owner/name` of the base repository.
    pub repo: String,
    /// Number.
    pub number: u64,
    /// Head SHA.
    pub head_sha: String,
    /// Head branch.
    pub head_ref: String,
    /// `owner/name` of the head repository (`None`: deleted fork).
    pub head_repo: Option<String>,
    /// Base SHA.
    pub base_sha: String,
    /// Base branch.
    pub base_ref: String,
    /// Draft flag.
    pub draft: bool,
    /// Changed files.
    pub files: Vec<FakeFile>,
}

/// A review the fake accepted.
#[derive(Debug, Clone)]
pub struct StoredReview {
    /// Id.
    pub id: u64,
    /// `owner/name`.
    pub repo: String,
    /// Pull number.
    pub number: u64,
    /// The request body as received.
    pub request: Value,
}

#[derive(Debug, Clone)]
struct IssuedToken {
    installation_id: u64,
    expires_at: chrono::DateTime<chrono::Utc>,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct StoredDelivery {
    id: u64,
    guid: String,
    event: String,
    action: Option<String>,
    installation_id: Option<u64>,
    payload: Vec<u8>,
    redelivery: bool,
    status_code: u16,
    delivered_at: chrono::DateTime<chrono::Utc>,
}

struct FakeState {
    base_url: String,
    app_id: u64,
    public_key: Vec<u8>,
    token_lifetime: chrono::Duration,
    installations: HashMap<u64, Vec<String>>,
    tokens: HashMap<String, IssuedToken>,
    tokens_issued: usize,
    pulls: HashMap<(String, u64), FakePull>,
    /// (repo, commit sha) → path → bytes.
    commits: HashMap<(String, String), BTreeMap<String, Vec<u8>>>,
    blobs: HashMap<String, Vec<u8>>,
    reviews: Vec<StoredReview>,
    /// Reviews created without `event`: visible only to their author, deletable.
    pending_reviews: Vec<StoredReview>,
    pending_reviews_created: usize,
    /// (path, line) GitHub refuses a comment on although the patch contains it.
    refused_lines: Vec<(String, u64)>,
    /// One-time tokens of archive URLs handed out by the tarball redirect.
    archive_tokens: Vec<String>,
    /// (repo, commit sha) → the archive served instead of one built from the commit's files.
    archives: HashMap<(String, String), Vec<u8>>,
    /// Whether the tarball endpoint answers 200 with the archive instead of a redirect.
    archives_direct: bool,
    review_comments: Vec<(String, u64, Value)>,
    check_runs: Vec<(String, Value)>,
    deliveries: Vec<StoredDelivery>,
    webhook: Option<(String, Vec<u8>)>,
    faults: HashMap<String, VecDeque<Fault>>,
    requests: Vec<RecordedRequest>,
    /// Requests per endpoint that have arrived (counted before any delay or handling).
    arrivals: HashMap<String, usize>,
    errors: Vec<String>,
    next_id: u64,
    /// Manifests posted to the web form, in order.
    manifests: Vec<PostedManifest>,
    /// Manifest codes not yet converted → the manifest.
    manifest_codes: HashMap<String, Value>,
    /// Resolved review threads: first comment's id → who resolved it.
    resolved_threads: HashMap<u64, String>,
    /// Repository → the commit its default branch points at.
    default_heads: HashMap<String, String>,
    /// (repository, login) → `admin`, `write`, `read`... (anyone else: `none`).
    permissions: HashMap<(String, String), String>,
    /// Reactions on review comments: (comment id, content, login).
    reactions: Vec<(u64, String, String)>,
}

/// A manifest a browser posted to GitHub's "create an App from a manifest" form.
#[derive(Debug, Clone)]
pub struct PostedManifest {
    /// The organization path (`/organizations/ORG/settings/apps/new`), if any.
    pub organization: Option<String>,
    /// The `state` query parameter.
    pub state: Option<String>,
    /// The manifest JSON.
    pub manifest: Value,
}

impl FakeState {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The running fake. Dropping it stops the server.
pub struct FakeGithub {
    state: Arc<Mutex<FakeState>>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock(state: &Arc<Mutex<FakeState>>) -> std::sync::MutexGuard<'_, FakeState> {
    match state.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The git object id of a blob with these bytes (`sha1("blob <len>\0" + bytes)`), as GitHub
/// reports it in trees, pull request files and contents.
pub fn object_id(bytes: &[u8]) -> String {
    let mut hasher = sha1::Sha1::new();
    sha1::Digest::update(&mut hasher, format!("blob {}\0", bytes.len()).as_bytes());
    sha1::Digest::update(&mut hasher, bytes);
    hex::encode(sha1::Digest::finalize(hasher))
}

impl FakeGithub {
    /// Starts the fake for App `app_id`, verifying JWTs with the committed test public key.
    pub async fn start(app_id: u64) -> FakeGithub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake GitHub");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(FakeState {
            base_url: format!("http://{addr}"),
            app_id,
            public_key: test_public_key_pem(),
            token_lifetime: chrono::Duration::hours(1),
            installations: HashMap::new(),
            tokens: HashMap::new(),
            tokens_issued: 0,
            pulls: HashMap::new(),
            commits: HashMap::new(),
            blobs: HashMap::new(),
            reviews: Vec::new(),
            pending_reviews: Vec::new(),
            pending_reviews_created: 0,
            refused_lines: Vec::new(),
            archive_tokens: Vec::new(),
            archives: HashMap::new(),
            archives_direct: false,
            review_comments: Vec::new(),
            check_runs: Vec::new(),
            deliveries: Vec::new(),
            webhook: None,
            faults: HashMap::new(),
            requests: Vec::new(),
            arrivals: HashMap::new(),
            errors: Vec::new(),
            next_id: 1000,
            manifests: Vec::new(),
            manifest_codes: HashMap::new(),
            resolved_threads: HashMap::new(),
            default_heads: HashMap::new(),
            permissions: HashMap::new(),
            reactions: Vec::new(),
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGithub {
            state,
            addr,
            server,
        }
    }

    /// The API base URL to give the client (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Registers installation `id` covering `repos` (`owner/name`).
    pub fn add_installation(&self, id: u64, repos: &[&str]) {
        lock(&self.state)
            .installations
            .insert(id, repos.iter().map(|r| r.to_string()).collect());
    }

    /// Sets how long issued tokens live (GitHub: one hour).
    pub fn set_token_lifetime(&self, lifetime: chrono::Duration) {
        lock(&self.state).token_lifetime = lifetime;
    }

    /// Revokes every issued token (the next use answers 401, as an expired token does).
    pub fn revoke_all_tokens(&self) {
        for token in lock(&self.state).tokens.values_mut() {
            token.revoked = true;
        }
    }

    /// Adds a pull request.
    pub fn add_pull(&self, pull: FakePull) {
        lock(&self.state)
            .pulls
            .insert((pull.repo.clone(), pull.number), pull);
    }

    /// A push to pull request `number`: its head becomes `head_sha` (whose files must be added
    /// with [`FakeGithub::add_commit`]) and its changed files `files`. As on GitHub, every review
    /// comment whose line no longer holds the code it was made on becomes outdated (`line` and
    /// `position` turn `null`).
    pub fn push(&self, repo: &str, number: u64, head_sha: &str, files: Vec<FakeFile>) {
        let mut st = lock(&self.state);
        let key = (repo.to_string(), number);
        let Some(pull) = st.pulls.get_mut(&key) else {
            panic!("no pull request {repo}#{number}");
        };
        pull.head_sha = head_sha.to_string();
        pull.files = files;
        let line_at = |st: &FakeState, sha: &str, path: &str, line: u64| -> Option<String> {
            let bytes = st
                .commits
                .get(&(repo.to_string(), sha.to_string()))?
                .get(path)?;
            String::from_utf8_lossy(bytes)
                .lines()
                .nth(line.checked_sub(1)? as usize)
                .map(str::to_string)
        };
        let mut outdated = Vec::new();
        for (index, (r, n, c)) in st.review_comments.iter().enumerate() {
            if r != repo || *n != number || c["line"].is_null() {
                continue;
            }
            let path = c["path"].as_str().unwrap_or_default();
            let line = c["line"].as_u64().unwrap_or(0);
            let first = c["start_line"].as_u64().unwrap_or(line);
            let made_on = c["commit_id"].as_str().unwrap_or_default();
            if (first..=line)
                .any(|l| line_at(&st, made_on, path, l) != line_at(&st, head_sha, path, l))
            {
                outdated.push(index);
            }
        }
        for index in outdated {
            let c = &mut st.review_comments[index].2;
            c["line"] = Value::Null;
            c["position"] = Value::Null;
            c["start_line"] = Value::Null;
        }
    }

    /// Points `repo`'s default branch at commit `sha` (added with [`FakeGithub::add_commit`]),
    /// for reads without a `ref`.
    pub fn set_default_branch(&self, repo: &str, sha: &str) {
        lock(&self.state)
            .default_heads
            .insert(repo.to_string(), sha.to_string());
    }

    /// Gives `login` the permission `level` (`admin`, `write`, `read`) on `repo`.
    pub fn set_permission(&self, repo: &str, login: &str, level: &str) {
        lock(&self.state)
            .permissions
            .insert((repo.to_string(), login.to_string()), level.to_string());
    }

    /// A person (`login`) replies `body` in the thread comment `root_comment_id` opened, as if
    /// typed in GitHub's UI; returns the reply's id. (The delivery is the test's to send.)
    pub fn add_human_reply(
        &self,
        repo: &str,
        number: u64,
        login: &str,
        root_comment_id: u64,
        body: &str,
    ) -> u64 {
        let mut st = lock(&self.state);
        let Some(parent) = st
            .review_comments
            .iter()
            .find(|(_, _, c)| c["id"] == json!(root_comment_id))
            .map(|(_, _, c)| c.clone())
        else {
            panic!("no comment {root_comment_id}");
        };
        let id = st.next_id();
        let mut c = parent;
        c["id"] = json!(id);
        c["pull_request_review_id"] = json!(st.next_id());
        c["in_reply_to_id"] = json!(root_comment_id);
        c["body"] = json!(body);
        c["user"]["login"] = json!(login);
        c["user"]["type"] = json!("User");
        st.review_comments.push((repo.to_string(), number, c));
        id
    }

    /// The reactions on review comment `comment_id`: (content, login).
    pub fn reactions(&self, comment_id: u64) -> Vec<(String, String)> {
        lock(&self.state)
            .reactions
            .iter()
            .filter(|(id, _, _)| *id == comment_id)
            .map(|(_, content, login)| (content.clone(), login.clone()))
            .collect()
    }

    /// A person (`login`) resolves the review thread that comment `root_comment_id` opened.
    pub fn resolve_thread_as(&self, root_comment_id: u64, login: &str) {
        lock(&self.state)
            .resolved_threads
            .insert(root_comment_id, login.to_string());
    }

    /// Who resolved the thread comment `root_comment_id` opened, if anyone.
    pub fn thread_resolved_by(&self, root_comment_id: u64) -> Option<String> {
        lock(&self.state)
            .resolved_threads
            .get(&root_comment_id)
            .cloned()
    }

    /// Every review comment on a pull request (replies included), in id order.
    pub fn review_comments(&self, repo: &str, number: u64) -> Vec<Value> {
        lock(&self.state)
            .review_comments
            .iter()
            .filter(|(r, n, _)| r == repo && *n == number)
            .map(|(_, _, c)| c.clone())
            .collect()
    }

    /// Stores the files of commit `sha` in `repo` (for contents, trees and blobs).
    pub fn add_commit(&self, repo: &str, sha: &str, files: &[(&str, &[u8])]) {
        let mut state = lock(&self.state);
        let mut tree = BTreeMap::new();
        for (path, bytes) in files {
            state.blobs.insert(object_id(bytes), bytes.to_vec());
            tree.insert(path.to_string(), bytes.to_vec());
        }
        state
            .commits
            .insert((repo.to_string(), sha.to_string()), tree);
    }

    /// Adds an inline comment written by a person (`login`, type `User`) on `path`:`line` of a
    /// pull request, as if typed in GitHub's UI.
    pub fn add_human_comment(
        &self,
        repo: &str,
        number: u64,
        login: &str,
        path: &str,
        line: u64,
        body: &str,
    ) {
        let mut st = lock(&self.state);
        let id = st.next_id();
        let mut c = first_of("pulls__list-review-comments.200.default.json");
        c["id"] = json!(id);
        c["pull_request_review_id"] = json!(st.next_id());
        c["path"] = json!(path);
        c["line"] = json!(line);
        c["original_line"] = json!(line);
        c["start_line"] = Value::Null;
        c["original_start_line"] = Value::Null;
        c["start_side"] = Value::Null;
        c["in_reply_to_id"] = Value::Null;
        c["body"] = json!(body);
        c["user"]["login"] = json!(login);
        c["user"]["type"] = json!("User");
        st.review_comments.push((repo.to_string(), number, c));
    }

    /// Serves `gz` as the archive of commit `sha` of `repo` instead of one built from its files
    /// (an archive bomb, say); the commit's files still answer contents, trees and blobs.
    pub fn set_archive(&self, repo: &str, sha: &str, gz: Vec<u8>) {
        lock(&self.state)
            .archives
            .insert((repo.to_string(), sha.to_string()), gz);
    }

    /// Makes the tarball endpoint answer 200 with the archive itself instead of a 302 to the
    /// archive host, as GitHub is allowed to.
    pub fn serve_archives_directly(&self) {
        lock(&self.state).archives_direct = true;
    }

    /// Makes the fake refuse any review comment on `path` whose lines include `line` with
    /// GitHub's 422, as real GitHub does when its view of the diff differs from failmode's.
    pub fn refuse_comments_at(&self, path: &str, line: u64) {
        lock(&self.state)
            .refused_lines
            .push((path.to_string(), line));
    }

    /// How many requests to `endpoint` have arrived so far, including ones still being
    /// answered (a delayed one counts as soon as it arrives).
    pub fn arrived(&self, endpoint: &str) -> usize {
        lock(&self.state)
            .arrivals
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Pending reviews created so far (failmode probes with them), and those still pending.
    pub fn pending_reviews(&self) -> (usize, usize) {
        let st = lock(&self.state);
        (st.pending_reviews_created, st.pending_reviews.len())
    }

    /// Where redeliveries are POSTed, and the secret they are signed with.
    pub fn set_webhook_target(&self, url: &str, secret: &[u8]) {
        lock(&self.state).webhook = Some((url.to_string(), secret.to_vec()));
    }

    /// Adds a delivery to the App's delivery log (newest last) and returns its id.
    pub fn add_delivery(&self, guid: &str, event: &str, payload: &Value, status_code: u16) -> u64 {
        let mut state = lock(&self.state);
        let id = state.next_id();
        state.deliveries.push(StoredDelivery {
            id,
            guid: guid.to_string(),
            event: event.to_string(),
            action: payload
                .get("action")
                .and_then(|a| a.as_str())
                .map(str::to_string),
            installation_id: payload.pointer("/installation/id").and_then(|i| i.as_u64()),
            payload: payload.to_string().into_bytes(),
            redelivery: false,
            status_code,
            delivered_at: chrono::Utc::now(),
        });
        id
    }

    /// Queues `fault` for the next `times` requests to `endpoint` (a template such as
    /// `POST /repos/{owner}/{repo}/check-runs`).
    pub fn inject(&self, endpoint: &str, fault: Fault, times: usize) {
        let mut state = lock(&self.state);
        let queue = state.faults.entry(endpoint.to_string()).or_default();
        for _ in 0..times {
            queue.push_back(fault.clone());
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// How many requests hit `endpoint` (any status).
    pub fn count(&self, endpoint: &str) -> usize {
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.endpoint == endpoint)
            .count()
    }

    /// Protocol violations and requests to unimplemented endpoints. Tests assert it is empty.
    pub fn errors(&self) -> Vec<String> {
        lock(&self.state).errors.clone()
    }

    /// Manifests posted to the web form so far.
    pub fn posted_manifests(&self) -> Vec<PostedManifest> {
        lock(&self.state).manifests.clone()
    }

    /// The webhook secret the manifest conversion of `code` hands out.
    pub fn webhook_secret_for_code(code: &str) -> String {
        format!("whsec-{code}")
    }

    /// Installation tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state).tokens_issued
    }

    /// Reviews accepted so far.
    pub fn reviews(&self) -> Vec<StoredReview> {
        lock(&self.state).reviews.clone()
    }

    /// The bodies of the inline comments of every review posted, in posting order.
    pub fn review_comment_bodies(&self) -> Vec<String> {
        lock(&self.state)
            .reviews
            .iter()
            .flat_map(|r| {
                r.request["comments"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|c| c["body"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Check runs as currently stored (GitHub's JSON shape).
    pub fn check_runs(&self) -> Vec<Value> {
        lock(&self.state)
            .check_runs
            .iter()
            .map(|(_, run)| run.clone())
            .collect()
    }

    /// Deliveries in the log: (id, guid, redelivery, status_code).
    pub fn deliveries(&self) -> Vec<(u64, String, bool, u16)> {
        lock(&self.state)
            .deliveries
            .iter()
            .map(|d| (d.id, d.guid.clone(), d.redelivery, d.status_code))
            .collect()
    }
}

fn json_response(status: u16, body: Value) -> (u16, Vec<(String, String)>, Vec<u8>) {
    (
        status,
        vec![(
            "content-type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body.to_string().into_bytes(),
    )
}

fn error_response(status: u16, message: &str, doc: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    json_response(
        status,
        json!({"message": message, "documentation_url": doc, "status": status.to_string()}),
    )
}

fn not_found() -> (u16, Vec<(String, String)>, Vec<u8>) {
    error_response(404, "Not Found", "https://docs.github.com/rest")
}

fn bad_credentials() -> (u16, Vec<(String, String)>, Vec<u8>) {
    error_response(401, "Bad credentials", "https://docs.github.com/rest")
}

fn query_params(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| {
            pair.split_once('=').or(if pair.is_empty() {
                None
            } else {
                Some((pair, ""))
            })
        })
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(v)) = text.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Who is calling.
enum Caller {
    None,
    Jwt,
    Installation(u64),
    Invalid(String),
}

fn identify(state: &FakeState, headers: &HeaderMap) -> Caller {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Caller::None;
    };
    let credential = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))
        .unwrap_or("");
    if let Some(token) = state.tokens.get(credential) {
        if token.revoked || token.expires_at <= chrono::Utc::now() {
            return Caller::Invalid("expired or revoked installation token".into());
        }
        return Caller::Installation(token.installation_id);
    }
    if credential.matches('.').count() == 2 {
        return match verify_jwt(state, credential) {
            Ok(()) => Caller::Jwt,
            Err(reason) => Caller::Invalid(reason),
        };
    }
    Caller::Invalid("unknown credential".into())
}

fn verify_jwt(state: &FakeState, jwt: &str) -> Result<(), String> {
    // Verifying uses the same process-wide RS256 provider the App signs with.
    failmode::github::jwt_crypto::install();
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(&state.public_key).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|e| format!("JWT signature: {e}"))?;
    let claims = data.claims;
    let now = chrono::Utc::now().timestamp();
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or("'iat' missing")?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("'exp' missing")?;
    if iat > now + 1 {
        return Err(
            "'Issued at' claim ('iat') must be an Integer representing a time in the past".into(),
        );
    }
    if exp <= now {
        return Err("'Expiration time' claim ('exp') must be a future timestamp".into());
    }
    if exp > now + 600 {
        return Err("'Expiration time' claim ('exp') is too far in the future".into());
    }
    let iss_ok = match claims.get("iss") {
        Some(Value::Number(n)) => n.as_u64() == Some(state.app_id),
        Some(Value::String(s)) => s == &state.app_id.to_string(),
        _ => false,
    };
    if !iss_ok {
        return Err("'Issuer' claim ('iss') must be the App's id".into());
    }
    Ok(())
}

/// Route a request to an endpoint template and its path parameters.
fn route(method: &Method, path: &str) -> Option<(&'static str, Vec<String>)> {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let m = method.as_str();
    let p = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match (m, s.as_slice()) {
        ("POST", ["app", "installations", id, "access_tokens"]) => Some((
            "POST /app/installations/{installation_id}/access_tokens",
            p(&[id]),
        )),
        ("GET", ["app"]) => Some(("GET /app", vec![])),
        ("POST", ["graphql"]) => Some(("POST /graphql", vec![])),
        ("GET", ["repos", o, r, "collaborators", user, "permission"]) => Some((
            "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
            p(&[o, r, user]),
        )),
        ("POST", ["repos", o, r, "pulls", "comments", id, "reactions"]) => Some((
            "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
            p(&[o, r, id]),
        )),
        ("POST", ["repos", o, r, "pulls", n, "comments", id, "replies"]) => Some((
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
            p(&[o, r, n, id]),
        )),
        ("POST", ["app-manifests", code, "conversions"]) => {
            Some(("POST /app-manifests/{code}/conversions", p(&[code])))
        }
        ("GET", ["app", "hook", "deliveries"]) => Some(("GET /app/hook/deliveries", vec![])),
        ("POST", ["app", "hook", "deliveries", id, "attempts"]) => {
            Some(("POST /app/hook/deliveries/{delivery_id}/attempts", p(&[id])))
        }
        ("GET", ["repos", o, r, "pulls", n]) => Some((
            "GET /repos/{owner}/{repo}/pulls/{pull_number}",
            p(&[o, r, n]),
        )),
        ("GET", ["repos", o, r, "pulls", n, "files"]) => Some((
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
            p(&[o, r, n]),
        )),
        ("GET", ["repos", o, r, "pulls", n, "comments"]) => Some((
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
            p(&[o, r, n]),
        )),
        ("GET", ["repos", o, r, "pulls", n, "reviews"]) => Some((
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            p(&[o, r, n]),
        )),
        ("POST", ["repos", o, r, "pulls", n, "reviews"]) => Some((
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            p(&[o, r, n]),
        )),
        ("DELETE", ["repos", o, r, "pulls", n, "reviews", id]) => Some((
            "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
            p(&[o, r, n, id]),
        )),
        ("GET", ["repos", o, r, "tarball", git_ref]) => Some((
            "GET /repos/{owner}/{repo}/tarball/{ref}",
            p(&[o, r, git_ref]),
        )),
        ("GET", ["_codeload", o, r, "legacy.tar.gz", git_ref]) => Some((
            "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{ref}",
            p(&[o, r, git_ref]),
        )),
        ("GET", ["repos", o, r, "contents", rest @ ..]) if !rest.is_empty() => Some((
            "GET /repos/{owner}/{repo}/contents/{path}",
            vec![o.to_string(), r.to_string(), rest.join("/")],
        )),
        ("GET", ["repos", o, r, "git", "trees", sha]) => Some((
            "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
            p(&[o, r, sha]),
        )),
        ("GET", ["repos", o, r, "git", "blobs", sha]) => Some((
            "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
            p(&[o, r, sha]),
        )),
        ("POST", ["repos", o, r, "check-runs"]) => {
            Some(("POST /repos/{owner}/{repo}/check-runs", p(&[o, r])))
        }
        ("PATCH", ["repos", o, r, "check-runs", id]) => Some((
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
            p(&[o, r, id]),
        )),
        ("GET", ["repos", o, r, "commits", git_ref, "check-runs"]) => Some((
            "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
            p(&[o, r, git_ref]),
        )),
        _ => None,
    }
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // GitHub Enterprise Server serves the API under /api/v3.
    let path = uri
        .path()
        .strip_prefix("/api/v3")
        .unwrap_or(uri.path())
        .to_string();
    let path_and_query = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    // github.com's web form, not the API: a browser posts the manifest form here.
    if method == Method::POST {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let organization = match segments.as_slice() {
            ["settings", "apps", "new"] => Some(None),
            ["organizations", org, "settings", "apps", "new"] => Some(Some(org.to_string())),
            _ => None,
        };
        if let Some(organization) = organization {
            return manifest_form(&state, organization, &uri, &headers, &body);
        }
    }
    let json_body: Option<Value> = if body.is_empty() {
        None
    } else {
        serde_json::from_slice(&body).ok()
    };
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    let routed = route(&method, &path);
    let fault = {
        let mut st = lock(&state);
        // Protocol checks every GitHub request must pass. The archive host is not the API:
        // it needs no version header, and must never see the installation token.
        let archive_host = path.starts_with("/_codeload/");
        if archive_host && headers.get("authorization").is_some() {
            st.errors.push(format!(
                "{method} {path_and_query}: credentials sent to the archive host"
            ));
        }
        if headers.get("user-agent").is_none() {
            st.errors.push(format!(
                "{method} {path_and_query}: no User-Agent (GitHub answers 403)"
            ));
        }
        match headers
            .get("x-github-api-version")
            .and_then(|v| v.to_str().ok())
        {
            Some("2022-11-28") => {}
            _ if archive_host => {}
            other => st.errors.push(format!(
                "{method} {path_and_query}: X-GitHub-Api-Version is {other:?}"
            )),
        }
        if !body.is_empty() && json_body.is_none() {
            st.errors
                .push(format!("{method} {path_and_query}: body is not JSON"));
        }
        match routed {
            Some((endpoint, _)) => {
                *st.arrivals.entry(endpoint.to_string()).or_insert(0) += 1;
                st.faults.get_mut(endpoint).and_then(VecDeque::pop_front)
            }
            None => None,
        }
    };

    let (status, extra_headers, response_body, endpoint, auth) = match (routed, fault) {
        (None, _) => {
            let mut st = lock(&state);
            st.errors
                .push(format!("unimplemented endpoint: {method} {path_and_query}"));
            let (s, h, b) = not_found();
            (s, h, b, "UNIMPLEMENTED".to_string(), "n/a".to_string())
        }
        (
            Some((endpoint, _)),
            Some(Fault::Status {
                status,
                headers: fault_headers,
                body,
            }),
        ) => {
            let mut h = vec![(
                "content-type".to_string(),
                "application/json; charset=utf-8".to_string(),
            )];
            h.extend(fault_headers);
            (
                status,
                h,
                body.into_bytes(),
                endpoint.to_string(),
                "fault".to_string(),
            )
        }
        (Some((endpoint, params)), fault) => {
            if let Some(Fault::Delay(delay)) = fault {
                tokio::time::sleep(delay).await;
            }
            let (auth, caller) = {
                let st = lock(&state);
                let caller = identify(&st, &headers);
                let auth = match &caller {
                    Caller::None => "none".to_string(),
                    Caller::Jwt => "jwt".to_string(),
                    Caller::Installation(id) => format!("installation:{id}"),
                    Caller::Invalid(reason) => format!("invalid: {reason}"),
                };
                (auth, caller)
            };
            let (s, h, b) = dispatch(
                &state,
                endpoint,
                &params,
                &uri,
                &headers,
                json_body.as_ref(),
                caller,
            )
            .await;
            match fault {
                Some(Fault::ActThenFail(status)) => (
                    status,
                    vec![(
                        "content-type".to_string(),
                        "application/json; charset=utf-8".to_string(),
                    )],
                    b"{\"message\":\"Server Error\"}".to_vec(),
                    endpoint.to_string(),
                    auth,
                ),
                _ => (s, h, b, endpoint.to_string(), auth),
            }
        }
    };

    lock(&state).requests.push(RecordedRequest {
        method: method.to_string(),
        path: path_and_query,
        endpoint,
        status,
        auth,
        accept,
        body: json_body,
    });

    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        response_body,
    )
        .into_response();
    for (name, value) in extra_headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::try_from(name),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// GitHub's "create an App from a manifest" form: records the manifest and, as GitHub does once
/// the user confirms, sends the browser to the manifest's `redirect_url` with a one-time code
/// and the `state` it was given.
fn manifest_form(
    state: &Arc<Mutex<FakeState>>,
    organization: Option<String>,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let mut st = lock(state);
    let query = query_params(uri);
    let form_encoded = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        st.errors
            .push("manifest form: not posted as application/x-www-form-urlencoded".to_string());
    }
    let text = String::from_utf8_lossy(body).replace('+', " ");
    let manifest = text
        .split('&')
        .find_map(|pair| pair.strip_prefix("manifest="))
        .map(percent_decode)
        .and_then(|m| serde_json::from_str::<Value>(&m).ok());
    let path = uri.path().to_string();
    let record = |st: &mut FakeState, status: u16| {
        st.requests.push(RecordedRequest {
            method: "POST".to_string(),
            path: uri
                .path_and_query()
                .map(|pq| pq.as_str().to_string())
                .unwrap_or(path.clone()),
            endpoint: "WEB POST /settings/apps/new".to_string(),
            status,
            auth: "browser".to_string(),
            accept: None,
            body: manifest.clone(),
        });
    };
    let valid = manifest.as_ref().is_some_and(|m| {
        m["url"].is_string()
            && m["hook_attributes"]["url"].is_string()
            && m["redirect_url"].is_string()
    });
    let Some(manifest) = manifest.clone().filter(|_| valid) else {
        st.errors.push(
            "manifest form: no manifest with url, hook_attributes.url and redirect_url".to_string(),
        );
        record(&mut st, 422);
        return (StatusCode::UNPROCESSABLE_ENTITY, "Invalid manifest").into_response();
    };
    let code = format!("code{}", st.next_id());
    st.manifests.push(PostedManifest {
        organization,
        state: query.get("state").cloned(),
        manifest: manifest.clone(),
    });
    st.manifest_codes.insert(code.clone(), manifest.clone());
    record(&mut st, 302);
    let mut location = format!(
        "{}?code={code}",
        manifest["redirect_url"].as_str().unwrap_or_default()
    );
    if let Some(given) = query.get("state") {
        location.push_str(&format!("&state={given}"));
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert("location", value);
    }
    response
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

fn require_app(caller: &Caller) -> Result<(), Answer> {
    match caller {
        Caller::Jwt => Ok(()),
        Caller::Invalid(reason) if reason.starts_with('\'') || reason.starts_with("JWT") => {
            Err(error_response(401, reason, "https://docs.github.com/rest"))
        }
        _ => Err(error_response(
            401,
            "A JSON web token could not be decoded",
            "https://docs.github.com/rest",
        )),
    }
}

fn require_repo(state: &FakeState, caller: &Caller, owner: &str, repo: &str) -> Result<(), Answer> {
    match caller {
        Caller::Installation(id) => {
            let full = format!("{owner}/{repo}");
            match state.installations.get(id) {
                Some(repos) if repos.iter().any(|r| r == &full) => Ok(()),
                _ => Err(not_found()),
            }
        }
        _ => Err(bad_credentials()),
    }
}

fn paginate(state: &FakeState, uri: &Uri, items: Vec<Value>, default_per_page: usize) -> Answer {
    let params = query_params(uri);
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(default_per_page)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let last_page = items.len().div_ceil(per_page).max(1);
    let start = (page - 1) * per_page;
    let slice: Vec<Value> = items.into_iter().skip(start).take(per_page).collect();
    let mut headers = vec![(
        "content-type".to_string(),
        "application/json; charset=utf-8".to_string(),
    )];
    let link_for = |p: usize| {
        let mut query: Vec<String> = vec![format!("per_page={per_page}"), format!("page={p}")];
        for (k, v) in &params {
            if k != "per_page" && k != "page" {
                query.push(format!("{k}={v}"));
            }
        }
        format!("{}{}?{}", state.base_url, uri.path(), query.join("&"))
    };
    let mut links = Vec::new();
    if page < last_page {
        links.push(format!("<{}>; rel=\"next\"", link_for(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", link_for(last_page)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", link_for(page - 1)));
        links.push(format!("<{}>; rel=\"first\"", link_for(1)));
    }
    if !links.is_empty() {
        headers.push(("link".to_string(), links.join(", ")));
    }
    (200, headers, Value::Array(slice).to_string().into_bytes())
}

fn pull_json(pull: &FakePull) -> Value {
    let mut value = rest_fixture("pulls__get.200.default.json");
    value["number"] = json!(pull.number);
    value["state"] = json!("open");
    value["draft"] = json!(pull.draft);
    value["merged"] = json!(false);
    value["changed_files"] = json!(pull.files.len());
    value["head"]["sha"] = json!(pull.head_sha);
    value["head"]["ref"] = json!(pull.head_ref);
    match &pull.head_repo {
        Some(full) => value["head"]["repo"]["full_name"] = json!(full),
        None => value["head"]["repo"] = Value::Null,
    }
    value["base"]["sha"] = json!(pull.base_sha);
    value["base"]["ref"] = json!(pull.base_ref);
    value["base"]["repo"]["full_name"] = json!(pull.repo);
    value
}

fn file_json(file: &FakeFile) -> Value {
    let mut value = first_of("pulls__list-files.200.default.json");
    let (adds, dels) = file
        .patch
        .as_deref()
        .map(|patch| {
            patch.lines().fold((0, 0), |(a, d), line| {
                if line.starts_with('+') {
                    (a + 1, d)
                } else if line.starts_with('-') {
                    (a, d + 1)
                } else {
                    (a, d)
                }
            })
        })
        .unwrap_or((0, 0));
    value["filename"] = json!(file.filename);
    value["status"] = json!(file.status);
    value["additions"] = json!(adds);
    value["deletions"] = json!(dels);
    value["changes"] = json!(adds + dels);
    match &file.patch {
        Some(patch) => value["patch"] = json!(patch),
        None => {
            if let Some(obj) = value.as_object_mut() {
                obj.remove("patch");
            }
        }
    }
    value
}

/// Lines that accept a review comment, per hunk: (left lines, right lines).
fn hunks(patch: &str) -> Vec<(Vec<u64>, Vec<u64>)> {
    let mut result = Vec::new();
    let mut left = 0u64;
    let mut right = 0u64;
    for line in patch.lines() {
        if let Some(header) = line.strip_prefix("@@ ") {
            let mut parts = header.split(' ');
            let old = parts.next().unwrap_or("-0").trim_start_matches('-');
            let new = parts.next().unwrap_or("+0").trim_start_matches('+');
            left = old
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            right = new
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            result.push((Vec::new(), Vec::new()));
            continue;
        }
        let Some((lefts, rights)) = result.last_mut() else {
            continue;
        };
        match line.as_bytes().first() {
            Some(b'+') => {
                rights.push(right);
                right += 1;
            }
            Some(b'-') => {
                lefts.push(left);
                left += 1;
            }
            Some(b'\\') => {}
            _ => {
                lefts.push(left);
                rights.push(right);
                left += 1;
                right += 1;
            }
        }
    }
    result
}

fn join_messages(messages: &[&str]) -> String {
    match messages {
        [] => String::new(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// Validates one review comment as GitHub does; returns the failure text if any.
fn validate_comment(pull: &FakePull, comment: &Value) -> Option<String> {
    let path = comment.get("path").and_then(Value::as_str)?;
    let line = comment.get("line").and_then(Value::as_u64);
    let side = comment
        .get("side")
        .and_then(Value::as_str)
        .unwrap_or("RIGHT");
    let start_line = comment.get("start_line").and_then(Value::as_u64);
    let start_side = comment
        .get("start_side")
        .and_then(Value::as_str)
        .unwrap_or(side);
    let Some(line) = line else {
        return Some("Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank".into());
    };
    let file_hunks = pull
        .files
        .iter()
        .find(|f| f.filename == path)
        .and_then(|f| f.patch.as_deref())
        .map(hunks)
        .unwrap_or_default();
    let lines_of = |hunk: &(Vec<u64>, Vec<u64>), side: &str| -> Vec<u64> {
        if side == "LEFT" {
            hunk.0.clone()
        } else {
            hunk.1.clone()
        }
    };
    let line_hunk = file_hunks
        .iter()
        .position(|h| lines_of(h, side).contains(&line));
    let mut failures: Vec<&str> = Vec::new();
    if line_hunk.is_none() {
        failures.push("Pull request review thread line must be part of the diff");
    }
    if let Some(start) = start_line {
        if start == line && start_side == side {
            return Some("Pull request review thread start line must precede the end line.".into());
        }
        let start_hunk = file_hunks
            .iter()
            .position(|h| lines_of(h, start_side).contains(&start));
        if start_hunk.is_none() || start_hunk != line_hunk {
            failures.push(
                "Pull request review thread start line must be part of the same hunk as the line.",
            );
        } else if start_side == side && start > line {
            return Some("Pull request review thread start line must precede the end line.".into());
        }
    }
    if line_hunk.is_none() {
        failures.push("Pull request review thread diff hunk can't be blank");
    }
    if failures.is_empty() {
        None
    } else {
        Some(join_messages(&failures))
    }
}

fn unprocessable(errors: Vec<Value>, doc: &str) -> Answer {
    json_response(
        422,
        json!({"message": "Unprocessable Entity", "errors": errors, "documentation_url": doc, "status": "422"}),
    )
}

fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn dispatch(
    state: &Arc<Mutex<FakeState>>,
    endpoint: &'static str,
    params: &[String],
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&Value>,
    caller: Caller,
) -> Answer {
    let param = |i: usize| params.get(i).cloned().unwrap_or_default();
    if endpoint == "POST /app/hook/deliveries/{delivery_id}/attempts" {
        return redeliver(state, &caller, &param(0)).await;
    }
    let mut st = lock(state);
    let st = &mut *st;
    match endpoint {
        "POST /app/installations/{installation_id}/access_tokens" => {
            if let Err(answer) = require_app(&caller) {
                return answer;
            }
            let Ok(id) = param(0).parse::<u64>() else {
                return not_found();
            };
            if !st.installations.contains_key(&id) {
                return not_found();
            }
            st.tokens_issued += 1;
            // Opaque tokens of varying length, like GitHub's stateless `ghs_APPID_JWT` format.
            let token = format!(
                "ghs_{}_{}",
                st.tokens_issued,
                "x".repeat(36 + st.tokens_issued * 17)
            );
            let expires_at = chrono::Utc::now() + st.token_lifetime;
            st.tokens.insert(
                token.clone(),
                IssuedToken {
                    installation_id: id,
                    expires_at,
                    revoked: false,
                },
            );
            let mut value = rest_fixture("apps__create-installation-access-token.201.default.json");
            value["token"] = json!(token);
            value["expires_at"] =
                json!(expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            json_response(201, value)
        }
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let number: u64 = param(2).parse().unwrap_or(0);
            let parent_id: u64 = param(3).parse().unwrap_or(0);
            let Some(parent) = st
                .review_comments
                .iter()
                .find(|(r, n, c)| *r == repo && *n == number && c["id"] == json!(parent_id))
                .map(|(_, _, c)| c.clone())
            else {
                return not_found();
            };
            if !parent["in_reply_to_id"].is_null() {
                // GitHub: replies to replies are not supported.
                return unprocessable(
                    vec![json!("in_reply_to cannot be a reply")],
                    "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment",
                );
            }
            let Some(text) = body.and_then(|b| b.get("body")).and_then(Value::as_str) else {
                return unprocessable(
                    vec![json!("body is missing")],
                    "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment",
                );
            };
            let id = st.next_id();
            let mut c = parent.clone();
            c["id"] = json!(id);
            c["body"] = json!(text);
            c["in_reply_to_id"] = json!(parent_id);
            c["pull_request_review_id"] = json!(st.next_id());
            c["user"]["login"] = json!(format!("{BOT_SLUG}[bot]"));
            c["user"]["type"] = json!("Bot");
            st.review_comments.push((repo, number, c.clone()));
            json_response(201, c)
        }
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let level = st
                .permissions
                .get(&(repo, param(2)))
                .cloned()
                .unwrap_or_else(|| "none".to_string());
            json_response(
                200,
                json!({
                    "permission": level,
                    "role_name": level,
                    "user": {"login": param(2), "type": "User"}
                }),
            )
        }
        "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let comment_id: u64 = param(2).parse().unwrap_or(0);
            if !st
                .review_comments
                .iter()
                .any(|(r, _, c)| *r == repo && c["id"] == json!(comment_id))
            {
                return not_found();
            }
            let content = body
                .and_then(|b| b.get("content"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let allowed = [
                "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
            ];
            if !allowed.contains(&content.as_str()) {
                return unprocessable(
                    vec![json!("content is not a valid reaction")],
                    "https://docs.github.com/rest/reactions/reactions#create-reaction-for-a-pull-request-review-comment",
                );
            }
            let login = format!("{BOT_SLUG}[bot]");
            let existed = st
                .reactions
                .iter()
                .any(|(id, c, l)| *id == comment_id && *c == content && *l == login);
            if !existed {
                st.reactions
                    .push((comment_id, content.clone(), login.clone()));
            }
            let id = st.next_id();
            json_response(
                if existed { 200 } else { 201 },
                json!({"id": id, "content": content, "user": {"login": login, "type": "Bot"}}),
            )
        }
        "POST /graphql" => {
            let Caller::Installation(installation) = caller else {
                return bad_credentials();
            };
            let query = body
                .and_then(|b| b.get("query"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let variables = body
                .and_then(|b| b.get("variables"))
                .cloned()
                .unwrap_or(Value::Null);
            if query.contains("resolveReviewThread") {
                let thread = variables["thread"].as_str().unwrap_or_default();
                let root: Option<u64> = thread.strip_prefix("PRRT_").and_then(|r| r.parse().ok());
                let known = root.and_then(|root| {
                    st.review_comments
                        .iter()
                        .find(|(_, _, c)| c["id"] == json!(root))
                        .map(|(repo, _, _)| (root, repo.clone()))
                });
                let Some((root, repo)) = known.filter(|(_, repo)| {
                    st.installations
                        .get(&installation)
                        .is_some_and(|repos| repos.contains(repo))
                }) else {
                    return json_response(
                        200,
                        json!({"data": {"resolveReviewThread": null}, "errors": [{"type": "NOT_FOUND", "message": format!("Could not resolve to a node with the global id of '{thread}'")}]}),
                    );
                };
                let _ = repo;
                st.resolved_threads
                    .entry(root)
                    .or_insert_with(|| format!("{BOT_SLUG}[bot]"));
                json_response(
                    200,
                    json!({"data": {"resolveReviewThread": {"thread": {"id": thread, "isResolved": true}}}}),
                )
            } else if query.contains("reviewThreads") {
                for field in ["isResolved", "databaseId", "pageInfo"] {
                    if !query.contains(field) {
                        st.errors
                            .push(format!("reviewThreads query without {field}"));
                    }
                }
                let repo = format!(
                    "{}/{}",
                    variables["owner"].as_str().unwrap_or_default(),
                    variables["name"].as_str().unwrap_or_default()
                );
                if !st
                    .installations
                    .get(&installation)
                    .is_some_and(|repos| repos.contains(&repo))
                {
                    return json_response(
                        200,
                        json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND", "message": format!("Could not resolve to a Repository with the name '{repo}'.")}]}),
                    );
                }
                let number = variables["number"].as_u64().unwrap_or(0);
                let nodes: Vec<Value> = st
                    .review_comments
                    .iter()
                    .filter(|(r, n, c)| *r == repo && *n == number && c["in_reply_to_id"].is_null())
                    .map(|(_, _, c)| {
                        let root = c["id"].as_u64().unwrap_or(0);
                        json!({
                            "id": format!("PRRT_{root}"),
                            "isResolved": st.resolved_threads.contains_key(&root),
                            "isOutdated": c["line"].is_null(),
                            "comments": {"nodes": [{"databaseId": root}]}
                        })
                    })
                    .collect();
                json_response(
                    200,
                    json!({"data": {"repository": {"pullRequest": {"reviewThreads": {
                        "pageInfo": {"hasNextPage": false, "endCursor": null},
                        "nodes": nodes
                    }}}}}),
                )
            } else {
                st.errors
                    .push(format!("unexpected GraphQL document: {query}"));
                json_response(200, json!({"errors": [{"message": "unexpected document"}]}))
            }
        }
        "POST /app-manifests/{code}/conversions" => {
            if !matches!(caller, Caller::None) {
                st.errors.push(
                    "manifest conversion: sent credentials (the code is the credential)".into(),
                );
            }
            let code = params[0].clone();
            let Some(manifest) = st.manifest_codes.remove(&code) else {
                return not_found();
            };
            let mut app = rest_fixture("apps__create-from-manifest.201.default.json");
            app["id"] = json!(st.app_id);
            app["slug"] = json!(BOT_SLUG);
            app["name"] = manifest["name"].clone();
            app["external_url"] = manifest["url"].clone();
            app["html_url"] = json!(format!("{}/apps/{BOT_SLUG}", st.base_url));
            app["permissions"] = manifest["default_permissions"].clone();
            app["events"] = manifest["default_events"].clone();
            app["webhook_secret"] = json!(FakeGithub::webhook_secret_for_code(&code));
            app["pem"] = json!(String::from_utf8_lossy(&test_private_key_pem()));
            json_response(201, app)
        }
        "GET /app" => {
            if let Err(answer) = require_app(&caller) {
                return answer;
            }
            // `GET /app` answers the App (the `integration` schema) without the secrets the
            // manifest conversion also returns. The bot user is `<slug>[bot]`.
            let mut app = rest_fixture("apps__create-from-manifest.201.default.json");
            if let Some(fields) = app.as_object_mut() {
                for secret in ["client_secret", "webhook_secret", "pem"] {
                    fields.remove(secret);
                }
            }
            app["id"] = json!(st.app_id);
            app["slug"] = json!(BOT_SLUG);
            app["name"] = json!(BOT_SLUG);
            json_response(200, app)
        }
        "GET /app/hook/deliveries" => {
            if let Err(answer) = require_app(&caller) {
                return answer;
            }
            let params_map = query_params(uri);
            let per_page = params_map
                .get("per_page")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(30)
                .clamp(1, 100);
            let start = params_map
                .get("cursor")
                .and_then(|c| c.strip_prefix("v1_"))
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(0);
            let template = first_of("apps__list-webhook-deliveries.200.default.json");
            let newest_first: Vec<&StoredDelivery> = st.deliveries.iter().rev().collect();
            let page: Vec<Value> = newest_first
                .iter()
                .skip(start)
                .take(per_page)
                .map(|d| {
                    let mut v = template.clone();
                    v["id"] = json!(d.id);
                    v["guid"] = json!(d.guid);
                    v["redelivery"] = json!(d.redelivery);
                    v["delivered_at"] = json!(d
                        .delivered_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                    v["status"] = json!(if (200..300).contains(&d.status_code) {
                        "OK".to_string()
                    } else {
                        format!("Invalid HTTP Response: {}", d.status_code)
                    });
                    v["status_code"] = json!(d.status_code);
                    v["event"] = json!(d.event);
                    v["action"] = json!(d.action);
                    v["installation_id"] = json!(d.installation_id);
                    v
                })
                .collect();
            let mut headers = vec![(
                "content-type".to_string(),
                "application/json; charset=utf-8".to_string(),
            )];
            if start + per_page < newest_first.len() {
                headers.push((
                    "link".to_string(),
                    format!(
                        "<{}/app/hook/deliveries?per_page={per_page}&cursor=v1_{}>; rel=\"next\"",
                        st.base_url,
                        start + per_page
                    ),
                ));
            }
            (200, headers, Value::Array(page).to_string().into_bytes())
        }
        "GET /repos/{owner}/{repo}/pulls/{pull_number}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let key = (
                format!("{}/{}", param(0), param(1)),
                param(2).parse().unwrap_or(0),
            );
            match st.pulls.get(&key) {
                Some(pull) => json_response(200, pull_json(pull)),
                None => not_found(),
            }
        }
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let key = (
                format!("{}/{}", param(0), param(1)),
                param(2).parse().unwrap_or(0),
            );
            let Some(pull) = st.pulls.get(&key) else {
                return not_found();
            };
            let head = st.commits.get(&(pull.repo.clone(), pull.head_sha.clone()));
            let items: Vec<Value> = pull
                .files
                .iter()
                .take(3000)
                .map(|f| {
                    let mut value = file_json(f);
                    // `sha` is the blob id of the file at the head (what a cache keys on).
                    if let Some(bytes) = head.and_then(|files| files.get(&f.filename)) {
                        value["sha"] = json!(object_id(bytes));
                    }
                    value
                })
                .collect();
            paginate(st, uri, items, 30)
        }
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let number: u64 = param(2).parse().unwrap_or(0);
            let items: Vec<Value> = st
                .review_comments
                .iter()
                .filter(|(r, n, _)| *r == repo && *n == number)
                .map(|(_, _, c)| c.clone())
                .collect();
            paginate(st, uri, items, 30)
        }
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let number: u64 = param(2).parse().unwrap_or(0);
            let template = rest_fixture("pulls__create-review.200.default.json");
            // The caller's own pending review is listed too (GitHub shows it to its author).
            let items: Vec<Value> = st
                .reviews
                .iter()
                .chain(st.pending_reviews.iter())
                .filter(|r| r.repo == repo && r.number == number)
                .map(|r| review_json(&template, r))
                .collect();
            paginate(st, uri, items, 30)
        }
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let number: u64 = param(2).parse().unwrap_or(0);
            let Some(pull) = st.pulls.get(&(repo.clone(), number)).cloned() else {
                return not_found();
            };
            let doc =
                "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";
            let Some(body) = body.cloned() else {
                return error_response(400, "Problems parsing JSON", doc);
            };
            let event = body.get("event").and_then(Value::as_str);
            if let Some(e) = event {
                if !["COMMENT", "APPROVE", "REQUEST_CHANGES"].contains(&e) {
                    return unprocessable(vec![json!(format!("Event {e} is not valid"))], doc);
                }
            }
            let comments = body
                .get("comments")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for comment in &comments {
                if comment.get("position").is_some() {
                    st.errors
                        .push("review comment uses the deprecated `position`".into());
                }
                if comment.get("path").and_then(Value::as_str).is_none()
                    || comment.get("body").and_then(Value::as_str).is_none()
                {
                    return unprocessable(
                        vec![json!(
                            "Invalid request.\n\n\"path\" and \"body\" are required"
                        )],
                        doc,
                    );
                }
                let refused = st.refused_lines.iter().any(|(path, line)| {
                    let end = comment.get("line").and_then(Value::as_u64).unwrap_or(0);
                    let start = comment
                        .get("start_line")
                        .and_then(Value::as_u64)
                        .unwrap_or(end);
                    comment.get("path").and_then(Value::as_str) == Some(path.as_str())
                        && (start..=end).contains(line)
                });
                if refused {
                    return unprocessable(
                        vec![json!(
                            "Pull request review thread line must be part of the diff"
                        )],
                        doc,
                    );
                }
                if let Some(failure) = validate_comment(&pull, comment) {
                    // One bad comment rejects the whole review; nothing is stored.
                    return unprocessable(vec![json!(failure)], doc);
                }
            }
            // No `event`: a PENDING review, seen only by its author until submitted, with no
            // comments on the pull request yet.
            let pending = event.is_none();
            if pending
                && st
                    .pending_reviews
                    .iter()
                    .any(|r| r.repo == repo && r.number == number)
            {
                return unprocessable(
                    vec![json!(
                        "User can only have one pending review per pull request"
                    )],
                    doc,
                );
            }
            let id = st.next_id();
            let commit_id = body
                .get("commit_id")
                .and_then(Value::as_str)
                .unwrap_or(&pull.head_sha)
                .to_string();
            let template = first_of("pulls__list-review-comments.200.default.json");
            for comment in comments.iter().filter(|_| !pending) {
                let comment_id = st.next_id();
                let mut c = template.clone();
                c["id"] = json!(comment_id);
                c["pull_request_review_id"] = json!(id);
                c["path"] = comment["path"].clone();
                c["body"] = comment["body"].clone();
                c["line"] = comment["line"].clone();
                c["original_line"] = comment["line"].clone();
                c["side"] = json!(comment
                    .get("side")
                    .and_then(Value::as_str)
                    .unwrap_or("RIGHT"));
                c["start_line"] = comment.get("start_line").cloned().unwrap_or(Value::Null);
                c["original_start_line"] = c["start_line"].clone();
                c["start_side"] = comment.get("start_side").cloned().unwrap_or(Value::Null);
                c["commit_id"] = json!(commit_id);
                c["original_commit_id"] = json!(commit_id);
                c["in_reply_to_id"] = Value::Null;
                c["user"]["login"] = json!(format!("{BOT_SLUG}[bot]"));
                c["user"]["type"] = json!("Bot");
                st.review_comments.push((repo.clone(), number, c));
            }
            let stored = StoredReview {
                id,
                repo,
                number,
                request: body,
            };
            let template = rest_fixture("pulls__create-review.200.default.json");
            let answer = review_json(&template, &stored);
            if pending {
                st.pending_reviews_created += 1;
                st.pending_reviews.push(stored);
            } else {
                st.reviews.push(stored);
            }
            json_response(200, answer)
        }
        "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let id: u64 = param(3).parse().unwrap_or(0);
            let template = rest_fixture("pulls__create-review.200.default.json");
            if let Some(i) = st.pending_reviews.iter().position(|r| r.id == id) {
                let removed = st.pending_reviews.remove(i);
                return json_response(200, review_json(&template, &removed));
            }
            if st.reviews.iter().any(|r| r.id == id) {
                return unprocessable(
                    vec![json!("Can not delete a non-pending pull request review")],
                    "https://docs.github.com/rest/pulls/reviews#delete-a-pending-review-for-a-pull-request",
                );
            }
            not_found()
        }
        "GET /repos/{owner}/{repo}/tarball/{ref}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            if !st.commits.contains_key(&(repo, param(2))) {
                return not_found();
            }
            if st.archives_direct {
                return archive_of(st, &param(0), &param(1), &param(2));
            }
            let token = format!("archive{}", st.next_id());
            st.archive_tokens.push(token.clone());
            // Like GitHub: 302 to a short-lived pre-signed URL on the archive host.
            let location = format!(
                "{}/_codeload/{}/{}/legacy.tar.gz/{}?token={token}",
                st.base_url,
                param(0),
                param(1),
                param(2)
            );
            (302, vec![("location".to_string(), location)], Vec::new())
        }
        "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{ref}" => {
            let token = query_params(uri).get("token").cloned().unwrap_or_default();
            let Some(i) = st.archive_tokens.iter().position(|t| *t == token) else {
                return error_response(404, "Not Found", "https://docs.github.com/rest");
            };
            st.archive_tokens.remove(i);
            archive_of(st, &param(0), &param(1), &param(2))
        }
        "GET /repos/{owner}/{repo}/contents/{path}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let q = query_params(uri);
            // No `ref`: GitHub reads the default branch. failmode does that only for an
            // organization's defaults in its `.github` repository; pull request files are pinned.
            let default_head = st.default_heads.get(&repo).cloned();
            let Some(git_ref) = q.get("ref").cloned().or_else(|| {
                if param(1) == ".github" {
                    Some(default_head.unwrap_or_default())
                } else {
                    None
                }
            }) else {
                st.errors
                    .push("contents requested without ?ref= (failmode must pin a SHA)".into());
                return not_found();
            };
            let git_ref = &git_ref;
            let Some(bytes) = st
                .commits
                .get(&(repo.clone(), git_ref.clone()))
                .and_then(|files| files.get(&param(2)))
                .cloned()
            else {
                // A directory answers with its listing (JSON, whatever the Accept header).
                let dir = format!("{}/", param(2));
                let listing: BTreeMap<String, Value> = st
                    .commits
                    .get(&(repo, git_ref.clone()))
                    .map(|files| {
                        files
                            .iter()
                            .filter_map(|(path, bytes)| {
                                let rest = path.strip_prefix(&dir)?;
                                let (name, kind) = match rest.split_once('/') {
                                    Some((sub, _)) => (sub.to_string(), "dir"),
                                    None => (rest.to_string(), "file"),
                                };
                                Some((
                                    name.clone(),
                                    json!({"name": name, "path": format!("{dir}{name}"), "type": kind, "size": if kind == "file" { bytes.len() } else { 0 }}),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if listing.is_empty() {
                    return not_found();
                }
                return json_response(200, Value::Array(listing.into_values().collect()));
            };
            let accept = headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if accept.contains("raw") {
                return (
                    200,
                    vec![(
                        "content-type".into(),
                        "application/vnd.github.raw+json; charset=utf-8".into(),
                    )],
                    bytes,
                );
            }
            let mut value =
                rest_fixture("repos__get-content.200.response-if-content-is-a-file.json");
            value["content"] = json!(base64_wrapped(&bytes));
            value["size"] = json!(bytes.len());
            value["path"] = json!(param(2));
            value["name"] = json!(param(2).rsplit('/').next().unwrap_or(""));
            value["sha"] = json!(object_id(&bytes));
            json_response(200, value)
        }
        "GET /repos/{owner}/{repo}/git/trees/{tree_sha}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let Some(files) = st.commits.get(&(repo, param(2))) else {
                return not_found();
            };
            let recursive = query_params(uri).contains_key("recursive");
            let template =
                rest_fixture("git__get-tree.200.response-recursively-retrieving-a-tree.json");
            let entry_template = template["tree"][0].clone();
            let mut entries = Vec::new();
            let mut dirs = std::collections::BTreeSet::new();
            for (path, bytes) in files {
                let parts: Vec<&str> = path.split('/').collect();
                for depth in 1..parts.len() {
                    dirs.insert(parts[..depth].join("/"));
                }
                if recursive || parts.len() == 1 {
                    let mut e = entry_template.clone();
                    e["path"] = json!(path);
                    e["mode"] = json!("100644");
                    e["type"] = json!("blob");
                    e["sha"] = json!(object_id(bytes));
                    e["size"] = json!(bytes.len());
                    entries.push(e);
                }
            }
            for dir in dirs {
                if recursive || !dir.contains('/') {
                    let mut e = entry_template.clone();
                    e["path"] = json!(dir);
                    e["mode"] = json!("040000");
                    e["type"] = json!("tree");
                    e["sha"] = json!(object_id(dir.as_bytes()));
                    if let Some(obj) = e.as_object_mut() {
                        obj.remove("size");
                    }
                    entries.push(e);
                }
            }
            let mut value = template;
            value["sha"] = json!(param(2));
            value["tree"] = Value::Array(entries);
            value["truncated"] = json!(false);
            json_response(200, value)
        }
        "GET /repos/{owner}/{repo}/git/blobs/{file_sha}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let Some(bytes) = st.blobs.get(&param(2)).cloned() else {
                return not_found();
            };
            let mut value = rest_fixture("git__get-blob.200.default.json");
            value["content"] = json!(base64_wrapped(&bytes));
            value["sha"] = json!(param(2));
            value["size"] = json!(bytes.len());
            json_response(200, value)
        }
        "POST /repos/{owner}/{repo}/check-runs" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let doc = "https://docs.github.com/rest/checks/runs#create-a-check-run";
            let Some(body) = body else {
                return error_response(400, "Problems parsing JSON", doc);
            };
            let (Some(name), Some(head_sha)) = (
                body.get("name").and_then(Value::as_str),
                body.get("head_sha").and_then(Value::as_str),
            ) else {
                return unprocessable(
                    vec![json!({"resource":"CheckRun","code":"missing_field","field":"name"})],
                    doc,
                );
            };
            if let Some(problem) = check_output_problem(body, true) {
                return unprocessable(vec![json!(problem)], doc);
            }
            let id = st.next_id();
            let mut run = rest_fixture("checks__create.201.example-of-in-progress-conclusion.json");
            run["id"] = json!(id);
            run["name"] = json!(name);
            run["head_sha"] = json!(head_sha);
            run["external_id"] = body.get("external_id").cloned().unwrap_or(Value::Null);
            run["html_url"] = json!(format!(
                "https://github.com/{}/{}/runs/{id}",
                param(0),
                param(1)
            ));
            run["url"] = json!(format!(
                "{}/repos/{}/{}/check-runs/{id}",
                st.base_url,
                param(0),
                param(1)
            ));
            run["started_at"] = json!(now_iso());
            run["pull_requests"] = json!([]);
            // Start from a blank run: the fixture's example output and status are not ours.
            run["output"]["annotations_count"] = json!(0);
            for field in ["title", "summary", "text"] {
                run["output"][field] = Value::Null;
            }
            run["status"] = json!("queued");
            run["conclusion"] = Value::Null;
            run["completed_at"] = Value::Null;
            apply_check_update(&mut run, body);
            st.check_runs
                .push((format!("{}/{}", param(0), param(1)), run.clone()));
            json_response(201, run)
        }
        "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let doc = "https://docs.github.com/rest/checks/runs#update-a-check-run";
            let Some(body) = body else {
                return error_response(400, "Problems parsing JSON", doc);
            };
            if let Some(problem) = check_output_problem(body, false) {
                return unprocessable(vec![json!(problem)], doc);
            }
            let repo = format!("{}/{}", param(0), param(1));
            let id: u64 = param(2).parse().unwrap_or(0);
            let Some((_, run)) = st
                .check_runs
                .iter_mut()
                .find(|entry| entry.0 == repo && entry.1["id"] == json!(id))
            else {
                return not_found();
            };
            apply_check_update(run, body);
            json_response(200, run.clone())
        }
        "GET /repos/{owner}/{repo}/commits/{ref}/check-runs" => {
            if let Err(a) = require_repo(st, &caller, &param(0), &param(1)) {
                return a;
            }
            let repo = format!("{}/{}", param(0), param(1));
            let q = query_params(uri);
            let runs: Vec<Value> = st
                .check_runs
                .iter()
                .filter(|(r, run)| *r == repo && run["head_sha"] == json!(param(2)))
                .filter(|(_, run)| {
                    q.get("check_name")
                        .is_none_or(|name| run["name"] == json!(name))
                })
                .map(|(_, run)| run.clone())
                .collect();
            json_response(200, json!({"total_count": runs.len(), "check_runs": runs}))
        }
        other => {
            st.errors
                .push(format!("routed but unhandled endpoint {other}"));
            not_found()
        }
    }
}

/// The archive of commit `sha`: the one set with [`FakeGithub::set_archive`], or one built
/// from the commit's files.
fn archive_of(st: &FakeState, owner: &str, repo: &str, sha: &str) -> Answer {
    let key = (format!("{owner}/{repo}"), sha.to_string());
    let body = match (st.archives.get(&key), st.commits.get(&key)) {
        (Some(gz), _) => gz.clone(),
        (None, Some(files)) => {
            let short: String = sha.chars().take(7).collect();
            tarball(&format!("{owner}-{repo}-{short}"), files)
        }
        (None, None) => return not_found(),
    };
    (
        200,
        vec![("content-type".to_string(), "application/x-gzip".to_string())],
        body,
    )
}

/// An archive bomb laid out like GitHub's archives: `count` files `src/bomb/fNNNNN.rs` under
/// `prefix/`, each `size` zero bytes (`size` a multiple of 512). Built in milliseconds
/// whatever it unpacks to: one file's data is compressed once and its deflate blocks repeated
/// (each piece ends on a byte boundary with a sync flush and refers to nothing before it), so
/// 1,500 files of 2 MiB (3 GiB unpacked) take about 3 MB, like the attack that was reported.
pub fn archive_bomb(prefix: &str, count: usize, size: usize) -> Vec<u8> {
    assert_eq!(size % 512, 0, "sizes are whole tar blocks");
    fn deflate_piece(data: &[u8], last: bool) -> Vec<u8> {
        let mut compressor = flate2::Compress::new(flate2::Compression::best(), false);
        let flush = if last {
            flate2::FlushCompress::Finish
        } else {
            flate2::FlushCompress::Sync
        };
        let mut out = Vec::with_capacity(data.len() / 100 + 1024);
        loop {
            let consumed = compressor.total_in() as usize;
            let status = compressor
                .compress_vec(&data[consumed..], &mut out, flush)
                .expect("in-memory deflate");
            let done = compressor.total_in() as usize == data.len()
                && out.len() < out.capacity()
                && (!last || status == flate2::Status::StreamEnd);
            if done {
                return out;
            }
            out.reserve(out.capacity().max(1024));
        }
    }
    fn crc_of(data: &[u8]) -> flate2::Crc {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        crc
    }
    let zeros = vec![0u8; size];
    let data_piece = deflate_piece(&zeros, false);
    let data_crc = crc_of(&zeros);
    let mut body = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut crc = flate2::Crc::new();
    for i in 0..count {
        let mut header = tar::Header::new_ustar();
        header
            .set_path(format!("{prefix}/src/bomb/f{i:05}.rs"))
            .expect("short path");
        header.set_size(size as u64);
        header.set_mode(0o644);
        header.set_cksum();
        body.extend(deflate_piece(header.as_bytes(), false));
        crc.combine(&crc_of(header.as_bytes()));
        body.extend_from_slice(&data_piece);
        crc.combine(&data_crc);
    }
    let end = [0u8; 1024];
    body.extend(deflate_piece(&end, true));
    crc.combine(&crc_of(&end));
    body.extend_from_slice(&crc.sum().to_le_bytes());
    body.extend_from_slice(&crc.amount().to_le_bytes());
    body
}

/// A gzipped tar of `files` under `prefix/`, laid out like GitHub's repository archives (a
/// `pax_global_header` first, then directories and files).
fn tarball(prefix: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut archive = tar::Builder::new(gz);
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::XGlobalHeader);
    let comment = b"52 comment=0000000000000000000000000000000000000000\n";
    header.set_size(comment.len() as u64);
    header.set_cksum();
    archive
        .append_data(&mut header, "pax_global_header", &comment[..])
        .expect("in-memory tar write");
    let mut dir = tar::Header::new_ustar();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o775);
    dir.set_size(0);
    dir.set_cksum();
    archive
        .append_data(&mut dir, format!("{prefix}/"), std::io::empty())
        .expect("in-memory tar write");
    for (path, bytes) in files {
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o664);
        h.set_size(bytes.len() as u64);
        h.set_cksum();
        archive
            .append_data(&mut h, format!("{prefix}/{path}"), &bytes[..])
            .expect("in-memory tar write");
    }
    archive
        .into_inner()
        .and_then(|gz| gz.finish())
        .expect("in-memory gzip")
}

fn review_json(template: &Value, review: &StoredReview) -> Value {
    let mut value = template.clone();
    value["id"] = json!(review.id);
    value["body"] = review.request.get("body").cloned().unwrap_or(json!(""));
    value["state"] = json!(match review.request.get("event").and_then(Value::as_str) {
        Some("APPROVE") => "APPROVED",
        Some("REQUEST_CHANGES") => "CHANGES_REQUESTED",
        Some("COMMENT") => "COMMENTED",
        _ => "PENDING",
    });
    value["commit_id"] = review
        .request
        .get("commit_id")
        .cloned()
        .unwrap_or(Value::Null);
    value["user"]["login"] = json!(format!("{BOT_SLUG}[bot]"));
    value["user"]["type"] = json!("Bot");
    value
}

fn check_output_problem(body: &Value, creating: bool) -> Option<String> {
    let output = body.get("output")?;
    if creating && (output.get("title").is_none() || output.get("summary").is_none()) {
        return Some("output.title and output.summary are required".into());
    }
    if !creating && output.get("summary").is_none() {
        return Some("output.summary is required".into());
    }
    let count = output
        .get("annotations")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    if count > 50 {
        return Some(format!(
            "Only 50 annotations are allowed per request; got {count}"
        ));
    }
    if body.get("status") == Some(&json!("completed")) && body.get("conclusion").is_none() {
        return Some("conclusion is required when status is completed".into());
    }
    None
}

fn apply_check_update(run: &mut Value, body: &Value) {
    if let Some(status) = body.get("status") {
        run["status"] = status.clone();
    }
    if let Some(conclusion) = body.get("conclusion") {
        run["conclusion"] = conclusion.clone();
        run["status"] = json!("completed");
        run["completed_at"] = json!(now_iso());
    }
    if let Some(output) = body.get("output") {
        let previous = run["output"]["annotations_count"].as_u64().unwrap_or(0);
        let added = output
            .get("annotations")
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0) as u64;
        for field in ["title", "summary", "text"] {
            if let Some(v) = output.get(field) {
                run["output"][field] = v.clone();
            }
        }
        run["output"]["annotations_count"] = json!(previous + added);
    }
}

fn base64_wrapped(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = String::new();
    for (i, ch) in encoded.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            out.push('\n');
        }
        out.push(ch);
    }
    out.push('\n');
    out
}

async fn redeliver(state: &Arc<Mutex<FakeState>>, caller: &Caller, id: &str) -> Answer {
    if let Err(answer) = require_app(caller) {
        return answer;
    }
    let (delivery, target) = {
        let st = lock(state);
        let Some(delivery) = st
            .deliveries
            .iter()
            .find(|d| d.id.to_string() == id)
            .cloned()
        else {
            return not_found();
        };
        (delivery, st.webhook.clone())
    };
    let Some((url, secret)) = target else {
        lock(state)
            .errors
            .push("redelivery requested but no webhook target configured".into());
        return json_response(202, json!({}));
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).expect("hmac key");
    mac.update(&delivery.payload);
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let client = reqwest::Client::new();
    let result = client
        .post(&url)
        .header("content-type", "application/json")
        .header("user-agent", "GitHub-Hookshot/fake")
        .header("x-github-event", &delivery.event)
        .header("x-github-delivery", &delivery.guid)
        .header("x-hub-signature-256", signature)
        .body(delivery.payload.clone())
        .send()
        .await;
    let status_code = match result {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    };
    let mut st = lock(state);
    let new_id = st.next_id();
    st.deliveries.push(StoredDelivery {
        id: new_id,
        redelivery: true,
        status_code,
        delivered_at: chrono::Utc::now(),
        ..delivery
    });
    json_response(202, json!({}))
}
