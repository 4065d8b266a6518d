//! Job deadlines end to end: the real `failmode serve` binary against a fake GitHub that stops
//! answering mid-review. Past `FAILMODE_JOB_DEADLINE_SECS` the review is stopped, the check run
//! says failmode gave up (completed, `timed_out`), and the job is dead-lettered instead of
//! holding a worker (and its lease) forever or running again.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::fake_github::{FakeFile, FakeGithub, FakePull, Fault};
use support::server::{
    pull_request_payload, Server, APP_ID, BASE_SHA, HEAD_SHA, INSTALLATION, REPO, SECRET,
};

const LIB: &str = "pub fn answer() -> u32 {\n    42\n}\n";
const PATCH: &str = "@@ -0,0 +1,3 @@\n+pub fn answer() -> u32 {\n+    42\n+}";
const CARGO: &str = "[package]\nname = \"orders\"\nversion = \"0.1.0\"\n";
/// An hour: far beyond the job deadline, so only the deadline can end the review.
const HANG: Duration = Duration::from_secs(3600);

fn setup_repo(github: &FakeGithub) {
    github.add_installation(INSTALLATION, &[REPO]);
    github.add_commit(REPO, BASE_SHA, &[("Cargo.toml", CARGO.as_bytes())]);
    github.add_commit(
        REPO,
        HEAD_SHA,
        &[
            ("Cargo.toml", CARGO.as_bytes()),
            ("src/lib.rs", LIB.as_bytes()),
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
        draft: false,
        files: vec![FakeFile {
            filename: "src/lib.rs".into(),
            status: "added".into(),
            patch: Some(PATCH.into()),
        }],
    });
}

/// A server whose jobs get `deadline_secs`, whose GitHub requests never time out on their own
/// (so a hanging GitHub hangs the review), and whose lease is short enough that heartbeats
/// beat during the review.
async fn start(github: &FakeGithub, dir: &tempfile::TempDir, deadline_secs: &str) -> Server {
    support::server::start(
        &github.url(),
        dir.path(),
        None,
        &[
            ("FAILMODE_JOB_DEADLINE_SECS", deadline_secs),
            ("FAILMODE_JOB_LEASE_SECS", "3"),
            ("FAILMODE_GITHUB_TIMEOUT_SECS", "3600"),
            ("FAILMODE_RECOVERY_INTERVAL_SECS", "0"),
        ],
    )
    .await
}

/// The completed check runs, once at least one exists (60 s at most: a safety bound, the
/// deadline under test is a few seconds).
async fn wait_for_completed_check_run(github: &FakeGithub) -> Vec<Value> {
    let limit = Instant::now() + Duration::from_secs(60);
    loop {
        let done: Vec<Value> = github
            .check_runs()
            .into_iter()
            .filter(|r| r["status"] == json!("completed"))
            .collect();
        if !done.is_empty() {
            return done;
        }
        assert!(
            Instant::now() < limit,
            "the review hung past its deadline and no check run was completed; check runs: {:#?}",
            github.check_runs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn assert_gave_up(run: &Value) {
    assert_eq!(run["conclusion"], json!("timed_out"), "{run:#}");
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("failmode gave up on this push after 4 s:"),
        "{run:#}"
    );
    assert_eq!(
        run["output"]["title"],
        json!("failmode gave up on this push")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_hanging_on_github_ends_at_its_deadline_and_the_check_run_says_why() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github);
    // The check run is created, then reading the PR's comments never answers.
    let comments = "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments";
    github.inject(comments, Fault::Delay(HANG), 10);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(&github, &dir, "4").await;
    assert_eq!(
        support::server::deliver(
            &server.url,
            "pull_request",
            "d-1",
            &pull_request_payload("opened", HEAD_SHA, false),
            SECRET
        )
        .await,
        202
    );

    let done = wait_for_completed_check_run(&github).await;
    assert_eq!(done.len(), 1, "{done:#?}");
    assert_gave_up(&done[0]);
    assert_eq!(
        github.check_runs().len(),
        1,
        "the run the review created is the one completed"
    );
    let health = support::server::wait_for_jobs(&server.admin_url, "dead", 1).await;
    assert_eq!(health["jobs"]["running"], json!(0), "{health}");
    assert_eq!(health["jobs"]["queued"], json!(0), "{health}");
    assert_eq!(health["jobs"]["failed"], json!(0), "not retried: {health}");
    let last_error = health["dead_jobs"][0]["last_error"]
        .as_str()
        .unwrap_or_default();
    assert!(last_error.contains("gave up"), "{health}");
    // Given up, not run again: the hanging request was made once, the PR read once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(github.arrived(comments), 1);
    assert_eq!(
        github.count("GET /repos/{owner}/{repo}/pulls/{pull_number}"),
        1
    );
    assert!(github.reviews().is_empty());
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_hanging_before_its_check_run_exists_gets_one_saying_why() {
    let github = FakeGithub::start(APP_ID).await;
    setup_repo(&github);
    // Listing the changed files (before the check run is created) never answers.
    let files = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files";
    github.inject(files, Fault::Delay(HANG), 10);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(&github, &dir, "4").await;
    assert_eq!(
        support::server::deliver(
            &server.url,
            "pull_request",
            "d-1",
            &pull_request_payload("opened", HEAD_SHA, false),
            SECRET
        )
        .await,
        202
    );

    let done = wait_for_completed_check_run(&github).await;
    assert_eq!(github.check_runs().len(), 1, "{:#?}", github.check_runs());
    assert_gave_up(&done[0]);
    assert_eq!(done[0]["head_sha"], json!(HEAD_SHA));
    let health = support::server::wait_for_jobs(&server.admin_url, "dead", 1).await;
    assert_eq!(health["jobs"]["running"], json!(0), "{health}");
    assert_eq!(github.arrived(files), 1);
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}
