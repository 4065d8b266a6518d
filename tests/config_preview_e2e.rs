//! End-to-end: a pull request that edits `.github/failmode.toml` is still reviewed with the
//! base branch's config, and its check run's `output.text` previews what its own config would
//! change: the settings, the findings on its changed lines it would add or remove, and the
//! conclusion.

mod support;

use serde_json::Value;
use support::fake_github::{FakeFile, FakeGithub, FakePull};
use support::server::{
    setup_pull, Server, APP_ID, BASE_SHA, CARGO, HEAD_LIB, HEAD_PATCH, HEAD_SHA, REPO,
};

const CONFIG_PATH: &str = ".github/failmode.toml";
/// The base branch's config: every check on, any finding fails.
const BASE_CONFIG: &str = "fail_on = \"low\"\n";

/// Reviews pull request 7 (one dropped database error in `src/lib.rs`, see `setup_pull`) with
/// [`BASE_CONFIG`] on the base branch; when `head_config` is given, the head commit holds it and
/// the pull request's files include the config file, modified with `config_patch`. Returns the
/// completed check run and the fake.
async fn review_with(head_config: Option<(&str, &str)>) -> (Value, FakeGithub, Server) {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(&github, false, Some(BASE_CONFIG.as_bytes()));
    if let Some((config, patch)) = head_config {
        github.add_commit(
            REPO,
            HEAD_SHA,
            &[
                ("Cargo.toml", CARGO.as_bytes()),
                ("src/lib.rs", HEAD_LIB.as_bytes()),
                (CONFIG_PATH, config.as_bytes()),
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
            files: vec![
                FakeFile::modified(CONFIG_PATH, patch),
                FakeFile::modified("src/lib.rs", HEAD_PATCH),
            ],
        });
    }
    let (run, server) = support::server::review_opened(&github, "preview-1").await;
    (run, github, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_change_is_previewed_while_the_review_keeps_the_base_config() {
    let head = "fail_on = \"high\"\n\n[checks.swallowed-error]\nenabled = false\n";
    let patch = "@@ -1 +1,4 @@\n-fail_on = \"low\"\n+fail_on = \"high\"\n+\n+[checks.swallowed-error]\n+enabled = false";
    let (run, github, _server) = review_with(Some((head, patch))).await;
    // The review used the base config: the swallowed error is commented on and fails the run.
    let bodies = github.review_comment_bodies();
    assert_eq!(bodies.len(), 1, "{bodies:#?}");
    assert!(bodies[0].contains("swallowed-error"), "{}", bodies[0]);
    assert_eq!(run["conclusion"], "failure", "{run:#}");
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(!summary.contains("invalid"), "{summary}");
    assert_eq!(
        run["output"]["text"].as_str(),
        Some(
            "### Config preview: `.github/failmode.toml` in this pull request\n\
             \n\
             This review used the base branch's config: a pull request cannot change how it is itself reviewed. Once merged, this pull request's config changes the following.\n\
             \n\
             **Settings**\n\
             \n\
             - `fail_on`: `low` → `high`\n\
             - `[checks.swallowed-error]`: turned off\n\
             \n\
             **Findings on the changed lines**\n\
             \n\
             Would add: none.\n\
             \n\
             Would remove (1):\n\
             \n\
             - `src/lib.rs:7` `swallowed-error` Swallowed error\n\
             \n\
             Conclusion with this pull request's config: `success` (this review's: `failure`).\n"
        ),
        "{run:#}"
    );
    // The head's config was read once, at the head; nothing else was fetched for the preview.
    let head_reads = github
        .requests()
        .iter()
        .filter(|r| r.path.contains("/contents/") && r.path.contains(HEAD_SHA))
        .count();
    assert_eq!(head_reads, 1, "{:#?}", github.requests());
    // The 12 calls of any first review (see serve_e2e) plus that read.
    let api_calls = github
        .requests()
        .iter()
        .filter(|r| !r.endpoint.starts_with("GET /_codeload/"))
        .count();
    assert_eq!(api_calls, 13, "{:#?}", github.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_that_configures_nothing_new_says_so_in_one_line() {
    let head = "# Stricter once the backlog is fixed.\nfail_on = \"low\"\n";
    let patch = "@@ -1 +1,2 @@\n+# Stricter once the backlog is fixed.\n fail_on = \"low\"";
    let (run, github, _server) = review_with(Some((head, patch))).await;
    assert_eq!(github.review_comment_bodies().len(), 1);
    assert_eq!(
        run["output"]["text"].as_str(),
        Some(
            "### Config preview: `.github/failmode.toml` in this pull request\n\nThis pull request changes the file but not what it configures: the parsed config is the same as the base branch's.\n"
        ),
        "{run:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_that_leaves_the_config_alone_gets_no_preview() {
    let (run, github, _server) = review_with(None).await;
    assert_eq!(github.review_comment_bodies().len(), 1);
    assert_eq!(run["conclusion"], "failure");
    assert!(run["output"]["text"].is_null(), "{run:#}");
}
