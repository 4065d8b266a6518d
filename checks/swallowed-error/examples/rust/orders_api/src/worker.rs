use crate::{storage, AppState};
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use std::sync::Arc;

pub async fn run(state: Arc<AppState>) -> anyhow::Result<()> {
    loop {
        let out = state
            .sqs
            .receive_message()
            .queue_url(&state.queue_url)
            .max_number_of_messages(10)
            .send()
            .await?;
        let mut retry = Vec::new();
        for msg in out.messages() {
            let Some(body) = msg.body() else { continue };
            match handle(&state, body).await {
                Ok(()) => {
                    let _ = state //~ swallowed-error:high
                        .sqs
                        .delete_message()
                        .queue_url(&state.queue_url)
                        .receipt_handle(msg.receipt_handle().unwrap_or_default())
                        .send()
                        .await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "message failed; will retry");
                    retry.push(
                        SendMessageBatchRequestEntry::builder()
                            .id(msg.message_id().unwrap_or_default())
                            .message_body(body)
                            .build()?,
                    );
                }
            }
        }
        if !retry.is_empty() {
            let _ = state //~ swallowed-error:high
                .sqs
                .send_message_batch()
                .queue_url(format!("{}-retry", state.queue_url))
                .set_entries(Some(retry))
                .send()
                .await?;
        }
    }
}

async fn handle(state: &AppState, body: &str) -> anyhow::Result<()> {
    let ev: serde_json::Value = serde_json::from_str(body)?;
    let id = ev["order_id"].as_i64().unwrap_or_default();
    let _ = storage::record_audit(&state.db, id, "processed").await;
    let http = state.http.clone();
    tokio::spawn(async move { //~ swallowed-error
        http.post("https://crm.example.com/events").json(&ev).send().await?;
        Ok::<_, reqwest::Error>(())
    });
    let db = state.db.clone();
    storage::spawn_logged(async move {
        sqlx::query("UPDATE orders SET processed_at = now() WHERE id = $1").bind(id).execute(&db).await?;
        Ok(())
    });
    Ok(())
}
