use crate::state::AppState;
use std::time::Duration;

/// Reconciles payments every five minutes; a failed run is repeated by the next one.
pub async fn reconcile_loop(s: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        if let Err(e) = sqlx::query("UPDATE orders SET paid = true WHERE id IN (SELECT order_id FROM settled_payments)")
            .execute(&s.db)
            .await
        {
            tracing::warn!(error = %e, "reconcile failed; retrying next tick");
        }
    }
}

/// Sends "your order shipped" emails for a batch handed over by the warehouse.
pub async fn notify_shipped(s: &AppState, orders: Vec<Order>) -> anyhow::Result<()> {
    for order in orders {
        match s.http.post(format!("{}/emails", s.payments_url)).json(&shipped_email(&order)).send().await { //~ missing-retry:high
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, order = order.id, "shipped email failed");
                continue;
            }
        }
        sqlx::query("UPDATE orders SET notified = true WHERE id = $1").bind(order.id).execute(&s.db).await?;
    }
    Ok(())
}

pub fn spawn_workers(s: AppState) {
    tokio::spawn(reconcile_loop(s.clone()));
}
