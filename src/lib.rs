//! failmode: reviews code the way an operations-minded senior engineer would. The analysis
//! engine finds where code will hurt in production (a network call with no retry, an error
//! silently dropped, a handler no test exercises); the report layer renders findings for a
//! terminal, SARIF, GitHub annotations or a pull-request review; the App layer runs it on every
//! push.

pub mod allocator;
pub mod analysis;
pub mod config;
pub mod diff;
pub mod github;
pub mod queue;
pub mod redact;
pub mod report;
pub mod review;
pub mod server;
