//! Classes 5, 7 and 9: an intent word in a comment about something else does not silence the
//! finding; an Err arm that answers with a value has handled the error; a fn whose doc comment
//! says it is best effort, or a comment in the `Err` branch that calls it fire-and-forget, has
//! chosen one attempt; one that answers the requester with a failure on its reply channel has
//! handed them the retry.
pub async fn forward(http: &reqwest::Client, req: Forwarded) {
    match http.post(UPSTREAM_URL).json(&req).send().await { //~ missing-retry:high
        Ok(resp) => {
            // If the request was done intentionally twice, upstream deduplicates it.
            tracing::info!(status = %resp.status(), "forwarded");
        }
        Err(e) => tracing::warn!(error = %e, "forward failed"),
    }
}

pub async fn subscribe(http: &reqwest::Client, email: &str) -> Reply {
    match http.post(NEWSLETTER_URL).json(&email).send().await {
        Ok(_) => Reply::text("You are subscribed."),
        Err(e) => {
            tracing::warn!(error = %e, "newsletter signup failed");
            Reply::text("We could not subscribe you right now: please try again.")
        }
    }
}

/// Pings the status page. Best effort: the status page polls us anyway.
pub async fn ping_status_page(http: &reqwest::Client) {
    if let Err(e) = http.post(STATUS_URL).send().await {
        tracing::debug!(error = %e, "status ping failed");
    }
}

/// Tells the local metrics agent about a login. A comment in the `Err` branch says one
/// attempt is the intent.
pub async fn emit_login_event(http: &reqwest::Client, user: &str) {
    if let Err(e) = http.post(METRICS_AGENT_URL).json(&user).send().await {
        tracing::debug!(error = %e, "login event not sent");
        // Don't fail the login: this is fire-and-forget.
    }
}

/// An `Err` branch that answers the requester on its reply channel has told them the work
/// failed; one that answers `Ok` has not.
pub async fn serve_logins(http: &reqwest::Client, mut requests: LoginRequests) {
    while let Some(LoginRequest { user, reply }) = requests.recv().await {
        match http.post(AUTH_URL).json(&user).send().await {
            Ok(_) => {
                let _ = reply.send(Verdict::Allow);
            }
            Err(e) => {
                tracing::warn!(error = %e, "authentication error");
                let _ = reply.send(Verdict::Deny);
            }
        }
    }
}

pub async fn record_logins(http: &reqwest::Client, mut requests: LoginRequests) {
    while let Some(LoginRequest { user, reply }) = requests.recv().await {
        match http.post(AUDIT_URL).json(&user).send().await { //~ missing-retry:high
            Ok(_) => {
                let _ = reply.send(Ok(()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "login not recorded");
                let _ = reply.send(Ok(()));
            }
        }
    }
}
