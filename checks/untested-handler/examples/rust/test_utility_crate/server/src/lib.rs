use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use sqlx::PgPool;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/api/orders/{id}", get(get_order_handler))
        .route("/api/orders/{id}/cancel", post(cancel_order_handler))
        .with_state(pool)
}

// Reached: a test calls `TestClient::get_order`, which calls the SDK's `Client::get_order`,
// which sends GET /api/orders/{id}.
async fn get_order_handler(State(pool): State<PgPool>, Path(id): Path<i64>) -> Result<String, StatusCode> {
    sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .map_err(|_| StatusCode::NOT_FOUND)
}

// No test cancels an order: the test-utility crate has no wrapper for it, and no test calls
// the SDK's `cancel_order`.
async fn cancel_order_handler(State(pool): State<PgPool>, Path(id): Path<i64>) -> StatusCode { //~ untested-handler:high
    match sqlx::query("UPDATE orders SET status = 'cancelled' WHERE id = $1").bind(id).execute(&pool).await {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
