//! Retention: the job store keeps deliveries, finished jobs and publications for
//! `FAILMODE_RETENTION_DAYS`, then one replica at a time (a lease in the store) removes them.
//! Unfinished jobs are never touched, and nothing is removed that idempotency still needs: a
//! delivery outlives GitHub's three-day redelivery window (the window is at least
//! [`MIN_RETENTION_DAYS`]), and a publication stays while its head has an unfinished job.

use super::app::ServerState;
use crate::queue::{PurgeReport, QueueError};
use std::sync::Arc;
use std::time::Duration;

/// Name of the lease that makes one replica the cleaner.
pub const LEASE_NAME: &str = "retention-cleanup";
/// Default retention window, in days (`FAILMODE_RETENTION_DAYS`): a month of history for an
/// operator looking into a complaint about a review, far beyond any redelivery.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;
/// Smallest accepted window: GitHub lets a delivery be redelivered for three days, and a
/// redelivery must still find its delivery id to be recognised as one; a day of margin covers
/// clock skew and a recovery scan that runs late.
pub const MIN_RETENTION_DAYS: u64 = 4;
/// How often the cleanup runs.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(3600);
/// Wait before the first cleanup after startup (lets a fleet of restarting replicas settle).
const FIRST_CLEANUP_DELAY: Duration = Duration::from_secs(60);

/// The retention window of `days` days.
pub fn window(days: u64) -> Duration {
    Duration::from_secs(days.saturating_mul(24 * 3600))
}

/// Removes what is older than `retention` once, if this replica holds (or takes) the cleanup
/// lease, which lasts `lease`. `Ok(None)`: another replica is the cleaner.
pub async fn clean_once(
    state: &ServerState,
    owner: &str,
    retention: Duration,
    lease: Duration,
) -> Result<Option<PurgeReport>, QueueError> {
    if !state.store.try_lead(LEASE_NAME, owner, lease).await? {
        return Ok(None);
    }
    state.store.purge_expired(retention).await.map(Some)
}

/// Runs the cleanup every [`CLEANUP_INTERVAL`] until shutdown.
pub async fn run(state: Arc<ServerState>, retention: Duration, owner: String) {
    let mut wait = FIRST_CLEANUP_DELAY;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.wait_for_shutdown() => return,
        }
        wait = CLEANUP_INTERVAL;
        match clean_once(&state, &owner, retention, CLEANUP_INTERVAL * 2).await {
            Ok(Some(report)) => {
                metrics::counter!("failmode_retention_removed_rows_total")
                    .increment(report.total());
                tracing::info!(?report, "retention cleanup finished");
            }
            Ok(None) => tracing::debug!("another replica runs the retention cleanup"),
            Err(e) => {
                tracing::warn!(error = %e, "retention cleanup failed; retrying next interval")
            }
        }
    }
}
