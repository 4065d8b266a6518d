//! Test support shared by integration tests: a fake GitHub that is a real HTTP server.

#![allow(dead_code)]

pub mod fake_github;
