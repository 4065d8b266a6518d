//! The GitHub client driven against the fake GitHub (a real HTTP server on loopback): what
//! GitHub receives, how many calls it takes, and how failures surface.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use failmode::github::client::{CallKey, ClientSettings, GithubClient};
use failmode::github::types::{
    Annotation, AnnotationLevel, CheckConclusion, CheckRunOutput, CheckRunUpdate, CheckStatus,
    NewCheckRun, NewReview, NewReviewComment, ReviewEvent, Side,
};
use failmode::github::{verify_signature, AppCredentials, Event, GithubError};
use support::fake_github::{
    object_id, test_private_key_pem, FakeFile, FakeGithub, FakePull, Fault,
};

const APP_ID: u64 = 4242;
const INSTALLATION: u64 = 77;
const REPO: &str = "acme/payments";
const HEAD: &str = "1111111111111111111111111111111111111111";
const BASE: &str = "2222222222222222222222222222222222222222";

fn settings(url: &str) -> ClientSettings {
    let mut settings = ClientSettings::new(url);
    settings.request_timeout = Duration::from_millis(1500);
    settings.backoff_base = Duration::from_millis(5);
    settings.backoff_cap = Duration::from_millis(40);
    settings.max_rate_limit_wait = Duration::from_secs(3);
    settings.secondary_limit_wait = Duration::from_millis(200);
    settings.min_write_interval = Duration::ZERO;
    settings
}

fn client_for(fake: &FakeGithub, settings: ClientSettings) -> GithubClient {
    let credentials = AppCredentials::from_pem(
        APP_ID.to_string(),
        &test_private_key_pem(),
        "FAILMODE_PRIVATE_KEY_PATH",
    )
    .expect("test key loads");
    let _ = fake;
    GithubClient::new(settings, credentials).expect("client builds")
}

const PATCH: &str = "@@ -10,6 +10,8 @@ fn charge() {\n     let client = Client::new();\n     let url = base();\n-    let resp = client.get(url).send()?;\n+    let resp = client.get(url)\n+        .send()\n+        .await?;\n     check(resp)?;\n     Ok(())\n }\n@@ -40,3 +42,4 @@ fn refund() {\n     a();\n+    b();\n     c();\n }";

async fn fake_with_pull(files: Vec<FakeFile>) -> FakeGithub {
    let fake = FakeGithub::start(APP_ID).await;
    fake.add_installation(INSTALLATION, &[REPO]);
    fake.add_pull(FakePull {
        repo: REPO.to_string(),
        number: 7,
        head_sha: HEAD.to_string(),
        head_ref: "fix-retries".to_string(),
        head_repo: Some("contributor/payments".to_string()),
        base_sha: BASE.to_string(),
        base_ref: "main".to_string(),
        draft: false,
        files,
    });
    fake
}

fn count(client: &GithubClient, endpoint: &str, status: u16) -> u64 {
    client
        .call_counts()
        .get(&CallKey {
            endpoint: endpoint.to_string(),
            status,
        })
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn one_token_request_serves_many_calls_and_every_repo_call_uses_it() {
    let fake = fake_with_pull(vec![FakeFile::modified("src/pay.rs", PATCH)]).await;
    fake.add_commit(REPO, HEAD, &[("src/pay.rs", b"fn charge() {}\n")]);
    let client = client_for(&fake, settings(&fake.url()));

    let pull = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert_eq!(pull.head.sha, HEAD);
    assert_eq!(pull.base.git_ref, "main");
    assert_eq!(
        pull.head.repo.as_ref().map(|r| r.full_name.as_str()),
        Some("contributor/payments")
    );
    assert!(!pull.draft);
    for _ in 0..3 {
        client
            .list_pull_files(INSTALLATION, "acme", "payments", 7)
            .await
            .unwrap();
    }
    client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            "src/pay.rs",
            HEAD,
            1 << 20,
        )
        .await
        .unwrap();

    assert_eq!(fake.tokens_issued(), 1);
    assert_eq!(
        fake.count("POST /app/installations/{installation_id}/access_tokens"),
        1
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 6, "{requests:#?}");
    assert_eq!(requests[0].auth, "jwt");
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.auth == format!("installation:{INSTALLATION}") && r.status == 200),
        "{requests:#?}"
    );
    assert_eq!(client.total_calls(), 6);
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_after_a_401() {
    let fake = fake_with_pull(vec![]).await;
    let client = client_for(&fake, settings(&fake.url()));
    client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    fake.revoke_all_tokens();
    client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert_eq!(fake.tokens_issued(), 2);
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}",
            401
        ),
        1
    );
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}",
            200
        ),
        2
    );
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn an_uninstalled_app_gets_a_typed_not_found_or_unauthorized() {
    let fake = fake_with_pull(vec![]).await;
    let client = client_for(&fake, settings(&fake.url()));
    // Installation 99 does not exist: the token request is a 404.
    let err = client
        .get_pull(99, "acme", "payments", 7)
        .await
        .unwrap_err();
    assert!(
        matches!(err, GithubError::NotFound { ref endpoint } if endpoint.contains("access_tokens")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    // A PEM of another App: the JWT does not verify, so GitHub answers 401.
    let other_key = rsa_pem_of_another_app();
    let stranger = GithubClient::new(
        settings(&fake.url()),
        AppCredentials::from_pem(
            APP_ID.to_string(),
            other_key.as_bytes(),
            "FAILMODE_PRIVATE_KEY",
        )
        .unwrap(),
    )
    .unwrap();
    let err = stranger
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap_err();
    assert!(matches!(err, GithubError::Unauthorized { .. }), "{err:?}");
    assert_eq!(fake.tokens_issued(), 0);
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

fn rsa_pem_of_another_app() -> String {
    std::fs::read_to_string(support::fake_github::fixtures_dir().join("other-app-key.pem"))
        .expect("second test key")
}

#[tokio::test]
async fn two_hundred_fifty_files_take_three_pages() {
    let mut files: Vec<FakeFile> = (0..249)
        .map(|i| FakeFile::modified(&format!("src/f{i:03}.rs"), "@@ -1,1 +1,2 @@\n a\n+b"))
        .collect();
    files.push(FakeFile {
        filename: "logo.png".into(),
        status: "added".into(),
        patch: None,
    });
    let fake = fake_with_pull(files).await;
    let client = client_for(&fake, settings(&fake.url()));

    let listed = client
        .list_pull_files(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert_eq!(listed.len(), 250);
    assert_eq!(listed[0].filename, "src/f000.rs");
    assert_eq!(listed[248].filename, "src/f248.rs");
    assert_eq!(listed[0].patch.as_deref(), Some("@@ -1,1 +1,2 @@\n a\n+b"));
    assert_eq!(listed[0].additions, 1);
    assert_eq!(listed[249].filename, "logo.png");
    assert_eq!(listed[249].patch, None);

    let pages: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == "GET /repos/{owner}/{repo}/pulls/{pull_number}/files")
        .map(|r| r.path)
        .collect();
    assert_eq!(
        pages,
        vec![
            "/repos/acme/payments/pulls/7/files?per_page=100".to_string(),
            "/repos/acme/payments/pulls/7/files?per_page=100&page=2".to_string(),
            "/repos/acme/payments/pulls/7/files?per_page=100&page=3".to_string(),
        ]
    );
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn raw_contents_trees_and_blobs_come_back_byte_exact() {
    let fake = fake_with_pull(vec![]).await;
    let binary: Vec<u8> = (0u8..=255).collect();
    let source = "fn main() {\n    println!(\"héllo\");\n}\n".repeat(40);
    fake.add_commit(
        REPO,
        HEAD,
        &[
            ("src/main.rs", source.as_bytes()),
            ("assets/data.bin", &binary),
            ("dir with space/x #1.rs", b"x"),
        ],
    );
    let client = client_for(&fake, settings(&fake.url()));

    let got = client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            "src/main.rs",
            HEAD,
            1 << 20,
        )
        .await
        .unwrap();
    assert_eq!(got.as_deref(), Some(source.as_bytes()));
    let got = client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            "assets/data.bin",
            HEAD,
            1 << 20,
        )
        .await
        .unwrap();
    assert_eq!(got, Some(binary.clone()));
    let got = client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            "dir with space/x #1.rs",
            HEAD,
            1 << 20,
        )
        .await
        .unwrap();
    assert_eq!(got.as_deref(), Some(&b"x"[..]));
    let missing = client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            ".github/failmode.toml",
            BASE,
            1 << 20,
        )
        .await
        .unwrap();
    assert_eq!(missing, None);
    let contents: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == "GET /repos/{owner}/{repo}/contents/{path}")
        .collect();
    assert_eq!(contents.len(), 4);
    assert!(contents
        .iter()
        .all(|r| r.accept.as_deref() == Some("application/vnd.github.raw+json")));
    assert_eq!(
        contents[2].path,
        format!("/repos/acme/payments/contents/dir%20with%20space/x%20%231.rs?ref={HEAD}")
    );

    let tree = client
        .get_tree(INSTALLATION, "acme", "payments", HEAD, true)
        .await
        .unwrap();
    assert!(!tree.truncated);
    let blob_entry = tree
        .tree
        .iter()
        .find(|e| e.path == "assets/data.bin")
        .expect("blob listed");
    assert_eq!(blob_entry.kind, "blob");
    assert_eq!(blob_entry.size, Some(256));
    assert!(tree
        .tree
        .iter()
        .any(|e| e.path == "assets" && e.kind == "tree"));
    let top = client
        .get_tree(INSTALLATION, "acme", "payments", HEAD, false)
        .await
        .unwrap();
    assert!(
        top.tree.iter().all(|e| !e.path.contains('/')),
        "{:?}",
        top.tree
    );

    let blob = client
        .get_blob(INSTALLATION, "acme", "payments", &blob_entry.sha)
        .await
        .unwrap();
    assert_eq!(blob, binary);
    let big = client
        .get_blob(
            INSTALLATION,
            "acme",
            "payments",
            &object_id(source.as_bytes()),
        )
        .await
        .unwrap();
    assert_eq!(big, source.as_bytes());
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

fn check_run(name: &str, annotations: usize) -> NewCheckRun {
    NewCheckRun {
        name: name.to_string(),
        head_sha: HEAD.to_string(),
        status: CheckStatus::InProgress,
        conclusion: None,
        external_id: Some("job-1".to_string()),
        output: Some(CheckRunOutput {
            title: "failmode".into(),
            summary: "Reviewing".into(),
            text: None,
            annotations: (0..annotations)
                .map(|i| Annotation {
                    path: "src/pay.rs".into(),
                    start_line: i as u64 + 1,
                    end_line: i as u64 + 1,
                    annotation_level: AnnotationLevel::Warning,
                    message: format!("finding {i}"),
                    title: None,
                    raw_details: None,
                })
                .collect(),
        }),
    }
}

#[tokio::test]
async fn a_502_on_creating_a_check_run_is_returned_not_blindly_retried() {
    // GitHub may have created the run before its front end answered 502; posting again could
    // leave a second run stuck "in progress". The client returns at once and the review job
    // looks for the run on the head before creating it again (tests/serve_e2e.rs).
    let fake = fake_with_pull(vec![]).await;
    fake.inject(
        "POST /repos/{owner}/{repo}/check-runs",
        Fault::bad_gateway(),
        1,
    );
    let client = client_for(&fake, settings(&fake.url()));

    let err = client
        .create_check_run(INSTALLATION, "acme", "payments", &check_run("failmode", 0))
        .await
        .unwrap_err();
    assert!(matches!(err, GithubError::Transient { .. }), "{err:?}");
    assert_eq!(fake.count("POST /repos/{owner}/{repo}/check-runs"), 1);
    assert_eq!(
        count(&client, "POST /repos/{owner}/{repo}/check-runs", 502),
        1
    );
    // Rate limits say GitHub did nothing: those are still waited out and retried.
    fake.inject(
        "POST /repos/{owner}/{repo}/check-runs",
        Fault::secondary_rate_limit(403, 0),
        1,
    );
    let run = client
        .create_check_run(INSTALLATION, "acme", "payments", &check_run("failmode", 0))
        .await
        .unwrap();
    assert_eq!(run.status, "in_progress");
    assert_eq!(fake.check_runs().len(), 1);
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn persistent_502s_end_in_a_transient_error_after_the_attempt_bound() {
    let fake = fake_with_pull(vec![]).await;
    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::bad_gateway(),
        10,
    );
    let client = client_for(&fake, settings(&fake.url()));
    let err = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap_err();
    assert!(matches!(err, GithubError::Transient { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        fake.count("GET /repos/{owner}/{repo}/pulls/{pull_number}"),
        5
    );
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_retried() {
    let fake = fake_with_pull(vec![]).await;
    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::Delay(Duration::from_millis(2500)),
        1,
    );
    let client = client_for(&fake, settings(&fake.url()));
    let pull = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert_eq!(pull.number, 7);
    assert_eq!(
        count(&client, "GET /repos/{owner}/{repo}/pulls/{pull_number}", 0),
        1
    );
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}",
            200
        ),
        1
    );
}

#[tokio::test]
async fn retry_after_on_403_is_honoured_and_a_long_one_is_a_typed_rate_limit() {
    let fake = fake_with_pull(vec![]).await;
    let client = client_for(&fake, settings(&fake.url()));
    client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap(); // token fetched

    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
        Fault::secondary_rate_limit(403, 1),
        1,
    );
    let started = Instant::now();
    client
        .list_pull_files(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retry-after: 1 was not honoured"
    );
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
            403
        ),
        1
    );
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
            200
        ),
        1
    );

    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::secondary_rate_limit(429, 3600),
        1,
    );
    let err = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap_err();
    match err {
        GithubError::RateLimited { until, .. } => {
            let ahead = until - chrono::Utc::now();
            assert!(
                ahead > chrono::Duration::minutes(59) && ahead <= chrono::Duration::minutes(60),
                "{ahead}"
            );
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(
        count(
            &client,
            "GET /repos/{owner}/{repo}/pulls/{pull_number}",
            429
        ),
        1
    );

    let reset = chrono::Utc::now().timestamp() + 7200;
    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::primary_rate_limit(reset),
        1,
    );
    let err = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap_err();
    assert!(
        matches!(err, GithubError::RateLimited { until, .. } if (until.timestamp() - reset).abs() <= 2),
        "{err:?}"
    );
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

fn comment(path: &str, line: u64, start_line: Option<u64>, body: &str) -> NewReviewComment {
    NewReviewComment {
        path: path.to_string(),
        body: body.to_string(),
        line,
        side: Side::Right,
        start_line,
        start_side: start_line.map(|_| Side::Right),
    }
}

#[tokio::test]
async fn an_out_of_diff_comment_rejects_the_whole_review_with_githubs_message() {
    let fake = fake_with_pull(vec![FakeFile::modified("src/pay.rs", PATCH)]).await;
    let client = client_for(&fake, settings(&fake.url()));

    let review = NewReview {
        commit_id: HEAD.to_string(),
        body: "failmode found 2 problems".to_string(),
        event: Some(ReviewEvent::Comment),
        comments: vec![
            comment("src/pay.rs", 14, None, "retry this call"),
            comment("src/pay.rs", 30, None, "outside every hunk"),
        ],
    };
    let err = client
        .create_review(INSTALLATION, "acme", "payments", 7, &review)
        .await
        .unwrap_err();
    match &err {
        GithubError::Unprocessable {
            message, errors, ..
        } => {
            assert_eq!(message, "Unprocessable Entity");
            assert_eq!(
                errors,
                &vec!["Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank".to_string()]
            );
        }
        other => panic!("expected Unprocessable, got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(
        fake.reviews().is_empty(),
        "a rejected review must store nothing"
    );
    assert_eq!(
        fake.count("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
        1,
        "422 is not retried"
    );

    // A range crossing two hunks and a single-line range are rejected too.
    let crossing = NewReview {
        comments: vec![comment("src/pay.rs", 43, Some(14), "x")],
        ..review.clone()
    };
    let err = client
        .create_review(INSTALLATION, "acme", "payments", 7, &crossing)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GithubError::Unprocessable { errors, .. } if errors == &vec!["Pull request review thread start line must be part of the same hunk as the line.".to_string()]),
        "{err:?}"
    );
    let same = NewReview {
        comments: vec![comment("src/pay.rs", 14, Some(14), "x")],
        ..review.clone()
    };
    let err = client
        .create_review(INSTALLATION, "acme", "payments", 7, &same)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GithubError::Unprocessable { errors, .. } if errors == &vec!["Pull request review thread start line must precede the end line.".to_string()]),
        "{err:?}"
    );

    // Lines inside the hunks are accepted: added (13..=15), context (10), a range within one
    // hunk, and the second hunk's added line (43).
    let good = NewReview {
        comments: vec![
            comment("src/pay.rs", 15, Some(13), "retry this call"),
            comment("src/pay.rs", 10, None, "context line"),
            comment("src/pay.rs", 43, None, "second hunk"),
        ],
        ..review.clone()
    };
    let id = client
        .create_review(INSTALLATION, "acme", "payments", 7, &good)
        .await
        .unwrap();
    let stored = fake.reviews();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, id);
    assert_eq!(stored[0].request["commit_id"], HEAD);
    assert_eq!(stored[0].request["event"], "COMMENT");
    assert_eq!(
        stored[0].request["comments"][0],
        serde_json::json!({"path": "src/pay.rs", "body": "retry this call", "line": 15, "side": "RIGHT", "start_line": 13, "start_side": "RIGHT"})
    );
    assert_eq!(
        stored[0].request["comments"][1],
        serde_json::json!({"path": "src/pay.rs", "body": "context line", "line": 10, "side": "RIGHT"})
    );

    let comments = client
        .list_review_comments(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    let summary: Vec<(String, Option<u64>, String, String)> = comments
        .iter()
        .map(|c| {
            (
                c.path.clone(),
                c.line,
                c.body.clone(),
                c.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "src/pay.rs".into(),
                Some(15),
                "retry this call".into(),
                "failmode[bot]".into()
            ),
            (
                "src/pay.rs".into(),
                Some(10),
                "context line".into(),
                "failmode[bot]".into()
            ),
            (
                "src/pay.rs".into(),
                Some(43),
                "second hunk".into(),
                "failmode[bot]".into()
            ),
        ]
    );
    assert!(comments
        .iter()
        .all(|c| c.pull_request_review_id == Some(id)));
    let reviews = client
        .list_reviews(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].state, "COMMENTED");
    assert_eq!(
        reviews[0].body.as_deref(),
        Some("failmode found 2 problems")
    );
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn check_runs_send_annotations_fifty_at_a_time_and_are_listed_by_ref() {
    let fake = fake_with_pull(vec![]).await;
    let client = client_for(&fake, settings(&fake.url()));
    let run = client
        .create_check_run(
            INSTALLATION,
            "acme",
            "payments",
            &check_run("failmode", 120),
        )
        .await
        .unwrap();
    assert_eq!(fake.count("POST /repos/{owner}/{repo}/check-runs"), 1);
    assert_eq!(
        fake.count("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"),
        2
    );
    let updated = client
        .update_check_run(
            INSTALLATION,
            "acme",
            "payments",
            run.id,
            &CheckRunUpdate {
                status: None,
                conclusion: Some(CheckConclusion::Neutral),
                output: Some(CheckRunOutput {
                    title: "failmode: 120 findings".into(),
                    summary: "done".into(),
                    text: Some("details".into()),
                    annotations: vec![],
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.status, "completed");
    assert_eq!(updated.conclusion.as_deref(), Some("neutral"));
    let stored = fake.check_runs();
    assert_eq!(stored[0]["output"]["annotations_count"], 120);
    assert_eq!(stored[0]["output"]["title"], "failmode: 120 findings");
    assert_eq!(stored[0]["external_id"], "job-1");
    let last_patch = fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(last_patch.body.as_ref().unwrap()["conclusion"], "neutral");
    assert!(last_patch.body.as_ref().unwrap()["completed_at"].is_string());

    client
        .create_check_run(INSTALLATION, "acme", "payments", &check_run("other-bot", 0))
        .await
        .unwrap();
    let ours = client
        .list_check_runs_for_ref(INSTALLATION, "acme", "payments", HEAD, Some("failmode"))
        .await
        .unwrap();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].id, run.id);
    let all = client
        .list_check_runs_for_ref(INSTALLATION, "acme", "payments", HEAD, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let none = client
        .list_check_runs_for_ref(INSTALLATION, "acme", "payments", BASE, Some("failmode"))
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn content_creating_calls_are_paced_per_installation() {
    let fake = fake_with_pull(vec![]).await;
    let mut paced = settings(&fake.url());
    paced.min_write_interval = Duration::from_millis(300);
    let client = client_for(&fake, paced);
    client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        client
            .create_check_run(INSTALLATION, "acme", "payments", &check_run("failmode", 0))
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "three writes must be ≥ 300 ms apart"
    );
    assert_eq!(fake.check_runs().len(), 3);
}

#[tokio::test]
async fn missed_deliveries_are_listed_by_cursor_and_redelivered_signed() {
    let fake = fake_with_pull(vec![]).await;
    let payload: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            support::fake_github::fixtures_dir().join("webhooks/pull_request/opened.payload.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let failed = fake.add_delivery("guid-failed", "pull_request", &payload, 502);
    for i in 0..3 {
        fake.add_delivery(&format!("guid-ok-{i}"), "pull_request", &payload, 200);
    }

    // A webhook receiver that checks the signature the way the server will.
    let secret = b"webhook-secret".to_vec();
    let received: Arc<Mutex<Vec<(String, String, Event)>>> = Arc::default();
    let receiver = {
        let received = received.clone();
        let secret = secret.clone();
        axum::Router::new().route(
            "/webhook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let received = received.clone();
                    let secret = secret.clone();
                    async move {
                        let header = |name: &str| {
                            headers
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string()
                        };
                        let signature = header("x-hub-signature-256");
                        if verify_signature(&secret, &body, Some(&signature)).is_err() {
                            return axum::http::StatusCode::UNAUTHORIZED;
                        }
                        let event =
                            Event::parse(&header("x-github-event"), &body).expect("payload parses");
                        received.lock().unwrap().push((
                            header("x-github-event"),
                            header("x-github-delivery"),
                            event,
                        ));
                        axum::http::StatusCode::ACCEPTED
                    }
                },
            ),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, receiver).await;
    });
    fake.set_webhook_target(&format!("http://{addr}/webhook"), &secret);

    let client = client_for(&fake, settings(&fake.url()));
    let first = client.list_app_hook_deliveries(None, 2).await.unwrap();
    assert_eq!(
        first
            .deliveries
            .iter()
            .map(|d| d.guid.as_str())
            .collect::<Vec<_>>(),
        vec!["guid-ok-2", "guid-ok-1"]
    );
    let cursor = first.next_cursor.clone().expect("more pages");
    let second = client
        .list_app_hook_deliveries(Some(&cursor), 2)
        .await
        .unwrap();
    assert_eq!(
        second
            .deliveries
            .iter()
            .map(|d| d.guid.as_str())
            .collect::<Vec<_>>(),
        vec!["guid-ok-0", "guid-failed"]
    );
    assert_eq!(second.next_cursor, None);
    let missed: Vec<u64> = second
        .deliveries
        .iter()
        .filter(|d| d.status != "OK")
        .map(|d| d.id)
        .collect();
    assert_eq!(missed, vec![failed]);
    assert_eq!(second.deliveries[1].installation_id, Some(1));

    client.redeliver(failed).await.unwrap();
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "pull_request");
    assert_eq!(got[0].1, "guid-failed", "a redelivery reuses the GUID");
    assert!(matches!(got[0].2, Event::PullRequest { number: 2, .. }));
    assert!(fake
        .deliveries()
        .iter()
        .any(|(_, guid, redelivery, status)| guid == "guid-failed"
            && *redelivery
            && *status == 202));
    assert!(fake
        .requests()
        .iter()
        .filter(|r| r.endpoint.starts_with("GET /app") || r.endpoint.starts_with("POST /app/hook"))
        .all(|r| r.auth == "jwt"));
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn secrets_never_show_in_debug_output_or_errors() {
    let fake = fake_with_pull(vec![]).await;
    let client = client_for(&fake, settings(&fake.url()));
    client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap();
    fake.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::bad_gateway(),
        5,
    );
    let err = client
        .get_pull(INSTALLATION, "acme", "payments", 7)
        .await
        .unwrap_err();

    // Tokens the fake issues start with `ghs_`.
    let token = "ghs_".to_string();
    let pem = String::from_utf8(test_private_key_pem()).unwrap();
    let key_line = pem.lines().nth(2).unwrap().to_string();
    for text in [format!("{client:?}"), format!("{err:?}"), err.to_string()] {
        assert!(!text.contains(&token), "token leaked: {text}");
        assert!(!text.contains(&key_line), "private key leaked: {text}");
        assert!(!text.contains("PRIVATE KEY"), "private key leaked: {text}");
    }
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[tokio::test]
async fn a_file_larger_than_its_cap_is_a_typed_error_read_once() {
    let fake = fake_with_pull(vec![]).await;
    let big = vec![b'#'; 3 * 1024 * 1024];
    fake.add_commit(REPO, HEAD, &[(".github/failmode.toml", &big)]);
    let client = client_for(&fake, settings(&fake.url()));

    let result = client
        .get_file_at(
            INSTALLATION,
            "acme",
            "payments",
            ".github/failmode.toml",
            HEAD,
            1024 * 1024,
        )
        .await;
    match result {
        Err(e @ GithubError::TooLarge { limit, .. }) => {
            assert_eq!(limit, 1024 * 1024);
            assert!(!e.is_retryable());
            assert!(e.to_string().contains("larger than 1048576 bytes"), "{e}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(fake.count("GET /repos/{owner}/{repo}/contents/{path}"), 1);
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn an_archive_is_capped_whether_redirected_or_answered_directly() {
    let fake = fake_with_pull(vec![]).await;
    fake.add_commit(REPO, HEAD, &[("src/lib.rs", b"fn a() {}\n")]);
    // Two MiB of bytes that do not compress, served as the archive.
    let archive: Vec<u8> = (0..2 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fake.set_archive(REPO, HEAD, archive.clone());
    let client = client_for(&fake, settings(&fake.url()));

    let full = client
        .get_tarball(INSTALLATION, "acme", "payments", HEAD, 4 * 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(full, archive);
    let redirected = client
        .get_tarball(INSTALLATION, "acme", "payments", HEAD, 1024 * 1024)
        .await;
    assert!(
        matches!(redirected, Err(GithubError::TooLarge { limit, .. }) if limit == 1024 * 1024),
        "{redirected:?}"
    );

    fake.serve_archives_directly();
    let direct = client
        .get_tarball(INSTALLATION, "acme", "payments", HEAD, 1024 * 1024)
        .await;
    assert!(
        matches!(direct, Err(GithubError::TooLarge { limit, .. }) if limit == 1024 * 1024),
        "{direct:?}"
    );
    // Not retried: the same archive would come back.
    assert_eq!(fake.count("GET /repos/{owner}/{repo}/tarball/{ref}"), 3);
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}

#[tokio::test]
async fn json_and_blob_answers_over_their_caps_are_typed_errors_not_retries() {
    let files: Vec<FakeFile> = (0..100)
        .map(|i| FakeFile::added(&format!("src/m{i:03}.rs"), "fn a() {}\n"))
        .collect();
    let fake = fake_with_pull(files).await;
    let huge = vec![7u8; 5 * 1024 * 1024];
    fake.add_commit(REPO, HEAD, &[("assets/huge.bin", &huge)]);
    let mut small = settings(&fake.url());
    small.max_json_body = 16 * 1024;
    let client = client_for(&fake, small);

    // A page of 100 files is more than 16 KiB of JSON.
    let listed = client
        .list_pull_files(INSTALLATION, "acme", "payments", 7)
        .await;
    assert!(
        matches!(listed, Err(GithubError::TooLarge { limit: 16384, .. })),
        "{listed:?}"
    );
    assert_eq!(
        fake.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files"),
        1
    );

    // A blob is never larger than the base64 of the largest file failmode reads.
    let blob = client
        .get_blob(INSTALLATION, "acme", "payments", &object_id(&huge))
        .await;
    assert!(
        matches!(blob, Err(GithubError::TooLarge { limit, .. }) if limit == failmode::github::client::MAX_BLOB_BODY),
        "{blob:?}"
    );
    assert_eq!(
        fake.count("GET /repos/{owner}/{repo}/git/blobs/{file_sha}"),
        1
    );
    assert!(fake.errors().is_empty(), "{:?}", fake.errors());
}
