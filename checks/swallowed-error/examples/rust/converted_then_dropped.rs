//! A statement that turns a failure into an error (`map_err`, `context`, `ok_or`) and then
//! drops it: nobody builds an error they mean to ignore, so the `?` is missing. The call's
//! effect does not need to be known. A conversion to `()`, a closure that logs, a typed
//! `let _: Result<..>` or a comment that says why is a decision about the error.
use anyhow::Context;

pub async fn start(auth: &AuthClient, settings: &Settings) -> anyhow::Result<Server> {
    // The service starts even when the auth service is unreachable: the `?` is missing.
    let _ = auth //~ swallowed-error
        .health()
        .await
        .map_err(|e| anyhow::anyhow!("auth service unreachable: {e}"));
    let _ = settings.get("region").ok_or(ConfigError::Missing("region")); //~ swallowed-error
    _ = settings.validate().context("invalid settings"); //~ swallowed-error
    Server::bind(settings).await
}

pub fn accept(signer: &Signer, payload: &[u8]) -> Result<Order, ApiError> {
    let _ = signer.verify(payload).map_err(ApiError::BadSignature); //~ swallowed-error
    Order::parse(payload)
}

pub fn notify(tx: &std::sync::mpsc::Sender<Event>, ev: Event, cleanup: impl Fn() -> std::io::Result<()>) {
    // Logs the error: recorded, not lost.
    let _ = tx.send(ev).map_err(|e| tracing::warn!(error = %e, "listener gone"));
    // Converted to `()`: a discard written out, not a forgotten `?`.
    let _ = cleanup().map_err(|_| ());
    let _ = cleanup().map_err(drop);
    // A typed binding is the documented way to keep a discard.
    let _: Result<(), anyhow::Error> = cleanup().context("cleanup");
    // best effort: the next start removes the stale socket anyway.
    let _ = cleanup().context("remove stale socket");
}
