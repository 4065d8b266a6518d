//! Class 15: a browser suite tests the handlers its frontend calls. The Capybara feature spec
//! opens the page and clicks Format and Share; it names no route, but the frontend it drives
//! requests `/format` and `/meta/gist` (`ui/frontend/api.ts`). A handler the frontend never
//! requests is reported. (A scheme-relative `// ${name}` in the frontend is not a path.)
use axum::routing::{get, post};
use axum::{extract::State, Json, Router};

async fn format(State(tools): State<Tools>, Json(req): Json<FormatRequest>) -> Json<FormatResponse> {
    Json(tools.rustfmt(req).await)
}

async fn create_gist(State(tools): State<Tools>, Json(req): Json<Gist>) -> Json<GistId> {
    Json(tools.github.create_gist(req).await)
}

async fn tokio_metrics(State(tools): State<Tools>) -> Json<Metrics> { //~ untested-handler:medium
    Json(tools.metrics.snapshot().await)
}

pub fn app(tools: Tools) -> Router {
    Router::new()
        .route("/format", post(format))
        .route("/meta/gist", post(create_gist))
        .route("/tokio-metrics", get(tokio_metrics))
        .with_state(tools)
}
