//! End-to-end: an organization's defaults in its `.github` repository
//! (`.github/failmode.toml` on its default branch) apply to every repository of the
//! installation; a repository file replaces them, or overrides their keys with
//! `extends = "org"`; an invalid file at either level stops the review with an error citing the
//! file, line and column in the check run.

mod support;

use serde_json::Value;
use support::fake_github::FakeGithub;
use support::server::{setup_pull, Server, APP_ID, INSTALLATION, REPO};

const ORG_REPO: &str = "acme/.github";
const ORG_SHA: &str = "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e";

/// Reviews pull request 7 (one dropped database error, see `setup_pull`) with `org` as the
/// organization's defaults and `repo` as the repository's config on the base branch; returns
/// the completed check run and the fake.
async fn review_with(org: Option<&str>, repo: Option<&str>) -> (Value, FakeGithub, Server) {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(&github, false, repo.map(str::as_bytes));
    github.add_installation(INSTALLATION, &[REPO, ORG_REPO]);
    if let Some(org) = org {
        github.add_commit(
            ORG_REPO,
            ORG_SHA,
            &[(".github/failmode.toml", org.as_bytes())],
        );
        github.set_default_branch(ORG_REPO, ORG_SHA);
    }
    let (run, server) = support::server::review_opened(&github, "org-1").await;
    (run, github, server)
}

fn inline_comments(github: &FakeGithub) -> usize {
    github
        .reviews()
        .iter()
        .map(|r| r.request["comments"].as_array().map_or(0, Vec::len))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_defaults_apply_where_the_repository_has_no_config() {
    let org = "[checks.swallowed-error]\nenabled = false\n";
    let (run, github, _server) = review_with(Some(org), None).await;
    assert_eq!(inline_comments(&github), 0, "the org turned the check off");
    assert_eq!(run["conclusion"], "success");
    // The defaults were read from the `.github` repository's default branch (no `ref`).
    assert!(github.requests().iter().any(|r| r.path
        == "/repos/acme/.github/contents/.github%2Ffailmode.toml"
        || r.path == "/repos/acme/.github/contents/.github/failmode.toml"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_config_replaces_the_defaults_or_extends_them() {
    let org = "max_inline_comments = 0\n\n[checks.swallowed-error]\nenabled = false\n";
    // Without `extends`, the repository's file is the whole config: the check runs.
    let (_, github, _server) = review_with(Some(org), Some("review_drafts = false\n")).await;
    assert_eq!(inline_comments(&github), 1);
    // With `extends = "org"`, its keys override the org's; the org's other keys still apply
    // (max_inline_comments = 0 moves the finding from the review to the check run).
    let repo = "extends = \"org\"\n\n[checks.swallowed-error]\nenabled = true\n";
    let (run, github, _server) = review_with(Some(org), Some(repo)).await;
    assert_eq!(inline_comments(&github), 0);
    let text = format!("{}{}", run["output"]["summary"], run["output"]["text"]);
    assert!(text.contains("swallowed-error"), "{run:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_organization_config_is_cited_by_file_line_and_column() {
    let org = "# defaults for acme\nfail_on = \"often\"\n";
    let (run, github, _server) = review_with(Some(org), Some("extends = \"org\"\n")).await;
    assert_eq!(inline_comments(&github), 0);
    assert_eq!(run["conclusion"], "action_required");
    assert_eq!(
        run["output"]["title"],
        "Invalid acme/.github:.github/failmode.toml (2:11)"
    );
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("acme/.github:.github/failmode.toml:2:11")
            && summary.contains("organization's `.github` repository"),
        "{summary}"
    );
    // The repository's own file is cited the same way.
    let (run, _github, _server) = review_with(None, Some("extends = \"acme\"\n")).await;
    assert_eq!(
        run["output"]["title"],
        "Invalid .github/failmode.toml (1:11)"
    );
}
