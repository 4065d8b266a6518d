//! End-to-end: replies to the App's threads. `/failmode ignore <reason>` from someone with write
//! access suppresses the thread's finding on the pull request (a 👍 on the reply, the reason in
//! the check run, no comment on it again); from someone without, nothing; `/failmode explain` is
//! answered once with the check's documentation. Each reply's webhook
//! (`pull_request_review_comment`) queues a review of the head; the next push honours the same
//! commands.

mod support;

use serde_json::{json, Value};
use support::fake_github::{FakeFile, FakeGithub};
use support::orders::{commit, open_pull, root_on, HEAD1, HEAD2, PATH};
use support::server::{fixture, pull_request_payload, wait_for_jobs, Server, APP_ID, REPO, SECRET};

/// `support::orders::BOTH_DROPPED` plus a third dropped error on line 16.
const THREE_DROPPED: &str = r#"pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}

pub async fn mark_paid(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET paid = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}

pub async fn mark_lost(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET lost = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}
"#;

/// The `pull_request_review_comment` delivery GitHub sends for reply `comment_id` by `login`.
fn reply_payload(github: &FakeGithub, head: &str, comment_id: u64, login: &str) -> Value {
    let comment = github
        .review_comments(REPO, 7)
        .into_iter()
        .find(|c| c["id"] == comment_id)
        .expect("the reply exists");
    let pull = pull_request_payload("opened", head, false);
    let mut v = fixture("pull_request_review_comment/created.reply.payload.json");
    v["comment"] = comment;
    v["comment"]["user"]["login"] = json!(login);
    v["pull_request"] = pull["pull_request"].clone();
    v["repository"] = pull["repository"].clone();
    v["installation"] = pull["installation"].clone();
    v
}

async fn deliver(server: &Server, event: &str, id: &str, payload: &Value) {
    let status = support::server::deliver(&server.url, event, id, payload, SECRET).await;
    assert_eq!(status, 202, "{event} {id}");
}

/// The requests GitHub received since request `from` (endpoint and status), for the log.
fn log_requests(github: &FakeGithub, step: &str, from: usize) -> usize {
    let requests = github.requests();
    let lines: Vec<String> = requests[from..]
        .iter()
        .map(|r| format!("{} {}", r.endpoint, r.status))
        .collect();
    eprintln!("{step}: {lines:#?}");
    requests.len()
}

fn app_replies(github: &FakeGithub, root: u64) -> Vec<String> {
    github
        .review_comments(REPO, 7)
        .iter()
        .filter(|c| c["in_reply_to_id"] == root && c["user"]["type"] == "Bot")
        .map(|c| c["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn last_check_run(github: &FakeGithub) -> Value {
    github
        .check_runs()
        .into_iter()
        .rfind(|r| r["status"] == "completed")
        .expect("a completed check run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_and_explain_replies_are_honoured_for_those_who_may_give_them() {
    let github = FakeGithub::start(APP_ID).await;
    open_pull(&github);
    github.set_permission(REPO, "octocat", "write");
    github.set_permission(REPO, "mallory", "read");
    let dir = tempfile::tempdir().unwrap();
    let server = support::server::start(&github.url(), dir.path(), None, &[]).await;

    deliver(
        &server,
        "pull_request",
        "open-1",
        &pull_request_payload("opened", HEAD1, false),
    )
    .await;
    wait_for_jobs(&server.admin_url, "done", 1).await;
    let shipped = root_on(&github, 2);
    let paid = root_on(&github, 9);
    let mut seen = github.requests().len();

    // 1. A writer ignores mark_shipped's finding, with a reason: 👍 on the reply.
    let ignore = github.add_human_reply(
        REPO,
        7,
        "octocat",
        shipped,
        "/failmode ignore the nightly reconciliation re-sends unshipped orders",
    );
    deliver(
        &server,
        "pull_request_review_comment",
        "reply-1",
        &reply_payload(&github, HEAD1, ignore, "octocat"),
    )
    .await;
    wait_for_jobs(&server.admin_url, "done", 2).await;
    seen = log_requests(&github, "ignore by a writer", seen);
    assert_eq!(
        github.reactions(ignore),
        vec![("+1".to_string(), "failmode[bot]".to_string())]
    );
    let run = last_check_run(&github);
    let text = format!("{}\n{}", run["output"]["summary"], run["output"]["text"]);
    assert!(
        text.contains("the nightly reconciliation re-sends unshipped orders")
            && text.contains("@octocat"),
        "{run:#}"
    );

    // 2. Someone without write access cannot: no reaction, nothing suppressed.
    let refused = github.add_human_reply(REPO, 7, "mallory", paid, "/failmode ignore nah");
    deliver(
        &server,
        "pull_request_review_comment",
        "reply-2",
        &reply_payload(&github, HEAD1, refused, "mallory"),
    )
    .await;
    wait_for_jobs(&server.admin_url, "done", 3).await;
    seen = log_requests(&github, "ignore by a reader", seen);
    assert_eq!(github.reactions(refused), vec![]);
    let run = last_check_run(&github);
    assert!(!run["output"].to_string().contains("nah"), "{run:#}");

    // 3. explain is answered once, with the check's page.
    let explain = github.add_human_reply(REPO, 7, "mallory", paid, "/failmode explain");
    let payload = reply_payload(&github, HEAD1, explain, "mallory");
    deliver(&server, "pull_request_review_comment", "reply-3", &payload).await;
    wait_for_jobs(&server.admin_url, "done", 4).await;
    // The same comment delivered again (GitHub's redelivery is the same delivery; a different
    // delivery id stands for any other event that reruns the review).
    deliver(&server, "pull_request_review_comment", "reply-3b", &payload).await;
    wait_for_jobs(&server.admin_url, "done", 5).await;
    seen = log_requests(&github, "explain, delivered twice", seen);
    let answers = app_replies(&github, paid);
    assert_eq!(answers.len(), 1, "{answers:#?}");
    assert!(
        answers[0].contains("# `swallowed-error`")
            && answers[0].ends_with(&format!("<!-- failmode:explained={explain} -->")),
        "{}",
        answers[0]
    );

    // 4. The next push: the ignored finding stays quiet, the new one is commented on.
    commit(&github, HEAD2, THREE_DROPPED);
    github.push(REPO, 7, HEAD2, vec![FakeFile::added(PATH, THREE_DROPPED)]);
    deliver(
        &server,
        "pull_request",
        "sync-2",
        &pull_request_payload("synchronize", HEAD2, false),
    )
    .await;
    wait_for_jobs(&server.admin_url, "done", 6).await;
    log_requests(&github, "next push", seen);
    let reviews = github.reviews();
    assert_eq!(reviews.len(), 2);
    let posted: Vec<u64> = reviews[1].request["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["start_line"].as_u64().or(c["line"].as_u64()))
        .collect();
    assert_eq!(posted, vec![16]);
    let run = last_check_run(&github);
    let summary = run["output"]["summary"].as_str().unwrap_or_default();
    eprintln!("check run summary after the push:\n{summary}");
    assert!(
        summary.ends_with("### Ignored on this pull request (1)\n\nSuppressed by `/failmode ignore` replies; not counted above and not commented on again.\n\n- `swallowed-error` `src/orders.rs`:2: `the nightly reconciliation re-sends unshipped orders` (@octocat)\n"),
        "{summary}"
    );
    assert_eq!(github.errors(), Vec::<String>::new());
}
