//! The GitHub App layer `failmode serve` calls (REST only): webhook signature check and event
//! parsing ([`webhook`]), App JWT and installation tokens ([`auth`]), and a REST client with
//! retries, rate-limit handling, pacing and typed errors ([`client`]); the App manifest and the
//! permissions and events it asks for ([`manifest`]).

pub mod auth;
pub mod client;
pub mod error;
pub mod jwt_crypto;
pub mod manifest;
pub mod types;
pub mod webhook;

pub use auth::{
    AppCredentials, AppSettings, AuthError, InstallationToken, InstallationTokens, WebhookSecret,
};
pub use client::{CallKey, ClientSettings, GithubClient};
pub use error::GithubError;
pub use types::ManifestConversion;
pub use webhook::{verify_signature, Event, RepoRef, WebhookError};
