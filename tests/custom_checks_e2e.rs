//! End-to-end: a repository's own check (`.github/failmode/checks/`, read from the base branch)
//! is loaded and reported by the App like a built-in one; a broken one stops the review with
//! the file named in the check run. A built-in check that ships off is reported once the
//! repository's config turns it on.

mod support;

use serde_json::Value;
use std::path::Path;
use support::fake_github::{FakeFile, FakeGithub, FakePull};
use support::server::{APP_ID, BASE_LIB, BASE_SHA, CARGO, HEAD_SHA, INSTALLATION, REPO};

const HTTP: &str = "pub fn client() -> reqwest::Client {\n    reqwest::Client::new()\n}\n";

/// `tests/fixtures/custom-checks` as (repository path, bytes) under `.github/failmode/checks/`.
fn custom_checks() -> Vec<(String, Vec<u8>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/custom-checks");
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(&src).hidden(false).build() {
        let entry = entry.unwrap();
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let rel = entry.path().strip_prefix(&src).unwrap().to_string_lossy();
            files.push((
                format!(".github/failmode/checks/{rel}"),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    files
}

/// Reviews a pull request adding `src/http.rs` (a `reqwest::Client::new()`) to a repository
/// whose base holds `checks`; returns the completed check run.
async fn review(checks: &[(String, Vec<u8>)]) -> (Value, FakeGithub) {
    let github = FakeGithub::start(APP_ID).await;
    github.add_installation(INSTALLATION, &[REPO]);
    let mut base: Vec<(&str, &[u8])> = vec![
        ("Cargo.toml", CARGO.as_bytes()),
        ("src/lib.rs", BASE_LIB.as_bytes()),
    ];
    base.extend(checks.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    github.add_commit(REPO, BASE_SHA, &base);
    let mut head = base.clone();
    head.push(("src/http.rs", HTTP.as_bytes()));
    github.add_commit(REPO, HEAD_SHA, &head);
    github.add_pull(FakePull {
        repo: REPO.into(),
        number: 7,
        head_sha: HEAD_SHA.into(),
        head_ref: "feature".into(),
        head_repo: Some(REPO.into()),
        base_sha: BASE_SHA.into(),
        base_ref: "main".into(),
        draft: false,
        files: vec![FakeFile::added("src/http.rs", HTTP)],
    });
    let (run, server) = support::server::review_opened(&github, "custom-1").await;
    drop(server);
    (run, github)
}

/// The body of the one inline comment of the one review posted, which must sit on the client
/// built in `src/http.rs` line 2.
fn only_comment_on_the_client(github: &FakeGithub, run: &Value) -> String {
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1, "{run:#}");
    let comments = reviews[0].request["comments"].as_array().unwrap().clone();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert_eq!(comments[0]["path"], "src/http.rs");
    assert_eq!(comments[0]["line"], 2);
    comments[0]["body"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_review_reports_a_repositorys_own_check() {
    let (run, github) = review(&custom_checks()).await;
    let body = only_comment_on_the_client(&github, &run);
    assert!(
        body.starts_with("**failmode · client-without-timeout** (medium)")
            && body.contains("has no timeout"),
        "{body}"
    );
    // Read from the base commit: the folder's probe, then one blob per check (its check.toml);
    // the examples are not fetched (reviews do not run them).
    let blob_reads = |bytes: &[u8]| {
        let sha = support::fake_github::object_id(bytes);
        github
            .requests()
            .iter()
            .filter(|r| r.endpoint.ends_with("/git/blobs/{file_sha}") && r.path.contains(&sha))
            .count()
    };
    for (path, bytes) in custom_checks() {
        let expected = usize::from(path.ends_with("/check.toml"));
        assert_eq!(blob_reads(&bytes), expected, "{path}");
    }
    assert!(github.requests().iter().any(|r| r.endpoint
        == "GET /repos/{owner}/{repo}/contents/{path}"
        && r.status == 200
        && r.path.contains(&format!("ref={BASE_SHA}"))));
    assert_eq!(run["conclusion"], "failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_repository_check_is_reported_by_its_file() {
    let mut checks = custom_checks();
    for (path, bytes) in &mut checks {
        if path.ends_with("check.toml") {
            *bytes = String::from_utf8(bytes.clone())
                .unwrap()
                .replace("severity = \"medium\"", "severity = \"dire\"")
                .into_bytes();
        }
    }
    let (run, github) = review(&checks).await;
    assert!(github.reviews().is_empty());
    assert_eq!(run["conclusion"], "action_required");
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains(".github/failmode/checks/client-without-timeout/check.toml")
            && summary.contains("dire"),
        "{summary}"
    );
}

/// A built-in check that ships off (`missing-timeout`) is reviewed like any other once the
/// repository's config, on the base branch, turns it on; without that, the same pull request
/// gets no comment from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_off_by_default_is_reviewed_once_the_repository_turns_it_on() {
    let config = (
        ".github/failmode.toml".to_string(),
        b"[checks.missing-timeout]\nenabled = true\n".to_vec(),
    );
    let (run, github) = review(&[config]).await;
    let body = only_comment_on_the_client(&github, &run);
    assert!(
        body.starts_with("**failmode · missing-timeout** (medium)")
            && body.contains("waits forever by default")
            && body.contains("docs/checks/missing-timeout.md"),
        "{body}"
    );
    assert_eq!(run["conclusion"], "failure");

    // The same pull request, without the config: the check does not run.
    let (run, github) = review(&[]).await;
    let commented = github
        .review_comment_bodies()
        .iter()
        .filter(|body| body.contains("missing-timeout"))
        .count();
    assert_eq!(commented, 0, "{run:#}");
    assert_ne!(run["conclusion"], "failure", "{run:#}");
}
