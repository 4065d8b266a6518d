//! The review of one push: fetch what changed, analyse it, plan and publish one review and one
//! check run.

pub mod blobs;
pub mod job;
