use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::delete;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/users/{id}", delete(delete_user))
}

async fn delete_user(State(s): State<AppState>, Path(id): Path<i64>) -> StatusCode {
    match s.db.delete_user(id).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
