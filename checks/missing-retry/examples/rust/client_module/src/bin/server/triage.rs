//! Labels added from a task nobody waits for, straight through the client: the task logs the
//! client's error and ends, so a GitHub blip loses the label for good. The call is reported
//! where the task makes it, not at the request inside the client that every caller shares.
use log_reporter::github::Client;
use std::sync::Arc;

pub fn label_new_pr(github: Arc<Client>, repo: String, pr: u32) {
    tokio::spawn(async move {
        if let Err(e) = github.add_label(&repo, pr, "needs-review") { //~ missing-retry:high
            tracing::warn!("label not added to {repo}#{pr}: {e}");
        }
    });
}
