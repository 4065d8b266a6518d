//! Class 15, the other side: a browser suite that only opens a page and reads it (the test a
//! frontend framework's template ships) clicks through nothing, so what the frontend requests
//! is not tested by it.
use axum::routing::post;
use axum::{extract::State, Json, Router};

async fn login(State(db): State<Db>, Json(req): Json<Login>) -> Json<Session> { //~ untested-handler:high
    Json(db.create_session(req).await)
}

pub fn app(db: Db) -> Router {
    Router::new().route("/auth/login", post(login)).with_state(db)
}
