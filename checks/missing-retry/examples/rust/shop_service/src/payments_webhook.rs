use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// Stripe redelivers on any non-2xx for up to three days: returning the error is the retry.
pub async fn stripe_webhook(State(s): State<AppState>, Json(ev): Json<StripeEvent>) -> Result<StatusCode, AppError> {
    sqlx::query("UPDATE orders SET paid = true WHERE payment_intent = $1").bind(&ev.intent).execute(&s.db).await?;
    let order = sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE payment_intent = $1").bind(&ev.intent).fetch_one(&s.db).await?;
    if let Err(e) = s.http.post(format!("{}/pick", s.warehouse_url)).json(&order).send().await { //~ missing-retry:high
        tracing::error!(error = %e, order = order.id, "pick request failed");
    }
    Ok(StatusCode::OK)
}
