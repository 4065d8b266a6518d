use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sqlx::PgPool;

mod error;
use error::AppError;

#[derive(serde::Deserialize)]
pub struct NewOrder {
    sku: String,
    qty: i32,
}

// Writes to the DB; nothing in tests/ touches it or "/orders" with POST.
async fn create_order(State(db): State<PgPool>, Json(o): Json<NewOrder>) -> Result<StatusCode, AppError> { //~ untested-handler:high
    sqlx::query("INSERT INTO orders (sku, qty) VALUES ($1, $2)").bind(&o.sku).bind(o.qty)
        .execute(&db).await?;
    Ok(StatusCode::CREATED)
}

// Tested below with GET /orders/7.
async fn get_order(State(db): State<PgPool>, Path(id): Path<i64>) -> Result<Json<Order>, AppError> {
    let order = sqlx::query_as::<_, Order>("SELECT id, sku, qty FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(&db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(order))
}

// Reads external state, only GET: medium.
async fn list_orders(State(db): State<PgPool>) -> Result<Json<Vec<Order>>, AppError> { //~ untested-handler:medium
    let rows = sqlx::query_as::<_, Order>("SELECT id, sku, qty FROM orders").fetch_all(&db).await?;
    Ok(Json(rows))
}

async fn healthz() -> &'static str { "ok" }

#[derive(serde::Serialize, sqlx::FromRow)]
pub struct Order {
    id: i64,
    sku: String,
    qty: i32,
}

pub fn app(db: PgPool) -> Router {
    Router::new()
        .route("/orders", post(create_order).get(list_orders))
        .route("/orders/{id}", get(get_order))
        .route("/healthz", get(healthz))
        .with_state(db)
}
