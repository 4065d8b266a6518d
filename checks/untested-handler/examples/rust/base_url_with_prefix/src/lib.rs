//! The tests request `format!("{}/roles", backend_url())`, where the base URL they read from a
//! helper carries the prefix the router nests everything under (`/auth/v1`): a path after a
//! base the bot cannot read matches the end of a route.
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::Router;

pub fn app() -> Router {
    let api = Router::new()
        .route("/roles", post(create_role))
        .route("/roles/{id}", delete(delete_role));
    Router::new().nest("/auth/v1", api)
}

// Reached: `POST {base}/roles` in `tests/roles.rs`.
pub async fn create_role(name: String) -> Result<String, StatusCode> {
    if name.is_empty() {
        return Err(StatusCode::BAD_REQUEST);
    }
    Ok(name)
}

// No test sends a DELETE: `/roles` is not `/roles/{id}`, whatever the base holds.
pub async fn delete_role(Path(id): Path<u64>) -> StatusCode { //~ untested-handler:high
    if id == 0 {
        return StatusCode::NOT_FOUND;
    }
    StatusCode::NO_CONTENT
}
