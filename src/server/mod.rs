//! `failmode serve`: the GitHub App's HTTP server, its workers and its configuration.

pub mod app;
pub mod credentials;
pub mod http;
pub mod intake;
pub mod metrics;
pub mod recovery;
pub mod retention;
pub mod settings;
pub mod setup;
pub mod webhook;
pub mod worker;
