//! Loops over recipients: a failure that is only logged loses that recipient's message, unless
//! the job tolerates per-recipient failures on purpose (recorded, or said so in a comment).
pub async fn send_digest(mailer: &Mailer, users: &[User]) -> anyhow::Result<()> {
    for user in users {
        if let Err(e) = mailer.send(digest_for(user)).await { //~ missing-retry:high
            tracing::warn!(error = %e, user = user.id, "digest email failed");
        }
    }
    Ok(())
}

pub async fn send_release_notes(mailer: &Mailer, users: &[User]) -> Report {
    let mut failed = Vec::new();
    for user in users {
        if let Err(e) = mailer.send(notes_for(user)).await {
            tracing::warn!(error = %e, user = user.id, "release notes failed");
            failed.push(user.id);
        }
    }
    Report { failed }
}

pub async fn broadcast_outage(slack: &SlackClient, channels: &[String], text: &str) {
    // Fan-out: a retry of the whole job would post twice to the channels that succeeded.
    for channel in channels {
        if let Err(e) = slack.post_message(channel, text).await {
            tracing::warn!(error = %e, %channel, "outage broadcast failed for one channel");
        }
    }
}
