//! Class 3: receivers the vocabulary only knows in another form (`emails` for `email`), and the
//! repository's own clients named in `.github/failmode.toml` (`[vocabulary] clients`).
pub async fn close_order(state: &AppState, order: &Order) {
    if let Err(e) = state.emails.send(receipt(order)).await { //~ missing-retry:high
        tracing::warn!(error = %e, order = order.id, "receipt not sent");
    }
    if let Err(e) = state.ledger.record(order.total).await { //~ missing-retry:high
        tracing::warn!(error = %e, order = order.id, "ledger entry missing");
    }
    if let Err(e) = state.counter.record(order.total).await {
        tracing::warn!(error = %e, "counter not updated");
    }
}
