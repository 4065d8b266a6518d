use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use crate::store::Store;

pub fn routes() -> Router<Store> {
    Router::new()
        .route("/password-reset", post(request_password_reset))
        .route("/signup", post(signup))
}

#[derive(serde::Deserialize)]
pub struct ResetRequest {
    email: String,
}

// Auth flow merged into the app: no test posts to /password-reset.
async fn request_password_reset(State(store): State<Store>, Json(req): Json<ResetRequest>) -> StatusCode { //~ untested-handler:high
    if let Ok(Some(user)) = store.user_by_email(&req.email).await {
        let _ = store.send_reset_mail(&user).await;
    }
    StatusCode::ACCEPTED
}

// Tested in tests/accounts.rs by URL through the merged router.
async fn signup(State(store): State<Store>, Json(req): Json<ResetRequest>) -> StatusCode {
    match store.create_user(&req.email).await {
        Ok(()) => StatusCode::CREATED,
        Err(_) => StatusCode::CONFLICT,
    }
}
