pub mod db;
pub mod handlers;

use axum::routing::{delete, get, post, put};
use axum::Router;

pub fn router(db: db::Db) -> Router {
    Router::new()
        .route("/api/v0/record", post(handlers::post_records))
        .route("/api/v0/me", get(handlers::whoami))
        .route("/api/v0/import", post(handlers::import))
        .route("/api/v0/store", delete(handlers::delete_store))
        .route("/api/v0/record/{id}", get(handlers::get_record_handler))
        .route("/api/v0/archive", post(handlers::archive))
        .route("/api/v0/record/{id}/tags", put(handlers::tag_record))
        .route("/api/v0/record/{id}/tags/{tag}", delete(handlers::untag_record))
        .with_state(db)
}
