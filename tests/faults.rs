//! Fault tests: the real `failmode serve` binary (one or two replicas) on the machine's real
//! PostgreSQL, against a fake GitHub, under crashes, bursts, GitHub failures and a database
//! outage. Each asserts nothing was lost and nothing doubled: exactly one review per head.
//!
//! They need `FAILMODE_TEST_POSTGRES_URL` (`.ci/run` sets it); without it each test notes that
//! it was skipped and passes, so a plain `cargo test` works on a machine without PostgreSQL.

mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::fake_github::{FakeFile, FakeGithub, FakePull, Fault};
use support::postgres::PgSchema;
use support::server::{self, fixture, Server, APP_ID, SECRET};

const BASE_SHA: &str = "1111111111111111111111111111111111111111";
const CARGO: &str =
    "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nsqlx = \"0.8\"\n";
const BASE_LIB: &str = "pub fn version() -> u32 {\n    1\n}\n";

/// One pull request of the scenario.
#[derive(Debug, Clone)]
struct Pr {
    installation: u64,
    repo: String,
    number: u64,
}

/// A head SHA for pull request `key`, push `push`.
fn head(key: usize, push: usize) -> String {
    format!("{push:02x}{key:038x}")
}

/// `src/jobs.rs` at a head: one swallowed-error finding.
fn jobs_file(name: &str) -> String {
    format!(
        "pub async fn {name}(db: &sqlx::PgPool, id: i64) {{\n    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n        .bind(id)\n        .execute(db)\n        .await;\n}}\n"
    )
}

/// Stores the base commit and each head of `heads` for `pr`, and the pull request at `current`.
fn setup_pr(github: &FakeGithub, pr: &Pr, heads: &[String], current: &str) {
    github.add_commit(
        &pr.repo,
        BASE_SHA,
        &[
            ("Cargo.toml", CARGO.as_bytes()),
            ("src/lib.rs", BASE_LIB.as_bytes()),
        ],
    );
    let jobs = jobs_file("mark_shipped");
    for h in heads {
        github.add_commit(
            &pr.repo,
            h,
            &[
                ("Cargo.toml", CARGO.as_bytes()),
                ("src/lib.rs", BASE_LIB.as_bytes()),
                ("src/jobs.rs", jobs.as_bytes()),
            ],
        );
    }
    github.add_pull(FakePull {
        repo: pr.repo.clone(),
        number: pr.number,
        head_sha: current.to_string(),
        head_ref: format!("feature-{}", pr.number),
        head_repo: Some(pr.repo.clone()),
        base_sha: BASE_SHA.into(),
        base_ref: "main".into(),
        draft: false,
        files: vec![FakeFile::added("src/jobs.rs", &jobs)],
    });
}

/// The one pull request of the single-PR scenarios: acme/orders#7 of installation 77, with
/// `heads` pushed and `current` its head now.
fn acme_orders_7(github: &FakeGithub, heads: &[String], current: &str) -> Pr {
    let pr = Pr {
        installation: 77,
        repo: "acme/orders".into(),
        number: 7,
    };
    github.add_installation(pr.installation, &[pr.repo.as_str()]);
    setup_pr(github, &pr, heads, current);
    pr
}

/// A signed-delivery payload for `pr` at `head_sha`.
fn payload(pr: &Pr, action: &str, head_sha: &str) -> Value {
    let (owner, name) = pr.repo.split_once('/').expect("owner/name");
    let mut v = fixture("pull_request/opened.payload.json");
    v["action"] = json!(action);
    v["number"] = json!(pr.number);
    v["installation"] = json!({ "id": pr.installation, "node_id": "MDIz" });
    v["repository"]["full_name"] = json!(pr.repo);
    v["repository"]["name"] = json!(name);
    v["repository"]["owner"]["login"] = json!(owner);
    v["pull_request"]["number"] = json!(pr.number);
    v["pull_request"]["draft"] = json!(false);
    v["pull_request"]["head"]["sha"] = json!(head_sha);
    v["pull_request"]["base"]["sha"] = json!(BASE_SHA);
    v["pull_request"]["base"]["repo"]["full_name"] = json!(pr.repo);
    v
}

/// Polls the admin `/healthz` until no job is queued, running or waiting for a retry.
async fn wait_until_idle(admin_url: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let health: Value = match reqwest::get(format!("{admin_url}/healthz")).await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        let jobs = &health["jobs"];
        if jobs["queued"] == 0 && jobs["running"] == 0 && jobs["failed"] == 0 {
            return health;
        }
        assert!(Instant::now() < deadline, "jobs never settled: {health}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Reviews per (repo, number, commit).
fn reviews_by_head(github: &FakeGithub) -> BTreeMap<(String, u64, String), usize> {
    let mut out = BTreeMap::new();
    for r in github.reviews() {
        let commit = r.request["commit_id"].as_str().unwrap_or("").to_string();
        *out.entry((r.repo.clone(), r.number, commit)).or_insert(0) += 1;
    }
    out
}

/// A small deterministic generator, so a failing run can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_review_every_head_exactly_once_over_500_deliveries() {
    let Some(db) = PgSchema::create("two_replicas_review_every_head_exactly_once").await else {
        return;
    };
    let github = FakeGithub::start(APP_ID).await;
    // 50 pull requests: 10 installations with 5 each. Every PR was pushed twice; its head is
    // now the second push, and each push was delivered five times (GitHub retries, humans
    // pressing "redeliver", synchronize after opened).
    let mut prs = Vec::new();
    for i in 0..10u64 {
        let repo = format!("org{i}/svc");
        github.add_installation(100 + i, &[repo.as_str()]);
        for n in 1..=5 {
            prs.push(Pr {
                installation: 100 + i,
                repo: repo.clone(),
                number: n,
            });
        }
    }
    for (k, pr) in prs.iter().enumerate() {
        setup_pr(&github, pr, &[head(k, 1), head(k, 2)], &head(k, 2));
    }
    let mut deliveries = Vec::new();
    for (k, pr) in prs.iter().enumerate() {
        for j in 0..10 {
            let push = if j < 5 { 1 } else { 2 };
            let action = if j == 0 { "opened" } else { "synchronize" };
            deliveries.push((format!("d-{k}-{j}"), payload(pr, action, &head(k, push))));
        }
    }
    let mut rng = Lcg(0x5eed);
    for i in (1..deliveries.len()).rev() {
        let j = rng.next(i as u64 + 1) as usize;
        deliveries.swap(i, j);
    }
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let a = server::start(&github.url(), dir_a.path(), Some(&db.url), &[]).await;
    let b = server::start(&github.url(), dir_b.path(), Some(&db.url), &[]).await;
    let urls = [a.url.clone(), b.url.clone()];
    let queue = Arc::new(Mutex::new(
        deliveries.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let mut senders = Vec::new();
    for _ in 0..16 {
        let (queue, urls) = (queue.clone(), urls.clone());
        senders.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            loop {
                let next = queue.lock().unwrap().pop();
                let Some((i, (guid, body))) = next else { break };
                let url = &urls[i % 2];
                statuses.push(server::deliver(url, "pull_request", &guid, &body, SECRET).await);
            }
            statuses
        }));
    }
    for s in senders {
        for status in s.await.unwrap() {
            assert_eq!(status, 202, "every delivery is stored and acknowledged");
        }
    }
    wait_until_idle(&a.admin_url, Duration::from_secs(300)).await;

    let reviews = reviews_by_head(&github);
    for (k, pr) in prs.iter().enumerate() {
        let current = reviews
            .get(&(pr.repo.clone(), pr.number, head(k, 2)))
            .copied();
        assert_eq!(current, Some(1), "{pr:?}: exactly one review of its head");
        assert!(
            !reviews.contains_key(&(pr.repo.clone(), pr.number, head(k, 1))),
            "{pr:?}: the replaced push is not reviewed"
        );
    }
    assert_eq!(reviews.len(), 50);
    let created_runs = github
        .requests()
        .iter()
        .filter(|r| r.endpoint == "POST /repos/{owner}/{repo}/check-runs" && r.status == 201)
        .count();
    assert_eq!(
        created_runs, 50,
        "one check run per head, whichever replica ran it"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM jobs WHERE delivery_id NOT LIKE 'resync:%'")
            .await,
        500,
        "one job per delivery (plus resyncs of heads whose queued job a late delivery superseded)"
    );
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM jobs WHERE state IN ('dead', 'failed', 'queued', 'running')"
        )
        .await,
        0
    );
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_20_pushes_reviews_only_the_newest_head() {
    let Some(db) = PgSchema::create("a_burst_of_20_pushes_reviews_only_the_newest_head").await
    else {
        return;
    };
    let github = FakeGithub::start(APP_ID).await;
    let heads: Vec<String> = (1..=20).map(|p| head(0, p)).collect();
    let pr = acme_orders_7(&github, &heads, &heads[19]);
    let dir = tempfile::tempdir().unwrap();
    let srv = server::start(&github.url(), dir.path(), Some(&db.url), &[]).await;
    for (i, h) in heads.iter().enumerate() {
        let body = payload(&pr, "synchronize", h);
        let status = server::deliver(
            &srv.url,
            "pull_request",
            &format!("burst-{i}"),
            &body,
            SECRET,
        )
        .await;
        assert_eq!(status, 202);
    }
    let health = wait_until_idle(&srv.admin_url, Duration::from_secs(120)).await;
    let reviews = reviews_by_head(&github);
    assert_eq!(
        reviews.into_iter().collect::<Vec<_>>(),
        [(("acme/orders".to_string(), 7, heads[19].clone()), 1)],
        "only the newest head is reviewed"
    );
    // The 19 older pushes end superseded. A running older job may also have queued a "review
    // the current head" job before the newest delivery arrived; such a job is superseded by a
    // later delivery, or runs and finds everything already posted. Either way: one review.
    assert!(health["jobs"]["done"].as_u64() >= Some(1), "{health}");
    assert!(
        health["jobs"]["superseded"].as_u64() >= Some(19),
        "{health}"
    );
    assert_eq!(health["jobs"]["skipped"], 0, "{health}");
    assert_eq!(health["jobs"]["dead"], 0, "{health}");
    assert!(github.errors().is_empty(), "{:?}", github.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_502s_timeouts_and_rate_limits_are_waited_out_into_one_review() {
    let Some(db) = PgSchema::create("github_502s_timeouts_and_rate_limits").await else {
        return;
    };
    let github = FakeGithub::start(APP_ID).await;
    let pr = acme_orders_7(&github, &[head(0, 1)], &head(0, 1));
    github.inject(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        Fault::bad_gateway(),
        3,
    );
    github.inject(
        "POST /repos/{owner}/{repo}/check-runs",
        Fault::secondary_rate_limit(403, 2),
        1,
    );
    let files = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files";
    github.inject(files, Fault::Delay(Duration::from_secs(3)), 2);
    github.inject(
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        Fault::secondary_rate_limit(429, 1),
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let srv = server::start(
        &github.url(),
        dir.path(),
        Some(&db.url),
        &[("FAILMODE_GITHUB_TIMEOUT_SECS", "1")],
    )
    .await;
    let status = server::deliver(
        &srv.url,
        "pull_request",
        "faulty-1",
        &payload(&pr, "opened", &head(0, 1)),
        SECRET,
    )
    .await;
    assert_eq!(status, 202);
    let health = wait_until_idle(&srv.admin_url, Duration::from_secs(120)).await;
    assert_eq!(health["jobs"]["done"], 1, "{health}");
    assert_eq!(reviews_by_head(&github).values().sum::<usize>(), 1);
    let statuses: Vec<(String, u16)> = github
        .requests()
        .iter()
        .map(|r| (r.endpoint.clone(), r.status))
        .collect();
    for (endpoint, status) in [
        ("GET /repos/{owner}/{repo}/pulls/{pull_number}", 502),
        ("POST /repos/{owner}/{repo}/check-runs", 403),
        (
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            429,
        ),
    ] {
        assert!(
            statuses.iter().any(|(e, s)| e == endpoint && *s == status),
            "{endpoint} answered {status} at least once: {statuses:#?}"
        );
    }
    assert_eq!(
        github.count("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
        2,
        "the rate-limited review POST was sent again once, not more"
    );
    assert_eq!(
        github.arrived(files),
        3,
        "two attempts timed out after 1 s, the third was answered"
    );
    let metrics = reqwest::get(format!("{}/metrics", srv.admin_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("failmode_github_calls_total") && metrics.contains("status=\"502\""),
        "GitHub calls by status are exported: {metrics}"
    );
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    addr: std::net::SocketAddr,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (c, l) = (cut.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: the database is "unreachable"
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                l.lock().unwrap().push(link);
            }
        });
        Proxy { addr, cut, links }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_answers_503_and_recovery_redelivers_afterwards() {
    let Some(db) = PgSchema::create("database_outage_answers_503").await else {
        return;
    };
    let upstream = {
        let url = std::env::var("FAILMODE_TEST_POSTGRES_URL").unwrap_or_default();
        let after = url.split_once('@').map(|(_, a)| a).unwrap_or(&url);
        let after = after.split_once("://").map(|(_, a)| a).unwrap_or(after);
        after
            .split(['/', '?'])
            .next()
            .unwrap_or("127.0.0.1:5432")
            .to_string()
    };
    let proxy = Proxy::start(upstream).await;
    let github = FakeGithub::start(APP_ID).await;
    let pr = acme_orders_7(&github, &[head(0, 1)], &head(0, 1));
    let dir = tempfile::tempdir().unwrap();
    let srv = server::start(
        &github.url(),
        dir.path(),
        Some(&db.url_via(&proxy.addr.to_string())),
        &[("FAILMODE_RECOVERY_INTERVAL_SECS", "1")],
    )
    .await;
    github.set_webhook_target(&format!("{}/webhook", srv.url), SECRET.as_bytes());

    proxy.cut();
    let body = payload(&pr, "opened", &head(0, 1));
    let started = Instant::now();
    let status = server::deliver(&srv.url, "pull_request", "outage-1", &body, SECRET).await;
    assert_eq!(status, 503, "no 202 for a delivery that was not stored");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered within GitHub's 10 s webhook timeout"
    );
    let ready = reqwest::get(format!("{}/readyz", srv.url)).await.unwrap();
    assert_eq!(ready.status(), 503, "not ready while the database is away");
    // GitHub's log records the failed delivery, as it would.
    github.add_delivery("outage-1", "pull_request", &body, 503);
    assert!(github.reviews().is_empty());

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(60);
    while github.reviews().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the failed delivery was never redelivered and reviewed: {:?}",
            github.deliveries()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_until_idle(&srv.admin_url, Duration::from_secs(60)).await;
    assert_eq!(github.reviews().len(), 1);
    assert!(github
        .deliveries()
        .iter()
        .any(|(_, guid, redelivery, status)| guid == "outage-1" && *redelivery && *status == 202));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM jobs WHERE delivery_id = 'outage-1'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_20_times_loses_and_doubles_nothing() {
    let Some(db) = PgSchema::create("kill_9_at_random_points_20_times").await else {
        return;
    };
    let github = FakeGithub::start(APP_ID).await;
    // One installation per pull request, so GitHub's pacing of writes does not serialise them.
    let prs: Vec<Pr> = (0..20u64)
        .map(|i| Pr {
            installation: 200 + i,
            repo: format!("crash{i}/svc"),
            number: 1,
        })
        .collect();
    for (k, pr) in prs.iter().enumerate() {
        github.add_installation(pr.installation, &[pr.repo.as_str()]);
        setup_pr(&github, pr, &[head(k, 1)], &head(k, 1));
    }
    let dir = tempfile::tempdir().unwrap();
    // A crash mid-job uses one of the job's attempts (so a job that kills every worker is
    // dead-lettered: `lease_expiring_on_the_last_attempt_dead_letters` in tests/queue.rs). With
    // jobs taking about as long as the time between kills, one job can be claimed by five
    // servers in a row that are all killed; give jobs more attempts than there are kills, so
    // what this test measures is only whether a crash loses or doubles a review.
    let lease = [
        ("FAILMODE_JOB_LEASE_SECS", "3"),
        ("FAILMODE_JOB_MAX_ATTEMPTS", "25"),
    ];
    let mut rng = Lcg(0xc0ffee);
    let mut current: Option<Server> = None;
    for (k, pr) in prs.iter().enumerate() {
        let srv = match current.take() {
            Some(s) => s,
            None => server::start(&github.url(), dir.path(), Some(&db.url), &lease).await,
        };
        let body = payload(pr, "opened", &head(k, 1));
        let status = server::deliver(
            &srv.url,
            "pull_request",
            &format!("crash-{k}"),
            &body,
            SECRET,
        )
        .await;
        assert_eq!(status, 202);
        // Somewhere between "just stored" and "review posted, check run being completed".
        tokio::time::sleep(Duration::from_millis(rng.next(2500))).await;
        let mut srv = srv;
        srv.child.kill().unwrap();
        srv.child.wait().unwrap();
        current = Some(server::start(&github.url(), dir.path(), Some(&db.url), &lease).await);
    }
    let srv = current.expect("a server runs");
    wait_until_idle(&srv.admin_url, Duration::from_secs(180)).await;
    let reviews = reviews_by_head(&github);
    for (k, pr) in prs.iter().enumerate() {
        assert_eq!(
            reviews
                .get(&(pr.repo.clone(), pr.number, head(k, 1)))
                .copied(),
            Some(1),
            "{pr:?}: exactly one review despite the crashes: {reviews:?}"
        );
    }
    assert_eq!(
        db.count("SELECT COUNT(*) FROM jobs WHERE state <> 'done'")
            .await,
        0,
        "every job done, none dead"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM jobs WHERE max_attempts = 25")
            .await,
        20,
        "FAILMODE_JOB_MAX_ATTEMPTS is stored on every job"
    );
}
