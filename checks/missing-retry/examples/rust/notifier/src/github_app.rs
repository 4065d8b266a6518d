use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

pub async fn webhook(State(app): State<GhApp>, headers: HeaderMap, Json(ev): Json<serde_json::Value>) -> StatusCode {
    let kind = headers.get("x-github-event").and_then(|v| v.to_str().ok()).unwrap_or("");
    if kind != "issues" {
        return StatusCode::NO_CONTENT;
    }
    let issue = ev["issue"]["number"].as_u64().unwrap_or_default();
    let installation = app.octocrab.installation(app.installation_id);
    match installation.issues(&app.owner, &app.repo).create_comment(issue, WELCOME).await { //~ missing-retry:high
        Ok(_) => StatusCode::OK,
        Err(e) => {
            tracing::error!(error = %e, issue, "welcome comment failed");
            StatusCode::OK
        }
    }
}
