//! Calls into a client crate that the code names only by its types: a parameter typed from the
//! crate, a handle taken from a client field without a round trip (`repo.pulls()`), a future
//! run with `block_on` instead of `.await`, and the Rust 2024 `if cond && let Err(e) = call`.
//! Each is the same single attempt as `gh.post(..).await`; a finding sits on the statement that
//! makes the call (the `let` when a `match` reads the bound result later).
use hubcaps::pulls::PullRequest;
use tracing::{info, warn};

pub struct StatusPoster {
    forge: hubcaps::Github,
}

impl StatusPoster {
    /// An AMQP consumer: the message is acked whatever happens here.
    pub fn post_statuses(&self, owner: &str, name: &str, checks: Vec<CheckRunOptions>) {
        let repo = self.forge.repo(owner, name);
        let runs = repo.checkruns();
        for check in checks {
            let created = async_std::task::block_on(runs.create(&check)); //~ missing-retry:high
            match created {
                Ok(_) => info!("check run sent"),
                Err(e) => warn!("could not send check run {}: {:?}", check.name, e),
            }
        }
    }
}

/// A parameter typed from the client crate, imported with `use`.
pub fn ask_reviewers(pull: &PullRequest, reviewers: Vec<String>) {
    for reviewer in reviewers {
        let options = ReviewRequestOptions::single(&reviewer);
        if let Err(e) = async_std::task::block_on(pull.review_requests().create(&options)) { //~ missing-retry:high
            warn!("review request for {reviewer} failed: {e:?}");
        }
    }
}

/// A parameter typed with the crate's path.
pub async fn label_merged(issue: &hubcaps::issues::IssueRef, enabled: bool) {
    if enabled && let Err(e) = issue.labels().add(vec!["merged"]).await { //~ missing-retry:high
        warn!("could not label the issue: {e:?}");
    }
}

/// Not flagged: the error goes back to the caller in the let chain's body.
pub async fn label_or_fail(issue: &hubcaps::issues::IssueRef, enabled: bool) -> Result<(), Error> {
    if enabled && let Err(e) = issue.labels().add(vec!["merged"]).await {
        warn!("could not label the issue: {e:?}");
        return Err(e.into());
    }
    Ok(())
}

/// Not flagged: `runs` is a handle of an in-process channel, not of a client crate; a name
/// (`repo`) that is a client elsewhere means nothing here.
pub async fn queue_locally(repo: &LocalQueue, checks: Vec<CheckRunOptions>) {
    let runs = repo.sender();
    for check in checks {
        if let Err(e) = runs.send(check).await {
            warn!("local queue closed: {e:?}");
        }
    }
}
