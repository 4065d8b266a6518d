//! End-to-end: the App's threads over a pull request's life, against the fake GitHub (REST plus
//! the one GraphQL query and mutation the App uses). In order:
//! 1. the pull request is opened: the App comments on two findings;
//! 2. a push fixes one: its thread gets "Fixed in <sha>" and is resolved, the other is untouched;
//! 3. a person resolves the other thread, then a push fixes that finding too: the App leaves
//!    the thread alone (no reply, no resolve);
//! 4. a push brings the first finding back: it gets a new comment.
//!
//! Each step asserts exactly which requests GitHub received.

mod support;

use serde_json::Value;
use support::fake_github::{FakeFile, FakeGithub};
use support::orders::{commit, open_pull, root_on, BOTH_DROPPED, HEAD1, HEAD2, PATH};
use support::server::{pull_request_payload, wait_for_jobs, APP_ID, REPO, SECRET};

/// `mark_shipped` returns its error now; `mark_paid` still drops it (same lines).
const SHIPPED_FIXED: &str = r#"pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await.map(|_| ())
}

pub async fn mark_paid(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET paid = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}
"#;

/// Both return their errors.
const BOTH_FIXED: &str = r#"pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await.map(|_| ())
}

pub async fn mark_paid(db: &sqlx::PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET paid = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await.map(|_| ())
}
"#;

const HEAD3: &str = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";
const HEAD4: &str = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4";

/// Pushes `orders` as `sha` and delivers the `synchronize` (or `opened`) event; returns once
/// the review job is done, with the requests GitHub received meanwhile.
async fn push_and_review(
    github: &FakeGithub,
    server: &support::server::Server,
    action: &str,
    sha: &str,
    orders: &str,
    jobs_done: u64,
) -> Vec<(String, String)> {
    commit(github, sha, orders);
    if action == "synchronize" {
        github.push(REPO, 7, sha, vec![FakeFile::added(PATH, orders)]);
    }
    let before = github.requests().len();
    let status = support::server::deliver(
        &server.url,
        "pull_request",
        &format!("delivery-{sha}"),
        &pull_request_payload(action, sha, false),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);
    wait_for_jobs(&server.admin_url, "done", jobs_done).await;
    github.requests()[before..]
        .iter()
        .map(|r| (r.endpoint.clone(), r.status.to_string()))
        .collect()
}

fn comments(github: &FakeGithub) -> Vec<Value> {
    github.review_comments(REPO, 7)
}

fn replies_to(github: &FakeGithub, root: u64) -> Vec<String> {
    comments(github)
        .iter()
        .filter(|c| c["in_reply_to_id"] == root)
        .map(|c| c["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_findings_are_answered_and_resolved_once_and_human_choices_stand() {
    let github = FakeGithub::start(APP_ID).await;
    open_pull(&github);
    let dir = tempfile::tempdir().unwrap();
    let server = support::server::start(&github.url(), dir.path(), None, &[]).await;

    // 1. Opened: one review, two threads.
    let step1 = push_and_review(&github, &server, "opened", HEAD1, BOTH_DROPPED, 1).await;
    eprintln!("step 1 requests: {step1:#?}");
    assert_eq!(github.reviews().len(), 1);
    let shipped = root_on(&github, 2);
    let paid = root_on(&github, 9);
    assert_eq!(comments(&github).len(), 2);
    assert!(!step1
        .iter()
        .any(|(e, _)| e.contains("graphql") || e.contains("replies")));

    // 2. A push fixes mark_shipped: its thread is answered and resolved; mark_paid's is not.
    let step2 = push_and_review(&github, &server, "synchronize", HEAD2, SHIPPED_FIXED, 2).await;
    eprintln!("step 2 requests: {step2:#?}");
    assert_eq!(
        replies_to(&github, shipped),
        vec!["Fixed in b2b2b2b.\n\n<!-- failmode:fixed -->".to_string()]
    );
    assert_eq!(
        github.thread_resolved_by(shipped).as_deref(),
        Some("failmode[bot]")
    );
    assert_eq!(replies_to(&github, paid), Vec::<String>::new());
    assert_eq!(github.thread_resolved_by(paid), None);
    assert_eq!(github.reviews().len(), 1, "nothing new to comment on");
    let thread_calls: Vec<(String, String)> = step2
        .iter()
        .filter(|(e, _)| e.contains("graphql") || e.contains("replies"))
        .cloned()
        .collect();
    assert_eq!(
        thread_calls,
        pairs(&[
            ("POST /graphql", "200"),
            (
                "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
                "201"
            ),
            ("POST /graphql", "200"),
        ])
    );

    // 3. A person resolves mark_paid's thread; a push then fixes it: the App stays out.
    github.resolve_thread_as(paid, "octocat");
    let step3 = push_and_review(&github, &server, "synchronize", HEAD3, BOTH_FIXED, 3).await;
    eprintln!("step 3 requests: {step3:#?}");
    assert_eq!(replies_to(&github, paid), Vec::<String>::new());
    assert_eq!(github.thread_resolved_by(paid).as_deref(), Some("octocat"));
    // It looked the threads up once (the read), and neither replied nor resolved.
    let thread_calls: Vec<(String, String)> = step3
        .iter()
        .filter(|(e, _)| e.contains("graphql") || e.contains("replies"))
        .cloned()
        .collect();
    assert_eq!(thread_calls, pairs(&[("POST /graphql", "200")]));
    // mark_shipped's thread was answered once, and stays so.
    assert_eq!(replies_to(&github, shipped).len(), 1);

    // 4. mark_shipped's dropped error comes back: a new comment, the old thread stays closed.
    let step4 = push_and_review(&github, &server, "synchronize", HEAD4, BOTH_DROPPED, 4).await;
    eprintln!("step 4 requests: {step4:#?}");
    assert_eq!(github.reviews().len(), 2);
    let new_roots: Vec<Value> = comments(&github)
        .into_iter()
        .filter(|c| c["in_reply_to_id"].is_null() && c["commit_id"] == HEAD4)
        .collect();
    assert_eq!(new_roots.len(), 1, "{new_roots:#?}");
    assert_eq!(new_roots[0]["start_line"], 2);
    assert_eq!(replies_to(&github, shipped).len(), 1);
    assert!(!step4
        .iter()
        .any(|(e, _)| e.contains("graphql") || e.contains("replies")));
    assert_eq!(github.errors(), Vec::<String>::new());
}
