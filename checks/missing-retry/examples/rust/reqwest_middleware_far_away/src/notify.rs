use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

pub async fn order_placed(State(state): State<AppState>, Json(order): Json<Order>) -> StatusCode {
    let s = state.clone();
    tokio::spawn(async move {
        // FIXME: no retry here, billing sometimes returns 503
        if let Err(e) = s.http.post(format!("{}/invoices", s.billing_url)).json(&order).send().await {
            tracing::error!(error = %e, order = order.id, "invoice request failed");
        }
    });
    StatusCode::ACCEPTED
}

pub async fn heartbeat(state: AppState) {
    tokio::spawn(async move {
        if let Err(e) = state.plain.post(&state.status_url).body("up").send().await { //~ missing-retry:high
            tracing::warn!(error = %e, "status ping failed");
        }
    });
}
