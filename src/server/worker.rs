//! Workers: claim a job under a lease, keep the lease alive while the review runs, and record the
//! outcome. A crashed worker's lease expires and another worker takes the job; on shutdown a job
//! that cannot finish within the grace period gives its lease back instead of being marked done.

use super::app::ServerState;
use crate::queue::{ClaimedJob, Delivery, FailOutcome, JobKind, NewJob};
use crate::review::job::ReviewOutcome;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// How often an idle worker looks for work when nobody wakes it.
pub const POLL: Duration = Duration::from_millis(500);
/// Most jobs of one installation running at once, so one busy org cannot starve the others.
pub const MAX_RUNNING_PER_INSTALLATION: u32 = 2;

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

/// Starts `n` workers.
pub fn spawn_workers(state: Arc<ServerState>, n: usize) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|i| tokio::spawn(run_worker(state.clone(), lease_holder_id(&i.to_string()))))
        .collect()
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

async fn run_worker(state: Arc<ServerState>, worker_id: String) {
    while !state.is_shutting_down() {
        match state
            .store
            .claim(
                &worker_id,
                state.job_lease,
                Some(MAX_RUNNING_PER_INSTALLATION),
            )
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
        let heartbeat = spawn_heartbeat(state.clone(), job.clone());
        let outcome = tokio::select! {
            r = state.reviewer.run(&job) => Some(r),
            _ = grace_expired(state) => None,
        };
        heartbeat.abort();
        let Some(result) = outcome else {
            tracing::warn!("shutdown grace period over; releasing the job for another worker");
            if let Err(e) = state.store.release(&job).await {
                tracing::error!(error = %e, "could not release the job; its lease will expire instead");
            }
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
            if let Err(e) = state.store.heartbeat(&job, state.job_lease).await {
                tracing::warn!(error = %e, job_id = job.id.0, "lease heartbeat failed");
            }
        }
    })
}

async fn grace_expired(state: &ServerState) {
    while !state.is_shutting_down() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(state.shutdown_grace).await;
}
