use crate::models::{register_user, Db};
use axum::extract::State;
use axum::http::StatusCode;

// Reached through the SDK: a test helper calls `blog::api_client::register(..)`, which posts to
// the base URL with the segment `register` appended. Two other functions are named `register`
// (this one and `cli::register`), but the helper calls the client by its path.
pub async fn register(State(db): State<Db>, name: String) -> Result<String, StatusCode> {
    let id = register_user(&db, &name).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(id.to_string())
}
