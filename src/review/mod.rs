//! The review of one push: fetch what changed, analyse it, plan and publish one review and one
//! check run; answer and resolve the App's threads a push fixed.

pub mod blobs;
pub mod commands;
pub mod config_preview;
pub mod job;
pub mod threads;
