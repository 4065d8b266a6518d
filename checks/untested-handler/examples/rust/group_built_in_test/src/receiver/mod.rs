use axum::extract::{Path, State as Extract};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

#[derive(Clone, Default)]
pub struct State {
    pub queue: Queue,
}

pub fn router() -> Router<State> {
    Router::new()
        .route("/hooks/{source}", post(forward))
        .route("/status/{source}", get(status))
}

async fn forward(Extract(state): Extract<State>, Path(id): Path<String>, body: String) -> StatusCode {
    match state.queue.push(&id, body).await {
        Ok(()) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn status(Extract(state): Extract<State>, Path(id): Path<String>) -> Result<String, StatusCode> { //~ untested-handler
    state.queue.depth(&id).await.map(|d| d.to_string()).map_err(|_| StatusCode::NOT_FOUND)
}

#[cfg(test)]
mod tests;
