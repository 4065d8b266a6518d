use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

async fn healthz() -> &'static str { "ok" }

async fn livez() -> StatusCode {
    StatusCode::OK
}

async fn robots() -> &'static str {
    include_str!("../static/robots.txt")
}

async fn landing() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

async fn docs() -> Redirect {
    Redirect::permanent("https://docs.example.com/api")
}

async fn version() -> impl IntoResponse {
    Json(json!({ "version": env!("CARGO_PKG_VERSION") }))
}

// Not trivial: it reads the database pool's state.
async fn readyz(axum::extract::State(pool): axum::extract::State<sqlx::PgPool>) -> StatusCode { //~ untested-handler:medium
    match sqlx::query("SELECT 1").execute(&pool).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[tokio::main]
async fn main() {
    let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").unwrap()).await.unwrap();
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/robots.txt", get(robots))
        .route("/", get(landing))
        .route("/docs", get(docs))
        .route("/version", get(version))
        .route("/ping", get(|| async { "pong" }))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
