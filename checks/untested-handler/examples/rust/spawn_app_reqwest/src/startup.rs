use axum::routing::{delete, get, post};
use axum::Router;
use sqlx::PgPool;

use crate::routes::{health_check, subscriptions};

pub fn build_router(pool: PgPool) -> Router {
    Router::new()
        .route("/health_check", get(health_check))
        .route("/subscriptions", post(subscriptions::subscribe))
        .route("/subscriptions/confirm", get(subscriptions::confirm))
        .route("/subscriptions/{id}", delete(subscriptions::unsubscribe))
        .with_state(pool)
}

pub async fn run(listener: tokio::net::TcpListener, pool: PgPool) -> std::io::Result<()> {
    axum::serve(listener, build_router(pool)).await
}
