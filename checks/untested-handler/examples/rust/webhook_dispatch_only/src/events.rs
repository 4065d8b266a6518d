use hmac::{Hmac, Mac};
use sha2::Sha256;

pub async fn dispatch(body: &[u8]) -> Result<(), serde_json::Error> {
    let event: serde_json::Value = serde_json::from_slice(body)?;
    tracing::info!(action = ?event.get("action"), "event received");
    Ok(())
}

pub fn hmac_matches(sig: &str, body: &[u8]) -> bool {
    let secret = std::env::var("WEBHOOK_SECRET").unwrap_or_default();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    let expected = hex::encode(mac.finalize().into_bytes());
    sig.trim_start_matches("sha256=") == expected
}
