use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

pub async fn create_order(State(s): State<AppState>, Json(new): Json<NewOrder>) -> Result<(StatusCode, Json<Order>), AppError> {
    let order: Order = sqlx::query_as("INSERT INTO orders (sku, qty) VALUES ($1, $2) RETURNING *")
        .bind(&new.sku)
        .bind(new.qty)
        .fetch_one(&s.db)
        .await?;
    s.http.post(format!("{}/reservations", s.warehouse_url)).json(&order).send().await?.error_for_status()?;
    Ok((StatusCode::CREATED, Json(order)))
}

pub async fn cancel_order(State(s): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    sqlx::query("UPDATE orders SET status = 'cancelled' WHERE id = $1").bind(id).execute(&s.db).await?;
    // The order is already cancelled: a redelivered request takes the "already cancelled" branch.
    if let Err(e) = s.http.post(format!("{}/refunds", s.payments_url)).json(&RefundRequest { order_id: id }).send().await { //~ missing-retry:high
        tracing::error!(error = %e, id, "refund request failed");
    }
    match s.http.delete(format!("{}/reservations/{id}", s.warehouse_url)).send().await { //~ missing-retry:high
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, id, "releasing reservation failed"),
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn upload_invoice(State(s): State<AppState>, Path(id): Path<i64>, body: axum::body::Bytes) -> StatusCode {
    if let Err(e) = s.s3.put_object().bucket("invoices").key(format!("{id}.pdf")).body(body.into()).send().await {
        tracing::error!(error = %e, id, "invoice upload failed");
        return StatusCode::BAD_GATEWAY;
    }
    StatusCode::CREATED
}

pub async fn order_status(State(s): State<AppState>, Path(id): Path<i64>) -> Json<Status> {
    let live = match s.http.get(format!("{}/shipments/{id}", s.warehouse_url)).send().await {
        Ok(r) => r.json::<Shipment>().await.ok(),
        Err(e) => {
            tracing::warn!(error = %e, id, "warehouse lookup failed; showing cached status");
            None
        }
    };
    Json(Status::from(live))
}
