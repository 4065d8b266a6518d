pub mod bot;
pub mod forge;
