//! GitHub App authentication: the App JWT (RS256, github-platform.md §2.1), installation access
//! tokens cached until shortly before they expire (§2.2), and the settings that configure both.
//!
//! Keys, tokens and the webhook secret never appear in `Debug` output: every type holding one
//! has a hand-written `Debug` that prints `<redacted>`.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// The API base URL used when `FAILMODE_GITHUB_API_URL` is not set.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Why the App's credentials or settings could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A required setting is absent.
    #[error("{setting} is not set: {hint}")]
    MissingSetting {
        /// The environment variable name.
        setting: &'static str,
        /// What to put there.
        hint: &'static str,
    },
    /// A setting has a value that cannot be used.
    #[error("{setting} is invalid: {reason}")]
    InvalidSetting {
        /// The environment variable name.
        setting: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Signing the App JWT failed.
    #[error("could not sign the GitHub App JWT: {0}")]
    Signing(String),
}

/// The App's identity: its id (or client id) and RSA private key. Signs App JWTs.
pub struct AppCredentials {
    app_id: String,
    key: EncodingKey,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("key", &"<redacted>")
            .finish()
    }
}

#[derive(Serialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: serde_json::Value,
}

impl AppCredentials {
    /// Builds credentials from the App id and a PEM private key (PKCS#1 as GitHub issues it,
    /// or PKCS#8). `setting` names where the PEM came from, for the error message.
    pub fn from_pem(
        app_id: impl Into<String>,
        pem: &[u8],
        setting: &'static str,
    ) -> Result<Self, AuthError> {
        let app_id = app_id.into().trim().to_string();
        if app_id.is_empty() {
            return Err(AuthError::MissingSetting {
                setting: "FAILMODE_APP_ID",
                hint: "set it to the App ID (or client ID) shown on the GitHub App's settings page",
            });
        }
        super::jwt_crypto::install();
        let key = EncodingKey::from_rsa_pem(pem).map_err(|err| AuthError::InvalidSetting {
            setting,
            reason: format!(
                "not an RSA private key in PEM format ({err}); download a new private key from the GitHub App's settings page and use the .pem file as is"
            ),
        })?;
        Ok(AppCredentials { app_id, key })
    }

    /// The App id (or client id) used as the JWT issuer.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Signs an App JWT valid from 60 s before `now` until 540 s after it.
    pub fn app_jwt_at(&self, now: DateTime<Utc>) -> Result<AppJwt, AuthError> {
        let now = now.timestamp();
        // A numeric App id is sent as a number, a client id (`Iv1.…`) as a string; GitHub
        // accepts both.
        let iss = match self.app_id.parse::<u64>() {
            Ok(number) => serde_json::Value::from(number),
            Err(_) => serde_json::Value::from(self.app_id.clone()),
        };
        let claims = Claims {
            iat: now - 60,
            exp: now + 540,
            iss,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map(AppJwt)
            .map_err(|err| AuthError::Signing(err.to_string()))
    }

    /// Signs an App JWT valid from now.
    pub fn app_jwt(&self) -> Result<AppJwt, AuthError> {
        self.app_jwt_at(Utc::now())
    }
}

/// A signed App JWT (the `Authorization: Bearer` value for `/app/...` endpoints).
#[derive(Clone)]
pub struct AppJwt(String);

impl AppJwt {
    /// The token text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AppJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppJwt(<redacted>)")
    }
}

/// The webhook secret deliveries are signed with.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Wraps the secret bytes.
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        WebhookSecret(secret.into())
    }

    /// The secret bytes, for [`crate::github::webhook::verify_signature`] only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Everything `failmode serve` needs to talk to GitHub as the App.
#[derive(Debug)]
pub struct AppSettings {
    /// REST API base URL (`https://api.github.com`, or `https://HOST/api/v3` on GHES).
    pub api_url: String,
    /// App id and private key.
    pub credentials: AppCredentials,
    /// Webhook secret.
    pub webhook_secret: WebhookSecret,
}

impl AppSettings {
    /// Reads the settings from the process environment: `FAILMODE_APP_ID`,
    /// `FAILMODE_PRIVATE_KEY_PATH` or `FAILMODE_PRIVATE_KEY`, `FAILMODE_WEBHOOK_SECRET`,
    /// `FAILMODE_GITHUB_API_URL` (optional).
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (an environment stand-in, for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let app_id = non_empty("FAILMODE_APP_ID").ok_or(AuthError::MissingSetting {
            setting: "FAILMODE_APP_ID",
            hint: "set it to the App ID (or client ID) shown on the GitHub App's settings page",
        })?;
        let credentials = if let Some(path) = non_empty("FAILMODE_PRIVATE_KEY_PATH") {
            let pem = std::fs::read(&path).map_err(|err| AuthError::InvalidSetting {
                setting: "FAILMODE_PRIVATE_KEY_PATH",
                reason: format!("cannot read {path}: {err}"),
            })?;
            AppCredentials::from_pem(app_id, &pem, "FAILMODE_PRIVATE_KEY_PATH")?
        } else if let Some(pem) = non_empty("FAILMODE_PRIVATE_KEY") {
            // Platforms that cannot hold newlines in variables often store `\n` escapes.
            let pem = pem.replace("\\n", "\n");
            AppCredentials::from_pem(app_id, pem.as_bytes(), "FAILMODE_PRIVATE_KEY")?
        } else {
            return Err(AuthError::MissingSetting {
                setting: "FAILMODE_PRIVATE_KEY_PATH",
                hint: "set FAILMODE_PRIVATE_KEY_PATH to the App's .pem file, or FAILMODE_PRIVATE_KEY to its contents",
            });
        };
        let webhook_secret =
            non_empty("FAILMODE_WEBHOOK_SECRET").ok_or(AuthError::MissingSetting {
                setting: "FAILMODE_WEBHOOK_SECRET",
                hint: "set it to the webhook secret configured on the GitHub App",
            })?;
        let api_url = non_empty("FAILMODE_GITHUB_API_URL")
            .map(|url| url.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(AuthError::InvalidSetting {
                setting: "FAILMODE_GITHUB_API_URL",
                reason: format!(
                    "{:?} is not an http(s) URL; use https://api.github.com or https://HOST/api/v3 for GitHub Enterprise Server",
                    crate::redact::redact_url(&api_url)
                ),
            });
        }
        Ok(AppSettings {
            api_url,
            credentials,
            webhook_secret: WebhookSecret::new(webhook_secret.into_bytes()),
        })
    }
}

/// An installation access token and when GitHub said it expires. Opaque: any length.
#[derive(Clone)]
pub struct InstallationToken {
    token: String,
    expires_at: DateTime<Utc>,
}

impl InstallationToken {
    /// Wraps a token GitHub issued.
    pub fn new(token: String, expires_at: DateTime<Utc>) -> Self {
        InstallationToken { token, expires_at }
    }

    /// The token text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.token
    }

    /// When GitHub said the token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

impl fmt::Debug for InstallationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallationToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<InstallationToken>>>;

/// Cache of installation tokens, one slot per installation. A token is reused until
/// `refresh_margin` before its `expires_at`; concurrent callers for the same installation wait
/// for one fetch instead of each requesting a token.
pub struct InstallationTokens {
    slots: Mutex<HashMap<u64, Slot>>,
    refresh_margin: Duration,
}

impl fmt::Debug for InstallationTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let installations: Vec<u64> = match self.slots.lock() {
            Ok(slots) => slots.keys().copied().collect(),
            Err(_) => Vec::new(),
        };
        f.debug_struct("InstallationTokens")
            .field("installations", &installations)
            .field("refresh_margin", &self.refresh_margin)
            .finish()
    }
}

impl InstallationTokens {
    /// An empty cache that refreshes tokens `refresh_margin` before they expire.
    pub fn new(refresh_margin: Duration) -> Self {
        InstallationTokens {
            slots: Mutex::new(HashMap::new()),
            refresh_margin,
        }
    }

    fn slot(&self, installation_id: u64) -> Slot {
        let mut slots = match self.slots.lock() {
            Ok(slots) => slots,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots
            .entry(installation_id)
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(None)))
            .clone()
    }

    /// Returns the cached token for `installation_id`, or runs `fetch` to get a new one and
    /// caches it. Only one fetch per installation runs at a time.
    pub async fn get_or_fetch<F, Fut, E>(
        &self,
        installation_id: u64,
        fetch: F,
    ) -> Result<InstallationToken, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<InstallationToken, E>>,
    {
        let slot = self.slot(installation_id);
        let mut guard = slot.lock().await;
        if let Some(token) = guard.as_ref() {
            let margin = chrono::Duration::from_std(self.refresh_margin)
                .unwrap_or_else(|_| chrono::Duration::zero());
            if token.expires_at - margin > Utc::now() {
                return Ok(token.clone());
            }
        }
        let token = fetch().await?;
        *guard = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token of `installation_id` (after a 401, or when the installation is
    /// deleted or suspended).
    pub fn invalidate(&self, installation_id: u64) {
        let mut slots = match self.slots.lock() {
            Ok(slots) => slots,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots.remove(&installation_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_pem() -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/github/test-app-key.pem"),
        )
        .expect("test key")
    }

    #[test]
    fn jwt_has_github_claims_and_verifies_with_the_public_key() {
        crate::github::jwt_crypto::install();
        let creds = AppCredentials::from_pem("12345", &test_pem(), "FAILMODE_PRIVATE_KEY").unwrap();
        let now = Utc::now();
        let jwt = creds.app_jwt_at(now).unwrap();
        let public = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/github/test-app-key.pub.pem"),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<serde_json::Value>(
            jwt.expose(),
            &jsonwebtoken::DecodingKey::from_rsa_pem(&public).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(data.claims["iss"], serde_json::json!(12345));
        assert_eq!(data.claims["iat"], serde_json::json!(now.timestamp() - 60));
        assert_eq!(data.claims["exp"], serde_json::json!(now.timestamp() + 540));
        assert_eq!(data.header.alg, Algorithm::RS256);
    }

    #[test]
    fn malformed_pem_names_the_setting() {
        let err = AppCredentials::from_pem(
            "1",
            b"-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n",
            "FAILMODE_PRIVATE_KEY_PATH",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("FAILMODE_PRIVATE_KEY_PATH is invalid"),
            "{err}"
        );
    }

    #[test]
    fn settings_from_lookup_name_the_missing_setting_and_hide_secrets() {
        let pem = String::from_utf8(test_pem()).unwrap();
        let escaped = pem.replace('\n', "\\n");
        let lookup = |name: &str| match name {
            "FAILMODE_APP_ID" => Some("42".to_string()),
            "FAILMODE_PRIVATE_KEY" => Some(escaped.clone()),
            "FAILMODE_WEBHOOK_SECRET" => Some("hush-hush-secret".to_string()),
            _ => None,
        };
        let settings = AppSettings::from_lookup(lookup).unwrap();
        assert_eq!(settings.api_url, DEFAULT_API_URL);
        assert_eq!(settings.credentials.app_id(), "42");
        let debug = format!("{settings:?}");
        assert!(!debug.contains("hush-hush-secret"), "{debug}");
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        let body_line = pem.lines().nth(1).unwrap();
        assert!(!debug.contains(body_line), "{debug}");

        let err = AppSettings::from_lookup(|name| match name {
            "FAILMODE_APP_ID" => Some("42".to_string()),
            "FAILMODE_PRIVATE_KEY" => Some(escaped.clone()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("FAILMODE_WEBHOOK_SECRET"), "{err}");
        let err =
            AppSettings::from_lookup(|name| (name == "FAILMODE_APP_ID").then(|| "42".to_string()))
                .unwrap_err();
        assert!(
            err.to_string().contains("FAILMODE_PRIVATE_KEY_PATH"),
            "{err}"
        );
        let err = AppSettings::from_lookup(|name| match name {
            "FAILMODE_APP_ID" => Some("42".to_string()),
            "FAILMODE_PRIVATE_KEY" => Some(escaped.clone()),
            "FAILMODE_WEBHOOK_SECRET" => Some("s".to_string()),
            "FAILMODE_GITHUB_API_URL" => Some("ghe.example.com/api/v3".to_string()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("FAILMODE_GITHUB_API_URL"), "{err}");
    }

    #[test]
    fn token_debug_is_redacted() {
        let token = InstallationToken::new("ghs_supersecretvalue".into(), Utc::now());
        assert!(!format!("{token:?}").contains("supersecret"));
        let jwt = AppJwt("eyJhbGciOi.secret.sig".into());
        assert!(!format!("{jwt:?}").contains("secret"));
    }
}
