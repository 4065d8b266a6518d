pub mod routes;
pub mod startup;
