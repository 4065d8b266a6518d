use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use sqlx::PgPool;

#[derive(serde::Deserialize)]
pub struct NewOrder {
    sku: String,
    qty: i32,
}

// Exercised in-process through the router by tests/orders.rs.
pub async fn create_order(State(db): State<PgPool>, Json(o): Json<NewOrder>) -> Result<StatusCode, StatusCode> {
    sqlx::query("INSERT INTO orders (sku, qty) VALUES ($1, $2)")
        .bind(&o.sku)
        .bind(o.qty)
        .execute(&db)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::CREATED)
}

pub fn app(db: PgPool) -> Router {
    Router::new().route("/orders", post(create_order)).with_state(db)
}
