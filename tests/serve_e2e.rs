//! End-to-end: the real `failmode serve` binary against a fake GitHub that is a real HTTP server.
//! Each test asserts on exactly what GitHub received.

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::fake_github::{FakeFile, FakeGithub, FakePull, Fault};
use support::server::{
    fixture, pull_request_payload, setup_pull, Server, APP_ID, BASE_LIB, BASE_SHA, CARGO, HEAD_SHA,
    INSTALLATION, REPO, SECRET,
};

async fn start_server(github: &FakeGithub, dir: tempfile::TempDir) -> Server {
    let mut server = support::server::start(&github.url(), dir.path(), None, &[]).await;
    server.dir = Some(dir);
    server
}

async fn start_server_in(github: &FakeGithub, dir: &Path, extra_env: &[(&str, &str)]) -> Server {
    support::server::start(&github.url(), dir, None, extra_env).await
}

async fn deliver(
    server: &Server,
    event: &str,
    delivery: &str,
    body: &Value,
    secret: &str,
) -> reqwest::StatusCode {
    support::server::deliver(&server.url, event, delivery, body, secret).await
}

async fn wait_for_jobs(server: &Server, state: &str, n: u64) -> Value {
    support::server::wait_for_jobs(&server.admin_url, state, n).await
}

fn setup_repo(github: &FakeGithub, draft: bool) {
    setup_pull(github, draft, None);
}

async fn wait_for_completed_check_runs(github: &FakeGithub, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let done = github
            .check_runs()
            .iter()
            .filter(|r| r.get("status").and_then(Value::as_str) == Some("completed"))
            .count();
        if done >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no completed check run after 90 s; requests: {:#?}",
            github.requests()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_pull_request_gets_exactly_one_review_and_redelivery_adds_nothing() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;

    // A forged delivery is refused and stores nothing.
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "bad-1", &opened, "wrong secret").await,
        401
    );

    assert_eq!(
        deliver(&server, "pull_request", "d-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1, "exactly one review");
    let review = &reviews[0].request;
    assert_eq!(review["event"], "COMMENT");
    assert_eq!(review["commit_id"], HEAD_SHA);
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert_eq!(comments[0]["path"], "src/lib.rs");
    assert_eq!(comments[0]["side"], "RIGHT");
    let line = comments[0]["line"].as_u64().unwrap();
    let start = comments[0]
        .get("start_line")
        .and_then(Value::as_u64)
        .unwrap_or(line);
    assert!(
        start <= 7 && 7 <= line,
        "the comment covers the `let _ =` statement (line 7): {comments:#?}"
    );
    // token, pull, the repository's own checks folder (absent), the organization's default
    // config, base config, files, check run, archive (+ its download from the archive host), the
    // App's bot login (once per process), existing comments, review, check run update: 12 API
    // calls for a first review.
    let api_calls = github
        .requests()
        .iter()
        .filter(|r| !r.endpoint.starts_with("GET /_codeload/"))
        .count();
    eprintln!("GitHub API calls for the first review of a one-file PR: {api_calls}");
    assert_eq!(api_calls, 12, "{:#?}", github.requests());
    let body = comments[0]["body"].as_str().unwrap();
    assert!(
        body.contains("swallowed-error") && body.contains("<!-- failmode:fingerprint="),
        "{body}"
    );

    // The same delivery again (GitHub's redelivery reuses the GUID), then a new delivery for the
    // same head: neither posts anything new.
    assert_eq!(
        deliver(&server, "pull_request", "d-1", &opened, SECRET).await,
        202
    );
    let sync = pull_request_payload("synchronize", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "d-2", &sync, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    let health = wait_for_jobs(&server, "done", 2).await;
    assert_eq!(health["jobs"]["queued"], 0);
    assert_eq!(
        github.reviews().len(),
        1,
        "no second review for the same findings"
    );
    assert!(
        github.errors().is_empty(),
        "fake GitHub saw unexpected requests: {:?}",
        github.errors()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_pull_requests_are_skipped() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, true);
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, true);
    assert_eq!(
        deliver(&server, "pull_request", "draft-1", &opened, SECRET).await,
        202
    );
    wait_for_jobs(&server, "skipped", 1).await;
    assert!(github.reviews().is_empty());
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_intake_rejects_bad_input_and_answers_ping() {
    let github = FakeGithub::start(APP_ID).await;
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let ping = fixture("ping/with-app_id.payload.json");
    assert_eq!(deliver(&server, "ping", "p-1", &ping, SECRET).await, 200);
    let client = reqwest::Client::new();
    // Unsigned.
    let r = client
        .post(format!("{}/webhook", server.url))
        .header("x-github-event", "ping")
        .header("x-github-delivery", "u-1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Signed but not JSON.
    let raw = b"{not json".to_vec();
    let sig = failmode::github::webhook::sign(SECRET.as_bytes(), &raw);
    let r = client
        .post(format!("{}/webhook", server.url))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "m-1")
        .header("x-hub-signature-256", &sig)
        .header("content-type", "application/json")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Signed, but not sent as JSON (GitHub Apps always send application/json).
    let r = reqwest::Client::new()
        .post(format!("{}/webhook", server.url))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "m-2")
        .header("x-hub-signature-256", &sig)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // A body over the limit is answered 413 before it is read and the connection closed, so a
    // client still writing it may see the close first: tests/hostile_network.rs sends only the
    // headers and checks the 413. The refusals above closed their connections too; a fresh
    // client keeps the next request from racing those closes on a pooled connection.
    let public_metrics = reqwest::Client::new()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(public_metrics.status(), 404, "metrics are internal");
    let metrics = reqwest::Client::new()
        .get(format!("{}/metrics", server.admin_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("failmode_deliveries_total"), "{metrics}");
    assert!(github.requests().is_empty(), "nothing reached GitHub");
}

/// Polls `/healthz` until `n` jobs are in `state`, and returns that health report.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_disabled_on_the_base_branch_posts_nothing() {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(
        &github,
        false,
        Some(b"[checks.swallowed-error]\nenabled = false\n"),
    );
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "cfg-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    wait_for_jobs(&server, "done", 1).await;
    assert!(github.reviews().is_empty(), "{:#?}", github.reviews());
    let runs = github.check_runs();
    assert_eq!(runs[0]["conclusion"], "success", "{runs:#?}");
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_base_config_is_reported_with_line_and_column() {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(
        &github,
        false,
        Some(b"fail_on = \"high\"\n\n[retry]\nwrapers = []\n"),
    );
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "cfg-2", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    let runs = github.check_runs();
    assert_eq!(runs[0]["conclusion"], "action_required", "{runs:#?}");
    let title = runs[0]["output"]["title"].as_str().unwrap();
    assert!(title.contains("(4:1)"), "{title}");
    let summary = runs[0]["output"]["summary"].as_str().unwrap();
    assert!(
        summary.contains(".github/failmode.toml:4:1: unknown field `wrapers`"),
        "{summary}"
    );
    assert!(
        github.reviews().is_empty(),
        "no review when the config is broken"
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

/// A function whose `let _ =` drops a database write's error: one swallowed-error finding on the
/// `let` statement (its second line).
fn finding_fn(name: &str) -> String {
    format!(
        "pub async fn {name}(db: &sqlx::PgPool, id: i64) {{\n    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n        .bind(id)\n        .execute(db)\n        .await;\n}}\n"
    )
}

/// Base: a manifest and `src/lib.rs`. Head `head_sha`: the base plus `added_files`, which are
/// the pull request's files.
fn setup_added_files(
    github: &FakeGithub,
    head_sha: &str,
    head_repo: &str,
    added_files: &[(String, String)],
) {
    github.add_installation(INSTALLATION, &[REPO]);
    let base: Vec<(&str, &[u8])> = vec![
        ("Cargo.toml", CARGO.as_bytes()),
        ("src/lib.rs", BASE_LIB.as_bytes()),
    ];
    github.add_commit(REPO, BASE_SHA, &base);
    let mut head = base.clone();
    head.extend(added_files.iter().map(|(p, t)| (p.as_str(), t.as_bytes())));
    github.add_commit(REPO, head_sha, &head);
    github.add_pull(FakePull {
        repo: REPO.into(),
        number: 7,
        head_sha: head_sha.into(),
        head_ref: "feature".into(),
        head_repo: Some(head_repo.into()),
        base_sha: BASE_SHA.into(),
        base_ref: "main".into(),
        draft: false,
        files: added_files
            .iter()
            .map(|(p, t)| FakeFile::added(p, t))
            .collect(),
    });
}

fn endpoints(github: &FakeGithub) -> Vec<String> {
    github
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.endpoint, r.status))
        .collect()
}

fn comments_of(review: &Value) -> Vec<Value> {
    review["comments"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_file_pull_request_costs_ten_api_calls_and_a_later_push_refetches_one_file() {
    let github = FakeGithub::start(APP_ID).await;
    let modules = |finding_in: &[usize]| -> Vec<(String, String)> {
        (0..100)
            .map(|i| {
                let mut text = format!("pub fn id_{i}() -> usize {{\n    {i}\n}}\n");
                if finding_in.contains(&i) {
                    text.push('\n');
                    text.push_str(&finding_fn(&format!("mark_shipped_{i}")));
                }
                (format!("src/m{i:03}.rs"), text)
            })
            .collect()
    };
    setup_added_files(&github, HEAD_SHA, REPO, &modules(&[0, 20, 40, 60, 80]));
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "big-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;

    // One archive download instead of 100 blob calls; the archive host is not the API.
    assert_eq!(
        endpoints(&github),
        [
            "POST /app/installations/{installation_id}/access_tokens 201",
            "GET /repos/{owner}/{repo}/pulls/{pull_number} 200",
            // The repository's own checks folder, the organization's defaults (acme/.github, not
            // installed here), the repository's config: none exists.
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files 200",
            "POST /repos/{owner}/{repo}/check-runs 201",
            "GET /repos/{owner}/{repo}/tarball/{ref} 302",
            "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{ref} 200",
            // Once per process: the App's bot login, so only its own comments count.
            "GET /app 200",
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments 200",
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews 200",
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 200",
        ]
    );
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1);
    let paths: Vec<String> = comments_of(&reviews[0].request)
        .iter()
        .map(|c| format!("{}:{}", c["path"].as_str().unwrap(), c["line"]))
        .collect();
    assert_eq!(
        paths,
        [
            "src/m000.rs:9",
            "src/m020.rs:9",
            "src/m040.rs:9",
            "src/m060.rs:9",
            "src/m080.rs:9"
        ]
    );

    // A later push changes one file: the tree and that one blob, nothing per unchanged file.
    const HEAD3: &str = "3333333333333333333333333333333333333333";
    setup_added_files(&github, HEAD3, REPO, &modules(&[0, 3, 20, 40, 60, 80]));
    let before = github.requests().len();
    let sync = pull_request_payload("synchronize", HEAD3, false);
    assert_eq!(
        deliver(&server, "pull_request", "big-2", &sync, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 2).await;
    let second: Vec<String> = endpoints(&github)[before..].to_vec();
    assert_eq!(
        second,
        [
            "GET /repos/{owner}/{repo}/pulls/{pull_number} 200",
            // The repository's own checks folder, the organization's defaults (acme/.github, not
            // installed here), the repository's config: none exists.
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/contents/{path} 404",
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files 200",
            "POST /repos/{owner}/{repo}/check-runs 201",
            "GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200",
            "GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200",
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments 200",
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews 200",
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 200",
        ]
    );
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 2, "the new finding gets its own review");
    let new_paths: Vec<String> = comments_of(&reviews[1].request)
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(new_paths, ["src/m003.rs"], "only the new finding is posted");
    // For the notes (not asserted): the server's peak resident memory over both reviews.
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())) {
        if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM")) {
            eprintln!("failmode serve after a 100-file review and a push: {peak}");
        }
    }
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_request_from_a_fork_is_reviewed_with_the_app_token() {
    let github = FakeGithub::start(APP_ID).await;
    let jobs = format!("{}\n{}", finding_fn("mark_shipped"), "");
    setup_added_files(
        &github,
        HEAD_SHA,
        "forker/orders",
        &[("src/jobs.rs".to_string(), jobs)],
    );
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let mut opened = pull_request_payload("opened", HEAD_SHA, false);
    opened["pull_request"]["head"]["repo"]["full_name"] = json!("forker/orders");
    opened["pull_request"]["head"]["repo"]["fork"] = json!(true);
    opened["pull_request"]["head"]["label"] = json!("forker:feature");
    assert_eq!(
        deliver(&server, "pull_request", "fork-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1);
    assert_eq!(comments_of(&reviews[0].request).len(), 1);
    assert!(
        github
            .requests()
            .iter()
            .filter(|r| !r.endpoint.starts_with("POST /app/") && r.endpoint != "GET /app")
            .all(|r| if r.endpoint.starts_with("GET /_codeload/") {
                r.auth == "none"
            } else {
                r.auth == format!("installation:{INSTALLATION}")
            }),
        "every repository call uses the base repository's installation token, and the \
         pre-signed archive URL none: {:#?}",
        github.requests()
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_post_that_fails_with_502_is_retried_into_exactly_one_review() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let reviews_endpoint = "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews";
    github.inject(reviews_endpoint, Fault::bad_gateway(), 1);
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "flaky-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    assert_eq!(github.reviews().len(), 1);
    let posts: Vec<u16> = github
        .requests()
        .iter()
        .filter(|r| r.endpoint == reviews_endpoint)
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [502, 200]);
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_and_check_run_github_created_despite_answering_502_are_not_created_again() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let reviews_endpoint = "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews";
    github.inject(reviews_endpoint, Fault::ActThenFail(502), 1);
    let runs_endpoint = "POST /repos/{owner}/{repo}/check-runs";
    github.inject(runs_endpoint, Fault::ActThenFail(502), 1);
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "lost-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    wait_for_jobs(&server, "done", 1).await;
    assert_eq!(github.reviews().len(), 1, "exactly one review");
    assert_eq!(
        github
            .requests()
            .iter()
            .filter(|r| r.endpoint == reviews_endpoint)
            .count(),
        1,
        "the review was found on the pull request, not posted a second time"
    );
    assert_eq!(
        github.check_runs().len(),
        1,
        "the check run GitHub created despite its 502 was found on the head, not created again"
    );
    assert_eq!(github.count(runs_endpoint), 1);
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_comment_github_refuses_moves_to_the_check_run_and_the_rest_are_posted() {
    let github = FakeGithub::start(APP_ID).await;
    let jobs = format!(
        "{}\n{}",
        finding_fn("mark_shipped"),
        finding_fn("mark_paid")
    );
    setup_added_files(
        &github,
        HEAD_SHA,
        REPO,
        &[("src/jobs.rs".to_string(), jobs)],
    );
    // GitHub's view of the diff disagrees with ours on the first finding (line 2).
    github.refuse_comments_at("src/jobs.rs", 2);
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "refuse-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;

    let reviews = github.reviews();
    assert_eq!(
        reviews.len(),
        1,
        "one review with the comment GitHub accepts"
    );
    let comments = comments_of(&reviews[0].request);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert_eq!(
        (
            comments[0]["start_line"].as_u64(),
            comments[0]["line"].as_u64()
        ),
        (Some(9), Some(12)),
        "the accepted comment is the second finding's statement: {comments:#?}"
    );
    let (created, left) = github.pending_reviews();
    assert!(
        created >= 1,
        "the refused comment was found with pending reviews"
    );
    assert_eq!(left, 0, "no pending review is left behind");
    let completion = github
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.endpoint == "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")
        .and_then(|r| r.body)
        .unwrap();
    let output = &completion["output"];
    assert!(
        output["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["path"] == "src/jobs.rs" && a["start_line"] == 2),
        "the refused finding is annotated on the check run: {output:#}"
    );
    let summary = output["summary"].as_str().unwrap();
    assert!(
        summary.contains("1 inline comment posted")
            && summary.contains("Comments GitHub did not accept inline")
            && summary.contains("`src/jobs.rs` line 5"),
        "{summary}"
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

/// Kills `failmode serve` (SIGKILL) while GitHub is answering `endpoint`, restarts it on the
/// same database, and requires exactly one review and a completed job.
async fn kill_mid_job_then_restart(endpoint: &str) {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    github.inject(endpoint, Fault::Delay(Duration::from_secs(8)), 1);
    let dir = tempfile::tempdir().unwrap();
    let lease = [("FAILMODE_JOB_LEASE_SECS", "3")];
    let mut first = start_server_in(&github, dir.path(), &lease).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&first, "pull_request", "kill-1", &opened, SECRET).await,
        202
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while github.arrived(endpoint) == 0 {
        assert!(
            Instant::now() < deadline,
            "the job never reached {endpoint}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = start_server_in(&github, dir.path(), &lease).await;
    wait_for_jobs(&second, "done", 1).await;
    assert_eq!(
        github.reviews().len(),
        1,
        "exactly one review after the crash"
    );
    assert!(
        github
            .check_runs()
            .iter()
            .any(|r| r["status"] == "completed"),
        "the check run was completed by the restarted server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_posting_the_review_then_restarted_posts_exactly_one_review() {
    kill_mid_job_then_restart("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_posting_the_review_then_restarted_posts_no_second_review() {
    kill_mid_job_then_restart("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_in_githubs_log_are_redelivered_once_and_reviewed() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let dir = tempfile::tempdir().unwrap();
    let server = start_server_in(
        &github,
        dir.path(),
        &[("FAILMODE_RECOVERY_INTERVAL_SECS", "1")],
    )
    .await;
    github.set_webhook_target(&format!("{}/webhook", server.url), SECRET.as_bytes());
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    // GitHub's log: the `opened` delivery failed while failmode was down...
    github.add_delivery("lost-1", "pull_request", &opened, 502);
    // ...a ping failed once, then succeeded when someone redelivered it by hand...
    let ping = fixture("ping/with-app_id.payload.json");
    github.add_delivery("ping-1", "ping", &ping, 500);
    github.add_delivery("ping-1", "ping", &ping, 200);
    // ...and one failmode stored although GitHub gave up waiting for the answer.
    let sync = pull_request_payload("synchronize", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "stored-1", &sync, SECRET).await,
        202
    );
    github.add_delivery("stored-1", "pull_request", &sync, 504);

    let redeliveries = "POST /app/hook/deliveries/{delivery_id}/attempts";
    let deadline = Instant::now() + Duration::from_secs(30);
    while github.count(redeliveries) == 0 {
        assert!(
            Instant::now() < deadline,
            "no redelivery requested: {:#?}",
            github.requests()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_jobs(&server, "done", 2).await;
    // Several more scans: nothing else is redelivered, and `lost-1` not again (it succeeded).
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(github.count(redeliveries), 1, "{:#?}", github.requests());
    let log = github.deliveries();
    assert!(
        log.iter()
            .any(|(_, guid, redelivery, status)| guid == "lost-1" && *redelivery && *status == 202),
        "lost-1 was redelivered and accepted: {log:?}"
    );
    assert_eq!(github.reviews().len(), 1, "one review for the head");
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

/// Sends SIGTERM to the server and waits (at most `within`) for it to exit.
fn terminate(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(sent.success(), "SIGTERM delivered");
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = server.child.try_wait().expect("poll the child") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "failmode serve did not exit within {within:?} of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_running_review_finish_before_exiting() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let reviews_endpoint = "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews";
    github.inject(reviews_endpoint, Fault::Delay(Duration::from_secs(2)), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server_in(&github, dir.path(), &[]).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "term-1", &opened, SECRET).await,
        202
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while github.arrived(reviews_endpoint) == 0 {
        assert!(Instant::now() < deadline, "the review was never posted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = terminate(&mut server, Duration::from_secs(30));
    assert!(status.success(), "a clean exit: {status}");
    assert_eq!(github.reviews().len(), 1);
    assert!(
        github
            .check_runs()
            .iter()
            .any(|r| r["status"] == "completed"),
        "the job finished, check run included, before the process exited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_past_the_grace_period_gives_the_job_back_and_a_restart_completes_it() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github, false);
    let completion = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
    github.inject(completion, Fault::Delay(Duration::from_secs(20)), 1);
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("FAILMODE_SHUTDOWN_GRACE_SECS", "1"),
        ("FAILMODE_JOB_LEASE_SECS", "3"),
    ];
    let mut server = start_server_in(&github, dir.path(), &env).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "term-2", &opened, SECRET).await,
        202
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while github.arrived(completion) == 0 {
        assert!(
            Instant::now() < deadline,
            "the job never reached the check run update"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = terminate(&mut server, Duration::from_secs(15));
    assert!(
        status.success(),
        "a clean exit after releasing the job: {status}"
    );
    drop(server);

    let restarted = start_server_in(&github, dir.path(), &env).await;
    wait_for_jobs(&restarted, "done", 1).await;
    assert_eq!(
        github.reviews().len(),
        1,
        "the released job posted nothing twice"
    );
    assert!(github
        .check_runs()
        .iter()
        .any(|r| r["status"] == "completed"));
}

/// A route whose text tries to mention a user, link an issue, embed HTML, post a link and plant
/// a fingerprint marker.
const HOSTILE_ROUTE: &str = "/orders @octocat fixes #1 <img src=x> [click](https://evil.example) `` <!-- failmode:fingerprint=0 -->";

fn hostile_routes_rs() -> String {
    format!(
        "use axum::{{routing::post, Router}};\n\npub fn app(db: sqlx::PgPool) -> Router {{\n    Router::new().route(\"{HOSTILE_ROUTE}\", post(create_order)).with_state(db)\n}}\n\nasync fn create_order(axum::extract::State(db): axum::extract::State<sqlx::PgPool>) -> Result<(), String> {{\n    sqlx::query(\"INSERT INTO orders DEFAULT VALUES\").execute(&db).await.map_err(|e| e.to_string())?;\n    Ok(())\n}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_the_pull_request_is_posted_inert_and_a_humans_marker_does_not_silence_the_bot() {
    let github = FakeGithub::start(APP_ID).await;
    let added = vec![
        ("src/routes.rs".to_string(), hostile_routes_rs()),
        ("src/ship.rs".to_string(), finding_fn("mark_shipped")),
    ];
    setup_added_files(&github, HEAD_SHA, REPO, &added);
    // Every finding this push has, computed with the same engine...
    let mut inputs: Vec<failmode::analysis::source::SourceInput> = added
        .iter()
        .map(|(p, t)| {
            failmode::analysis::source::SourceInput::new(p.clone(), t.clone().into_bytes())
        })
        .collect();
    inputs.push(failmode::analysis::source::SourceInput::new(
        "Cargo.toml",
        CARGO.as_bytes().to_vec(),
    ));
    let expected = failmode::analysis::analyze(
        &inputs,
        &failmode::config::Config::default(),
        failmode::analysis::check::CheckSet::embedded().unwrap(),
        &failmode::analysis::AnalysisOptions::default(),
    )
    .findings;
    let checks: Vec<&str> = expected.iter().map(|f| f.check.as_str()).collect();
    assert!(
        checks.contains(&"untested-handler") && checks.contains(&"swallowed-error"),
        "{checks:?}"
    );
    // ...is already "posted" by a person who copied the markers into a comment of their own.
    for f in &expected {
        github.add_human_comment(
            REPO,
            7,
            "mallory",
            "src/ship.rs",
            2,
            &format!(
                "nothing to see <!-- failmode:fingerprint={} -->",
                f.fingerprint
            ),
        );
    }
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "hostile-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;

    // The App still comments on every finding: only its own comments count as posted.
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1, "{:#?}", endpoints(&github));
    let comments = comments_of(&reviews[0].request);
    assert_eq!(comments.len(), expected.len(), "{comments:#?}");
    let route_comment = comments
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_string())
        .find(|b| b.contains("untested-handler"))
        .expect("a comment on the untested route");
    // The route is quoted, but nothing in it renders: no mention, issue link, HTML, link or
    // comment marker, and no line break that could start a block.
    for bad in ["@octocat", "#1", "https://evil"] {
        assert!(
            !route_comment.contains(bad),
            "`{bad}` is live in: {route_comment}"
        );
    }
    // HTML and link syntax is literal text inside code spans; outside them it must not parse.
    // The one live link is the App's own "Learn more", to the check's page.
    let rendered = failmode::analysis::markup::outside_code_spans(&route_comment);
    for bad in ["<img", "[click]("] {
        assert!(
            !rendered.contains(bad),
            "`{bad}` is live outside code in: {route_comment}"
        );
    }
    assert_eq!(
        rendered.matches("](").count(),
        1,
        "one link, the App's own: {route_comment}"
    );
    let docs_link = format!(
        "]({})",
        failmode::report::check_docs_url("untested-handler")
    );
    assert!(rendered.contains(&docs_link), "{route_comment}");
    assert_eq!(
        route_comment.matches("<!--").count(),
        1,
        "only the App's own marker: {route_comment}"
    );
    assert!(route_comment.trim_end().ends_with("-->"));
    // What a reader sees still names the route (zero-width spaces aside).
    assert!(
        route_comment
            .replace('\u{200B}', "")
            .contains("/orders @octocat fixes #1 <img src=x> [click](https://evil.example)"),
        "{route_comment}"
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

/// Three dropped database errors in one function and one in another.
const REPEATED_DROPS: &str = r#"use sqlx::PgPool;

pub async fn close_order(db: &PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET closed = true WHERE id = $1").bind(id).execute(db).await;
    let _ = sqlx::query("DELETE FROM carts WHERE order_id = $1").bind(id).execute(db).await;
    let _ = sqlx::query("UPDATE stock SET held = 0 WHERE order_id = $1").bind(id).execute(db).await;
}

pub async fn mark_paid(db: &PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET paid = true WHERE id = $1").bind(id).execute(db).await;
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_drop_repeated_in_one_function_gets_one_comment_naming_the_other_lines() {
    let github = FakeGithub::start(APP_ID).await;
    setup_added_files(
        &github,
        HEAD_SHA,
        REPO,
        &[("src/orders.rs".to_string(), REPEATED_DROPS.to_string())],
    );
    let server = start_server(&github, tempfile::tempdir().unwrap()).await;
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    assert_eq!(
        deliver(&server, "pull_request", "rep-1", &opened, SECRET).await,
        202
    );
    wait_for_completed_check_runs(&github, 1).await;
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1);
    let comments = comments_of(&reviews[0].request);
    let lines: Vec<u64> = comments
        .iter()
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 10], "{comments:#?}");
    let folded = comments[0]["body"].as_str().unwrap();
    assert!(
        folded.contains(
            "The same holds in `close_order` for `sqlx::query(..).bind(..).execute(..).await` \
             (line 5) and `sqlx::query(..).bind(..).execute(..).await` (line 6)."
        ),
        "{folded}"
    );
    let single = comments[1]["body"].as_str().unwrap();
    assert!(!single.contains("The same holds"), "{single}");
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}
