//! The durable job store against real databases: a SQLite file in a temp dir always, and the
//! PostgreSQL server named by `FAILMODE_TEST_POSTGRES_URL` when it is set (each test in its own
//! fresh schema, dropped afterwards). Without the variable the PostgreSQL variants print a note
//! and return.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use failmode::queue::{
    ClaimedJob, Delivery, Enqueued, FailOutcome, JobId, JobKind, JobState, JobStore, ManualClock,
    NewJob, Publication, PublicationKind, PublicationRecorded, QueueError, RetryPolicy,
};
use sqlx::Connection;
use support::postgres::PgSchema;

mod support;

const LEASE: Duration = Duration::from_secs(30);
const START_MS: i64 = 1_800_000_000_000;

/// A database for one test: a SQLite file (kept alive by its temp dir) or a fresh PostgreSQL
/// schema that is dropped when this value is dropped.
struct TestDatabase {
    url: String,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<PgSchema>,
}

impl TestDatabase {
    fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("failmode.db").display()
        );
        TestDatabase {
            url,
            _dir: Some(dir),
            _schema: None,
        }
    }

    /// A fresh schema on the test PostgreSQL server, or `None` (with a note) when none is configured.
    async fn postgres(test: &str) -> Option<TestDatabase> {
        let schema = PgSchema::create(test).await?;
        Some(TestDatabase {
            url: schema.url.clone(),
            _dir: None,
            _schema: Some(schema),
        })
    }

    async fn store(&self, clock: &Arc<ManualClock>) -> JobStore {
        JobStore::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.url))
            .with_clock(clock.clone())
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(START_MS))
}

fn job(delivery: &str, repo: &str, pr: i64, sha: &str) -> NewJob {
    job_for_installation(delivery, 42, repo, pr, sha)
}

fn job_for_installation(
    delivery: &str,
    installation: i64,
    repo: &str,
    pr: i64,
    sha: &str,
) -> NewJob {
    NewJob {
        delivery: Delivery {
            id: delivery.to_string(),
            event: "pull_request".to_string(),
            action: Some("synchronize".to_string()),
        },
        kind: JobKind::Review,
        installation_id: installation,
        repo: repo.to_string(),
        pr_number: pr,
        head_sha: sha.to_string(),
        payload: serde_json::json!({"pull_request": {"number": pr, "head": {"sha": sha}}}),
    }
}

async fn created(store: &JobStore, new: &NewJob) -> JobId {
    match store.enqueue(new).await.expect("enqueue") {
        Enqueued::Created(id) => id,
        Enqueued::Duplicate(id) => panic!(
            "delivery {} was new but enqueue said Duplicate({id})",
            new.delivery.id
        ),
    }
}

async fn state(store: &JobStore, id: JobId) -> JobState {
    store
        .job(id)
        .await
        .expect("read job")
        .expect("job exists")
        .state
}

async fn claim(store: &JobStore, worker: &str) -> Option<ClaimedJob> {
    store.claim(worker, LEASE, None).await.expect("claim")
}

fn assert_lease_lost(result: Result<impl std::fmt::Debug, QueueError>, id: JobId) {
    match result {
        Err(QueueError::LeaseLost { job_id }) => assert_eq!(job_id, id.0),
        other => panic!("expected LeaseLost for job {id}, got {other:?}"),
    }
}

/// Declares a SQLite and a PostgreSQL test running the same scenario.
macro_rules! on_both_backends {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            let db = TestDatabase::sqlite();
            $scenario(&db).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            let Some(db) = TestDatabase::postgres(stringify!($postgres)).await else {
                return;
            };
            $scenario(&db).await;
        }
    };
}

async fn duplicate_delivery_creates_one_job(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let first = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    // GitHub redelivers with the same X-GitHub-Delivery (even if we lost the first answer).
    assert_eq!(
        store
            .enqueue(&job("d-1", "acme/api", 7, "aaa"))
            .await
            .expect("enqueue"),
        Enqueued::Duplicate(first)
    );
    assert_eq!(
        store
            .enqueue(&job("d-1", "acme/api", 7, "aaa"))
            .await
            .expect("enqueue"),
        Enqueued::Duplicate(first)
    );
    let counts = store.counts_by_state().await.expect("counts");
    assert_eq!(counts.queued, 1);
    assert_eq!(JobState::ALL.iter().map(|s| counts.get(*s)).sum::<u64>(), 1);

    let second = created(&store, &job("d-2", "acme/api", 9, "bbb")).await;
    assert_ne!(first, second);

    // Deliveries without a job are deduplicated too.
    let ping = Delivery {
        id: "d-ping".to_string(),
        event: "ping".to_string(),
        action: None,
    };
    assert!(store.record_delivery(&ping).await.expect("record"));
    assert!(!store.record_delivery(&ping).await.expect("record"));
    // A job's delivery counts as recorded.
    let redelivered = Delivery {
        id: "d-1".to_string(),
        event: "pull_request".to_string(),
        action: None,
    };
    assert!(!store.record_delivery(&redelivered).await.expect("record"));
}
on_both_backends!(
    duplicate_delivery_creates_one_job,
    duplicate_delivery_sqlite,
    duplicate_delivery_postgres
);

async fn concurrent_redeliveries_create_one_job(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.enqueue(&job("same", "acme/api", 1, "abc")).await
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("task").expect("enqueue"));
    }
    let ids: BTreeSet<JobId> = outcomes.iter().map(|o| o.job_id()).collect();
    assert_eq!(ids.len(), 1, "{outcomes:?}");
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Enqueued::Created(_)))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(store.counts_by_state().await.expect("counts").queued, 1);
}
on_both_backends!(
    concurrent_redeliveries_create_one_job,
    concurrent_redeliveries_sqlite,
    concurrent_redeliveries_postgres
);

async fn newer_head_supersedes_queued_jobs(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let running = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let claimed = claim(&store, "w1").await.expect("a job to claim");
    assert_eq!(claimed.id, running);
    assert!(
        !store.is_superseded(&claimed).await.expect("check"),
        "no newer head yet"
    );
    let queued_old = created(&store, &job("d-2", "acme/api", 7, "bbb")).await;
    let other_pr = created(&store, &job("d-3", "acme/api", 8, "bbb")).await;
    let other_repo = created(&store, &job("d-4", "acme/web", 7, "bbb")).await;
    // Jobs for other pull requests or repositories do not make the running job stale; the
    // queued job for head bbb of the same PR does (it came later), before any supersede.
    assert_eq!(state(&store, queued_old).await, JobState::Queued);
    assert!(store.is_superseded(&claimed).await.expect("check"));

    let newest = created(&store, &job("d-5", "acme/api", 7, "ccc")).await;
    assert_eq!(state(&store, queued_old).await, JobState::Superseded);
    assert_eq!(
        state(&store, running).await,
        JobState::Running,
        "a running job is left to finish"
    );
    assert_eq!(state(&store, other_pr).await, JobState::Queued);
    assert_eq!(state(&store, other_repo).await, JobState::Queued);
    assert_eq!(state(&store, newest).await, JobState::Queued);
    let note = store
        .job(queued_old)
        .await
        .expect("read")
        .expect("exists")
        .last_error
        .unwrap_or_default();
    assert!(
        note.contains(&format!("job {newest}")) && note.contains("ccc"),
        "{note}"
    );

    // The running worker learns before publishing that its head is stale.
    assert!(store.is_superseded(&claimed).await.expect("check"));
    store.supersede(&claimed).await.expect("supersede");
    assert_eq!(state(&store, running).await, JobState::Superseded);

    // A second job for the same head (a re-run) supersedes nothing.
    let rerun = created(&store, &job("d-6", "acme/api", 7, "ccc")).await;
    assert_eq!(state(&store, newest).await, JobState::Queued);
    assert_eq!(state(&store, rerun).await, JobState::Queued);

    // Superseded jobs are never claimed: the queue hands out other_pr, other_repo, newest, rerun.
    let mut order = Vec::new();
    while let Some(j) = claim(&store, "w2").await {
        order.push(j.id);
        assert!(
            !store.is_superseded(&j).await.expect("check"),
            "job {} is current",
            j.id
        );
        store.complete(&j).await.expect("complete");
    }
    assert_eq!(order, vec![other_pr, other_repo, newest, rerun]);
    assert_eq!(
        store
            .pull_request_for_head("acme/api", "ccc")
            .await
            .expect("lookup"),
        Some(7)
    );
    assert_eq!(
        store
            .pull_request_for_head("acme/api", "zzz")
            .await
            .expect("lookup"),
        None
    );
}
on_both_backends!(
    newer_head_supersedes_queued_jobs,
    supersede_sqlite,
    supersede_postgres
);

async fn claim_then_complete(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    store.ping().await.expect("ping");
    assert!(claim(&store, "w1").await.is_none(), "empty queue");
    let new = job("d-1", "acme/api", 7, "aaa");
    let id = created(&store, &new).await;
    let claimed = claim(&store, "w1").await.expect("a job to claim");
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.kind, JobKind::Review);
    assert_eq!(claimed.delivery_id, "d-1");
    assert_eq!(
        (
            claimed.installation_id,
            claimed.repo.as_str(),
            claimed.pr_number
        ),
        (42, "acme/api", 7)
    );
    assert_eq!(claimed.head_sha, "aaa");
    assert_eq!(claimed.payload, new.payload);
    assert_eq!(
        (claimed.attempts, claimed.max_attempts),
        (1, RetryPolicy::default().max_attempts)
    );
    assert_eq!(claimed.worker_id, "w1");
    assert_eq!(claimed.lease_until.timestamp_millis(), START_MS + 30_000);
    assert!(
        claim(&store, "w2").await.is_none(),
        "the only job is leased"
    );
    assert_eq!(store.counts_by_state().await.expect("counts").running, 1);

    store.complete(&claimed).await.expect("complete");
    let record = store.job(id).await.expect("read").expect("exists");
    assert_eq!(record.state, JobState::Done);
    assert_eq!(record.lease_owner.as_deref(), Some("w1"));
    assert!(
        claim(&store, "w2").await.is_none(),
        "done jobs are not claimed"
    );
    assert_lease_lost(store.complete(&claimed).await, id);
    assert_lease_lost(store.fail(&claimed, "late").await, id);
    let counts = store.counts_by_state().await.expect("counts");
    assert_eq!((counts.done, counts.running, counts.queued), (1, 0, 0));
}
on_both_backends!(
    claim_then_complete,
    claim_complete_sqlite,
    claim_complete_postgres
);

async fn expired_lease_is_reclaimed_and_the_late_worker_rejected(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let first = claim(&store, "w1").await.expect("claim");

    // Heartbeats keep the lease alive past its first expiry.
    clock.advance(Duration::from_secs(20));
    let until = store.heartbeat(&first, LEASE).await.expect("heartbeat");
    assert_eq!(until.timestamp_millis(), START_MS + 50_000);
    clock.advance(Duration::from_secs(20));
    assert!(
        claim(&store, "w2").await.is_none(),
        "lease was extended to 50 s"
    );

    // w1 stalls; its lease runs out and w2 takes the job over.
    clock.advance(Duration::from_secs(11));
    let second = claim(&store, "w2")
        .await
        .expect("expired lease is reclaimed");
    assert_eq!(second.id, id);
    assert_eq!(second.attempts, 2);
    assert_eq!(second.worker_id, "w2");

    assert_lease_lost(store.complete(&first).await, id);
    assert_lease_lost(store.heartbeat(&first, LEASE).await, id);
    assert_lease_lost(store.fail(&first, "late").await, id);
    assert_lease_lost(store.release(&first).await, id);
    assert_lease_lost(store.skip(&first, "late").await, id);
    assert_eq!(state(&store, id).await, JobState::Running);

    store
        .complete(&second)
        .await
        .expect("the current holder completes");
    let record = store.job(id).await.expect("read").expect("exists");
    assert_eq!(
        (record.state, record.attempts, record.lease_owner.as_deref()),
        (JobState::Done, 2, Some("w2"))
    );
}
on_both_backends!(
    expired_lease_is_reclaimed_and_the_late_worker_rejected,
    lease_expiry_sqlite,
    lease_expiry_postgres
);

async fn failures_back_off_then_dead_letter(db: &TestDatabase) {
    let clock = clock();
    let policy = RetryPolicy {
        max_attempts: 3,
        full_jitter: false,
        ..RetryPolicy::default()
    };
    let store = db.store(&clock).await.with_retry_policy(policy);
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;

    let mut expected_delays = vec![5_000, 10_000].into_iter();
    for attempt in 1..=2 {
        let claimed = claim(&store, "w1").await.expect("claim");
        assert_eq!(claimed.attempts, attempt);
        let outcome = store
            .fail(
                &claimed,
                &format!("GitHub answered 502 on attempt {attempt}"),
            )
            .await
            .expect("fail");
        let delay = expected_delays.next().expect("a delay per retry");
        let now = clock.now().timestamp_millis();
        assert_eq!(
            outcome,
            FailOutcome::Retried {
                run_after: chrono_ms(now + delay)
            }
        );
        assert_eq!(state(&store, id).await, JobState::Failed);
        assert_eq!(store.counts_by_state().await.expect("counts").failed, 1);
        clock.advance(Duration::from_millis(
            u64::try_from(delay - 1).expect("positive"),
        ));
        assert!(claim(&store, "w1").await.is_none(), "not before run_after");
        clock.advance(Duration::from_millis(1));
    }
    let last = claim(&store, "w1").await.expect("third attempt");
    assert_eq!(last.attempts, 3);
    assert_eq!(
        store
            .fail(&last, "GitHub answered 502 on attempt 3")
            .await
            .expect("fail"),
        FailOutcome::Dead
    );
    clock.advance(Duration::from_secs(3600));
    assert!(
        claim(&store, "w1").await.is_none(),
        "dead jobs are not retried"
    );
    let dead = store.dead_jobs(10).await.expect("dead jobs");
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 3));
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("GitHub answered 502 on attempt 3")
    );
    assert_eq!(store.counts_by_state().await.expect("counts").dead, 1);
}
on_both_backends!(
    failures_back_off_then_dead_letter,
    backoff_sqlite,
    backoff_postgres
);

fn chrono_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).expect("in range")
}

async fn jittered_backoff_stays_within_its_ceiling(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await.with_retry_policy(RetryPolicy {
        max_attempts: 100,
        ..RetryPolicy::default()
    });
    let mut delays = Vec::new();
    for i in 0..20 {
        let id = created(&store, &job(&format!("d-{i}"), "acme/api", i, "aaa")).await;
        let claimed = claim(&store, "w1").await.expect("claim");
        assert_eq!(claimed.id, id);
        let FailOutcome::Retried { run_after } = store.fail(&claimed, "boom").await.expect("fail")
        else {
            panic!("first failure is retried");
        };
        let delay = run_after.timestamp_millis() - START_MS;
        assert!(
            (0..=5_000).contains(&delay),
            "first retry waits 0..=5 s, got {delay} ms"
        );
        delays.push(delay);
    }
    let distinct: BTreeSet<i64> = delays.iter().copied().collect();
    assert!(
        distinct.len() > 1,
        "full jitter spreads retries: {delays:?}"
    );
}
on_both_backends!(
    jittered_backoff_stays_within_its_ceiling,
    jitter_sqlite,
    jitter_postgres
);

async fn lease_expiring_on_the_last_attempt_dead_letters(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await.with_retry_policy(RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    });
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let crashed = claim(&store, "w1").await.expect("claim");
    clock.advance(LEASE + Duration::from_secs(1));
    assert!(
        claim(&store, "w2").await.is_none(),
        "a job that crashed its last attempt is not run again"
    );
    let record = store.job(id).await.expect("read").expect("exists");
    assert_eq!(record.state, JobState::Dead);
    assert!(
        record.last_error.unwrap_or_default().contains("w1"),
        "names the worker that lost the lease"
    );
    assert_lease_lost(store.complete(&crashed).await, id);
}
on_both_backends!(
    lease_expiring_on_the_last_attempt_dead_letters,
    last_lease_sqlite,
    last_lease_postgres
);

async fn release_and_skip(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let first = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let second = created(&store, &job("d-2", "acme/api", 8, "bbb")).await;

    let claimed = claim(&store, "w1").await.expect("claim");
    assert_eq!((claimed.id, claimed.attempts), (first, 1));
    store.release(&claimed).await.expect("release");
    let record = store.job(first).await.expect("read").expect("exists");
    assert_eq!(
        (record.state, record.attempts),
        (JobState::Queued, 0),
        "shutdown does not count an attempt"
    );
    assert_lease_lost(store.complete(&claimed).await, first);

    let again = claim(&store, "w2")
        .await
        .expect("released job is runnable at once");
    assert_eq!((again.id, again.attempts), (first, 1));
    store
        .skip(&again, "pull request is a draft")
        .await
        .expect("skip");
    let record = store.job(first).await.expect("read").expect("exists");
    assert_eq!(record.state, JobState::Skipped);
    assert_eq!(
        record.last_error.as_deref(),
        Some("pull request is a draft")
    );

    let next = claim(&store, "w2").await.expect("claim");
    assert_eq!(next.id, second);
}
on_both_backends!(release_and_skip, release_skip_sqlite, release_skip_postgres);

async fn concurrent_claimers_take_each_job_exactly_once(db: &TestDatabase) {
    const JOBS: usize = 200;
    const WORKERS: usize = 8;
    let clock = clock();
    // Two stores with their own pools act as two replicas; four workers each.
    let replicas = [db.store(&clock).await, db.store(&clock).await];
    let mut all = BTreeSet::new();
    for i in 0..JOBS {
        all.insert(
            created(
                &replicas[i % 2],
                &job(&format!("d-{i}"), "acme/api", i as i64, "aaa"),
            )
            .await,
        );
    }
    let claimed = Arc::new(Mutex::new(Vec::new()));
    let finished = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let store = replicas[w % 2].clone();
        let claimed = claimed.clone();
        let finished = finished.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let mut idle_polls = 0;
            while finished.load(Ordering::SeqCst) < JOBS && idle_polls < 2_000 {
                match store.claim(&worker, LEASE, None).await.expect("claim") {
                    Some(job) => {
                        claimed.lock().expect("lock").push(job.id);
                        store
                            .complete(&job)
                            .await
                            .expect("the claimer completes its own job");
                        finished.fetch_add(1, Ordering::SeqCst);
                    }
                    None => {
                        idle_polls += 1;
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker task");
    }
    let claimed = claimed.lock().expect("lock").clone();
    let distinct: BTreeSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        JOBS,
        "every job claimed exactly once (no job twice)"
    );
    assert_eq!(distinct, all);
    let counts = replicas[0].counts_by_state().await.expect("counts");
    assert_eq!(
        (counts.done, counts.queued, counts.running),
        (JOBS as u64, 0, 0)
    );
}
on_both_backends!(
    concurrent_claimers_take_each_job_exactly_once,
    concurrent_claims_sqlite,
    concurrent_claims_postgres
);

async fn per_installation_limit(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let a1 = created(&store, &job_for_installation("d-1", 1, "acme/api", 1, "a")).await;
    let a2 = created(&store, &job_for_installation("d-2", 1, "acme/api", 2, "a")).await;
    let a3 = created(&store, &job_for_installation("d-3", 1, "acme/api", 3, "a")).await;
    let b1 = created(&store, &job_for_installation("d-4", 2, "other/x", 1, "a")).await;
    let limit = Some(2);
    let first = store
        .claim("w", LEASE, limit)
        .await
        .expect("claim")
        .expect("job");
    let second = store
        .claim("w", LEASE, limit)
        .await
        .expect("claim")
        .expect("job");
    let third = store
        .claim("w", LEASE, limit)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(
        (first.id, second.id, third.id),
        (a1, b1, a2),
        "installation 2 runs nothing, so it goes before installation 1's second job"
    );
    assert!(
        store
            .claim("w", LEASE, limit)
            .await
            .expect("claim")
            .is_none(),
        "installation 1 is at its limit of 2"
    );
    store.complete(&first).await.expect("complete");
    let fourth = store
        .claim("w", LEASE, limit)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(fourth.id, a3);
}
on_both_backends!(
    per_installation_limit,
    installation_limit_sqlite,
    installation_limit_postgres
);

async fn publications_are_recorded_once(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let review = Publication {
        repo: "acme/api".to_string(),
        pr_number: 7,
        head_sha: "aaa".to_string(),
        kind: PublicationKind::Review,
        external_id: "1001".to_string(),
        job_id: Some(id),
    };
    assert_eq!(
        store
            .publication("acme/api", 7, "aaa", PublicationKind::Review)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.record_publication(&review).await.expect("record"),
        PublicationRecorded::Recorded
    );
    let retry = Publication {
        external_id: "2002".to_string(),
        job_id: None,
        ..review.clone()
    };
    assert_eq!(
        store.record_publication(&retry).await.expect("record"),
        PublicationRecorded::AlreadyRecorded(review.clone())
    );
    assert_eq!(
        store
            .publication("acme/api", 7, "aaa", PublicationKind::Review)
            .await
            .expect("read"),
        Some(review)
    );
    assert_eq!(
        store
            .publication("acme/api", 7, "aaa", PublicationKind::CheckRun)
            .await
            .expect("read"),
        None
    );
    let check = Publication {
        repo: "acme/api".to_string(),
        pr_number: 7,
        head_sha: "aaa".to_string(),
        kind: PublicationKind::CheckRun,
        external_id: "77".to_string(),
        job_id: Some(id),
    };
    assert_eq!(
        store.record_publication(&check).await.expect("record"),
        PublicationRecorded::Recorded
    );
    assert_eq!(
        store
            .publication("acme/api", 7, "aaa", PublicationKind::CheckRun)
            .await
            .expect("read"),
        Some(check)
    );
}
on_both_backends!(
    publications_are_recorded_once,
    publications_sqlite,
    publications_postgres
);

async fn jobs_survive_a_restart(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    store.close().await;
    drop(store);
    let reopened = db.store(&clock).await;
    assert_eq!(
        reopened
            .enqueue(&job("d-1", "acme/api", 7, "aaa"))
            .await
            .expect("enqueue"),
        Enqueued::Duplicate(id)
    );
    assert_eq!(claim(&reopened, "w1").await.map(|j| j.id), Some(id));
}
on_both_backends!(jobs_survive_a_restart, restart_sqlite, restart_postgres);

async fn stores_migrating_at_once_both_succeed(db: &TestDatabase) {
    let clock = clock();
    let (a, b, c) = tokio::join!(
        JobStore::connect(&db.url),
        JobStore::connect(&db.url),
        JobStore::connect(&db.url)
    );
    let a = a.expect("first replica migrates").with_clock(clock.clone());
    let b = b
        .expect("second replica migrates")
        .with_clock(clock.clone());
    c.expect("third replica migrates");
    let id = created(&a, &job("d-1", "acme/api", 7, "aaa")).await;
    assert_eq!(claim(&b, "w1").await.map(|j| j.id), Some(id));
}
on_both_backends!(
    stores_migrating_at_once_both_succeed,
    concurrent_migration_sqlite,
    concurrent_migration_postgres
);

/// More replicas than migrations opening fresh SQLite files at once, many times over: a replica
/// that loses the race on one migration must still end up with every migration applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sqlite_replicas_migrating_a_fresh_file_all_succeed() {
    for round in 0..12 {
        let db = TestDatabase::sqlite();
        let url = db.url.as_str();
        let (a, b, c, d, e, f) = tokio::join!(
            JobStore::connect(url),
            JobStore::connect(url),
            JobStore::connect(url),
            JobStore::connect(url),
            JobStore::connect(url),
            JobStore::connect(url)
        );
        for (replica, opened) in [a, b, c, d, e, f].into_iter().enumerate() {
            let store = opened.unwrap_or_else(|e| panic!("round {round}, replica {replica}: {e}"));
            store.close().await;
        }
    }
}

#[tokio::test]
async fn sqlite_uses_wal_and_foreign_keys() {
    let db = TestDatabase::sqlite();
    let _store = db.store(&clock()).await;
    let mut conn = sqlx::SqliteConnection::connect(&db.url)
        .await
        .expect("open the file");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
    // jobs.delivery_id references deliveries: a job row without its delivery is refused.
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut conn)
        .await
        .expect("pragma");
    let orphan = sqlx::query(
        "INSERT INTO jobs (delivery_id, kind, installation_id, repo, pr_number, head_sha, payload, state, \
         attempts, max_attempts, run_after, created_at, updated_at) \
         VALUES ('nope', 'review', 1, 'a/b', 1, 's', '{}', 'queued', 0, 5, 0, 0, 0)",
    )
    .execute(&mut conn)
    .await;
    assert!(orphan.is_err(), "the schema declares the foreign key");
}

#[tokio::test]
async fn malformed_url_names_the_variable() {
    for url in [
        "mysql://root@localhost/db",
        "failmode.db",
        "postgres://user:pw@host:notaport/db",
    ] {
        let err = JobStore::connect(url)
            .await
            .err()
            .unwrap_or_else(|| panic!("{url} is refused"));
        assert!(
            matches!(err, QueueError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("FAILMODE_DATABASE_URL"), "{text}");
        assert!(!text.contains(":pw@"), "password is not echoed: {text}");
    }
}

#[tokio::test]
async fn unreachable_database_names_the_variable() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let err = JobStore::connect("postgres://bot:hunter2@127.0.0.1:1/failmode")
        .await
        .expect_err("refused");
    assert!(matches!(err, QueueError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("FAILMODE_DATABASE_URL") && text.contains("bot:***@127.0.0.1:1"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");

    let dir = tempfile::tempdir().expect("temp dir");
    let missing = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("no/such/dir/failmode.db").display()
    );
    let err = JobStore::connect(&missing)
        .await
        .expect_err("no such directory");
    assert!(matches!(err, QueueError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("FAILMODE_DATABASE_URL"));
}

async fn a_batch_is_stored_in_order_with_duplicates_and_supersedes(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    let earlier = created(&store, &job("b-0", "acme/api", 7, "000")).await;
    let batch = [
        job("b-1", "acme/api", 7, "aaa"),
        job("b-0", "acme/api", 7, "000"),
        job("b-2", "acme/api", 7, "bbb"),
        job("b-1", "acme/api", 7, "aaa"),
    ];
    let stored = store.enqueue_batch(&batch).await.expect("enqueue batch");
    let first = match stored[0] {
        Enqueued::Created(id) => id,
        other => panic!("b-1 is new: {other:?}"),
    };
    let second = match stored[2] {
        Enqueued::Created(id) => id,
        other => panic!("b-2 is new: {other:?}"),
    };
    assert_eq!(
        stored[1],
        Enqueued::Duplicate(earlier),
        "a redelivery of b-0"
    );
    assert_eq!(
        stored[3],
        Enqueued::Duplicate(first),
        "b-1 twice in one batch"
    );
    assert_eq!(state(&store, earlier).await, JobState::Superseded);
    assert_eq!(
        state(&store, first).await,
        JobState::Superseded,
        "b-2's newer head supersedes b-1 within the same batch"
    );
    assert_eq!(state(&store, second).await, JobState::Queued);
    assert!(store.has_delivery("b-2").await.expect("lookup"));
    assert!(!store.has_delivery("b-9").await.expect("lookup"));
}

on_both_backends!(
    a_batch_is_stored_in_order_with_duplicates_and_supersedes,
    batch_sqlite,
    batch_postgres
);

async fn one_replica_leads_until_its_lease_expires(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let lease = Duration::from_secs(10);
    assert!(store.try_lead("recovery", "a", lease).await.expect("lead"));
    assert!(!store.try_lead("recovery", "b", lease).await.expect("lead"));
    assert!(
        store.try_lead("recovery", "a", lease).await.expect("lead"),
        "the holder renews"
    );
    assert!(
        store
            .try_lead("other-task", "b", lease)
            .await
            .expect("lead"),
        "leases are per name"
    );
    clock.advance(Duration::from_secs(11));
    assert!(
        store.try_lead("recovery", "b", lease).await.expect("lead"),
        "an expired lease is taken over"
    );
    assert!(!store.try_lead("recovery", "a", lease).await.expect("lead"));
}

on_both_backends!(
    one_replica_leads_until_its_lease_expires,
    leader_sqlite,
    leader_postgres
);

async fn redeliveries_are_spaced_and_bounded(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let spacing = Duration::from_secs(60);
    assert!(store
        .begin_redelivery("g-1", spacing, 2)
        .await
        .expect("first"));
    assert!(
        !store
            .begin_redelivery("g-1", spacing, 2)
            .await
            .expect("again"),
        "not again within the spacing"
    );
    clock.advance(Duration::from_secs(61));
    assert!(store
        .begin_redelivery("g-1", spacing, 2)
        .await
        .expect("second"));
    clock.advance(Duration::from_secs(61));
    assert!(
        !store
            .begin_redelivery("g-1", spacing, 2)
            .await
            .expect("third"),
        "at most two requests"
    );
    assert!(store
        .begin_redelivery("g-2", spacing, 2)
        .await
        .expect("other"));
}

on_both_backends!(
    redeliveries_are_spaced_and_bounded,
    redelivery_sqlite,
    redelivery_postgres
);

async fn one_job_per_pull_request_runs_at_a_time(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let first = created(&store, &job("p-1", "acme/api", 7, "aaa")).await;
    let same_pr = created(&store, &job("p-2", "acme/api", 7, "aaa")).await;
    let other_pr = created(&store, &job("p-3", "acme/api", 8, "aaa")).await;
    assert_eq!(claim(&store, "w1").await.map(|j| j.id), Some(first));
    assert_eq!(
        claim(&store, "w2").await.map(|j| j.id),
        Some(other_pr),
        "the second job of PR 7 waits while the first runs"
    );
    assert!(claim(&store, "w3").await.is_none());
    // Both leases expire (their workers died): the expired jobs are reclaimed, oldest first,
    // and PR 7's second job still waits behind its reclaimed first one.
    clock.advance(LEASE + Duration::from_secs(1));
    assert_eq!(claim(&store, "w3").await.map(|j| j.id), Some(first));
    assert_eq!(claim(&store, "w4").await.map(|j| j.id), Some(other_pr));
    assert!(claim(&store, "w5").await.is_none());
    let done = store.job(first).await.expect("read").expect("exists");
    assert_eq!(done.state, JobState::Running);
    assert_eq!(state(&store, same_pr).await, JobState::Queued);
}

on_both_backends!(
    one_job_per_pull_request_runs_at_a_time,
    one_per_pr_sqlite,
    one_per_pr_postgres
);

/// Installation of each job in `claims`.
async fn installations_of(store: &JobStore, claims: &[ClaimedJob]) -> Vec<i64> {
    let mut out = Vec::new();
    for c in claims {
        out.push(
            store
                .job(c.id)
                .await
                .expect("read")
                .expect("exists")
                .installation_id,
        );
    }
    out
}

async fn a_late_installation_gets_the_next_free_worker(db: &TestDatabase) {
    let store = db.store(&clock()).await;
    // Installation 1 floods: 50 pull requests. Alone, it may use every worker.
    for pr in 0..50 {
        created(
            &store,
            &job_for_installation(&format!("a-{pr}"), 1, "big/mono", pr, "a"),
        )
        .await;
    }
    let mut running = Vec::new();
    for w in 0..4 {
        running.push(claim(&store, &format!("w{w}")).await.expect("a job"));
    }
    // Installation 2 pushes once, behind the whole backlog.
    let late = created(&store, &job_for_installation("b-1", 2, "small/app", 1, "b")).await;
    store.complete(&running.remove(0)).await.expect("complete");
    let next = claim(&store, "w0").await.expect("a job");
    assert_eq!(
        next.id, late,
        "the freed worker goes to the installation running nothing, not to the 47 older jobs of the one running 3"
    );
}
on_both_backends!(
    a_late_installation_gets_the_next_free_worker,
    late_installation_served_next_sqlite,
    late_installation_served_next_postgres
);

async fn three_flooding_installations_share_four_workers(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    // Three installations flood one after another (oldest backlog first), 20 jobs each.
    for inst in 1..=3 {
        for pr in 0..20 {
            created(
                &store,
                &job_for_installation(
                    &format!("{inst}-{pr}"),
                    inst,
                    &format!("org{inst}/repo"),
                    pr,
                    "s",
                ),
            )
            .await;
        }
    }
    // 4 workers: the limit derived from them is 2 per installation.
    let limit = Some(failmode::server::worker::derived_installation_limit(4));
    assert_eq!(limit, Some(2));
    let mut running: Vec<ClaimedJob> = Vec::new();
    let mut claimed: Vec<ClaimedJob> = Vec::new();
    for round in 0..16 {
        clock.advance(Duration::from_secs(1));
        if round >= 4 {
            let oldest = running.remove(0);
            store.complete(&oldest).await.expect("complete");
        }
        let job = store
            .claim("w", LEASE, limit)
            .await
            .expect("claim")
            .expect("a job is runnable");
        running.push(job.clone());
        claimed.push(job);
        let now_running = installations_of(&store, &running).await;
        for inst in 1..=3 {
            assert!(
                now_running.iter().filter(|&&i| i == inst).count() <= 2,
                "installation {inst} above the limit: {now_running:?}"
            );
        }
    }
    let order = installations_of(&store, &claimed).await;
    let first_four: BTreeSet<i64> = order[..4].iter().copied().collect();
    assert_eq!(
        first_four,
        BTreeSet::from([1, 2, 3]),
        "every installation runs as soon as workers start: {order:?}"
    );
    for inst in 1..=3 {
        let share = order.iter().filter(|&&i| i == inst).count();
        assert!(
            (5..=6).contains(&share),
            "installation {inst} got {share} of 16 claims: {order:?}"
        );
    }
}
on_both_backends!(
    three_flooding_installations_share_four_workers,
    three_installations_share_sqlite,
    three_installations_share_postgres
);

async fn heartbeats_stop_at_the_deadline_and_a_reclaimed_job_is_given_up(db: &TestDatabase) {
    let clock = clock();
    let deadline = Duration::from_secs(60);
    let store = db.store(&clock).await.with_job_deadline(deadline);
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let first = claim(&store, "wedged").await.expect("a job");
    assert_eq!(first.deadline, chrono_ms(START_MS + 60_000));
    assert_eq!(store.time_left(&first), deadline);

    // Heartbeats extend the lease, but never past the deadline.
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        store.heartbeat(&first, LEASE).await.expect("heartbeat"),
        chrono_ms(START_MS + 50_000)
    );
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        store.heartbeat(&first, LEASE).await.expect("heartbeat"),
        first.deadline,
        "a lease ends at the deadline however often the heartbeat beats"
    );
    clock.advance(Duration::from_secs(21));
    match store.heartbeat(&first, LEASE).await {
        Err(QueueError::DeadlineExceeded { job_id }) => assert_eq!(job_id, id.0),
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
    assert_eq!(store.time_left(&first), Duration::ZERO);

    // The wedged worker's lease ran out at the deadline: another worker takes the job, is told
    // it has no time left, and gives it up instead of running it.
    let second = claim(&store, "other-replica").await.expect("reclaimed");
    assert_eq!(second.id, id);
    assert_eq!(
        second.deadline, first.deadline,
        "reclaiming keeps the deadline"
    );
    assert_eq!(store.time_left(&second), Duration::ZERO);
    store
        .give_up_past_deadline(&second, "failmode gave up on this push after 1 minute")
        .await
        .expect("give up");
    let record = store.job(id).await.expect("read").expect("exists");
    assert_eq!(record.state, JobState::Dead);
    assert_eq!(
        record.last_error.as_deref(),
        Some("failmode gave up on this push after 1 minute")
    );
    assert!(claim(&store, "third").await.is_none(), "not retried");
    assert_lease_lost(store.complete(&first).await, id);
    assert_lease_lost(store.heartbeat(&first, LEASE).await, id);
    assert_eq!(store.dead_jobs(10).await.expect("dead").len(), 1);
}
on_both_backends!(
    heartbeats_stop_at_the_deadline_and_a_reclaimed_job_is_given_up,
    deadline_sqlite,
    deadline_postgres
);

async fn the_deadline_spans_retries_and_a_last_attempt_past_it_is_still_given_up(
    db: &TestDatabase,
) {
    let clock = clock();
    let store = db
        .store(&clock)
        .await
        .with_job_deadline(Duration::from_secs(60))
        .with_retry_policy(RetryPolicy {
            max_attempts: 1,
            full_jitter: false,
            ..RetryPolicy::default()
        });
    let id = created(&store, &job("d-1", "acme/api", 7, "aaa")).await;
    let only = claim(&store, "w1").await.expect("a job");
    assert_eq!(only.max_attempts, 1);
    // Its worker dies on its last attempt, past the deadline: the next claim hands it out to be
    // given up (so its check run is told why) instead of dead-lettering it silently.
    clock.advance(Duration::from_secs(61));
    let again = claim(&store, "w2").await.expect("handed out to give up");
    assert_eq!(again.id, id);
    assert_eq!(store.time_left(&again), Duration::ZERO);
    store
        .give_up_past_deadline(&again, "gave up")
        .await
        .expect("give up");
    assert_eq!(state(&store, id).await, JobState::Dead);
}
on_both_backends!(
    the_deadline_spans_retries_and_a_last_attempt_past_it_is_still_given_up,
    deadline_last_attempt_sqlite,
    deadline_last_attempt_postgres
);

async fn the_installation_limit_follows_the_workers_of_every_replica(db: &TestDatabase) {
    use failmode::server::worker::derived_installation_limit;
    let clock = clock();
    let store = db.store(&clock).await;
    let ttl = Duration::from_secs(120);
    assert_eq!(
        store
            .announce_workers("replica-a", 4, ttl)
            .await
            .expect("announce"),
        4
    );
    assert_eq!(derived_installation_limit(4), 2);
    assert_eq!(
        store
            .announce_workers("replica-b", 4, ttl)
            .await
            .expect("announce"),
        8
    );
    assert_eq!(
        store
            .announce_workers("replica-c", 4, ttl)
            .await
            .expect("announce"),
        12
    );
    assert_eq!(derived_installation_limit(12), 6);
    // Replica b stops cleanly, replica c dies: its announcement runs out.
    store.retire_workers("replica-b").await.expect("retire");
    clock.advance(Duration::from_secs(90));
    assert_eq!(
        store
            .announce_workers("replica-a", 4, ttl)
            .await
            .expect("announce"),
        8
    );
    clock.advance(Duration::from_secs(40));
    assert_eq!(
        store
            .announce_workers("replica-a", 4, ttl)
            .await
            .expect("announce"),
        4
    );
    assert_eq!(derived_installation_limit(1), 1);
    assert_eq!(derived_installation_limit(0), 1);
    assert_eq!(derived_installation_limit(5), 3);
}
on_both_backends!(
    the_installation_limit_follows_the_workers_of_every_replica,
    installation_limit_follows_replicas_sqlite,
    installation_limit_follows_replicas_postgres
);

/// Rows in `table` (a fixed table name).
async fn rows(db: &TestDatabase, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect to the SQLite file");
        sqlx::query_scalar(&sql)
            .fetch_one(&mut conn)
            .await
            .expect("count rows")
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url)
            .await
            .expect("connect to the test schema");
        sqlx::query_scalar(&sql)
            .fetch_one(&mut conn)
            .await
            .expect("count rows")
    }
}

async fn retention_removes_only_old_finished_history(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let day = Duration::from_secs(24 * 3600);
    let retention = 30 * day;
    let publication = |pr: i64, sha: &str| Publication {
        repo: "acme/api".to_string(),
        pr_number: pr,
        head_sha: sha.to_string(),
        kind: PublicationKind::CheckRun,
        external_id: format!("run-{pr}"),
        job_id: None,
    };

    // Day 0: a job that finished, its check run; a job that is still waiting for a retry, its
    // check run; a queued job; a delivery without a job; a redelivery request.
    let done = created(&store, &job("old-done", "acme/api", 1, "a1")).await;
    let c = claim(&store, "w").await.expect("job");
    store
        .record_publication(&publication(1, "a1"))
        .await
        .expect("record");
    store.complete(&c).await.expect("complete");
    let retrying = created(&store, &job("old-retrying", "acme/api", 2, "b1")).await;
    let c = claim(&store, "w").await.expect("job");
    store
        .record_publication(&publication(2, "b1"))
        .await
        .expect("record");
    store.fail(&c, "GitHub 502").await.expect("fail");
    let queued = created(&store, &job("old-queued", "acme/api", 3, "c1")).await;
    let ping = Delivery {
        id: "old-ping".to_string(),
        event: "ping".to_string(),
        action: None,
    };
    assert!(store.record_delivery(&ping).await.expect("record"));
    assert!(store
        .begin_redelivery("old-guid", Duration::from_secs(60), 3)
        .await
        .expect("redelivery"));

    // Day 20: more history, inside the window.
    clock.advance(20 * day);
    let recent = created(
        &store,
        &job_for_installation("recent-done", 99, "other/app", 4, "d1"),
    )
    .await;
    let c = claim(&store, "w").await.expect("job");
    assert_eq!(c.id, recent, "installation 99 was never served: {c:?}");
    store.complete(&c).await.expect("complete");

    // Nothing is old enough yet.
    let report = store.purge_expired(retention).await.expect("purge");
    assert_eq!(report.total(), 0, "{report:?}");

    // Day 31: the day-0 history is past the window.
    clock.advance(11 * day);
    let report = store.purge_expired(retention).await.expect("purge");
    assert_eq!(report.jobs, 1, "{report:?}");
    assert_eq!(
        report.deliveries, 2,
        "the finished job's and the ping's: {report:?}"
    );
    assert_eq!(report.publications, 1, "{report:?}");
    assert_eq!(report.redelivery_requests, 1, "{report:?}");
    assert!(store.job(done).await.expect("read").is_none());
    assert!(!store.has_delivery("old-done").await.expect("lookup"));
    assert!(!store.has_delivery("old-ping").await.expect("lookup"));
    // Unfinished work and what it needs stay, however old.
    assert_eq!(state(&store, retrying).await, JobState::Failed);
    assert_eq!(state(&store, queued).await, JobState::Queued);
    assert!(store.has_delivery("old-retrying").await.expect("lookup"));
    assert!(store.has_delivery("old-queued").await.expect("lookup"));
    assert!(store
        .publication("acme/api", 2, "b1", PublicationKind::CheckRun)
        .await
        .expect("read")
        .is_some());
    assert!(store
        .publication("acme/api", 1, "a1", PublicationKind::CheckRun)
        .await
        .expect("read")
        .is_none());
    assert_eq!(state(&store, recent).await, JobState::Done);
    assert!(store.has_delivery("recent-done").await.expect("lookup"));
    assert_eq!(rows(db, "jobs").await, 3);
    assert_eq!(rows(db, "deliveries").await, 3);
    assert_eq!(rows(db, "publications").await, 1);
    assert_eq!(rows(db, "redelivery_requests").await, 0);
    // A redelivery of a purged delivery would be new again; GitHub no longer offers one after
    // three days, which is why the window cannot be shorter than four.
    let again = store.purge_expired(retention).await.expect("purge");
    assert_eq!(again.total(), 0, "{again:?}");
}
on_both_backends!(
    retention_removes_only_old_finished_history,
    retention_sqlite,
    retention_postgres
);

async fn retention_purges_a_large_backlog_in_batches(db: &TestDatabase) {
    let clock = clock();
    let store = db.store(&clock).await;
    let batch: Vec<NewJob> = (0..2500)
        .map(|i| job(&format!("bulk-{i}"), "acme/api", i, "s"))
        .collect();
    store.enqueue_batch(&batch).await.expect("enqueue");
    for i in 0..3 {
        let c = claim(&store, "w").await.expect("job");
        assert_eq!(c.pr_number, i);
        store.skip(&c, "closed").await.expect("skip");
    }
    clock.advance(Duration::from_secs(40 * 24 * 3600));
    let report = store
        .purge_expired(Duration::from_secs(30 * 24 * 3600))
        .await
        .expect("purge");
    assert_eq!(report.jobs, 3, "queued jobs are never removed: {report:?}");
    assert_eq!(report.deliveries, 3, "{report:?}");
    assert_eq!(rows(db, "jobs").await, 2497);
    // Pings pile up over years; they go in batches.
    for i in 0..2100 {
        store
            .record_delivery(&Delivery {
                id: format!("ping-{i}"),
                event: "ping".to_string(),
                action: None,
            })
            .await
            .expect("record");
    }
    clock.advance(Duration::from_secs(31 * 24 * 3600));
    let report = store
        .purge_expired(Duration::from_secs(30 * 24 * 3600))
        .await
        .expect("purge");
    assert_eq!(report.deliveries, 2100, "{report:?}");
    assert_eq!(rows(db, "deliveries").await, 2497);
}
on_both_backends!(
    retention_purges_a_large_backlog_in_batches,
    retention_batches_sqlite,
    retention_batches_postgres
);
