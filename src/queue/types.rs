//! The values that go into and come out of the job store.

use std::fmt;

use chrono::{DateTime, Utc};

use super::QueueError;

/// Identifier of a job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Review a pull request's head (opened, synchronize, ready_for_review...).
    Review,
    /// Run a review again because a user asked (check run "Re-run").
    Rerun,
}

impl JobKind {
    /// The value stored in `jobs.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Review => "review",
            JobKind::Rerun => "rerun",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, QueueError> {
        match s {
            "review" => Ok(JobKind::Review),
            "rerun" => Ok(JobKind::Rerun),
            other => Err(QueueError::CorruptRow {
                detail: format!("unknown job kind {other:?}"),
            }),
        }
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Leased to a worker (or its lease expired and it awaits reclaiming).
    Running,
    /// Finished successfully.
    Done,
    /// An attempt failed; it runs again after its backoff (`run_after`).
    Failed,
    /// Failed `max_attempts` times; kept for an operator to inspect (`dead_jobs`).
    Dead,
    /// A newer head of the same pull request was queued, so this one never ran (or was dropped).
    Superseded,
    /// A worker decided there is nothing to do (draft, closed PR, ...).
    Skipped,
}

impl JobState {
    /// Every state, in the order `/metrics` lists them.
    pub const ALL: [JobState; 7] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Dead,
        JobState::Superseded,
        JobState::Skipped,
    ];

    /// The value stored in `jobs.state` (also the metrics label).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Dead => "dead",
            JobState::Superseded => "superseded",
            JobState::Skipped => "skipped",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, QueueError> {
        JobState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| QueueError::CorruptRow {
                detail: format!("unknown job state {s:?}"),
            })
    }
}

/// One webhook delivery as GitHub identified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The `X-GitHub-Delivery` GUID (reused by redeliveries).
    pub id: String,
    /// The `X-GitHub-Event` name, e.g. `pull_request`.
    pub event: String,
    /// The payload's `action`, when it has one.
    pub action: Option<String>,
}

/// A job the webhook handler wants done.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The delivery that asked for it; its id makes enqueueing idempotent.
    pub delivery: Delivery,
    /// What to do.
    pub kind: JobKind,
    /// The App installation whose token the job uses.
    pub installation_id: i64,
    /// `owner/name` of the base repository.
    pub repo: String,
    /// Pull request number.
    pub pr_number: i64,
    /// Head commit to review.
    pub head_sha: String,
    /// Whatever the worker needs from the event (stored as JSON text).
    pub payload: serde_json::Value,
}

/// What `enqueue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job was stored.
    Created(JobId),
    /// This delivery was seen before; this is the job it created then. Nothing new was stored.
    Duplicate(JobId),
}

impl Enqueued {
    /// The job either way.
    pub fn job_id(self) -> JobId {
        match self {
            Enqueued::Created(id) | Enqueued::Duplicate(id) => id,
        }
    }
}

/// A job leased to one worker. Only the holder of this value can finish it, and only while no
/// other worker has reclaimed it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job.
    pub id: JobId,
    /// What to do.
    pub kind: JobKind,
    /// The delivery that created it.
    pub delivery_id: String,
    /// The App installation.
    pub installation_id: i64,
    /// `owner/name` of the base repository.
    pub repo: String,
    /// Pull request number.
    pub pr_number: i64,
    /// Head commit to review.
    pub head_sha: String,
    /// The payload given at enqueue.
    pub payload: serde_json::Value,
    /// Which attempt this is (1 for the first claim).
    pub attempts: u32,
    /// Attempts allowed before the job is dead-lettered.
    pub max_attempts: u32,
    /// The worker that holds the lease.
    pub worker_id: String,
    /// When the lease runs out unless extended with `heartbeat`.
    pub lease_until: DateTime<Utc>,
    /// When the job must be over, across all its attempts (set at its first claim). Past it the
    /// worker stops the review and ends the job with
    /// [`give_up_past_deadline`](super::JobStore::give_up_past_deadline); no heartbeat extends the
    /// lease beyond it.
    pub deadline: DateTime<Utc>,
    pub(crate) lease_token: String,
}

/// What `fail` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// The job runs again, not before `run_after`.
    Retried {
        /// Earliest time of the next attempt.
        run_after: DateTime<Utc>,
    },
    /// The job used all its attempts and is dead-lettered.
    Dead,
}

/// A job as stored, for inspection (`/healthz`, dead-letter listing, tests).
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// The job.
    pub id: JobId,
    /// The delivery that created it.
    pub delivery_id: String,
    /// What it does.
    pub kind: JobKind,
    /// Where it is in its life.
    pub state: JobState,
    /// The App installation.
    pub installation_id: i64,
    /// `owner/name` of the base repository.
    pub repo: String,
    /// Pull request number.
    pub pr_number: i64,
    /// Head commit.
    pub head_sha: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Earliest time it may run (next).
    pub run_after: DateTime<Utc>,
    /// The worker that last held it.
    pub lease_owner: Option<String>,
    /// The last failure, skip reason or supersede note.
    pub last_error: Option<String>,
    /// When the job must be over (set at its first claim; `None` before).
    pub deadline: Option<DateTime<Utc>>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Number of jobs in each state, for `/healthz` and `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Waiting for a worker.
    pub queued: u64,
    /// Leased to a worker.
    pub running: u64,
    /// Finished.
    pub done: u64,
    /// Waiting for a retry.
    pub failed: u64,
    /// Dead-lettered.
    pub dead: u64,
    /// Replaced by a newer head.
    pub superseded: u64,
    /// Nothing to do.
    pub skipped: u64,
}

impl JobCounts {
    /// The count for `state`.
    pub fn get(&self, state: JobState) -> u64 {
        match state {
            JobState::Queued => self.queued,
            JobState::Running => self.running,
            JobState::Done => self.done,
            JobState::Failed => self.failed,
            JobState::Dead => self.dead,
            JobState::Superseded => self.superseded,
            JobState::Skipped => self.skipped,
        }
    }

    pub(crate) fn set(&mut self, state: JobState, n: u64) {
        let slot = match state {
            JobState::Queued => &mut self.queued,
            JobState::Running => &mut self.running,
            JobState::Done => &mut self.done,
            JobState::Failed => &mut self.failed,
            JobState::Dead => &mut self.dead,
            JobState::Superseded => &mut self.superseded,
            JobState::Skipped => &mut self.skipped,
        };
        *slot = n;
    }
}

/// What kind of thing a job posted to GitHub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicationKind {
    /// A pull-request review (`POST /repos/{repo}/pulls/{n}/reviews`).
    Review,
    /// A check run (`POST /repos/{repo}/check-runs`).
    CheckRun,
}

impl PublicationKind {
    /// The value stored in `publications.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicationKind::Review => "review",
            PublicationKind::CheckRun => "check_run",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, QueueError> {
        match s {
            "review" => Ok(PublicationKind::Review),
            "check_run" => Ok(PublicationKind::CheckRun),
            other => Err(QueueError::CorruptRow {
                detail: format!("unknown publication kind {other:?}"),
            }),
        }
    }
}

/// Something posted to GitHub for one head of one pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// `owner/name` of the base repository.
    pub repo: String,
    /// Pull request number.
    pub pr_number: i64,
    /// Head commit it was about.
    pub head_sha: String,
    /// Review or check run.
    pub kind: PublicationKind,
    /// GitHub's id of the review / check run.
    pub external_id: String,
    /// The job that posted it.
    pub job_id: Option<JobId>,
}

/// What `record_publication` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationRecorded {
    /// This is the first record for (repo, pr, head, kind).
    Recorded,
    /// One was already recorded (by an earlier attempt or another worker); here it is.
    AlreadyRecorded(Publication),
}

/// What one retention cleanup removed ([`purge_expired`](super::JobStore::purge_expired)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Finished jobs (done, dead, superseded, skipped) older than the window.
    pub jobs: u64,
    /// Deliveries older than the window that no remaining job refers to.
    pub deliveries: u64,
    /// Publications older than the window whose head has no unfinished job.
    pub publications: u64,
    /// Redelivery requests older than the window.
    pub redelivery_requests: u64,
}

impl PurgeReport {
    /// Rows removed in all.
    pub fn total(&self) -> u64 {
        self.jobs + self.deliveries + self.publications + self.redelivery_requests
    }
}
