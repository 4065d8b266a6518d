//! The receiver's routes are mounted under `/api/v1` here, but its unit tests build the
//! receiver's own router and request `/hooks/github`: that reaches `forward` without the prefix.
//! `status` is in the same router and no test requests it.
mod receiver;

use axum::Router;

#[tokio::main]
async fn main() {
    let app: Router = Router::new().nest("/api/v1", receiver::router().with_state(receiver::State::default()));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
