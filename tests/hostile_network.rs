//! Strangers on the network, against the real `failmode serve` binary: requests without a valid
//! signature, requests that never finish, requests for internal state, and configured secrets
//! that must never show up in logs, metrics, error messages or the database.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::fake_github::FakeGithub;
use support::postgres::PgSchema;
use support::server::{self, fixture, Server, APP_ID, SECRET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `127.0.0.1:<port>` of a server URL.
fn host_port(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// A signature header with the right shape that no secret produced.
const FORGED_SIGNATURE: &str =
    "sha256=0000000000000000000000000000000000000000000000000000000000000000";

/// Reads from `stream` until the server closes it or `within` passes. Returns what arrived
/// and whether the server closed (EOF or reset) in time.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let deadline = Instant::now() + within;
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

/// The `VmHWM` (peak resident memory) or `VmRSS` line of a process, in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn start(github: &FakeGithub, env: &[(&str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut srv = server::start(&github.url(), dir.path(), None, env).await;
    srv.dir = Some(dir);
    srv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_dripping_header_lines_is_cut_off_by_the_header_read_timeout() {
    let github = FakeGithub::start(APP_ID).await;
    let srv = start(&github, &[("FAILMODE_HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(host_port(&srv.url)).await.unwrap();
    stream
        .write_all(b"POST /webhook HTTP/1.1\r\nhost: failmode\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut cut_off_after = None;
    let mut buf = [0u8; 1024];
    // One header line every 500 ms, for up to 20 s: the head never ends.
    for i in 0..40 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if stream
            .write_all(format!("x-drip-{i}: {i}\r\n").as_bytes())
            .await
            .is_err()
        {
            cut_off_after = Some(started.elapsed());
            break;
        }
        // Anything the server sends before the head is complete (a 408, EOF, a reset) ends it.
        if let Ok(read) =
            tokio::time::timeout(Duration::from_millis(10), stream.read(&mut buf)).await
        {
            let _answer_or_eof_or_reset = read;
            cut_off_after = Some(started.elapsed());
            break;
        }
    }
    eprintln!("header drip: cut off after {cut_off_after:?}");
    assert!(
        cut_off_after.is_some_and(|d| d < Duration::from_secs(10)),
        "a client sending one header line every 500 ms stayed connected for {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let github = FakeGithub::start(APP_ID).await;
    let srv = start(&github, &[("FAILMODE_HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(host_port(&srv.url)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: failmode\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed,
        "the connection stayed open and idle for 10 s after its request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_cannot_succeed_are_answered_before_their_bodies_are_sent() {
    let github = FakeGithub::start(APP_ID).await;
    let srv = start(&github, &[]).await;
    let claims_25_mb = "content-length: 26214400\r\n";
    let cases = [
        (
            "unsigned",
            format!("x-github-event: ping\r\nx-github-delivery: a-1\r\ncontent-type: application/json\r\n{claims_25_mb}"),
            "HTTP/1.1 401",
        ),
        (
            "a malformed signature",
            format!("x-hub-signature-256: sha1=abc\r\nx-github-event: ping\r\nx-github-delivery: a-2\r\ncontent-type: application/json\r\n{claims_25_mb}"),
            "HTTP/1.1 401",
        ),
        (
            "over the body limit",
            format!("x-hub-signature-256: {FORGED_SIGNATURE}\r\nx-github-event: ping\r\nx-github-delivery: a-3\r\ncontent-type: application/json\r\n{claims_25_mb}"),
            "HTTP/1.1 413",
        ),
        (
            "not JSON",
            format!("x-hub-signature-256: {FORGED_SIGNATURE}\r\nx-github-event: ping\r\nx-github-delivery: a-4\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n"),
            "HTTP/1.1 415",
        ),
        (
            "without X-GitHub-Event",
            format!("x-hub-signature-256: {FORGED_SIGNATURE}\r\nx-github-delivery: a-5\r\ncontent-type: application/json\r\ncontent-length: 100\r\n"),
            "HTTP/1.1 400",
        ),
    ];
    for (what, headers, expected) in cases {
        let mut stream = TcpStream::connect(host_port(&srv.url)).await.unwrap();
        let head = format!("POST /webhook HTTP/1.1\r\nhost: failmode\r\n{headers}\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        // Not one byte of the body is sent.
        let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
        assert!(
            answer.starts_with(expected),
            "a request {what} got `{answer}` instead of {expected} before its body"
        );
        assert!(closed, "a request {what} left its connection open");
    }
}

/// One client of the flood: headers with a forged signature and a body that never finishes.
/// Returns the status line it got (or `closed` / `open`) and when.
async fn never_finished_upload(addr: String, declared: usize, sent: usize) -> (String, Duration) {
    let started = Instant::now();
    let Ok(stream) = TcpStream::connect(&addr).await else {
        return ("refused".into(), started.elapsed());
    };
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: failmode\r\nx-hub-signature-256: {FORGED_SIGNATURE}\r\nx-github-event: pull_request\r\nx-github-delivery: flood\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
    );
    let upload = tokio::spawn(async move {
        if writer.write_all(head.as_bytes()).await.is_ok() {
            let _cut_off = writer.write_all(&vec![b' '; sent]).await;
        }
        // Never send the rest; keep the write half open until the test ends.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(writer);
    });
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let outcome = loop {
        match tokio::time::timeout(Duration::from_secs(30), reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break "closed".to_string(),
            Ok(Ok(n)) => {
                received.extend_from_slice(&buf[..n]);
                if received.windows(2).any(|w| w == b"\r\n") {
                    break String::from_utf8_lossy(&received)
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                }
            }
            Err(_) => break "open".to_string(),
        }
    };
    upload.abort();
    (outcome, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_never_finished_uploads_are_shed_or_timed_out_and_memory_stays_bounded() {
    let github = FakeGithub::start(APP_ID).await;
    let srv = start(
        &github,
        &[
            ("FAILMODE_MAX_CONNECTIONS", "8"),
            ("FAILMODE_MAX_WEBHOOKS_IN_FLIGHT", "2"),
            ("FAILMODE_BODY_READ_TIMEOUT_SECS", "2"),
            ("FAILMODE_HEADER_READ_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let pid = srv.child.id();
    let before = memory_kib(pid, "VmRSS:");
    let limit = 1024 * 1024;
    // Each declares a body within the limit and sends all of it but the last byte.
    let uploads: Vec<_> = (0..40)
        .map(|_| {
            tokio::spawn(never_finished_upload(
                host_port(&srv.url).to_string(),
                limit,
                limit - 1,
            ))
        })
        .collect();
    let mut outcomes = Vec::new();
    for u in uploads {
        outcomes.push(u.await.unwrap());
    }
    let peak = memory_kib(pid, "VmHWM:");
    eprintln!(
        "40 never-finished uploads: RSS before {before} KiB, peak {peak} KiB; outcomes {outcomes:?}"
    );
    let timed_out = outcomes
        .iter()
        .filter(|(o, _)| o.starts_with("HTTP/1.1 408"))
        .count();
    let shed = outcomes
        .iter()
        .filter(|(o, _)| o.starts_with("HTTP/1.1 503") || o == "closed")
        .count();
    for (outcome, took) in &outcomes {
        assert!(
            outcome.starts_with("HTTP/1.1 408")
                || outcome.starts_with("HTTP/1.1 503")
                || outcome == "closed",
            "a never-finished upload ended `{outcome}` after {took:?}"
        );
        assert!(
            *took < Duration::from_secs(20),
            "a never-finished upload was held for {took:?}"
        );
    }
    // 2 bodies are read at a time; the requests waiting for room get it when those time out.
    assert!(
        (1..=8).contains(&timed_out),
        "only requests with room had their bodies read (then timed out): {outcomes:?}"
    );
    assert!(
        shed >= 32,
        "connections beyond the 8 allowed are shed: {outcomes:?}"
    );
    // At most 2 bodies of 1 MiB are held at once (plus per-connection buffers), where reading
    // every body would hold 40 MiB.
    assert!(
        peak.saturating_sub(before) < 24 * 1024,
        "memory grew from {before} KiB to a peak of {peak} KiB"
    );
    // The server is still there for GitHub.
    let ping = fixture("ping/with-app_id.payload.json");
    assert_eq!(
        server::deliver(&srv.url, "ping", "after-flood", &ping, SECRET).await,
        200
    );
}

fn private_pull_request() -> Value {
    let mut v = fixture("pull_request/opened.payload.json");
    v["number"] = json!(9);
    v["installation"] = json!({ "id": 31337, "node_id": "MDIz" });
    v["repository"]["full_name"] = json!("acme/private-payroll");
    v["repository"]["name"] = json!("private-payroll");
    v["repository"]["owner"]["login"] = json!("acme");
    v["pull_request"]["number"] = json!(9);
    v["pull_request"]["draft"] = json!(false);
    v["pull_request"]["head"]["sha"] = json!("abcdefabcdefabcdefabcdefabcdefabcdefabcd");
    v["pull_request"]["base"]["repo"]["full_name"] = json!("acme/private-payroll");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_details_and_metrics_are_served_only_on_the_admin_listener() {
    // The fake GitHub knows no installation 31337: the job is skipped.
    let github = FakeGithub::start(APP_ID).await;
    let srv = start(&github, &[]).await;
    assert_eq!(
        server::deliver(
            &srv.url,
            "pull_request",
            "priv-1",
            &private_pull_request(),
            SECRET
        )
        .await,
        202
    );
    let admin_health = server::wait_for_jobs(&srv.admin_url, "skipped", 1).await;
    assert_eq!(admin_health["status"], "ok", "{admin_health}");
    let admin_metrics = reqwest::get(format!("{}/metrics", srv.admin_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        admin_metrics.contains("failmode_deliveries_total"),
        "{admin_metrics}"
    );

    let client = reqwest::Client::new();
    let public = |path: &str| client.get(format!("{}{path}", srv.url)).send();
    let health = public("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    let health: Value = health.json().await.unwrap();
    assert_eq!(
        health,
        json!({ "status": "ok" }),
        "public liveness says nothing else"
    );
    let ready = public("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({ "ready": true })
    );
    for path in ["/metrics", "/healthz?detail=1", "/admin/healthz", "/"] {
        let r = public(path).await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("private-payroll")
                && !text.contains("31337")
                && !text.contains("failmode_"),
            "public {path} leaks: {text}"
        );
        if path != "/healthz?detail=1" {
            assert_eq!(status, 404, "public {path}");
        }
    }
}

/// Every configured secret of the secrets test.
const SECRETS: &[&str] = &[
    "DBPASSuserinfo",
    "DBPASSquery",
    "APIPASSuserinfo",
    "DBPASSssl",
    "DBPASSunreachable",
    "APIPASSftp",
];

fn assert_no_secret(place: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{secret} appears in {place}:\n{text}"
        );
    }
}

/// `failmode serve` started with `env`, expected to fail at startup; returns its stderr.
fn failing_startup(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("app.pem");
    std::fs::write(&key, support::fake_github::test_private_key_pem()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_failmode"))
        .arg("serve")
        .env("FAILMODE_APP_ID", APP_ID.to_string())
        .env("FAILMODE_PRIVATE_KEY_PATH", &key)
        .env("FAILMODE_WEBHOOK_SECRET", SECRET)
        .env("FAILMODE_LISTEN", "127.0.0.1:0")
        .env("FAILMODE_ADMIN_LISTEN", "127.0.0.2:0")
        .env("RUST_LOG", "debug")
        .envs(env.iter().copied())
        .output()
        .expect("run failmode serve");
    assert_eq!(out.status.code(), Some(2), "startup must fail: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn startup_errors_never_show_secrets() {
    let unreachable = failing_startup(&[(
        "FAILMODE_DATABASE_URL",
        "postgres://bot:DBPASSunreachable@127.0.0.1:1/failmode?password=DBPASSquery&sslmode=disable",
    )]);
    assert!(
        unreachable.contains("FAILMODE_DATABASE_URL"),
        "{unreachable}"
    );
    assert_no_secret("the unreachable-database error", &unreachable);
    // The PostgreSQL driver logs parameters it does not know with their values.
    let unknown = failing_startup(&[(
        "FAILMODE_DATABASE_URL",
        "postgres://bot@127.0.0.1:1/failmode?sslpassword=DBPASSssl",
    )]);
    assert!(unknown.contains("sslpassword"), "{unknown}");
    assert_no_secret("the unknown-parameter error", &unknown);
    let api = failing_startup(&[("FAILMODE_GITHUB_API_URL", "ftp://robot:APIPASSftp@ghe")]);
    assert!(api.contains("FAILMODE_GITHUB_API_URL"), "{api}");
    assert_no_secret("the API URL error", &api);
    // Credentials in the API URL are refused (the HTTP client logs the URLs it requests).
    let api = failing_startup(&[(
        "FAILMODE_GITHUB_API_URL",
        "https://robot:APIPASSuserinfo@127.0.0.1:1/api/v3",
    )]);
    assert!(api.contains("must not carry credentials"), "{api}");
    assert_no_secret("the API URL credentials error", &api);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_server_shows_no_secret_in_logs_metrics_health_or_the_database() {
    let Some(db) = PgSchema::create("a_running_server_shows_no_secret").await else {
        return;
    };
    // The test server trusts loopback, so the passwords are carried but never checked.
    let database_url = db
        .url
        .replacen("://postgres@", "://postgres:DBPASSuserinfo@", 1)
        + "&password=DBPASSquery";
    assert!(database_url.contains("DBPASSuserinfo"), "{database_url}");
    let github = FakeGithub::start(APP_ID).await;
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let srv = server::start_logging_to(
        &github.url(),
        dir.path(),
        Some(&database_url),
        &[("RUST_LOG", "debug")],
        server::Log::File(log),
    )
    .await;
    // A delivery the App reviews (its installation is unknown, so the job fails and its
    // error is stored), and one with a bad signature.
    assert_eq!(
        server::deliver(
            &srv.url,
            "pull_request",
            "sec-1",
            &private_pull_request(),
            SECRET
        )
        .await,
        202
    );
    assert_eq!(
        server::deliver(
            &srv.url,
            "pull_request",
            "sec-2",
            &private_pull_request(),
            "wrong"
        )
        .await,
        401
    );
    let health = server::wait_for_jobs(&srv.admin_url, "skipped", 1).await;
    assert_no_secret("the admin /healthz", &health.to_string());
    for url in [
        format!("{}/metrics", srv.admin_url),
        format!("{}/readyz", srv.admin_url),
        format!("{}/readyz", srv.url),
        format!("{}/healthz", srv.url),
    ] {
        let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert_no_secret(&url, &text);
    }
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    for table in [
        "deliveries",
        "jobs",
        "publications",
        "leader_leases",
        "redelivery_requests",
    ] {
        let rows: Option<String> = sqlx::query_scalar(&format!(
            "SELECT string_agg(row_to_json(t)::text, E'\\n') FROM {table} t"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_no_secret(&format!("the {table} table"), &rows.unwrap_or_default());
    }
    drop(srv);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("failmode serve started"), "{log}");
    assert_no_secret("the log", &log);
}
