use axum::routing::get;
use axum::Router;

mod routes;
mod state;

use state::AppState;

pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", routes::api_routes())
        .nest("/admin", routes::admin::router())
        .route("/", get(index))
        .with_state(state)
}

async fn index() -> axum::response::Html<&'static str> {
    axum::response::Html(include_str!("../static/index.html"))
}

#[tokio::main]
async fn main() {
    let state = AppState::from_env().await;
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();
    axum::serve(listener, app(state)).await.unwrap();
}
