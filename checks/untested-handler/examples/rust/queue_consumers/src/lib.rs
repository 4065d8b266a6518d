pub mod billing;
pub mod worker;
