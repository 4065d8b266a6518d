use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub mod admin;
mod invoices;

pub fn api_routes() -> Router<AppState> {
    let invoices = Router::new()
        .route("/", get(invoices::list).post(invoices::create))
        .route("/{invoice_id}/lines/{line_id}", get(invoices::line));
    Router::new()
        .nest("/customers/{customer_id}/invoices", invoices)
        .route("/invoices/{id}/void", post(invoices::void))
}
