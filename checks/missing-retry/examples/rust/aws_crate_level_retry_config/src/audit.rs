use crate::clients::Clients;
use aws_sdk_dynamodb::types::AttributeValue;

pub async fn record_login(clients: &Clients, user: &str, at: i64) {
    // No retry here: the SDK client is configured with 5 attempts in clients.rs.
    let res = clients
        .ddb
        .put_item()
        .table_name("audit")
        .item("user", AttributeValue::S(user.to_string()))
        .item("at", AttributeValue::N(at.to_string()))
        .send()
        .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, user, "audit write failed");
    }
    match clients.ddb.delete_item().table_name("pending_logins").key("user", AttributeValue::S(user.into())).send().await {
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cleanup failed"),
    }
}
