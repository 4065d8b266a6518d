//! octocrab's client retries transport errors, 5xx and 429 up to three times by default
//! (vocabulary `default_retry_client_types`): a call on an `Octocrab`, or on a client built from
//! one, has its retry. No finding here; `octocrab_retry_off/` turns the default off.
use octocrab::Octocrab;

pub async fn label_new_pr(gh: &Octocrab, owner: &str, repo: &str, pr: u64) {
    if let Err(e) = gh.issues(owner, repo).add_labels(pr, &["triage".to_string()]).await {
        tracing::warn!(error = %e, "label not added");
    }
}

pub fn welcome(token: String, owner: String, repo: String, issue: u64) -> anyhow::Result<()> {
    let crab = Octocrab::builder().personal_token(token).build()?;
    tokio::spawn(async move {
        if let Err(e) = crab.issues(&owner, &repo).create_comment(issue, "Welcome!").await {
            tracing::warn!(error = %e, "welcome comment not posted");
        }
    });
    Ok(())
}
