//! End-to-end: pull requests whose repository or config is built to exhaust the App (archive
//! bombs, oversized config files), against the real `failmode serve` binary and a fake GitHub
//! that is a real HTTP server. The review still happens, bounded, and says what it skipped.

mod support;

use serde_json::Value;
use std::time::Duration;
use support::fake_github::{archive_bomb, FakeGithub, Fault};
use support::server::{
    pull_request_payload, setup_pull, Server, APP_ID, CARGO, HEAD_LIB, HEAD_SHA, REPO, SECRET,
};

const MIB: usize = 1024 * 1024;

async fn start_server(github: &FakeGithub, dir: &tempfile::TempDir) -> Server {
    support::server::start(&github.url(), dir.path(), None, &[]).await
}

async fn completed_check_run(github: &FakeGithub) -> Value {
    support::server::completed_check_run(github, Duration::from_secs(120)).await
}

/// The peak resident memory of a process so far, in bytes (`VmHWM`), where `/proc` tells it.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The reported bomb (1,500 identical 2 MiB files, 3 GiB unpacked, about 3 MB on the wire) is
/// read only up to `FAILMODE_MAX_REPO_BYTES`; the pull request is still reviewed, from its
/// changed files, and the check run says the repository was too big to read whole.
async fn bomb_is_reviewed_from_the_changed_files(direct: bool) {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(&github, false, None);
    let bomb = archive_bomb("acme-orders-2222222", 1500, 2 * MIB);
    assert!(
        bomb.len() < 8 * MIB,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    github.set_archive(REPO, HEAD_SHA, bomb);
    if direct {
        github.serve_archives_directly();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(&github, &dir).await;
    let status = support::server::deliver(
        &server.url,
        "pull_request",
        "bomb-1",
        &pull_request_payload("opened", HEAD_SHA, false),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);

    let run = completed_check_run(&github).await;
    let health = support::server::wait_for_jobs(&server.admin_url, "done", 1).await;
    assert_eq!(health["jobs"]["dead"], 0, "{health}");
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is still running"
    );
    let peak = peak_rss(server.child.id());
    eprintln!(
        "failmode serve peak RSS after reviewing a 3 GiB archive bomb ({}): {:?} MiB",
        if direct { "200" } else { "302" },
        peak.map(|b| b / (1024 * 1024))
    );

    // Reviewed from the changed file, which the contents API served.
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    let comments = reviews[0].request["comments"].as_array().cloned().unwrap();
    assert!(
        comments.iter().any(|c| c["path"] == "src/lib.rs"),
        "{comments:?}"
    );
    assert!(github.requests().iter().any(|r| r.endpoint
        == "GET /repos/{owner}/{repo}/contents/{path}"
        && r.path.contains("src/lib.rs")));
    // ...and the check run says the repository was not read whole, and why.
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("Only the files this pull request changes were reviewed")
            && summary.contains("more than 256 MiB (FAILMODE_MAX_REPO_BYTES)")
            && summary.contains("untested-handler"),
        "{summary}"
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
    // Unpacking stopped at the 256 MiB cap instead of holding 3 GiB. Generous: the cap, its
    // copy for the blob cache never made, the process itself.
    if let Some(peak) = peak {
        assert!(
            peak < 1024 * 1024 * 1024,
            "peak RSS {} MiB",
            peak / (1024 * 1024)
        );
    }
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_bomb_behind_the_redirect_is_cut_at_the_cap_and_the_pr_still_reviewed() {
    bomb_is_reviewed_from_the_changed_files(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_bomb_answered_directly_is_cut_at_the_cap_and_the_pr_still_reviewed() {
    bomb_is_reviewed_from_the_changed_files(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_config_is_reported_invalid_without_being_read() {
    let github = FakeGithub::start(APP_ID).await;
    // 2 MiB of valid TOML (comments), twice what failmode reads from a config.
    let config = "# padding padding padding padding padding padding padding padding\n"
        .repeat(2 * MIB / 66)
        .into_bytes();
    assert!(config.len() > 2 * MIB - 100);
    setup_pull(&github, false, Some(&config));
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&github, &dir).await;
    let status = support::server::deliver(
        &server.url,
        "pull_request",
        "cfg-1",
        &pull_request_payload("opened", HEAD_SHA, false),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);

    let run = completed_check_run(&github).await;
    assert_eq!(run["conclusion"], "action_required", "{run}");
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("larger than 1024 KiB"), "{summary}");
    assert!(github.reviews().is_empty());
    let health = support::server::wait_for_jobs(&server.admin_url, "done", 1).await;
    assert_eq!(health["jobs"]["dead"], 0, "{health}");
    // One read of the repository's config: a size cap is not worth retrying. (The other read
    // is the organization's defaults, in acme/.github.)
    let config_reads = github
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/repos/acme/orders/") && r.path.contains("failmode.toml"))
        .count();
    assert_eq!(config_reads, 1);
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_over_the_file_cap_in_its_tree_is_reviewed_from_the_changed_files() {
    let github = FakeGithub::start(APP_ID).await;
    setup_pull(&github, false, None);
    // FAILMODE_MAX_REPO_FILES is 50 here (the setting reaches the reviewer) and the head has
    // 51 Rust files besides the manifest and lib.rs; the archive host fails, so the tree (which
    // tells every size) is what shows it.
    let many: Vec<(String, Vec<u8>)> = (0..51)
        .map(|i| {
            (
                format!("src/gen/m{i:05}.rs"),
                format!("pub fn f{i}() {{}}\n").into_bytes(),
            )
        })
        .chain([
            ("Cargo.toml".to_string(), CARGO.as_bytes().to_vec()),
            ("src/lib.rs".to_string(), HEAD_LIB.as_bytes().to_vec()),
        ])
        .collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    github.add_commit(REPO, HEAD_SHA, &refs);
    github.inject(
        "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{ref}",
        Fault::Status {
            status: 404,
            headers: vec![],
            body: "{\"message\":\"Not Found\"}".into(),
        },
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let server = support::server::start(
        &github.url(),
        dir.path(),
        None,
        &[("FAILMODE_MAX_REPO_FILES", "50")],
    )
    .await;
    let status = support::server::deliver(
        &server.url,
        "pull_request",
        "tree-1",
        &pull_request_payload("opened", HEAD_SHA, false),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);

    let run = completed_check_run(&github).await;
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("Only the files this pull request changes were reviewed")
            && summary
                .contains("more than 50 Rust sources and manifests (FAILMODE_MAX_REPO_FILES)"),
        "{summary}"
    );
    assert_eq!(github.reviews().len(), 1);
    // No blob of the 51 was fetched one by one.
    assert_eq!(
        github.count("GET /repos/{owner}/{repo}/git/blobs/{file_sha}"),
        0
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}
