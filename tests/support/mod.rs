//! Test support shared by integration tests: a fake GitHub that is a real HTTP server, and
//! `failmode serve` as a child process.

#![allow(dead_code)]

pub mod fake_github;
pub mod orders;
pub mod postgres;
pub mod server;
