pub mod notify;
pub mod tracker;
