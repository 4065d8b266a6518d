use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use crate::state::{AppState, Invoice, Line};

pub async fn list(State(s): State<AppState>, Path(customer_id): Path<i64>) -> Result<Json<Vec<Invoice>>, StatusCode> {
    let rows = s.db.invoices_for(customer_id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(rows))
}

pub async fn create(State(s): State<AppState>, Path(customer_id): Path<i64>, Json(inv): Json<Invoice>) -> Result<StatusCode, StatusCode> {
    s.db.insert_invoice(customer_id, &inv).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::CREATED)
}

// Tested as GET /api/v1/customers/3/invoices/10/lines/2.
pub async fn line(State(s): State<AppState>, Path((customer_id, invoice_id, line_id)): Path<(i64, i64, i64)>) -> Result<Json<Line>, StatusCode> {
    match s.db.line(customer_id, invoice_id, line_id).await {
        Ok(Some(l)) => Ok(Json(l)),
        Ok(None) => Err(StatusCode::NOT_FOUND),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

// The only test posts to /invoices/9/void without the /api/v1 prefix, which is a different route.
pub async fn void(State(s): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode, StatusCode> { //~ untested-handler:high
    s.db.void_invoice(id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::NO_CONTENT)
}
