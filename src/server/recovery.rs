//! Missed-webhook recovery. GitHub does not redeliver a failed webhook on its own: a delivery
//! that intake answered with 503 (database down, shutting down) or never answered (failmode was
//! down) is lost unless someone asks again. Periodically, one replica (a lease in the job store)
//! reads the App's delivery log with the App JWT and asks GitHub to redeliver every delivery
//! that has no successful attempt and was never stored, a few times at most. GitHub keeps the
//! log for three days, so an outage shorter than that loses nothing.

use super::app::ServerState;
use crate::github::error::GithubError;
use crate::queue::QueueError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Name of the lease that makes one replica the recoverer.
pub const LEASE_NAME: &str = "webhook-recovery";
/// How far back the first scan after startup looks (GitHub keeps deliveries three days).
pub const FIRST_SCAN_WINDOW: Duration = Duration::from_secs(3 * 24 * 3600);
/// Most log pages (100 deliveries each) read in one scan.
const MAX_PAGES: usize = 50;
/// Most redeliveries requested for one delivery.
const MAX_REDELIVERIES: i64 = 3;

/// Why a scan stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// GitHub's delivery log or redelivery endpoint failed.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// The job store failed.
    #[error(transparent)]
    Store(#[from] QueueError),
}

/// What one scan did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Deliveries read from the log.
    pub scanned: usize,
    /// Deliveries with no successful attempt.
    pub failed: usize,
    /// Of those, already stored by intake (only GitHub's view of the answer was lost).
    pub already_stored: usize,
    /// Redeliveries requested.
    pub redelivered: usize,
}

/// Runs scans every `interval` until shutdown, whenever this replica holds the lease.
pub async fn run(state: Arc<ServerState>, interval: Duration, owner: String) {
    let mut window = FIRST_SCAN_WINDOW;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = state.wait_for_shutdown() => return,
        }
        match state.store.try_lead(LEASE_NAME, &owner, interval * 2).await {
            Ok(true) => match recover_once(&state, window, interval).await {
                Ok(report) => {
                    tracing::info!(?report, "webhook recovery scan finished");
                    window = (interval * 3).max(Duration::from_secs(3600));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "webhook recovery scan failed; retrying next interval")
                }
            },
            Ok(false) => tracing::debug!("another replica runs webhook recovery"),
            Err(e) => tracing::warn!(error = %e, "cannot take the webhook recovery lease"),
        }
    }
}

#[derive(Default)]
struct Attempts {
    succeeded: bool,
    newest_failed: Option<u64>,
}

/// One scan of the deliveries of the last `window`: requests redelivery of each failed one
/// that intake never stored, at most once per `spacing` and [`MAX_REDELIVERIES`] times.
pub async fn recover_once(
    state: &ServerState,
    window: Duration,
    spacing: Duration,
) -> Result<RecoveryReport, RecoveryError> {
    let github = state.reviewer.github();
    let cutoff =
        Utc::now() - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(3));
    let mut report = RecoveryReport::default();
    let mut by_guid: HashMap<String, Attempts> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = github
            .list_app_hook_deliveries(cursor.as_deref(), 100)
            .await?;
        let mut reached_cutoff = false;
        for d in page.deliveries {
            let when = DateTime::parse_from_rfc3339(&d.delivered_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|_| Utc::now());
            if when < cutoff {
                reached_cutoff = true;
                continue;
            }
            report.scanned += 1;
            let entry = by_guid.entry(d.guid.clone()).or_insert_with(|| {
                order.push(d.guid.clone());
                Attempts::default()
            });
            if (200..300).contains(&d.status_code) {
                entry.succeeded = true;
            } else if entry.newest_failed.is_none() {
                entry.newest_failed = Some(d.id);
            }
        }
        match page.next_cursor {
            Some(next) if !reached_cutoff => cursor = Some(next),
            _ => break,
        }
    }
    for guid in order {
        let Some(attempts) = by_guid.get(&guid) else {
            continue;
        };
        let Some(id) = attempts.newest_failed.filter(|_| !attempts.succeeded) else {
            continue;
        };
        report.failed += 1;
        if state.store.has_delivery(&guid).await? {
            report.already_stored += 1;
            continue;
        }
        if !state
            .store
            .begin_redelivery(&guid, spacing, MAX_REDELIVERIES)
            .await?
        {
            continue;
        }
        match github.redeliver(id).await {
            Ok(()) => {
                report.redelivered += 1;
                metrics::counter!("failmode_redeliveries_requested_total").increment(1);
                tracing::info!(delivery_id = %guid, "asked GitHub to redeliver a failed delivery");
            }
            Err(e) => {
                tracing::warn!(error = %e, delivery_id = %guid, "GitHub refused to redeliver")
            }
        }
    }
    Ok(report)
}
