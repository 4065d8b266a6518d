// A lookup whose failure silently skips a delivered message's work, in a queue consumer's
// callback (docs/checks/swallowed-error.md).
use amqprs::channel::Channel;
use amqprs::consumer::AsyncConsumer;
use amqprs::{BasicProperties, Deliver};

pub struct PushConsumer {
    db: Database,
    push: PushClient,
}

#[async_trait::async_trait]
impl AsyncConsumer for PushConsumer {
    async fn consume(
        &mut self,
        _channel: &Channel,
        _deliver: Deliver,
        _properties: BasicProperties,
        content: Vec<u8>,
    ) {
        let Ok(event) = serde_json::from_slice::<FriendAccepted>(&content) else {
            tracing::warn!("undecodable friend event");
            return;
        };
        // A database blip: the message is acknowledged anyway, and the push is never sent.
        if let Ok(sessions) = self.db.find_sessions(&event.user).await { //~ swallowed-error
            for session in sessions {
                self.push.notify(&session, &event).await;
            }
        }
    }
}

// Must not flag: outside a consumer, a lookup that skips on failure is an optional extra.
pub async fn greeting(db: &Database, user: &str) -> String {
    let mut text = String::from("Hello");
    if let Ok(profile) = db.find_profile(user).await {
        text.push_str(&profile.display_name);
    }
    text
}

pub struct AuditConsumer {
    db: Database,
}

#[async_trait::async_trait]
impl AsyncConsumer for AuditConsumer {
    async fn consume(
        &mut self,
        _channel: &Channel,
        _deliver: Deliver,
        _properties: BasicProperties,
        content: Vec<u8>,
    ) {
        // Must not flag: the failure is logged in the `else`.
        if let Ok(user) = self.db.find_user(&content).await {
            tracing::info!(user = %user.id, "audit event");
        } else {
            tracing::error!("audit lookup failed");
        }
    }
}

pub struct MentionConsumer {
    db: Database,
    push: PushClient,
}

#[async_trait::async_trait]
impl AsyncConsumer for MentionConsumer {
    async fn consume(
        &mut self,
        channel: &Channel,
        deliver: Deliver,
        properties: BasicProperties,
        content: Vec<u8>,
    ) {
        if let Err(err) = self.consume_event(channel, deliver, properties, content).await {
            tracing::error!("mention event failed: {err:?}");
        }
    }
}

impl MentionConsumer {
    // The callback hands the delivery to this helper: the same message, the same loss.
    async fn consume_event(
        &mut self,
        _channel: &Channel,
        _deliver: Deliver,
        _properties: BasicProperties,
        content: Vec<u8>,
    ) -> anyhow::Result<()> {
        let event: Mention = serde_json::from_slice(&content)?;
        if let Ok(sessions) = self.db.find_sessions(&event.user).await { //~ swallowed-error
            for session in sessions {
                self.push.notify(&session, &event).await;
            }
        }
        Ok(())
    }
}
