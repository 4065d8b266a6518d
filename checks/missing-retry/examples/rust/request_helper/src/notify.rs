//! Callers of the tracker client in `tracker.rs`.
use crate::tracker::Tracker;
use tracing::warn;

/// Runs once when a build finishes; nothing runs it again.
pub fn on_build_finished(tracker: &Tracker, issue: u64) {
    if let Err(e) = tracker.post_comment(issue, "The build finished.") { //~ missing-retry:high
        warn!("could not post the build result on #{issue}: {e}");
    }
}

/// A read whose failure falls back to an answer ("not blocked") has handled the error: no
/// finding (the same read whose error only reaches a log line is below).
pub fn is_blocked(tracker: &Tracker, issue: u64) -> bool {
    match tracker.labels(issue) {
        Ok(labels) => labels.iter().any(|l| l == "blocked"),
        Err(e) => {
            warn!("could not read the labels of #{issue}: {e}");
            false
        }
    }
}

/// Runs once per new issue: a failed read of its labels is only logged, and the triage it was
/// for is skipped for good.
pub fn triage(tracker: &Tracker, issue: u64) {
    match tracker.labels(issue) { //~ missing-retry:medium
        Ok(labels) if labels.is_empty() => warn!("#{issue} has no label"),
        Ok(_) => {}
        Err(e) => warn!("could not read the labels of #{issue}: {e}"),
    }
}
