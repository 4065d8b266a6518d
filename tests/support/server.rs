//! `failmode serve` as a child process for end-to-end tests: started on free loopback ports
//! (the public webhook listener and the admin listener) against a fake GitHub, killed
//! (SIGKILL) when dropped, plus signed webhook deliveries.

use super::fake_github::test_private_key_pem;
use super::fake_github::{FakeFile, FakeGithub, FakePull};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The App id the fake GitHub and the server agree on.
pub const APP_ID: u64 = 4242;
/// The webhook secret deliveries are signed with.
pub const SECRET: &str = "It's a Secret to Everybody";

/// A running `failmode serve`.
pub struct Server {
    /// The process (kill it to simulate a crash).
    pub child: Child,
    /// `http://127.0.0.1:<port>`: the public listener (`FAILMODE_LISTEN`), for the webhook.
    pub url: String,
    /// `http://127.0.0.1:<port>`: the admin listener (`FAILMODE_ADMIN_LISTEN`), for
    /// `/healthz` in detail and `/metrics`.
    pub admin_url: String,
    /// Keeps a temp dir alive as long as the server.
    pub dir: Option<tempfile::TempDir>,
    /// Copies the server's log to the test's stderr or a file; ends when the server does.
    log_thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The whole log is written once the server is gone.
        if let Some(t) = self.log_thread.take() {
            let _ = t.join();
        }
    }
}

/// Where a test server's log goes.
pub enum Log {
    /// The test's own stderr (captured by the test harness, shown when the test fails).
    Test,
    /// A file, for tests that read the log afterwards.
    File(std::fs::File),
}

/// `listen=` and `admin_listen=` of the server's "failmode serve started" line, without the
/// terminal colours.
fn started_addresses(line: &str) -> Option<(String, String, Option<String>)> {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence: `ESC [ ... m`.
            for e in chars.by_ref() {
                if e == 'm' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    if !plain.contains("failmode serve started") {
        return None;
    }
    let field = |name: &str| {
        plain
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_string)
    };
    Some((
        field("listen=")?,
        field("admin_listen=")?,
        field("setup_url="),
    ))
}

/// Starts `failmode serve` with its key in `dir`, the store at `database_url` (default: a
/// SQLite file in `dir`, so a restart finds the same database) and `extra_env`, and waits
/// until `/healthz` answers.
pub async fn start(
    github_url: &str,
    dir: &Path,
    database_url: Option<&str>,
    extra_env: &[(&str, &str)],
) -> Server {
    start_logging_to(github_url, dir, database_url, extra_env, Log::Test).await
}

/// [`start`], with the server's log (stderr) going to `log`.
pub async fn start_logging_to(
    github_url: &str,
    dir: &Path,
    database_url: Option<&str>,
    extra_env: &[(&str, &str)],
    log: Log,
) -> Server {
    launch(github_url, dir, database_url, extra_env, log, true)
        .await
        .0
}

/// Starts `failmode serve` with no App credentials in its environment (setup mode, unless
/// `FAILMODE_CREDENTIALS_PATH` in `extra_env` names a saved file), GitHub's web address and API
/// both at `github_url`; returns the server and the setup link it logged, if any.
pub async fn start_without_app(
    github_url: &str,
    dir: &Path,
    extra_env: &[(&str, &str)],
) -> (Server, Option<String>) {
    // Never the default path: that is the working directory, this repository.
    let credentials = dir.join("credentials.json").display().to_string();
    let mut env = vec![
        ("FAILMODE_GITHUB_URL", github_url),
        ("FAILMODE_CREDENTIALS_PATH", credentials.as_str()),
    ];
    env.extend_from_slice(extra_env);
    launch(github_url, dir, None, &env, Log::Test, false).await
}

async fn launch(
    github_url: &str,
    dir: &Path,
    database_url: Option<&str>,
    extra_env: &[(&str, &str)],
    log: Log,
    with_app: bool,
) -> (Server, Option<String>) {
    let database_url = database_url
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("failmode.db").display()));
    // The server binds port 0 and logs the ports it got: a port picked here and bound later
    // could be taken in between by a server of a test running alongside, whose health check
    // would then answer for this one.
    let mut command = Command::new(env!("CARGO_BIN_EXE_failmode"));
    for variable in failmode::server::settings::APP_CREDENTIAL_VARIABLES {
        command.env_remove(variable);
    }
    if with_app {
        let key = dir.join("app.pem");
        std::fs::write(&key, test_private_key_pem()).expect("write the test key");
        command
            .env("FAILMODE_APP_ID", APP_ID.to_string())
            .env("FAILMODE_PRIVATE_KEY_PATH", &key)
            .env("FAILMODE_WEBHOOK_SECRET", SECRET);
    }
    let mut child = command
        .arg("serve")
        .env("FAILMODE_GITHUB_API_URL", github_url)
        .env("FAILMODE_LISTEN", "127.0.0.1:0")
        .env("FAILMODE_ADMIN_LISTEN", "127.0.0.1:0")
        .env("FAILMODE_DATABASE_URL", database_url)
        .env("FAILMODE_WORKERS", "2")
        .env("RUST_LOG", "failmode=debug")
        .envs(extra_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start failmode serve");
    let stderr = child.stderr.take().expect("the server's stderr is piped");
    let (addresses_tx, addresses_rx) = std::sync::mpsc::channel();
    let log_thread = std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let mut log = log;
        let mut addresses_tx = Some(addresses_tx);
        for line in std::io::BufReader::new(stderr).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            if let Some(addresses) = started_addresses(&line) {
                if let Some(tx) = addresses_tx.take() {
                    let _ = tx.send(addresses);
                }
            }
            match &mut log {
                Log::Test => eprintln!("{line}"),
                Log::File(f) => {
                    let _ = writeln!(f, "{line}");
                }
            }
        }
    });
    let started = Instant::now();
    let (listen, admin_listen, setup_url) = loop {
        match addresses_rx.try_recv() {
            Ok(addresses) => break addresses,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                panic!("failmode serve exited before listening (see its log above)")
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "failmode serve did not log its addresses within 30 s"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let url = format!("http://{listen}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{url}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "failmode serve did not become healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (
        Server {
            child,
            url,
            admin_url: format!("http://{admin_listen}"),
            dir: None,
            log_thread: Some(log_thread),
        },
        setup_url,
    )
}

/// POSTs `body` as a signed delivery and returns the status.
pub async fn deliver(
    server_url: &str,
    event: &str,
    delivery: &str,
    body: &Value,
    secret: &str,
) -> reqwest::StatusCode {
    let raw = serde_json::to_vec(body).expect("serialisable payload");
    let sig = failmode::github::webhook::sign(secret.as_bytes(), &raw);
    reqwest::Client::new()
        .post(format!("{server_url}/webhook"))
        .header("x-github-event", event)
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", sig)
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .map(|r| r.status())
        .unwrap_or(reqwest::StatusCode::BAD_GATEWAY)
}

/// Delivers `body` until the server accepts it (202), for the moment a server switching from
/// setup mode to normal operation answers 503 or drops the connection (30 s at most).
pub async fn deliver_until_accepted(
    server_url: &str,
    event: &str,
    delivery: &str,
    body: &Value,
    secret: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = deliver(server_url, event, delivery, body, secret).await;
        if status == 202 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "webhook never accepted: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The first check run GitHub holds as `completed`, polled for `within` at most.
pub async fn completed_check_run(github: &FakeGithub, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        if let Some(run) = github
            .check_runs()
            .into_iter()
            .find(|r| r.get("status").and_then(Value::as_str) == Some("completed"))
        {
            return run;
        }
        assert!(
            Instant::now() < deadline,
            "no completed check run after {within:?}; requests: {:#?}",
            github.requests()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts a server (its own temp dir) against `github`, delivers the `opened` event of pull
/// request 7 at [`HEAD_SHA`], and returns the check run once completed (90 s at most) with the
/// server; the fake must have seen no protocol error.
pub async fn review_opened(github: &FakeGithub, delivery: &str) -> (Value, Server) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(&github.url(), dir.path(), None, &[]).await;
    server.dir = Some(dir);
    let status = deliver(
        &server.url,
        "pull_request",
        delivery,
        &pull_request_payload("opened", HEAD_SHA, false),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);
    let run = completed_check_run(github, Duration::from_secs(90)).await;
    assert_eq!(github.errors(), Vec::<String>::new());
    (run, server)
}

/// `/healthz` of a server's admin listener, polled until `jobs[state] == n` (60 s at most).
pub async fn wait_for_jobs(admin_url: &str, state: &str, n: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let health: Value = reqwest::get(format!("{admin_url}/healthz"))
            .await
            .expect("healthz answers")
            .json()
            .await
            .expect("healthz is JSON");
        if health["jobs"][state].as_u64() == Some(n) {
            return health;
        }
        assert!(
            Instant::now() < deadline,
            "never {n} jobs {state}: {health}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A webhook fixture from `tests/fixtures/github/webhooks/<path>`.
pub fn fixture(path: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github/webhooks")
        .join(path);
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .expect("fixture is JSON")
}

/// The installation of the pull request the end-to-end tests review.
pub const INSTALLATION: u64 = 77;
/// Its repository.
pub const REPO: &str = "acme/orders";
/// Its base commit.
pub const BASE_SHA: &str = "1111111111111111111111111111111111111111";
/// Its head commit.
pub const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

/// A `pull_request` delivery (GitHub's real payload, with fields set) for pull request 7 of
/// [`REPO`] at `head`, as the App receives it from [`INSTALLATION`].
pub fn pull_request_payload(action: &str, head: &str, draft: bool) -> Value {
    let mut v = fixture("pull_request/opened.payload.json");
    v["action"] = json!(action);
    v["number"] = json!(7);
    v["installation"] = json!({ "id": INSTALLATION, "node_id": "MDIz" });
    v["repository"]["full_name"] = json!(REPO);
    v["repository"]["name"] = json!("orders");
    v["repository"]["owner"]["login"] = json!("acme");
    v["pull_request"]["number"] = json!(7);
    v["pull_request"]["draft"] = json!(draft);
    v["pull_request"]["head"]["sha"] = json!(head);
    v["pull_request"]["base"]["sha"] = json!(BASE_SHA);
    v["pull_request"]["base"]["repo"]["full_name"] = json!(REPO);
    if action == "synchronize" {
        v["before"] = json!(BASE_SHA);
        v["after"] = json!(head);
    }
    v
}

/// `src/lib.rs` at [`BASE_SHA`].
pub const BASE_LIB: &str = "pub async fn list(db: &sqlx::PgPool) -> Result<(), sqlx::Error> {\n    sqlx::query(\"SELECT 1\").execute(db).await?;\n    Ok(())\n}\n";
/// `src/lib.rs` at [`HEAD_SHA`]: adds a `let _ =` on a database write.
pub const HEAD_LIB: &str = "pub async fn list(db: &sqlx::PgPool) -> Result<(), sqlx::Error> {\n    sqlx::query(\"SELECT 1\").execute(db).await?;\n    Ok(())\n}\n\npub async fn mark_shipped(db: &sqlx::PgPool, id: i64) {\n    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n        .bind(id)\n        .execute(db)\n        .await;\n}\n";
/// The diff between the two, as GitHub's `patch` field.
pub const HEAD_PATCH: &str = "@@ -2,3 +2,10 @@ pub async fn list(db: &sqlx::PgPool) -> Result<(), sqlx::Error> {\n     sqlx::query(\"SELECT 1\").execute(db).await?;\n     Ok(())\n }\n+\n+pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) {\n+    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n+        .bind(id)\n+        .execute(db)\n+        .await;\n+}";
/// The manifest at both commits.
pub const CARGO: &str =
    "[package]\nname = \"orders\"\nversion = \"0.1.0\"\n\n[dependencies]\nsqlx = \"0.8\"\n";

/// Pull request 7 of [`REPO`], adding a swallowed error to `src/lib.rs` (base [`BASE_LIB`],
/// head [`HEAD_LIB`]); the base carries `base_config` as `.github/failmode.toml`.
pub fn setup_pull(github: &FakeGithub, draft: bool, base_config: Option<&[u8]>) {
    github.add_installation(INSTALLATION, &[REPO]);
    let mut base: Vec<(&str, &[u8])> = vec![
        ("Cargo.toml", CARGO.as_bytes()),
        ("src/lib.rs", BASE_LIB.as_bytes()),
    ];
    if let Some(config) = base_config {
        base.push((".github/failmode.toml", config));
    }
    github.add_commit(REPO, BASE_SHA, &base);
    github.add_commit(
        REPO,
        HEAD_SHA,
        &[
            ("Cargo.toml", CARGO.as_bytes()),
            ("src/lib.rs", HEAD_LIB.as_bytes()),
        ],
    );
    github.add_pull(FakePull {
        repo: REPO.into(),
        number: 7,
        head_sha: HEAD_SHA.into(),
        head_ref: "feature".into(),
        head_repo: Some(REPO.into()),
        base_sha: BASE_SHA.into(),
        base_ref: "main".into(),
        draft,
        files: vec![FakeFile::modified("src/lib.rs", HEAD_PATCH)],
    });
}
