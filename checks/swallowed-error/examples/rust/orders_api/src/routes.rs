use crate::{storage, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use std::sync::Arc;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/orders", get(list_orders).post(create_order))
        .route("/orders/{id}/ship", post(ship_order))
        .route("/orders/{id}", delete(delete_order))
        .with_state(state)
}

#[derive(serde::Deserialize)]
pub struct NewOrder {
    pub sku: String,
    pub amount: String,
}

async fn create_order(State(state): State<Arc<AppState>>, Json(body): Json<NewOrder>) -> Result<StatusCode, AppError> {
    let cents = body.amount.parse::<i64>().unwrap_or_default(); //~ swallowed-error:high
    let id: i64 = sqlx::query_scalar("INSERT INTO orders (sku, cents) VALUES ($1, $2) RETURNING id")
        .bind(&body.sku)
        .bind(cents)
        .fetch_one(&state.db)
        .await?;
    let _ = storage::record_audit(&state.db, id, "created").await;
    storage::warm_thumbnail(&state, id).await;
    Ok(StatusCode::CREATED)
}

async fn ship_order(State(state): State<Arc<AppState>>, Path(id): Path<i64>) -> StatusCode {
    let _ = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1") //~ swallowed-error:high
        .bind(id)
        .execute(&state.db)
        .await;
    let pdf = render_receipt(id);
    let _ = storage::archive_receipt(&state, id, pdf).await; //~ swallowed-error:high
    StatusCode::NO_CONTENT
}

async fn delete_order(State(state): State<Arc<AppState>>, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    sqlx::query("DELETE FROM orders WHERE id = $1").bind(id).execute(&state.db).await?;
    state //~ swallowed-error:high
        .s3
        .delete_object()
        .bucket(&state.bucket)
        .key(format!("receipts/{id}.pdf"))
        .send()
        .await
        .ok();
    Ok(StatusCode::NO_CONTENT)
}

async fn list_orders(State(state): State<Arc<AppState>>) -> Json<Vec<Order>> {
    let orders = sqlx::query_as::<_, Order>("SELECT id, sku, cents FROM orders ORDER BY id DESC LIMIT 100") //~ swallowed-error
        .fetch_all(&state.db)
        .await
        .unwrap_or_default();
    Json(orders)
}

fn render_receipt(id: i64) -> Vec<u8> {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = write!(s, "receipt for order {id}");
    s.into_bytes()
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
