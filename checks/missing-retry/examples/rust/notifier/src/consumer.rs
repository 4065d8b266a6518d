use crate::clients::Clients;
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicNackOptions};

pub async fn run(mut consumer: lapin::Consumer, clients: Clients) -> anyhow::Result<()> {
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        let n: Notification = match serde_json::from_slice(&delivery.data) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "bad payload; dropping");
                delivery.ack(BasicAckOptions::default()).await?;
                continue;
            }
        };
        handle(&clients, &n).await;
        delivery.ack(BasicAckOptions::default()).await?;
    }
    Ok(())
}

async fn handle(clients: &Clients, n: &Notification) {
    // Partner client retries 4x via middleware (see clients.rs).
    if let Err(e) = clients.partners.post(&n.partner_url).json(&n.body).send().await {
        tracing::error!(error = %e, partner = %n.partner, "partner webhook failed");
    }
    if let Err(e) = clients.slack_http.post(&n.slack_hook).json(&n.slack_text()).send().await { //~ missing-retry:high
        tracing::error!(error = %e, "slack notification failed");
    }
    if let Err(e) = clients.mailer.send(n.email()).await { //~ missing-retry:high
        tracing::error!(error = %e, to = %n.to, "notification email failed");
    }
    let entry = LedgerEntry { id: n.id.clone(), kind: n.kind.clone() };
    if let Err(status) = clients.ledger.clone().record(entry.clone()).await { //~ missing-retry:high
        tracing::error!(%status, "ledger record failed");
    }
    if let Err(status) = clients.audit.clone().append(entry).await {
        tracing::error!(%status, "audit append failed");
    }
}

pub async fn run_requeueing(mut consumer: lapin::Consumer, clients: Clients) -> anyhow::Result<()> {
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        let n: Notification = serde_json::from_slice(&delivery.data)?;
        match clients.mailer.send(n.email()).await {
            Ok(_) => delivery.ack(BasicAckOptions::default()).await?,
            Err(e) => {
                tracing::warn!(error = %e, "email failed; requeueing");
                delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?;
            }
        }
    }
    Ok(())
}
