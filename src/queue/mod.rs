//! The durable job store behind `failmode serve`: nothing lost, nothing doubled.
//!
//! The webhook handler calls [`JobStore::enqueue`] and answers `202` only after it returns, so an
//! accepted delivery is on disk. Enqueueing is idempotent by `X-GitHub-Delivery`, because GitHub
//! redeliveries reuse that id. Workers [`claim`](JobStore::claim) jobs under a time-limited lease
//! carrying a token: a crashed worker's job is reclaimed when its lease runs out, and the crashed
//! (or merely slow) worker can then no longer finish it. Failed attempts back off exponentially
//! with full jitter and are dead-lettered after `max_attempts`. What a job posted to GitHub is
//! recorded in `publications`, so a retried job does not post the same review twice.
//!
//! SQLite (the embedded default) and PostgreSQL share the SQL text: timestamps are Unix
//! milliseconds, placeholders are `$n` (which sqlx's SQLite driver accepts too), and only claiming
//! differs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite).

mod clock;
mod connect;
mod error;
mod retry;
mod types;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::QueueError;
pub use retry::RetryPolicy;
pub use types::{
    ClaimedJob, Delivery, Enqueued, FailOutcome, JobCounts, JobId, JobKind, JobRecord, JobState,
    NewJob, Publication, PublicationKind, PublicationRecorded, PurgeReport,
};

use clock::{duration_millis, millis_to_datetime};
use connect::Backend;

/// Runs `$body` against whichever pool the store has; the body is the same text for both.
macro_rules! with_pool {
    ($backend:expr, |$pool:ident| $body:expr) => {
        match $backend {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` (yielding `Result<_, QueueError>`) in a write transaction and commits it when
/// the body succeeds. SQLite takes the write lock up front (`BEGIN IMMEDIATE`), so concurrent
/// writers wait in the busy handler instead of failing on a stale read snapshot. `$pg` is true
/// on PostgreSQL, for the few statements whose text differs.
macro_rules! in_write_transaction {
    ($backend:expr, $operation:expr, |$tx:ident, $pg:ident| $body:expr) => {
        match $backend {
            Backend::Sqlite(pool) => {
                let $pg = false;
                let mut $tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(QueueError::db($operation))?;
                let value = $body;
                $tx.commit().await.map_err(QueueError::db($operation))?;
                value
            }
            Backend::Postgres(pool) => {
                let $pg = true;
                let mut $tx = pool.begin().await.map_err(QueueError::db($operation))?;
                let value = $body;
                $tx.commit().await.map_err(QueueError::db($operation))?;
                value
            }
        }
    };
}

/// Columns of `jobs` in the order [`JobRow`] reads them.
const JOB_COLUMNS: &str = "id, delivery_id, kind, state, installation_id, repo, pr_number, head_sha, payload, \
     attempts, max_attempts, run_after, lease_owner, lease_token, lease_until, last_error, created_at, updated_at, deadline_at";

/// Default of how long a job may take, from its first claim to its end, across all attempts
/// (`FAILMODE_JOB_DEADLINE_SECS`). A review of a large push takes a minute or two, and the
/// default retry policy backs off for at most 75 s in all; a push still unreviewed after 15
/// minutes is stuck (an upstream that never answers, an input the analysis chokes on), and a
/// developer waiting on the check run is better told so than left looking at "in progress".
pub const DEFAULT_JOB_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// Rows removed per statement by [`JobStore::purge_expired`], so a first cleanup of a large
/// backlog never holds the write lock for long.
const PURGE_BATCH: i64 = 1000;

/// Advisory-lock key serialising claims on PostgreSQL (counting running jobs and taking one
/// must not interleave across replicas). "failmode".
const CLAIM_LIMIT_LOCK_KEY: i64 = 0x6661_696c_6d6f_6465;

/// A `jobs` row as read from either backend.
#[derive(Debug, sqlx::FromRow)]
struct JobRow {
    id: i64,
    delivery_id: String,
    kind: String,
    state: String,
    installation_id: i64,
    repo: String,
    pr_number: i64,
    head_sha: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
    run_after: i64,
    lease_owner: Option<String>,
    lease_token: Option<String>,
    lease_until: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    deadline_at: Option<i64>,
}

impl JobRow {
    fn into_record(self) -> Result<JobRecord, QueueError> {
        Ok(JobRecord {
            id: JobId(self.id),
            delivery_id: self.delivery_id,
            kind: JobKind::parse(&self.kind)?,
            state: JobState::parse(&self.state)?,
            installation_id: self.installation_id,
            repo: self.repo,
            pr_number: self.pr_number,
            head_sha: self.head_sha,
            attempts: count_u32(self.attempts),
            max_attempts: count_u32(self.max_attempts),
            run_after: millis_to_datetime(self.run_after),
            lease_owner: self.lease_owner,
            last_error: self.last_error,
            deadline: self.deadline_at.map(millis_to_datetime),
            created_at: millis_to_datetime(self.created_at),
            updated_at: millis_to_datetime(self.updated_at),
        })
    }

    fn into_claimed(self) -> Result<ClaimedJob, QueueError> {
        let payload = serde_json::from_str(&self.payload).map_err(|e| QueueError::CorruptRow {
            detail: format!("job {} payload is not JSON: {e}", self.id),
        })?;
        let missing = |what: &str| QueueError::CorruptRow {
            detail: format!("claimed job {} has no {what}", self.id),
        };
        let worker_id = self
            .lease_owner
            .clone()
            .ok_or_else(|| missing("lease owner"))?;
        let lease_token = self
            .lease_token
            .clone()
            .ok_or_else(|| missing("lease token"))?;
        let lease_until = self.lease_until.ok_or_else(|| missing("lease expiry"))?;
        let deadline = self.deadline_at.ok_or_else(|| missing("deadline"))?;
        Ok(ClaimedJob {
            id: JobId(self.id),
            kind: JobKind::parse(&self.kind)?,
            delivery_id: self.delivery_id,
            installation_id: self.installation_id,
            repo: self.repo,
            pr_number: self.pr_number,
            head_sha: self.head_sha,
            payload,
            attempts: count_u32(self.attempts),
            max_attempts: count_u32(self.max_attempts),
            worker_id,
            lease_until: millis_to_datetime(lease_until),
            deadline: millis_to_datetime(deadline),
            lease_token,
        })
    }
}

/// A stored count as `u32` (negative or huge values clamp; they cannot come from this code).
fn count_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The durable job store. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct JobStore {
    backend: Backend,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    job_deadline: Duration,
}

impl JobStore {
    /// Opens the database `database_url` names (the value of `FAILMODE_DATABASE_URL`) and
    /// applies pending migrations. `sqlite://failmode.db?mode=rwc` (the file is created if
    /// missing; WAL journal, synchronous=FULL, busy timeout, foreign keys) or
    /// `postgres://user:pass@host/db` / `postgresql://...` (a schema other than `public` can be
    /// chosen with `?options=-c%20search_path%3Dmyschema`; the schema must exist). Migrating is
    /// safe when several replicas start at once: on PostgreSQL they take turns under
    /// `pg_advisory_lock`.
    pub async fn connect(database_url: &str) -> Result<JobStore, QueueError> {
        let backend = connect::open(database_url).await?;
        Ok(JobStore {
            backend,
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            job_deadline: DEFAULT_JOB_DEADLINE,
        })
    }

    /// Uses `clock` instead of the system clock (tests drive lease expiry and backoff with a
    /// [`ManualClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> JobStore {
        self.clock = clock;
        self
    }

    /// Uses `policy` for retries of failed jobs and for `max_attempts` of jobs enqueued from now on.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> JobStore {
        self.retry = policy;
        self
    }

    /// Gives jobs claimed for the first time from now on `deadline` to finish, across all their
    /// attempts (`FAILMODE_JOB_DEADLINE_SECS`; default [`DEFAULT_JOB_DEADLINE`]).
    pub fn with_job_deadline(mut self, deadline: Duration) -> JobStore {
        self.job_deadline = deadline;
        self
    }

    /// How long jobs are given from their first claim (`FAILMODE_JOB_DEADLINE_SECS`).
    pub fn job_deadline(&self) -> Duration {
        self.job_deadline
    }

    /// How long `job` has left before its deadline, by the store's clock (zero once past it).
    pub fn time_left(&self, job: &ClaimedJob) -> Duration {
        let left = job.deadline.timestamp_millis().saturating_sub(self.now());
        Duration::from_millis(u64::try_from(left).unwrap_or(0))
    }

    /// True when the store runs on PostgreSQL, false on SQLite.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Closes the connection pool, waiting for queries in flight (graceful shutdown).
    pub async fn close(&self) {
        with_pool!(&self.backend, |pool| pool.close().await)
    }

    fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Readiness probe: succeeds when the database answers a query.
    pub async fn ping(&self) -> Result<(), QueueError> {
        with_pool!(&self.backend, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
        .map(|_| ())
        .map_err(QueueError::db("pinging the database"))
    }

    /// Records a delivery that creates no job (ping, closed PR, ...). Returns `false` when the
    /// delivery id was already recorded, i.e. this is a redelivery.
    pub async fn record_delivery(&self, delivery: &Delivery) -> Result<bool, QueueError> {
        let now = self.now();
        let done = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO deliveries (delivery_id, event, action, received_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (delivery_id) DO NOTHING",
            )
            .bind(&delivery.id)
            .bind(&delivery.event)
            .bind(&delivery.action)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(QueueError::db("recording a delivery"))?;
        Ok(done == 1)
    }

    /// Stores `job` durably, once per delivery id, in one transaction: a redelivery (same
    /// `X-GitHub-Delivery`) returns `Duplicate` with the job the first delivery created. A new
    /// job for a different head of the same pull request marks that PR's older jobs that have
    /// not started (queued, or waiting for a retry) `superseded`; running ones are left to
    /// finish (their worker asks [`is_superseded`](Self::is_superseded) before publishing).
    pub async fn enqueue(&self, job: &NewJob) -> Result<Enqueued, QueueError> {
        let mut stored = self.enqueue_batch(std::slice::from_ref(job)).await?;
        stored.pop().ok_or_else(|| QueueError::CorruptRow {
            detail: "storing one job returned no result".into(),
        })
    }

    /// [`enqueue`](Self::enqueue) for several jobs in ONE transaction, in order: one commit
    /// (one fsync) for all of them, which is what lets intake keep up with bursts. All or
    /// nothing: when it fails, none is stored.
    pub async fn enqueue_batch(&self, jobs: &[NewJob]) -> Result<Vec<Enqueued>, QueueError> {
        const OP: &str = "enqueueing jobs";
        let now = self.now();
        let max_attempts = i64::from(self.retry.max_attempts.max(1));
        in_write_transaction!(&self.backend, OP, |tx, _pg| {
            let mut stored = Vec::with_capacity(jobs.len());
            for job in jobs {
                let payload = job.payload.to_string();
                sqlx::query(
                    "INSERT INTO deliveries (delivery_id, event, action, received_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (delivery_id) DO NOTHING",
                )
                .bind(&job.delivery.id)
                .bind(&job.delivery.event)
                .bind(&job.delivery.action)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(QueueError::db(OP))?;
                let created: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO jobs (delivery_id, kind, installation_id, repo, pr_number, head_sha, payload, state, \
                     attempts, max_attempts, run_after, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9, $9, $9) \
                     ON CONFLICT (delivery_id) DO NOTHING RETURNING id",
                )
                .bind(&job.delivery.id)
                .bind(job.kind.as_str())
                .bind(job.installation_id)
                .bind(&job.repo)
                .bind(job.pr_number)
                .bind(&job.head_sha)
                .bind(&payload)
                .bind(max_attempts)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await
                .map_err(QueueError::db(OP))?;
                stored.push(match created {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE jobs SET state = 'superseded', lease_token = NULL, lease_until = NULL, \
                             last_error = 'superseded by job ' || CAST($4 AS TEXT) || ' for head ' || $3, updated_at = $5 \
                             WHERE repo = $1 AND pr_number = $2 AND head_sha <> $3 AND id < $4 \
                             AND state IN ('queued', 'failed')",
                        )
                        .bind(&job.repo)
                        .bind(job.pr_number)
                        .bind(&job.head_sha)
                        .bind(id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(QueueError::db(OP))?;
                        Enqueued::Created(JobId(id))
                    }
                    None => {
                        let id: i64 =
                            sqlx::query_scalar("SELECT id FROM jobs WHERE delivery_id = $1")
                                .bind(&job.delivery.id)
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(QueueError::db(OP))?;
                        Enqueued::Duplicate(JobId(id))
                    }
                });
            }
            Ok::<_, QueueError>(stored)
        })
    }

    /// Leases a runnable job to `worker_id` for `lease`, or `None` when nothing is runnable now
    /// (poll again later). Runnable: queued, or waiting for a retry whose time has come, or
    /// running under a lease that expired (its worker crashed or stalled). Each claim counts one
    /// attempt; a job whose lease expired on its last attempt is dead-lettered instead of
    /// reclaimed. A job's first claim sets its deadline (see
    /// [`with_job_deadline`](Self::with_job_deadline)); a job claimed past its deadline comes
    /// back with [`time_left`](Self::time_left) zero, and the worker must give it up rather
    /// than run it.
    ///
    /// Fair across installations: among runnable jobs, the installation with the fewest jobs
    /// running (under live leases, on every replica) goes first; among those, the one served
    /// least recently (round robin); then the oldest job. So an installation that queues one job
    /// behind another's backlog of fifty is served at the next free worker. With `max_running_per_installation`, installations already running that
    /// many jobs are passed over. A pull request with a job running
    /// under a live lease is passed over too: two jobs of one pull request never run at once, so
    /// two replicas cannot both find "nothing posted yet" and both post a review.
    ///
    /// On PostgreSQL a claim may return `None` while another replica races for the same rows;
    /// workers poll, so the job is taken on the next poll.
    pub async fn claim(
        &self,
        worker_id: &str,
        lease: Duration,
        max_running_per_installation: Option<u32>,
    ) -> Result<Option<ClaimedJob>, QueueError> {
        const OP: &str = "claiming a job";
        let now = self.now();
        let lease_until = now.saturating_add(duration_millis(lease));
        let token = uuid::Uuid::new_v4().to_string();
        let limit = max_running_per_installation.map(i64::from);
        let deadline_at = now.saturating_add(duration_millis(self.job_deadline));
        let row: Option<JobRow> = in_write_transaction!(&self.backend, OP, |tx, pg| {
            if pg {
                // Claims are serialised across replicas so the per-installation count and the
                // one-job-per-pull-request rule below cannot be raced past.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(CLAIM_LIMIT_LOCK_KEY)
                    .execute(&mut *tx)
                    .await
                    .map_err(QueueError::db(OP))?;
            }
            sqlx::query(
                "UPDATE jobs SET state = 'dead', lease_token = NULL, lease_until = NULL, updated_at = $1, \
                 last_error = 'lease of worker ' || COALESCE(lease_owner, '?') || \
                 ' expired on the last attempt (the worker crashed or stalled); not retried' \
                 WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts \
                 AND (deadline_at IS NULL OR deadline_at > $1)",
            )
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(QueueError::db(OP))?;
            // Jobs its installation runs under live leases, on every replica; and when it was
            // last served (never-served installations first: NULL sorts as 0).
            const RUNNING: &str =
                "(SELECT COUNT(*) FROM jobs r WHERE r.installation_id = c.installation_id \
                 AND r.state = 'running' AND r.lease_until >= $4)";
            const LAST_SERVED: &str = "COALESCE((SELECT MAX(s.claimed_at) FROM jobs s \
                 WHERE s.installation_id = c.installation_id), 0)";
            let sql = format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_token = $2, \
                 lease_until = $3, updated_at = $4, claimed_at = $4, deadline_at = COALESCE(deadline_at, $6) \
                 WHERE id = (SELECT c.id FROM jobs c \
                   WHERE ((c.state IN ('queued', 'failed') AND c.run_after <= $4) \
                          OR (c.state = 'running' AND c.lease_until < $4)) \
                     AND ($5 IS NULL OR {RUNNING} < $5) \
                     AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.repo = c.repo AND p.pr_number = c.pr_number \
                          AND p.state = 'running' AND p.lease_until >= $4 AND p.id <> c.id) \
                   ORDER BY {RUNNING}, {LAST_SERVED}, c.id LIMIT 1{}) \
                 RETURNING {JOB_COLUMNS}",
                if pg { " FOR UPDATE SKIP LOCKED" } else { "" }
            );
            sqlx::query_as::<_, JobRow>(&sql)
                .bind(worker_id)
                .bind(&token)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .bind(deadline_at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(QueueError::db(OP))?
        });
        row.map(JobRow::into_claimed).transpose()
    }

    /// Extends the lease of `job` to `lease` from now, but never past the job's deadline,
    /// returning the new expiry. Call it well before the lease runs out during long work.
    /// `LeaseLost` means stop and drop the results; `DeadlineExceeded` means the deadline
    /// passed: stop and [`give_up_past_deadline`](Self::give_up_past_deadline). So a wedged
    /// process whose heartbeat still beats cannot hold a job beyond its deadline.
    pub async fn heartbeat(
        &self,
        job: &ClaimedJob,
        lease: Duration,
    ) -> Result<DateTime<Utc>, QueueError> {
        const OP: &str = "extending a lease";
        let now = self.now();
        let until = now.saturating_add(duration_millis(lease));
        let extended: Option<Option<i64>> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(
                "UPDATE jobs SET lease_until = CASE WHEN deadline_at < $3 THEN deadline_at ELSE $3 END, \
                 updated_at = $4 \
                 WHERE id = $1 AND lease_token = $2 AND state = 'running' \
                 AND (deadline_at IS NULL OR deadline_at > $4) RETURNING lease_until",
            )
            .bind(job.id.0)
            .bind(&job.lease_token)
            .bind(until)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(QueueError::db(OP))?;
        if let Some(lease_until) = extended {
            return Ok(millis_to_datetime(lease_until.unwrap_or(until)));
        }
        let still_ours: Option<i64> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM jobs WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            )
            .bind(job.id.0)
            .bind(&job.lease_token)
            .fetch_optional(pool)
            .await
        })
        .map_err(QueueError::db(OP))?;
        Err(match still_ours {
            Some(_) => QueueError::DeadlineExceeded { job_id: job.id.0 },
            None => QueueError::LeaseLost { job_id: job.id.0 },
        })
    }

    /// Ends a leased job in `state` (no retry), with `note` kept in `last_error`.
    async fn finish(
        &self,
        job: &ClaimedJob,
        state: JobState,
        note: Option<&str>,
    ) -> Result<(), QueueError> {
        let now = self.now();
        let done = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "UPDATE jobs SET state = $3, last_error = COALESCE($4, last_error), lease_token = NULL, \
                 lease_until = NULL, updated_at = $5 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            )
            .bind(job.id.0)
            .bind(&job.lease_token)
            .bind(state.as_str())
            .bind(note)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(QueueError::db("finishing a job"))?;
        if done == 0 {
            return Err(QueueError::LeaseLost { job_id: job.id.0 });
        }
        Ok(())
    }

    /// Marks `job` done. `LeaseLost` if another worker reclaimed it meanwhile.
    pub async fn complete(&self, job: &ClaimedJob) -> Result<(), QueueError> {
        self.finish(job, JobState::Done, None).await
    }

    /// Ends `job` without doing it (draft, PR closed, nothing to review), keeping `reason`.
    pub async fn skip(&self, job: &ClaimedJob, reason: &str) -> Result<(), QueueError> {
        self.finish(job, JobState::Skipped, Some(reason)).await
    }

    /// Ends `job` as superseded: a worker found, via [`is_superseded`](Self::is_superseded),
    /// that a newer head was queued, and dropped its results unpublished.
    pub async fn supersede(&self, job: &ClaimedJob) -> Result<(), QueueError> {
        self.finish(
            job,
            JobState::Superseded,
            Some("a newer head of the pull request was queued"),
        )
        .await
    }

    /// Ends `job` past its deadline: dead-lettered (listed on `/healthz`), not retried, its lease
    /// released, with `reason` kept in `last_error`. A push that took this long is stuck (an
    /// upstream that never answers, an input the analysis cannot get through), and running it
    /// again would only hold another worker as long; a user who wants another try asks for a
    /// re-run on the check run, which is a new job with a deadline of its own. `LeaseLost` if
    /// another worker took the job meanwhile.
    pub async fn give_up_past_deadline(
        &self,
        job: &ClaimedJob,
        reason: &str,
    ) -> Result<(), QueueError> {
        self.finish(job, JobState::Dead, Some(reason)).await
    }

    /// Records that this attempt of `job` failed with `error`: the job is retried after an
    /// exponential backoff with full jitter, or dead-lettered when it has used `max_attempts`.
    pub async fn fail(&self, job: &ClaimedJob, error: &str) -> Result<FailOutcome, QueueError> {
        let now = self.now();
        let unit: f64 = rand::thread_rng().gen_range(0.0..=1.0);
        let run_after = now.saturating_add(duration_millis(self.retry.delay(job.attempts, unit)));
        let state: Option<String> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(
                "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'failed' END, \
                 run_after = $3, last_error = $4, lease_token = NULL, lease_until = NULL, updated_at = $5 \
                 WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING state",
            )
            .bind(job.id.0)
            .bind(&job.lease_token)
            .bind(run_after)
            .bind(error)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(QueueError::db("recording a failed attempt"))?;
        match state.as_deref() {
            None => Err(QueueError::LeaseLost { job_id: job.id.0 }),
            Some("dead") => Ok(FailOutcome::Dead),
            Some(_) => Ok(FailOutcome::Retried {
                run_after: millis_to_datetime(run_after),
            }),
        }
    }

    /// Gives `job` back unfinished without counting the attempt (graceful shutdown): it is
    /// queued again, runnable at once by another worker.
    pub async fn release(&self, job: &ClaimedJob) -> Result<(), QueueError> {
        let now = self.now();
        let done = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
                 run_after = $3, lease_token = NULL, lease_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            )
            .bind(job.id.0)
            .bind(&job.lease_token)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(QueueError::db("releasing a job"))?;
        if done == 0 {
            return Err(QueueError::LeaseLost { job_id: job.id.0 });
        }
        Ok(())
    }

    /// True when a job for a different head of the same pull request was enqueued after `job`:
    /// its results are stale, so the worker should [`supersede`](Self::supersede) rather than publish.
    pub async fn is_superseded(&self, job: &ClaimedJob) -> Result<bool, QueueError> {
        let newer: Option<i64> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM jobs WHERE repo = $1 AND pr_number = $2 AND head_sha <> $3 AND id > $4 LIMIT 1",
            )
            .bind(&job.repo)
            .bind(job.pr_number)
            .bind(&job.head_sha)
            .bind(job.id.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(QueueError::db("checking for a newer head"))?;
        Ok(newer.is_some())
    }

    /// Takes or renews the lease named `name` for `owner` until `lease` from now, when it is
    /// free, expired, or already ours. Exactly one replica holds a given lease at a time, on
    /// SQLite and PostgreSQL alike (one conditional upsert).
    pub async fn try_lead(
        &self,
        name: &str,
        owner: &str,
        lease: std::time::Duration,
    ) -> Result<bool, QueueError> {
        let now = self.now();
        let until = now + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        let taken = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO leader_leases (name, owner, lease_until) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until \
                 WHERE leader_leases.lease_until < $4 OR leader_leases.owner = excluded.owner",
            )
            .bind(name)
            .bind(owner)
            .bind(until)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(QueueError::db("taking a leader lease"))?;
        Ok(taken)
    }

    /// Records that the replica `owner` runs `workers` workers, until `ttl` from now (call it
    /// again well before then), forgets replicas that stopped refreshing, and returns the
    /// workers of every live replica together: what the per-installation limit is derived from.
    pub async fn announce_workers(
        &self,
        owner: &str,
        workers: u32,
        ttl: Duration,
    ) -> Result<u64, QueueError> {
        const OP: &str = "announcing this replica's workers";
        let now = self.now();
        let until = now.saturating_add(duration_millis(ttl));
        let total: Option<i64> = in_write_transaction!(&self.backend, OP, |tx, _pg| {
            sqlx::query("DELETE FROM worker_pools WHERE seen_until < $1")
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(QueueError::db(OP))?;
            sqlx::query(
                "INSERT INTO worker_pools (owner, workers, seen_until) VALUES ($1, $2, $3) \
                 ON CONFLICT (owner) DO UPDATE SET workers = excluded.workers, seen_until = excluded.seen_until",
            )
            .bind(owner)
            .bind(i64::from(workers))
            .bind(until)
            .execute(&mut *tx)
            .await
            .map_err(QueueError::db(OP))?;
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT CAST(SUM(workers) AS BIGINT) FROM worker_pools WHERE seen_until >= $1",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(QueueError::db(OP))?
        });
        Ok(u64::try_from(total.unwrap_or(0)).unwrap_or(0))
    }

    /// Forgets the replica `owner`'s workers (graceful shutdown), so the others' limit follows
    /// at once rather than when its announcement runs out.
    pub async fn retire_workers(&self, owner: &str) -> Result<(), QueueError> {
        with_pool!(&self.backend, |pool| {
            sqlx::query("DELETE FROM worker_pools WHERE owner = $1")
                .bind(owner)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(QueueError::db("retiring this replica's workers"))?;
        Ok(())
    }

    /// Removes what is older than `retention` (by the store's clock) and no longer needed:
    ///
    /// * finished jobs (done, dead, superseded, skipped) last changed before the window; never
    ///   a queued, running or retry-waiting one;
    /// * publications recorded before the window, unless an unfinished job of the same head
    ///   still needs them to avoid posting twice (the PR's comments carry fingerprints, so a
    ///   later re-run of an old head still posts no comment twice);
    /// * deliveries received before the window that no remaining job refers to (GitHub
    ///   redelivers only deliveries of the last three days, so the window must be longer);
    /// * redelivery requests last made before the window.
    ///
    /// Works in batches of [`PURGE_BATCH`] rows, each its own transaction.
    pub async fn purge_expired(&self, retention: Duration) -> Result<PurgeReport, QueueError> {
        let cutoff = self.now().saturating_sub(duration_millis(retention));
        let publications = self
            .purge_in_batches(
                "purging old publications",
                "DELETE FROM publications WHERE id IN (SELECT p.id FROM publications p \
                 WHERE p.created_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.repo = p.repo \
                 AND j.pr_number = p.pr_number AND j.head_sha = p.head_sha \
                 AND j.state IN ('queued', 'running', 'failed')) LIMIT $2)",
                cutoff,
            )
            .await?;
        let jobs = self
            .purge_in_batches(
                "purging old finished jobs",
                "DELETE FROM jobs WHERE id IN (SELECT j.id FROM jobs j \
                 WHERE j.state IN ('done', 'dead', 'superseded', 'skipped') AND j.updated_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.job_id = j.id) LIMIT $2)",
                cutoff,
            )
            .await?;
        let deliveries = self
            .purge_in_batches(
                "purging old deliveries",
                "DELETE FROM deliveries WHERE id IN (SELECT d.id FROM deliveries d \
                 WHERE d.received_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.delivery_id) LIMIT $2)",
                cutoff,
            )
            .await?;
        let redelivery_requests = self
            .purge_in_batches(
                "purging old redelivery requests",
                "DELETE FROM redelivery_requests WHERE guid IN (SELECT r.guid FROM redelivery_requests r \
                 WHERE r.last_requested_at < $1 LIMIT $2)",
                cutoff,
            )
            .await?;
        Ok(PurgeReport {
            jobs,
            deliveries,
            publications,
            redelivery_requests,
        })
    }

    /// Runs `sql` (a DELETE taking the cutoff as `$1` and a batch size as `$2`) until it
    /// removes fewer rows than a batch; returns the rows removed.
    async fn purge_in_batches(
        &self,
        operation: &'static str,
        sql: &str,
        cutoff: i64,
    ) -> Result<u64, QueueError> {
        let mut removed = 0;
        loop {
            let done = with_pool!(&self.backend, |pool| {
                sqlx::query(sql)
                    .bind(cutoff)
                    .bind(PURGE_BATCH)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
            })
            .map_err(QueueError::db(operation))?;
            removed += done;
            if done < u64::try_from(PURGE_BATCH).unwrap_or(u64::MAX) {
                return Ok(removed);
            }
        }
    }

    /// Whether a delivery with this `X-GitHub-Delivery` id was stored (whatever GitHub's log
    /// says about the response).
    pub async fn has_delivery(&self, delivery_id: &str) -> Result<bool, QueueError> {
        let found: Option<String> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT delivery_id FROM deliveries WHERE delivery_id = $1")
                .bind(delivery_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(QueueError::db("looking up a delivery"))?;
        Ok(found.is_some())
    }

    /// Records that a redelivery of `guid` is being requested, unless one was requested less
    /// than `spacing` ago or `max_attempts` were already requested. Returns whether to request.
    pub async fn begin_redelivery(
        &self,
        guid: &str,
        spacing: std::time::Duration,
        max_attempts: i64,
    ) -> Result<bool, QueueError> {
        let now = self.now();
        let before = now - i64::try_from(spacing.as_millis()).unwrap_or(i64::MAX / 2);
        let go = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO redelivery_requests (guid, attempts, last_requested_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (guid) DO UPDATE SET attempts = redelivery_requests.attempts + 1, last_requested_at = excluded.last_requested_at \
                 WHERE redelivery_requests.last_requested_at < $3 AND redelivery_requests.attempts < $4",
            )
            .bind(guid)
            .bind(now)
            .bind(before)
            .bind(max_attempts)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .map_err(QueueError::db("recording a redelivery request"))?;
        Ok(go)
    }

    /// Whether the pull request has a job for `head_sha` that is queued, running, waiting for
    /// a retry or done (superseded, skipped and dead ones do not count).
    pub async fn has_job_for_head(
        &self,
        repo: &str,
        pr_number: i64,
        head_sha: &str,
    ) -> Result<bool, QueueError> {
        let found: Option<i64> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM jobs WHERE repo = $1 AND pr_number = $2 AND head_sha = $3 \
                 AND state IN ('queued', 'running', 'failed', 'done') LIMIT 1",
            )
            .bind(repo)
            .bind(pr_number)
            .bind(head_sha)
            .fetch_optional(pool)
            .await
        })
        .map_err(QueueError::db("looking for a job of a head"))?;
        Ok(found.is_some())
    }

    /// The job with `id`, if any.
    pub async fn job(&self, id: JobId) -> Result<Option<JobRecord>, QueueError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row: Option<JobRow> = with_pool!(&self.backend, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)
        .map_err(QueueError::db("reading a job"))?;
        row.map(JobRow::into_record).transpose()
    }

    /// Number of jobs in each state (for `/healthz` and `/metrics`).
    pub async fn counts_by_state(&self) -> Result<JobCounts, QueueError> {
        let rows: Vec<(String, i64)> = with_pool!(&self.backend, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
                .fetch_all(pool)
                .await
        })
        .map_err(QueueError::db("counting jobs"))?;
        let mut counts = JobCounts::default();
        for (state, n) in rows {
            counts.set(JobState::parse(&state)?, u64::try_from(n).unwrap_or(0));
        }
        Ok(counts)
    }

    /// Up to `limit` dead-lettered jobs, most recently failed first, for an operator to inspect.
    pub async fn dead_jobs(&self, limit: u32) -> Result<Vec<JobRecord>, QueueError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT $1");
        let rows: Vec<JobRow> = with_pool!(&self.backend, |pool| sqlx::query_as(&sql)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(QueueError::db("listing dead jobs"))?;
        rows.into_iter().map(JobRow::into_record).collect()
    }

    /// The pull request a head commit was last queued for in `repo`: check-run events for fork
    /// PRs carry no pull request, so a re-run request is mapped back through this.
    pub async fn pull_request_for_head(
        &self,
        repo: &str,
        head_sha: &str,
    ) -> Result<Option<i64>, QueueError> {
        with_pool!(&self.backend, |pool| {
            sqlx::query_scalar("SELECT pr_number FROM jobs WHERE repo = $1 AND head_sha = $2 ORDER BY id DESC LIMIT 1")
                .bind(repo)
                .bind(head_sha)
                .fetch_optional(pool)
                .await
        })
        .map_err(QueueError::db("looking up the pull request of a head"))
    }

    /// Records that `publication` was posted to GitHub; call it right after the post succeeds.
    /// At most one record exists per (repo, pr, head, kind): when one exists already, it is
    /// returned and nothing changes.
    pub async fn record_publication(
        &self,
        publication: &Publication,
    ) -> Result<PublicationRecorded, QueueError> {
        let now = self.now();
        let done = with_pool!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO publications (repo, pr_number, head_sha, kind, external_id, job_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (repo, pr_number, head_sha, kind) DO NOTHING",
            )
            .bind(&publication.repo)
            .bind(publication.pr_number)
            .bind(&publication.head_sha)
            .bind(publication.kind.as_str())
            .bind(&publication.external_id)
            .bind(publication.job_id.map(|id| id.0))
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(QueueError::db("recording a publication"))?;
        if done == 1 {
            return Ok(PublicationRecorded::Recorded);
        }
        let existing = self
            .publication(
                &publication.repo,
                publication.pr_number,
                &publication.head_sha,
                publication.kind,
            )
            .await?
            .ok_or_else(|| QueueError::CorruptRow {
                detail: "a publication conflicted on insert but cannot be read back".to_string(),
            })?;
        Ok(PublicationRecorded::AlreadyRecorded(existing))
    }

    /// What was posted for (repo, pr, head, kind), if anything: check it before posting.
    pub async fn publication(
        &self,
        repo: &str,
        pr_number: i64,
        head_sha: &str,
        kind: PublicationKind,
    ) -> Result<Option<Publication>, QueueError> {
        let row: Option<(String, i64, String, String, String, Option<i64>)> =
            with_pool!(&self.backend, |pool| {
                sqlx::query_as(
                "SELECT repo, pr_number, head_sha, kind, external_id, job_id FROM publications \
                 WHERE repo = $1 AND pr_number = $2 AND head_sha = $3 AND kind = $4",
            )
            .bind(repo)
            .bind(pr_number)
            .bind(head_sha)
            .bind(kind.as_str())
            .fetch_optional(pool)
            .await
            })
            .map_err(QueueError::db("reading a publication"))?;
        row.map(|(repo, pr_number, head_sha, kind, external_id, job_id)| {
            Ok(Publication {
                repo,
                pr_number,
                head_sha,
                kind: PublicationKind::parse(&kind)?,
                external_id,
                job_id: job_id.map(JobId),
            })
        })
        .transpose()
    }
}
