//! Workers: claim a job under a lease, keep the lease alive while the review runs, and record the
//! outcome. A crashed worker's lease expires and another worker takes the job; on shutdown a job
//! that cannot finish within the grace period gives its lease back instead of being marked done.
//!
//! Fairness: the store hands the next free worker to the installation running the fewest jobs,
//! and caps how many one installation runs at once (derived from the workers of every replica,
//! see [`derived_installation_limit`]). Deadlines: a job still unfinished at its deadline
//! (`FAILMODE_JOB_DEADLINE_SECS`) is stopped, its check run completed with `timed_out` and a
//! message saying why, and the job dead-lettered.

use super::app::ServerState;
use crate::github::types::{
    CheckConclusion, CheckRunOutput, CheckRunUpdate, CheckStatus, NewCheckRun,
};
use crate::queue::{
    ClaimedJob, Delivery, FailOutcome, JobKind, NewJob, Publication, PublicationKind, QueueError,
};
use crate::review::job::{ReviewOutcome, CHECK_RUN_NAME};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// How often an idle worker looks for work when nobody wakes it.
pub const POLL: Duration = Duration::from_millis(500);
/// Longest a worker spends telling GitHub it gave up on a job past its deadline.
const GIVE_UP_REPORT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default limit of jobs one installation runs at once, given the workers of every live
/// replica together: half of them, rounded up, and at least one. One installation alone can
/// then use half the deployment while the other half stays free, so a second installation's
/// push starts at once; when more installations are busy than that leaves room for, the next
/// free worker goes to the installation running the fewest jobs (the store's claim order), so
/// none waits behind another's backlog. `FAILMODE_MAX_JOBS_PER_INSTALLATION` replaces it.
pub fn derived_installation_limit(total_workers: u64) -> u32 {
    u32::try_from(total_workers.div_ceil(2).max(1)).unwrap_or(u32::MAX)
}

/// How many jobs one installation may run at once, across replicas: fixed by the operator, or
/// derived from the worker count every replica announces in the job store.
#[derive(Debug)]
struct InstallationLimit {
    current: AtomicU32,
}

impl InstallationLimit {
    fn get(&self) -> u32 {
        self.current.load(Ordering::Relaxed)
    }
}

/// A unique name for one lease holder of this process (`role`: a worker number, `recovery`):
/// host and pid tell an operator where it ran, the random part keeps restarts apart.
pub fn lease_holder_id(role: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "failmode".to_string());
    format!(
        "{host}-{}-{role}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Starts `n` workers. `max_per_installation` fixes how many jobs one installation runs at
/// once across replicas (`FAILMODE_MAX_JOBS_PER_INSTALLATION`); `None` derives it from the
/// workers of every live replica ([`derived_installation_limit`]), which this process keeps
/// announcing in the job store until shutdown (that task is among the returned handles).
pub fn spawn_workers(
    state: Arc<ServerState>,
    n: usize,
    max_per_installation: Option<u32>,
) -> Vec<JoinHandle<()>> {
    let workers = u32::try_from(n).unwrap_or(u32::MAX);
    let limit = Arc::new(InstallationLimit {
        current: AtomicU32::new(
            max_per_installation.unwrap_or_else(|| derived_installation_limit(u64::from(workers))),
        ),
    });
    let mut handles: Vec<JoinHandle<()>> = (0..n)
        .map(|i| {
            tokio::spawn(run_worker(
                state.clone(),
                lease_holder_id(&i.to_string()),
                limit.clone(),
            ))
        })
        .collect();
    if max_per_installation.is_none() {
        handles.push(tokio::spawn(announce_workers(
            state,
            lease_holder_id("pool"),
            workers,
            limit,
        )));
    }
    handles
}

/// Keeps this replica's worker count in the store (refreshed every third of a lease, expiring
/// after a lease) and the derived per-installation limit up to date; retires it on shutdown.
async fn announce_workers(
    state: Arc<ServerState>,
    owner: String,
    workers: u32,
    limit: Arc<InstallationLimit>,
) {
    loop {
        match state
            .store
            .announce_workers(&owner, workers, state.job_lease)
            .await
        {
            Ok(total) => {
                let derived = derived_installation_limit(total.max(u64::from(workers)));
                if limit.current.swap(derived, Ordering::Relaxed) != derived {
                    tracing::info!(
                        total_workers = total,
                        max_jobs_per_installation = derived,
                        "per-installation limit follows the workers of every replica"
                    );
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot announce this replica's workers; keeping the last limit")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(state.job_lease / 3) => {}
            _ = state.wait_for_shutdown() => break,
        }
    }
    if let Err(e) = state.store.retire_workers(&owner).await {
        tracing::warn!(error = %e, "cannot retire this replica's workers; they expire with their announcement");
    }
}

/// Waits for workers to stop, at most `grace` (plus a little for lease release).
pub async fn drain(workers: Vec<JoinHandle<()>>, grace: Duration) {
    let deadline = grace + Duration::from_secs(5);
    for w in workers {
        if let Err(e) = tokio::time::timeout(deadline, w).await {
            tracing::warn!(error = %e, "a worker did not stop in time");
        }
    }
}

async fn run_worker(state: Arc<ServerState>, worker_id: String, limit: Arc<InstallationLimit>) {
    while !state.is_shutting_down() {
        match state
            .store
            .claim(&worker_id, state.job_lease, Some(limit.get()))
            .await
        {
            Ok(Some(job)) => process(&state, job).await,
            Ok(None) => state.wait_for_work(POLL).await,
            Err(e) => {
                tracing::error!(error = %e, worker = %worker_id, "cannot claim jobs; retrying");
                tokio::time::sleep(POLL * 4).await;
            }
        }
    }
}

async fn process(state: &Arc<ServerState>, job: ClaimedJob) {
    let span = tracing::info_span!(
        "job",
        job_id = job.id.0,
        delivery_id = %job.delivery_id,
        repo = %job.repo,
        pr = job.pr_number,
        head_sha = %job.head_sha,
        attempt = job.attempts
    );
    async move {
        let started = Instant::now();
        let time_left = state.store.time_left(&job);
        if time_left.is_zero() {
            // Reclaimed after its deadline (its worker died or wedged): never run it again.
            give_up(state, &job).await;
            return;
        }
        let heartbeat = spawn_heartbeat(state.clone(), job.clone());
        let outcome = tokio::select! {
            r = state.reviewer.run(&job) => Some(Some(r)),
            _ = tokio::time::sleep(time_left) => Some(None),
            _ = grace_expired(state) => None,
        };
        heartbeat.abort();
        let Some(outcome) = outcome else {
            tracing::warn!("shutdown grace period over; releasing the job for another worker");
            if let Err(e) = state.store.release(&job).await {
                tracing::error!(error = %e, "could not release the job; its lease will expire instead");
            }
            return;
        };
        // The review future is dropped here: whatever it awaited is cancelled.
        let Some(result) = outcome else {
            give_up(state, &job).await;
            return;
        };
        let recorded = match result {
            Ok(ReviewOutcome::Skipped(reason)) => {
                tracing::info!(%reason, "job skipped");
                state.store.skip(&job, &reason).await
            }
            Ok(ReviewOutcome::Superseded { current_head }) => {
                tracing::info!(%current_head, "a newer push superseded this job");
                match ensure_current_head_queued(state, &job, &current_head).await {
                    Ok(()) => state.store.supersede(&job).await,
                    // Not recorded as superseded: the job runs again and retries this.
                    Err(e) => Err(e),
                }
            }
            Ok(outcome) => {
                metrics::histogram!("failmode_review_duration_seconds").record(started.elapsed().as_secs_f64());
                tracing::info!(?outcome, "review published");
                state.store.complete(&job).await
            }
            Err(e) => {
                match state.store.fail(&job, &e.to_string()).await {
                    Ok(FailOutcome::Retried { run_after }) => {
                        tracing::warn!(error = %e, %run_after, "review failed; will retry");
                    }
                    Ok(FailOutcome::Dead) => {
                        metrics::counter!("failmode_jobs_dead_total").increment(1);
                        tracing::error!(error = %e, "review failed on its last attempt; job is dead");
                    }
                    Err(store_err) => {
                        tracing::error!(error = %e, store_error = %store_err, "review failed and the failure could not be recorded; the lease will expire and the job run again");
                    }
                }
                Ok(())
            }
        };
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record the job's outcome; the lease will expire and the job run again");
        }
    }
    .instrument(span)
    .await
}

/// Deliveries can arrive out of order (a late redelivery of an old push supersedes the queued
/// job of the newest one), and a push's delivery can be lost. A job that finds its head replaced
/// therefore makes sure the pull request's CURRENT head has a job, so the newest push is always
/// reviewed. Nothing is queued while that head already has a live or finished job.
async fn ensure_current_head_queued(
    state: &ServerState,
    job: &ClaimedJob,
    current_head: &str,
) -> Result<(), crate::queue::QueueError> {
    if state
        .store
        .has_job_for_head(&job.repo, job.pr_number, current_head)
        .await?
    {
        return Ok(());
    }
    let resync = NewJob {
        delivery: Delivery {
            // Unique per superseded job: an earlier resync of this head may itself have been
            // superseded by a late delivery, and must not block this one as a duplicate.
            id: format!(
                "resync:{}#{}@{current_head}/after-job-{}",
                job.repo, job.pr_number, job.id.0
            ),
            event: "pull_request".into(),
            action: Some("synchronize".into()),
        },
        kind: JobKind::Review,
        installation_id: job.installation_id,
        repo: job.repo.clone(),
        pr_number: job.pr_number,
        head_sha: current_head.to_string(),
        payload: serde_json::Value::Null,
    };
    state.store.enqueue(&resync).await?;
    tracing::info!(%current_head, "queued a review of the pull request's current head");
    state.wake_workers();
    Ok(())
}

fn spawn_heartbeat(state: Arc<ServerState>, job: ClaimedJob) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(state.job_lease / 3).await;
            match state.store.heartbeat(&job, state.job_lease).await {
                Ok(_) => {}
                Err(e @ QueueError::DeadlineExceeded { .. }) => {
                    // The worker's own timer stops the review; nothing extends the lease now.
                    tracing::warn!(error = %e, job_id = job.id.0, "lease heartbeat stopped");
                    return;
                }
                Err(e) => tracing::warn!(error = %e, job_id = job.id.0, "lease heartbeat failed"),
            }
        }
    })
}

/// "15 minutes", "90 s": how long a job was given, for the check run.
fn describe_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        60 => "1 minute".to_string(),
        s if s >= 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

/// Ends a job past its deadline: tells the pull request why on the check run (completed,
/// `timed_out`, so a required check does not pass), then dead-letters the job, which releases
/// its lease. The check run comes first so that a crash in between leaves a job that the next
/// claim gives up again, rather than a check run that stays "in progress".
async fn give_up(state: &ServerState, job: &ClaimedJob) {
    let allowed = describe_duration(state.store.job_deadline());
    let reason = format!(
        "failmode gave up on this push after {allowed}: the review did not finish within its \
         deadline (FAILMODE_JOB_DEADLINE_SECS), so it was stopped rather than left holding a \
         worker. A GitHub request that never answered or a push too large to analyse in time \
         does this; push again or re-run the check to try again."
    );
    metrics::counter!("failmode_jobs_past_deadline_total").increment(1);
    tracing::error!(%reason, "job is past its deadline; giving up");
    match tokio::time::timeout(GIVE_UP_REPORT_TIMEOUT, report_gave_up(state, job, &reason)).await {
        Ok(Ok(check_run_id)) => tracing::info!(check_run_id, "check run says failmode gave up"),
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot tell the check run that failmode gave up"),
        Err(_) => tracing::warn!("GitHub did not answer in time while failmode reported giving up"),
    }
    match state.store.give_up_past_deadline(job, &reason).await {
        Ok(()) => metrics::counter!("failmode_jobs_dead_total").increment(1),
        Err(e) => {
            tracing::warn!(error = %e, "could not dead-letter the job past its deadline; the next claim gives it up again")
        }
    }
}

/// Why the "gave up" check run could not be written.
#[derive(Debug, thiserror::Error)]
enum GiveUpReportError {
    #[error("job for `{0}`: the repository must be owner/name")]
    BadRepo(String),
    #[error(transparent)]
    Github(#[from] crate::github::error::GithubError),
    #[error(transparent)]
    Store(#[from] QueueError),
}

/// Completes the head's check run (the one the review created, found through the publications
/// record or on GitHub; a new one when there is none) with `timed_out` and `reason`.
async fn report_gave_up(
    state: &ServerState,
    job: &ClaimedJob,
    reason: &str,
) -> Result<u64, GiveUpReportError> {
    let (owner, repo) = job
        .repo
        .split_once('/')
        .ok_or_else(|| GiveUpReportError::BadRepo(job.repo.clone()))?;
    let installation = u64::try_from(job.installation_id).unwrap_or_default();
    let github = state.reviewer.github();
    let output = CheckRunOutput {
        title: "failmode gave up on this push".to_string(),
        summary: reason.to_string(),
        text: None,
        annotations: Vec::new(),
    };
    let recorded = state
        .store
        .publication(
            &job.repo,
            job.pr_number,
            &job.head_sha,
            PublicationKind::CheckRun,
        )
        .await?
        .and_then(|p| p.external_id.parse::<u64>().ok());
    let existing = match recorded {
        Some(id) => Some(id),
        None => github
            .list_check_runs_for_ref(
                installation,
                owner,
                repo,
                &job.head_sha,
                Some(CHECK_RUN_NAME),
            )
            .await?
            .into_iter()
            .find(|r| r.name == CHECK_RUN_NAME)
            .map(|r| r.id),
    };
    if let Some(id) = existing {
        github
            .update_check_run(
                installation,
                owner,
                repo,
                id,
                &CheckRunUpdate {
                    status: Some(CheckStatus::Completed),
                    conclusion: Some(CheckConclusion::TimedOut),
                    output: Some(output),
                },
            )
            .await?;
        return Ok(id);
    }
    let run = github
        .create_check_run(
            installation,
            owner,
            repo,
            &NewCheckRun {
                name: CHECK_RUN_NAME.to_string(),
                head_sha: job.head_sha.clone(),
                status: CheckStatus::Completed,
                conclusion: Some(CheckConclusion::TimedOut),
                external_id: Some(format!("{}#{}@{}", job.repo, job.pr_number, job.head_sha)),
                output: Some(output),
            },
        )
        .await?;
    state
        .store
        .record_publication(&Publication {
            repo: job.repo.clone(),
            pr_number: job.pr_number,
            head_sha: job.head_sha.clone(),
            kind: PublicationKind::CheckRun,
            external_id: run.id.to_string(),
            job_id: None,
        })
        .await?;
    Ok(run.id)
}

async fn grace_expired(state: &ServerState) {
    while !state.is_shutting_down() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(state.shutdown_grace).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_half_the_workers_rounded_up_and_at_least_one() {
        let limits: Vec<u32> = [0, 1, 2, 3, 4, 5, 12]
            .into_iter()
            .map(derived_installation_limit)
            .collect();
        assert_eq!(limits, vec![1, 1, 1, 2, 2, 3, 6]);
        assert_eq!(derived_installation_limit(u64::MAX), u32::MAX);
    }

    #[test]
    fn deadlines_read_as_minutes_when_whole() {
        assert_eq!(describe_duration(Duration::from_secs(900)), "15 minutes");
        assert_eq!(describe_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(describe_duration(Duration::from_secs(4)), "4 s");
    }
}
