//! `failmode serve`: the GitHub App's HTTP server, workers and the review of one push.

pub mod settings;
