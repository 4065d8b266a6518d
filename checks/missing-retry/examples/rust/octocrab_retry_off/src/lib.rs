//! A crate that turns octocrab's default retries off: its calls are tried once, and reported
//! like any other client's.
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;

pub fn client(token: String) -> anyhow::Result<Octocrab> {
    Ok(Octocrab::builder().personal_token(token).add_retry_config(RetryConfig::None).build()?)
}

pub async fn label_new_pr(gh: &Octocrab, owner: &str, repo: &str, pr: u64) {
    if let Err(e) = gh.issues(owner, repo).add_labels(pr, &["triage".to_string()]).await { //~ missing-retry:high
        tracing::warn!(error = %e, "label not added");
    }
}
