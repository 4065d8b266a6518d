//! GitHub does not redeliver failed webhook deliveries: a side effect tried once in the handler
//! is lost on a blip, whether its error is logged or returned as a 500. (`app.github` is the
//! service's own GitHub client, without retries; octocrab's retries by default:
//! `octocrab_default_retries.rs`.)
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::body::Bytes;

pub async fn github_webhook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<StatusCode, AppError> {
    let event = headers.get("X-GitHub-Event").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if event != "pull_request" {
        return Ok(StatusCode::NO_CONTENT);
    }
    let pr: PullRequestEvent = serde_json::from_slice(&body)?;
    let files = app.github.list_files(&pr.repo, pr.number).await?;
    app.github.add_labels(&pr.repo, pr.number, &labels_for(&files)).await?; //~ missing-retry:high
    if let Err(e) = app.slack.post_message(&app.channel, &format!("PR #{} labelled", pr.number)).await { //~ missing-retry:high
        tracing::warn!(error = %e, "slack notification failed");
    }
    Ok(StatusCode::OK)
}

pub async fn on_issue_comment(State(app): State<App>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if headers.get("x-github-event").is_none() {
        return StatusCode::BAD_REQUEST;
    }
    let ev: IssueCommentEvent = match serde_json::from_slice(&body) {
        Ok(ev) => ev,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let gh = app.gh.clone();
    tokio::spawn(async move {
        let reply = render_reply(&ev);
        gh.create_comment(&ev.repo, ev.issue, &reply).await?; //~ missing-retry:high
        Ok::<_, GhError>(())
    });
    StatusCode::OK
}

// The `?` in a `for` head or an `if let` condition hands the error to the same nobody.
pub async fn on_push(State(app): State<App>, body: Bytes) -> StatusCode {
    let ev: PushEvent = match serde_json::from_slice(&body) {
        Ok(ev) => ev,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let gh = app.gh.clone();
    tokio::spawn(async move {
        for file in gh.list_files(&ev.repo, ev.pr).await? { //~ missing-retry:medium
            index(&file);
        }
        if let Some(owner) = gh.codeowner(&ev.repo, &ev.path).await? { //~ missing-retry:high
            notify(&owner);
        }
        Ok::<_, GhError>(())
    });
    StatusCode::OK
}
