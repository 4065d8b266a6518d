use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use sqlx::PgPool;

// FLAG: POST handler that writes; nothing in tests/ or #[cfg(test)] touches it or "/orders"
async fn create_order(State(db): State<PgPool>, Json(o): Json<NewOrder>) -> Result<StatusCode, AppError> { //~ untested-handler:high
    sqlx::query("INSERT INTO orders (sku, qty) VALUES ($1, $2)").bind(&o.sku).bind(o.qty)
        .execute(&db).await?;
    Ok(StatusCode::CREATED)
}
pub fn app(db: PgPool) -> Router { Router::new().route("/orders", post(create_order)).with_state(db) }
